"""tn.study: the notebook's comparison for any activations and depth, and the tinynet-study command."""

import importlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import tinynet as tn
from tinynet.study import compare, main, save_figures

EXPECTED = Path(__file__).parent / "data" / "expected_output.txt"
# the figures of the notebook's study, as the command and examples/vanishing_gradients.py write them
FIGURES = ["decision_boundaries.png", "gradient_flow.png", "gradient_heatmap.png", "gradients.png",
           "gradients_first_layer.png", "gradients_overlay.png", "loss.png", "units.png"]


class Swish(tn.Activation):
    """An activation of the user's own (x * sigmoid(x))."""

    def forward(self, x):
        return x / (1 + np.exp(-x))

    def derivative(self, x, out):
        s = 1 / (1 + np.exp(-x))
        return s + out * (1 - s)


def test_the_first_thousand_iterations_print_the_notebook_lines(capsys):
    compare(iterations=1001)  # data, then the sigmoid net's weights, then the ReLU net's: one stream
    lines = capsys.readouterr().out.splitlines()
    expected = EXPECTED.read_text().splitlines()
    assert lines[:2] == expected[:2]  # sigmoid, iterations 0 and 1000
    assert lines[3:5] == expected[51:53]  # relu, iterations 0 and 1000
    assert lines[2].startswith("training accuracy: ")
    assert len(lines) == 6


def test_one_stream_data_first_then_each_net_in_turn():
    result = compare(("relu", "tanh"), depth=3, width=6, iterations=5, quiet=True)
    rng = np.random.RandomState(0)
    X, y = tn.datasets.spiral(rng=rng)
    init = tn.init.Normal(0.1)
    for name, act in [("relu", tn.ReLU), ("tanh", tn.Tanh)]:
        model = tn.Sequential(tn.Dense(2, 6, init=init, rng=rng), act(), tn.Dense(6, 6, init=init, rng=rng), act(),
                              tn.Dense(6, 6, init=init, rng=rng), act(), tn.Dense(6, 3, init=init, rng=rng))
        history = model.fit(X, y, optimizer=tn.SGD(lr=0.1), l2=1e-3, iterations=5)
        np.testing.assert_array_equal(result[name].loss, history.loss)
        assert result[name].accuracy == model.accuracy(X, y)
    np.testing.assert_array_equal(result.X, X)


def test_result_holds_every_layer_and_the_diagnostics():
    result = compare(("sigmoid", "relu", "maxout"), depth=4, width=5, iterations=7, quiet=True)
    assert list(result) == ["sigmoid", "relu", "maxout"]
    assert len(result) == 3
    relu = result["relu"]
    assert list(relu.gradients) == ["dense_0", "dense_1", "dense_2", "dense_3", "dense_4"]
    assert relu.gradient_matrix.shape == (5, 7)
    assert relu.loss.shape == (7,)
    assert isinstance(relu.model, tn.Sequential)
    assert 0 <= relu.accuracy <= 1
    assert list(relu.dead) == ["relu_0", "relu_1", "relu_2", "relu_3"]
    assert relu.saturated == {}
    assert list(result["sigmoid"].saturated) == ["sigmoid_0", "sigmoid_1", "sigmoid_2", "sigmoid_3"]
    assert result.settings["depth"] == 4
    assert "relu" in result.summary().splitlines()[2]
    assert repr(relu).startswith("Run('relu', accuracy=")


def test_maxout_replaces_each_dense_activation_pair():
    result = compare(["maxout"], depth=3, width=4, iterations=2, pieces=3, quiet=True)
    kinds = [type(layer).__name__ for layer in result["maxout"].model.layers]
    assert kinds == ["Maxout", "Maxout", "Maxout", "Dense"]
    assert result["maxout"].model.layers[0].params["W"].shape == (3, 2, 4)
    assert list(result["maxout"].gradients) == ["maxout_0", "maxout_1", "maxout_2", "dense_0"]


def test_user_activations_as_classes_and_instances():
    leaky = tn.LeakyReLU(0.2)
    result = compare([Swish, leaky, tn.LeakyReLU(), tn.Maxout], depth=2, width=4, iterations=3, quiet=True)
    assert list(result) == ["swish", "leaky_relu", "LeakyReLU(alpha=0.01)", "maxout"]
    layers = result["leaky_relu"].model.layers
    assert layers[1] is not leaky
    assert layers[1].alpha == 0.2
    assert layers[1] is not layers[3]
    assert leaky.name == "leaky_relu"  # the given instance is copied, not renamed or used


