"""
Deeper nets: where sigmoid gradients vanish
===========================================

The notebook's first suggestion: *add layers to the nets and see how the
early layers continue to train slowly for the sigmoid net*. Here each net
has six hidden layers of 50 units instead of two; everything else is the
notebook's (weights ``0.1 * randn``, step size 0.1, L2 strength 1e-3,
full-batch gradient descent on the spiral, one ``RandomState(0)`` stream).

Going backwards through a sigmoid layer multiplies the gradient by
:math:`W^\\top` and by :math:`\\sigma'(z) \\le 1/4`; with weights this small
each layer shrinks it several-fold, so after six layers almost nothing
reaches the first one. ReLU and Leaky ReLU pass the gradient through
unchanged wherever the unit is active.

``tn.study.compare`` trains the three nets and records every layer's
weight-gradient magnitude at every iteration. The bar chart shows them at
the end of training, the heatmap over the whole run. By default this runs
3,000 iterations per net (about 15 seconds in all): the sigmoid net has not
started to learn, while the other two classify the training set almost
perfectly.

Run ``python examples/deeper_nets.py --out figures`` to save the figures as
PNG files (needs matplotlib).
"""

import argparse
import sys
from pathlib import Path

import tinynet as tn


def save_figures(result, out):
    """Three views of the gradients: bars per layer, a heatmap, and curves per layer."""
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    histories = {name: run.gradients for name, run in result.items()}
    where = f"{result.settings['depth']} hidden layers, {result.settings['iterations']} iterations"
    metric = tn.recorders.METRICS[result.settings["metric"]].label  # what the recorded values are

    fig, ax = plt.subplots(figsize=(10, 5), layout="constrained")
    tn.plot.gradient_flow(histories, ax=ax, ylabel=metric,
                          title=f"Gradient reaching each layer at the end ({where})")
    fig.savefig(out / "deeper_gradient_flow.png", dpi=100)
    plt.close(fig)

    fig, axes = plt.subplots(1, 3, figsize=(16, 4), layout="constrained")
    tn.plot.gradient_heatmap(histories, ax=axes, label=f"{metric} (log colour scale)",
                             title=f"Gradient per layer during training ({where})")
    fig.savefig(out / "deeper_gradient_heatmap.png", dpi=100)
    plt.close(fig)

    fig, axes = plt.subplots(1, 3, figsize=(16, 4.5), layout="constrained")
    tn.plot.gradient_magnitudes(histories, ax=axes, panels=True, log=True, ylabel=metric,
                                title=f"Weight-gradient magnitude per layer ({where})")
    fig.savefig(out / "deeper_gradients.png", dpi=100)
    plt.close(fig)
    return ["deeper_gradient_flow.png", "deeper_gradient_heatmap.png", "deeper_gradients.png"]


def main(argv=None):
    # partition, not splitlines()[0]: sphinx-gallery runs examples with __doc__ == ""
    parser = argparse.ArgumentParser(description=__doc__.strip().partition("\n")[0])
    parser.add_argument("--out", type=Path, help="folder for the PNG figures (needs matplotlib)")
    parser.add_argument("--iterations", type=int, default=3000, help="per net (default 3000)")
    args = parser.parse_args(argv)

    result = tn.study.compare(("sigmoid", "relu", "leaky_relu"), depth=6, iterations=args.iterations,
                              print_every=1000)
    print()
    print(result.summary())
    first = {name: run.gradient_matrix[0, -100:].mean() for name, run in result.items()}
    print(f"\nfirst layer: ReLU's gradient is {first['relu'] / first['sigmoid']:,.0f} times sigmoid's")

    if args.out is not None:
        for name in save_figures(result, args.out):
            print(f"wrote {args.out / name}", file=sys.stderr)


if __name__ == "__main__":
    main()
