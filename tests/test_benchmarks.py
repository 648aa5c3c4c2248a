"""The benchmark's competitors all do the same computation, so their timings compare like with like.

No timing is asserted here: ``benchmarks/run.py`` measures; this file only checks
that the notebook loop, the hand-optimised loops and tinynet train to the same weights,
and that ``--contention`` leaves no busy process behind.
"""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

RUN_PY = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


def load_run_py():
    spec = importlib.util.spec_from_file_location("tinynet_benchmarks_run", RUN_PY)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


bench = load_run_py()


@pytest.mark.parametrize("cfg", bench.CONFIGS, ids=lambda cfg: cfg.name)
def test_every_competitor_trains_like_the_notebook_loop(cfg):
    differences = bench.check(cfg, have_torch=False)
    expected = {"(a) notebook", "(b) numpy", "(b') numpy, flat", "(c) tinynet", "(c0) tinynet, no recorder"}
    if cfg.dtype != np.float64:
        expected |= {"(c64) tinynet, float64", "(b64) numpy, float64"}
    assert set(differences) == expected
    assert differences["(a) notebook"] == 0.0
    assert max(differences.values()) <= bench.AGREE[cfg.dtype]


@pytest.mark.parametrize("cfg", [cfg for cfg in bench.CONFIGS if cfg.dtype == np.float64][:4], ids=lambda cfg: cfg.name)
def test_the_flat_loop_with_fresh_arrays_trains_like_the_notebook_loop(cfg):
    # gap.py's (b' fresh): the same computation as (b'), only into new arrays
    reference, fresh = bench.notebook_loop(cfg), bench.flat_loop(cfg, fresh=True)
    reference(3)
    fresh(3)
    (W_a, b_a, m_a), (W_f, b_f, m_f) = reference.state(), fresh.state()
    for a, r in zip([*W_f, *b_f, np.array(m_f)], [*W_a, *b_a, np.array(m_a)], strict=True):
        assert np.max(np.abs(a - r)) <= bench.AGREE[np.float64] * np.max(np.abs(r))


def test_gap_py_times_each_step_between_the_flat_loop_and_fit(monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(RUN_PY.parent))
    spec = importlib.util.spec_from_file_location("tinynet_benchmarks_gap", RUN_PY.parent / "gap.py")
    gap = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gap)
    gap.main(["--rounds", "1", "--iterations", "2", "--only", "notebook net, relu"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("notebook net, relu")
    assert [line.split("  ")[1].strip() for line in lines[1:]] == [
        "(b') numpy, flat", "(b' fresh) flat, fresh arrays", "forward and backward", "+ L2, step", "+ recorder", "fit"]


def test_the_float64_references_of_a_float32_config_run_in_float64():
    cfg = next(cfg for cfg in bench.CONFIGS if cfg.dtype == np.float32)
    for name, run in bench.competitors(cfg, have_torch=False).items():
        weights = run.state()[0]
        assert {W.dtype for W in weights} == {np.dtype(np.float64 if "float64" in name else np.float32)}, name


def one_step_short(run):
    return lambda iterations: run(iterations - 1)


def biases_frozen(run):
    def frozen(iterations):
        run(iterations)
        for b in run.state()[1]:
            b[...] = 0.0

    return frozen


@pytest.mark.parametrize("sabotage", [one_step_short, biases_frozen])
@pytest.mark.parametrize(("loop", "name"), [("optimised_loop", "(b) numpy"), ("flat_loop", "(b') numpy, flat")])
def test_a_competitor_that_skips_work_is_caught(monkeypatch, sabotage, loop, name):
    honest = getattr(bench, loop)

    def sabotaged(cfg):
        run = honest(cfg)
        broken = sabotage(run)
        broken.state = run.state
        return broken

    monkeypatch.setattr(bench, loop, sabotaged)
    differences = bench.check(bench.CONFIGS[0], have_torch=False)
    assert differences[name] > 1e-3
    assert differences["(c) tinynet"] <= bench.AGREE[np.float64]


def test_busy_processes_are_stopped_however_the_block_ends():
    started, running = [], []

    def interrupted():
        with bench.busy_processes(2, seconds=600) as procs:
            started.extend(procs)
            running.extend(proc.poll() is None for proc in procs)
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted()
    assert running == [True, True]
    assert None not in [proc.returncode for proc in started]


def test_a_busy_process_ends_by_itself_after_its_time():
    with bench.busy_processes(1, seconds=0.1) as procs:
        assert procs[0].wait(timeout=60) == 0