def test_bad_activations_and_settings():
    with pytest.raises(ValueError, match=r"unknown activation 'sigmod'; valid names are 'sigmoid', .*Did you mean 'sigmoid'"):
        compare(["sigmod"], quiet=True)
    with pytest.raises(TypeError, match="not an activation"):
        compare([tn.Dense], iterations=1, quiet=True)
    with pytest.raises(ValueError, match="given twice"):
        compare(["relu", tn.ReLU], quiet=True)
    with pytest.raises(ValueError, match="empty"):
        compare([], quiet=True)
    with pytest.raises(ValueError, match="compare: depth must be >= 1"):
        compare(depth=0)
    with pytest.raises(ValueError, match="Did you mean 'spiral'"):
        compare(dataset="spirals")


def test_own_dataset_and_a_generator_seed():
    X = np.random.default_rng(0).normal(size=(20, 3))
    y = (X[:, 0] > 0).astype(int)
    result = compare(["tanh"], dataset=(X, y), seed=np.random.default_rng(1), iterations=3, width=4, quiet=True)
    assert result["tanh"].model.layers[-1].n_out == 2
    assert result.settings["dataset"] == "custom"


def test_depth_six_sigmoid_first_layer_gradient_is_thousands_of_times_smaller_than_relu():
    # Measured with the notebook's settings (width 50, lr 0.1, l2 1e-3, Normal(0.1), seed 0), six hidden
    # layers, 3,000 iterations, the notebook's metric sum|dW|/(n_in + n_out) of the first layer,
    # averaged over the last 100 iterations: sigmoid 1.17e-7, ReLU 9.8e-4, LeakyReLU ~1e-3 -- about
    # 8,400x smaller; at every single iteration at least ~400x smaller (the smallest gap is at iteration 0).
    # The sigmoid net does not learn at all in that time (accuracy 0.33, chance); the others reach 0.99.
    result = compare(("sigmoid", "relu", "leaky_relu"), depth=6, iterations=3000, quiet=True)
    sigmoid, relu, leaky = (result[name].gradient_matrix[0] for name in ("sigmoid", "relu", "leaky_relu"))
    assert relu[-100:].mean() / sigmoid[-100:].mean() > 1000
    assert leaky[-100:].mean() / sigmoid[-100:].mean() > 1000
    assert (relu / sigmoid).min() > 100
    assert result["sigmoid"].accuracy < 0.4
    assert result["relu"].accuracy > 0.95


# -- the command ---------------------------------------------------------------


def test_main_prints_the_lines_and_writes_every_figure(tmp_path, capsys):
    code = main(["--activations", "sigmoid", "relu", "tanh", "--depth", "3", "--width", "8",
                 "--iterations", "40", "--print-every", "20", "--out", str(tmp_path / "figs")])
    out, err = capsys.readouterr()
    assert code == 0
    assert [line.split(":")[0] for line in out.splitlines()] == (
        ["iteration 0", "iteration 20", "training accuracy"] * 3)
    assert "training the tanh net: 2 -> 8 -> 8 -> 8 -> 3, 40 iterations" in err
    assert "grad layer 1" in err
    assert f"wrote {tmp_path / 'figs' / 'loss.png'}" in err
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == FIGURES
    assert all((tmp_path / "figs" / name).stat().st_size > 10_000 for name in FIGURES)


