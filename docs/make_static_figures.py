"""Redraw the committed figures in docs/_static/ from the full runs.

The tutorial and the README show the figures of the full reproduction (2 x
50,000 iterations, about a minute), which is too slow to run in every docs
build; this script makes them, with the example's own functions::

    python docs/make_static_figures.py            # both parts below
    python docs/make_static_figures.py notebook   # or only one of them
    python docs/make_static_figures.py curing

``notebook`` writes ``docs/_static/gradients_overlay.png`` (the notebook's
overlay of the two hidden layers' gradients, for both nets, beside the first
1,000 iterations on a log scale; also shown in the README), exactly as
``tinynet-study`` and the example draw it, and ``docs/_static/tutorial/*.png``.
Figures are saved at a modest resolution to keep the repository small.

``curing`` runs the study of the "Curing vanishing gradients" chapter,
``tinynet-study --activations sigmoid --depth 10 --norm none batchnorm
--residual off on`` (4 x 50,000 iterations, about 12 minutes of CPU time on
two cores), and keeps its ``gradient_flow_rows.png`` in
``docs/_static/curing/``.
"""

import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import tinynet as tn

DOCS = Path(__file__).resolve().parent
EXAMPLE = DOCS.parent / "examples" / "vanishing_gradients.py"
STATIC = DOCS / "_static"


def load_example():
    spec = importlib.util.spec_from_file_location("vanishing_gradients", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def save(draw, path, size=(7, 4.2)):
    fig, ax = plt.subplots(figsize=size, layout="constrained")
    draw(ax)
    fig.savefig(path, dpi=80)
    plt.close(fig)
    print(f"wrote {path.relative_to(DOCS.parent)} ({path.stat().st_size // 1024} KB)")


def notebook():
    example = load_example()
    rng = np.random.RandomState(0)  # the notebook's np.random.seed(0)
    X, y = tn.datasets.spiral(n_per_class=100, n_classes=3, rng=rng)
    runs = {}
    for name, activation in [("sigmoid", tn.Sigmoid), ("relu", tn.ReLU)]:
        runs[name] = example.train(name, example.three_layer_net(activation, rng), X, y, 50_000)

    with tempfile.TemporaryDirectory() as scratch:  # the study's own figure, at this page's resolution
        tn.study.save_figures(example.study_result(runs, X, y, 50_000), scratch, dpi=80)
        shutil.copyfile(Path(scratch) / "gradients_overlay.png", STATIC / "gradients_overlay.png")
    path = STATIC / "gradients_overlay.png"
    print(f"wrote {path.relative_to(DOCS.parent)} ({path.stat().st_size // 1024} KB)")

    (STATIC / "tutorial").mkdir(parents=True, exist_ok=True)
    for name, label in [("sigmoid", "sigm"), ("relu", "relu")]:
        save(lambda ax, name=name, label=label: tn.plot.gradient_magnitudes(
            {label: runs[name].gradients}, ax=ax, layers=["dense_0", "dense_1"],
            ylabel=tn.recorders.METRICS["seed"].label,
            title=f"Sum of magnitudes of gradients -- {label} weights"),
            STATIC / "tutorial" / f"gradients_{name}.png")
        save(lambda ax, name=name: tn.plot.decision_boundary(
            runs[name].model, X, y, ax=ax, title=f"Decision boundary -- {name} net, 50,000 iterations"),
            STATIC / "tutorial" / f"boundary_{name}.png", size=(5.5, 4.6))
    save(lambda ax: tn.plot.loss_curve(
        {"sigmoid": runs["sigmoid"].loss, "relu": runs["relu"].loss}, ax=ax),
        STATIC / "tutorial" / "loss.png")


def curing():
    result = tn.study.compare("sigmoid", depth=10, norm=["none", "batchnorm"], residual=[False, True],
                              quiet=True, jobs=2)
    print(result.summary())
    (STATIC / "curing").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        tn.study.save_figures(result, folder)
        path = STATIC / "curing" / "gradient_flow_rows.png"
        shutil.copyfile(Path(folder) / path.name, path)
    print(f"wrote {path.relative_to(DOCS.parent)} ({path.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    parts = {"notebook": notebook, "curing": curing}
    for name in sys.argv[1:] or parts:
        parts[name]()
