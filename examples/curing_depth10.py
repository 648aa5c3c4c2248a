"""
Curing a depth-10 sigmoid net: normalisation, residual blocks, He + ReLU
========================================================================

The notebook's sigmoid net with ten hidden layers of 50 units instead of
two does not learn: on its way back to the first layer the gradient is
multiplied, layer after layer, by :math:`W^\\top` and by
:math:`\\sigma'(z) \\le 1/4`, and almost nothing arrives. Four classic cures,
each changing one thing:

* **batch normalisation** (Ioffe & Szegedy, 2015) before each sigmoid:
  every unit's pre-activation is re-centred and rescaled over the batch, so
  the sigmoid works near 0, where its slope is largest;
* **layer normalisation** (Ba, Kiros & Hinton, 2016): the same, over the
  units of each example instead of over the batch;
* **residual blocks** (He et al., 2016): every hidden layer but the first
  computes :math:`x + f(x)`, so the gradient has a path back that
  bypasses the sigmoid;
* **ReLU units with He's initialisation** (He et al., 2015): a slope of 1
  wherever a unit is active, and weights scaled to keep the signal's
  variance from layer to layer.

``tn.study.compare`` trains *every combination* of the options it is given,
so each net here is its own call, with the notebook's settings (spiral data,
full-batch gradient descent, step size 0.1, L2 strength 1e-3, the notebook's
``0.1 * randn`` weights unless ``init`` says otherwise). Every call starts
from the same seed, so all nets see the same data and the same random
draws: the sigmoid nets start from identical weights, and only the cure
differs. ``tn.study.StudyResult`` then holds the five runs together, for its
``summary()``: the last column is the first hidden layer's gradient divided
by the output layer's, far below 1 where the gradient vanishes.

By default each net trains for 2,000 iterations (the whole script takes
about 40 seconds; the normalised nets are about twice as slow per iteration
as the others). Run ``python examples/curing_depth10.py --out figures`` to
save the figures as PNG files (needs matplotlib), and ``tinynet-study
--activations sigmoid --depth 10 --norm none batchnorm --residual off on``
for the full-length study (50,000 iterations per net) with all its figures.
"""

import argparse
import sys
from pathlib import Path

import tinynet as tn

# label: the options of tn.study.compare that make the net (besides depth 10)
NETS = {
    "sigmoid": {"activations": "sigmoid"},
    "sigmoid + batchnorm": {"activations": "sigmoid", "norm": "batchnorm"},
    "sigmoid + layernorm": {"activations": "sigmoid", "norm": "layernorm"},
    "sigmoid + residual": {"activations": "sigmoid", "residual": True},
    "relu, he init": {"activations": "relu", "init": "he"},
}


def save_figures(study, out):
    """The gradient per layer at the end (one row per net) and during training, the
    loss, and the sigmoid nets' activations."""
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    where = f"depth 10, {study.settings['iterations']} iterations"
    gradients = {label: run.gradients for label, run in study.items()}
    figures = {}

    fig, axes = plt.subplots(
        len(study), 1, figsize=(9, 1.4 * len(study) + 0.6), layout="constrained"
    )
    tn.plot.gradient_flow_rows(
        gradients, ax=axes, title=f"Gradient reaching each layer at the end ({where})"
    )
    figures["depth10_gradient_flow_rows.png"] = fig

    fig, axes = plt.subplots(2, 3, figsize=(16, 7.5), layout="constrained")
    axes[-1, -1].remove()
    tn.plot.gradient_heatmap(
        gradients,
        ax=axes.ravel()[:-1],
        title=f"Gradient per layer during training ({where})",
    )
    figures["depth10_gradient_heatmap.png"] = fig

    fig, ax = plt.subplots(figsize=(9, 5), layout="constrained")
    tn.plot.loss_curves(
        {label: run.loss for label, run in study.items()},
        ax=ax,
        title=f"Training loss ({where})",
    )
    figures["depth10_loss.png"] = fig

    sigmoids = {
        label: run.stats for label, run in study.items() if label.startswith("sigmoid")
    }
    fig, axes = plt.subplots(2, 2, figsize=(12, 8), layout="constrained")
    tn.plot.activation_stats(
        sigmoids,
        ax=axes.ravel(),
        title=f"Sigmoid outputs per layer during training ({where})",
    )
    figures["depth10_activation_stats.png"] = fig

    for name, fig in figures.items():
        fig.savefig(out / name, dpi=100)
        plt.close(fig)
        print(f"wrote {out / name}", file=sys.stderr)


def main(argv=None):
    # partition, not splitlines()[0]: sphinx-gallery runs examples with __doc__ == ""
    parser = argparse.ArgumentParser(description=__doc__.strip().partition("\n")[0])
    parser.add_argument(
        "--out", type=Path, help="folder for the PNG figures (needs matplotlib)"
    )
    parser.add_argument(
        "--iterations", type=int, default=2000, help="per net (default 2000)"
    )
    args = parser.parse_args(argv)

    runs = {}
    for label, options in NETS.items():
        result = tn.study.compare(
            **options, depth=10, iterations=args.iterations, quiet=True
        )
        (runs[label],) = result.values()  # one net per call
        print(f"{label}: trained, training accuracy {runs[label].accuracy:.2f}")
    study = tn.study.StudyResult(runs, result.X, result.y, result.settings)
    print()
    print(study.summary())

    if args.out is not None:
        save_figures(study, args.out)


if __name__ == "__main__":
    main()