def test_quiet_prints_nothing(capsys):
    assert main(["--iterations", "3", "--quiet", "--no-figures", "--metric", "mean_abs"]) == 0
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--activations", "sigmod"], ("argument --activations: unknown activation 'sigmod'; valid names are "
                                      "'sigmoid', 'relu', 'leaky_relu', 'tanh', 'elu', 'softplus', 'maxout'. "
                                      "Did you mean 'sigmoid'?")),
        (["--activations"], "argument --activations: expected at least one argument"),
        (["--activations", "relu", "relu"], "argument --activations: a value is given twice: relu relu"),
        (["--depth", "0"], "argument --depth: must be >= 1, got 0"),
        (["--iterations", "1.5"], "argument --iterations: expected a whole number, got '1.5'"),
        (["--lr", "-1"], "argument --lr: must be finite and > 0, got -1"),
        (["--lr", "fast"], "argument --lr: expected a number, got 'fast'"),
        (["--l2", "nan"], "argument --l2: must be finite and >= 0, got nan"),
        (["--seed", "-3"], "argument --seed: must be >= 0, got -3"),
        (["--metric", "max"], "argument --metric: invalid choice: 'max'"),
        (["--depht", "3"], "unrecognized arguments: --depht 3"),
        (["--out", __file__], "argument --out: " + __file__ + " is a file, not a folder for the figures"),
    ],
)
def test_bad_options_get_argparse_messages(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert err.startswith("usage: tinynet-study")
    assert message in err
    assert "Traceback" not in err


def test_no_figure_cuts_off_a_label_or_title(tmp_path, saved_figures, sticking_out):
    # issue 23: the bar chart's title was cut at "...lr 0.1, l2 0.001" (two nets, the default settings)
    for activations in [("sigmoid", "relu"), ("relu",), ("sigmoid", "relu", "tanh", "maxout")]:
        saved_figures.clear()
        written = save_figures(compare(activations, iterations=20, quiet=True), tmp_path)
        assert sorted(saved_figures) == sorted(path.name for path in written)
        assert {name: sticking_out(fig) for name, fig in saved_figures.items()} == {name: [] for name in saved_figures}


def test_the_overlay_shows_the_first_thousand_iterations_on_a_log_scale(tmp_path, saved_figures):
    # issue 23: the notebook's overlay squashed the first 1,000 iterations, where the nets differ most
    save_figures(compare(("sigmoid", "relu"), depth=1, width=8, iterations=1200, quiet=True), tmp_path)
    whole, start = saved_figures["gradients_overlay.png"].axes
    assert (whole.get_yscale(), start.get_yscale()) == ("linear", "log")
    assert (whole.get_title(), start.get_title()) == ("all 1,200 iterations", "the first 1,000 iterations (log scale)")
    assert [len(line.get_xdata()) for line in whole.get_lines()] == [1200] * 4
    assert [len(line.get_xdata()) for line in start.get_lines()] == [1000] * 4
    labels = [text.get_text() for text in saved_figures["gradients_overlay.png"].legends[0].get_texts()]
    assert labels == ["sigmoid dense_0", "sigmoid dense_1", "relu dense_0", "relu dense_1"]


def test_save_figures_into_a_file_is_refused(tmp_path):
    (tmp_path / "taken").write_text("")
    result = compare(("relu",), iterations=2, quiet=True)
    with pytest.raises(FileExistsError, match="taken is a file, not a folder"):
        save_figures(result, tmp_path / "taken")


def test_divergence_is_an_error_message_not_a_traceback(capsys):
    code = main(["--activations", "relu", "--lr", "1e6", "--iterations", "200", "--no-figures", "--quiet"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("tinynet-study: error: fit: training diverged at iteration")


def test_missing_matplotlib_is_a_note_not_a_failure(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    assert main(["--iterations", "2", "--print-every", "1", "--out", str(tmp_path)]) == 0
    assert "matplotlib is not installed" in capsys.readouterr().err


def test_python_dash_m_and_the_console_script():
    module = subprocess.run([sys.executable, "-W", "error", "-m", "tinynet.study", "--activations", "elu",
                             "--iterations", "2", "--no-figures"], check=False, capture_output=True, text=True, timeout=120)
    assert module.returncode == 0, module.stderr
    assert module.stdout.splitlines()[0].startswith("iteration 0: loss ")
    bad = subprocess.run([sys.executable, "-m", "tinynet.study", "--activations", "relu6"],
                         check=False, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2
    assert "Did you mean 'relu'?" in bad.stderr
    assert "Traceback" not in bad.stderr
    script = Path(sys.executable).with_name("tinynet-study")
    if not script.exists():
        pytest.skip("tinynet-study is not installed next to this Python (pip install -e .)")
    helped = subprocess.run([str(script), "--help"], check=False, capture_output=True, text=True, timeout=120)
    assert helped.returncode == 0
    assert "--activations NAME [NAME ...]" in helped.stdout


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_default_command_prints_the_notebook_lines_exactly(jobs, tmp_path):
    done = subprocess.run([sys.executable, "-m", "tinynet.study", "--jobs", jobs, "--out", str(tmp_path)],
                          capture_output=True, text=True, check=True, timeout=900)
    assert done.stdout == EXPECTED.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == FIGURES


def test_progress_bars_leave_the_printed_lines_intact(capsys):
    compare(["relu"], iterations=5, print_every=2, progress=True)
    with_bar = capsys.readouterr().out
    compare(["relu"], iterations=5, print_every=2)
    assert with_bar == capsys.readouterr().out
    assert with_bar.splitlines()[1].startswith("iteration 2: loss ")


def _same_runs(a, b):
    assert list(a) == list(b)
    for name in a:
        x, y = a[name], b[name]
        np.testing.assert_array_equal(x.loss, y.loss)
        assert list(x.gradients) == list(y.gradients)
        for layer in x.gradients:
            np.testing.assert_array_equal(x.gradients[layer], y.gradients[layer])
        assert x.accuracy == y.accuracy
        for fractions in ("saturated", "dead"):
            assert list(getattr(x, fractions)) == list(getattr(y, fractions))
            for layer, values in getattr(x, fractions).items():
                np.testing.assert_array_equal(values, getattr(y, fractions)[layer])
        np.testing.assert_array_equal(x.units.iterations, y.units.iterations)
        assert [lay.name for lay in x.model.layers] == [lay.name for lay in y.model.layers]
        assert list(x.model.parameters()) == list(y.model.parameters())
        for key, param in x.model.parameters().items():
            np.testing.assert_array_equal(param, y.model.parameters()[key])


@pytest.mark.parametrize("jobs", [2, 3])
def test_jobs_train_in_other_processes_with_the_same_results_and_lines(jobs, capsys):
    settings = {"activations": ["sigmoid", tn.LeakyReLU(0.2), "maxout", "relu"], "depth": 2, "width": 6,
                "iterations": 30, "print_every": 10, "l2": 1e-2}
    here = compare(**settings)
    printed_here = capsys.readouterr()
    there = compare(**settings, jobs=jobs)
    assert capsys.readouterr() == printed_here  # the same lines, net by net, notes included
    _same_runs(here, there)
    assert there["relu"].units.iterations.tolist() == list(range(30))
    # the results are ordinary: the nets train on, and record on
    np.testing.assert_array_equal(there["relu"].model.predict(here.X), here["relu"].model.predict(here.X))


def test_jobs_with_quiet_and_without_print_every(capsys):
    _same_runs(compare(("tanh", "relu"), iterations=5, quiet=True, jobs=2),
               compare(("tanh", "relu"), iterations=5, quiet=True))
    assert capsys.readouterr() == ("", "")
    compare(("tanh", "relu"), iterations=5, print_every=None)
    printed_here = capsys.readouterr()
    compare(("tanh", "relu"), iterations=5, print_every=None, jobs=2)
    assert capsys.readouterr() == printed_here
    assert [line[:19] for line in printed_here.out.splitlines()] == ["training accuracy: "] * 2


def test_a_net_diverging_in_another_process_raises_the_same_error(capsys):
    settings = {"activations": ["relu", "sigmoid"], "lr": 1e6, "iterations": 200, "print_every": 1}
    with pytest.raises(tn.TrainingDiverged) as here:
        compare(**settings)
    printed_here = capsys.readouterr().out
    with pytest.raises(tn.TrainingDiverged) as there:
        compare(**settings, jobs=2)
    assert str(there.value) == str(here.value)
    assert (there.value.iteration, there.value.layer) == (here.value.iteration, here.value.layer)
    assert capsys.readouterr().out == printed_here


def test_workers_import_this_tinynet_not_one_in_the_working_folder(tmp_path, monkeypatch):
    (tmp_path / "tinynet").mkdir()
    (tmp_path / "tinynet" / "__init__.py").write_text("raise ImportError('not the tinynet under test')\n")
    monkeypatch.chdir(tmp_path)
    _same_runs(compare(("relu", "tanh"), iterations=3, quiet=True, jobs=2),
               compare(("relu", "tanh"), iterations=3, quiet=True))


WORKER_LAYERS = '''
import os
import signal

import numpy as np

import tinynet as tn


class Swish(tn.Activation):
    def forward(self, x):
        return x / (1 + np.exp(-x))

    def derivative(self, x, out):
        s = 1 / (1 + np.exp(-x))
        return s + out * (1 - s)


class WherePid(tn.Activation):
    """The identity, remembering the process that computed it."""

    def forward(self, x):
        self.pid = os.getpid()
        return x.copy()

    def derivative(self, x, out):
        return np.ones_like(x)


class KilledInWorker(tn.Activation):
    """The identity, except in a process other than ``parent``, which it kills."""

    def __init__(self, parent=0):
        super().__init__()
        self.parent = parent

    def forward(self, x):
        if os.getpid() != self.parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return x.copy()

    def derivative(self, x, out):
        return np.ones_like(x)
'''


@pytest.fixture
def worker_layers(tmp_path, monkeypatch):
    """Layer classes in a module on sys.path, which worker processes can import by name."""
    (tmp_path / "tinynet_worker_layers.py").write_text(WORKER_LAYERS)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module("tinynet_worker_layers")
    sys.modules.pop("tinynet_worker_layers", None)


def alive(pid: int) -> bool:
    """Whether the process ``pid`` still runs (Linux: its /proc entry)."""
    return Path(f"/proc/{pid}").exists()


def test_each_net_trains_in_a_worker_process_that_ends_with_compare(worker_layers):
    result = compare([worker_layers.WherePid, "relu"], iterations=2, quiet=True, jobs=2)
    pid = result["where_pid"].model[1].pid
    assert pid != os.getpid()
    assert not alive(pid)


def test_a_killed_worker_is_a_runtime_error_that_says_so(worker_layers, capsys):
    # #7, defect 20: the message used to say "its error is above" with nothing above
    with pytest.raises(RuntimeError, match=r"a worker process ended before it finished, so these nets were not "
                                           r"trained: (relu, )?killed_in_worker\. Was it killed, or out of memory\?"
                                           ) as error:
        compare(("relu", worker_layers.KilledInWorker(os.getpid())), iterations=2, quiet=True, jobs=2)
    assert "above" not in str(error.value)
    assert capsys.readouterr() == ("", "")


def test_jobs_take_layers_that_a_worker_can_import_and_no_progress_bars(worker_layers):
    # #8: pickling to our own workers is no trust boundary, so layers of one's own go there too
    _same_runs(compare(("relu", worker_layers.Swish), iterations=3, quiet=True, jobs=2),
               compare(("relu", worker_layers.Swish), iterations=3, quiet=True))
    nowhere = type("Swish", (Swish,), {"__module__": "a_module_no_worker_can_import"})
    with pytest.raises(ValueError, match=r"the swish net has swish_0, a Swish from 'a_module_no_worker_can_import', "
                                         r"which a worker process cannot import \(a class from a notebook cell"):
        compare(("relu", nowhere), iterations=2, quiet=True, jobs=2)
    with pytest.raises(ValueError, match="compare: progress bars need jobs=1"):
        compare(("relu", "tanh"), iterations=2, progress=True, jobs=2)
    with pytest.raises(ValueError, match="compare: jobs must be >= 1"):
        compare(("relu", "tanh"), iterations=2, jobs=0)
    compare(("relu", "tanh"), iterations=2, quiet=True, progress=True, jobs=2)  # quiet: no bars to draw
    one = compare(("relu",), iterations=2, progress=True, jobs=2)  # one net: trained here, bars and all
    assert one["relu"].loss.shape == (2,)


def test_main_jobs_option(capsys):
    argv = ["--activations", "relu", "elu", "--iterations", "20", "--print-every", "10", "--no-figures"]
    assert main([*argv, "--jobs", "1"]) == 0
    one = capsys.readouterr()
    assert main([*argv, "--jobs", "2"]) == 0
    assert capsys.readouterr() == one
    with pytest.raises(SystemExit):
        main([*argv, "--jobs", "0"])
    assert "argument --jobs: must be >= 1, got 0" in capsys.readouterr().err


def test_a_study_result_keeps_the_mapping_protocol_and_runs_compare_by_value():
    # #7, defect 15: "tanh" in r and r.get("tanh") raised ValueError, r == dict(r) was False,
    # and comparing two equal Runs raised "truth value of an array is ambiguous"
    result = compare(("sigmoid", "relu"), iterations=3, quiet=True)
    assert "tanh" not in result
    assert "relu" in result
    assert result.get("tanh") is None
    assert result == dict(result)
    with pytest.raises(KeyError, match=r"no run 'tanh' in this study; its runs are 'sigmoid', 'relu'"):
        result["tanh"]
    again = compare(("sigmoid", "relu"), iterations=3, quiet=True)
    assert result["relu"] == again["relu"]
    assert result == again
    assert result["relu"] != result["sigmoid"]
    assert result != compare(("sigmoid", "relu"), iterations=4, quiet=True)


def _study(*argv, **kwargs):
    return subprocess.Popen([sys.executable, "-m", "tinynet.study", *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


def _workers_of(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux: /proc)."""
    children = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:  # gone meanwhile
            continue
        if fields.get("PPid", "").strip() == str(pid):
            children.append(int(status.parent.name))
    return children


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="finds worker processes through /proc (Linux)")
@pytest.mark.parametrize(("signum", "code", "word"), [(signal.SIGTERM, 143, "terminated"),
                                                      (signal.SIGINT, 130, "interrupted")])
def test_a_signal_ends_the_workers_with_one_line_and_its_exit_status(signum, code, word, tmp_path):
    # #7, defect 16: SIGTERM left the workers running and a temporary folder behind; Ctrl-C printed
    # tracebacks from the parent and a worker
    study = _study("--jobs", "2", "--out", str(tmp_path), start_new_session=True)
    deadline = time.monotonic() + 60
    while len(_workers_of(study.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(2.0)  # the two workers are training now
    workers = _workers_of(study.pid)
    assert len(workers) >= 2
    if signum == signal.SIGINT:
        os.killpg(study.pid, signum)  # Ctrl-C in a terminal reaches the whole process group
    else:
        study.send_signal(signum)
    out, err = study.communicate(timeout=60)
    assert study.returncode == code
    assert err.strip().splitlines()[-1] == f"tinynet-study: {word}"
    assert "Traceback" not in err
    deadline = time.monotonic() + 10  # the workers are gone (a helper process may take a moment)
    while [pid for pid in workers if alive(pid)] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if alive(pid)]
    assert out == ""  # no net had finished: nothing printed, no figures
    assert not list(tmp_path.iterdir())


def test_an_unusable_out_folder_is_refused_before_training(tmp_path, capsys):
    # #7, defect 17: a bad --out trained for a minute, then died with a traceback and exit status 1
    (tmp_path / "file").write_text("")
    with pytest.raises(SystemExit) as exit_info:
        main(["--iterations", "50000", "--out", str(tmp_path / "file" / "figures")])
    out, err = capsys.readouterr()
    assert exit_info.value.code == 2
    assert out == ""  # not one iteration
    assert "argument --out: cannot write into the folder" in err
    assert "Traceback" not in err


def test_a_seed_beyond_randomstate_s_range_is_a_bad_option(capsys):
    # #7, defect 18: --seed 4294967296 ended in a numpy traceback
    with pytest.raises(SystemExit) as exit_info:
        main(["--seed", "4294967296", "--no-figures"])
    assert exit_info.value.code == 2
    assert "argument --seed: must be <= 4294967295, got 4294967296" in capsys.readouterr().err
    assert main(["--seed", "4294967295", "--iterations", "1", "--quiet", "--no-figures"]) == 0


def test_quiet_writes_figures_only_where_out_says(tmp_path, monkeypatch, capsys):
    # #7, defect 19: --quiet wrote over ./figures and said nothing
    monkeypatch.chdir(tmp_path)
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "loss.png").write_bytes(b"the previous run's figure")
    assert main(["--activations", "relu", "--iterations", "3", "--quiet"]) == 0
    assert (tmp_path / "figures" / "loss.png").read_bytes() == b"the previous run's figure"
    assert main(["--activations", "relu", "--iterations", "3", "--quiet", "--out", "figs"]) == 0
    assert (tmp_path / "figs" / "loss.png").stat().st_size > 10_000
    assert capsys.readouterr() == ("", "")
