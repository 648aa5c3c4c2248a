"""
Activation zoo: every built-in nonlinearity on the spiral
=========================================================

The notebook's third suggestion: *experiment with different nonlinearities
-- Leaky ReLU, Maxout. How quickly do different layers learn now?*

The same two-hidden-layer net (50 units per layer) is trained with each of
tinynet's built-in activations: sigmoid, tanh, ReLU, Leaky ReLU, ELU,
softplus and Maxout (a layer with two linear pieces per unit, which takes
the place of both the ``Dense`` layer and the activation). All nets see
the same data; their weights come one after another from the same
``RandomState(0)`` stream, as in the notebook.

The loss curves show how fast each one learns, the decision boundaries
what it has learned after the same number of steps, and the gradient
curves how fast each layer is learning. By default each net trains for
5,000 iterations (under half a minute for all seven).

Run ``python examples/activation_zoo.py --out figures`` to save the figures
as PNG files (needs matplotlib).
"""

import argparse
import sys
from pathlib import Path

import tinynet as tn

ZOO = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "maxout")


def save_figures(result, out):
    """Loss curves, decision boundaries and first-layer gradients of every net."""
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    iterations = result.settings["iterations"]

    fig, ax = plt.subplots(figsize=(9, 5), layout="constrained")
    tn.plot.loss_curves({name: run.loss for name, run in result.items()}, ax=ax,
                        title="Training loss of the same net with each activation")
    fig.savefig(out / "zoo_loss.png", dpi=100)
    plt.close(fig)

    fig, axes = plt.subplots(2, 4, figsize=(18, 8.5), layout="constrained")
    tn.plot.decision_boundary({name: run.model for name, run in result.items()}, result.X, result.y,
                              ax=axes, title=f"Decision boundaries after {iterations} iterations")
    fig.savefig(out / "zoo_boundaries.png", dpi=100)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(9, 5), layout="constrained")
    tn.plot.gradient_magnitudes({name: run.gradients for name, run in result.items()}, ax=ax,
                                layers=[0], log=True, title="First hidden layer's weight gradient",
                                ylabel=tn.recorders.METRICS[result.settings["metric"]].label)
    fig.savefig(out / "zoo_first_layer_gradients.png", dpi=100)
    plt.close(fig)
    return ["zoo_loss.png", "zoo_boundaries.png", "zoo_first_layer_gradients.png"]


def main(argv=None):
    # partition, not splitlines()[0]: sphinx-gallery runs examples with __doc__ == ""
    parser = argparse.ArgumentParser(description=__doc__.strip().partition("\n")[0])
    parser.add_argument("--out", type=Path, help="folder for the PNG figures (needs matplotlib)")
    parser.add_argument("--iterations", type=int, default=5000, help="per net (default 5000)")
    args = parser.parse_args(argv)

    result = tn.study.compare(ZOO, iterations=args.iterations, quiet=True)
    print(result.summary())

    if args.out is not None:
        for name in save_figures(result, args.out):
            print(f"wrote {args.out / name}", file=sys.stderr)


if __name__ == "__main__":
    main()
