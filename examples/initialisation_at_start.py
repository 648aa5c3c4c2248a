"""
At initialisation: how the weights' scale sets the signal's spread
==================================================================

Before the first step of training, push one batch forward and its gradient
back, and look at every layer (``tn.recorders.snapshot``). A layer
:math:`z = xW + b` with :math:`n_{in}` inputs, independent weights of
variance :math:`\\operatorname{Var}[W]` and zero biases multiplies the
variance of the signal by about :math:`n_{in}\\operatorname{Var}[W]` (times
what the activation does to it); going back, the gradient's variance is
multiplied by :math:`n_{out}\\operatorname{Var}[W]`. Unless that factor is
close to 1, the signal shrinks (or grows) geometrically with depth.

**Glorot & Bengio (2010), Figures 6 and 7** -- tanh nets, five hidden
layers. With the "standard" initialisation
:math:`U[-1/\\sqrt{n_{in}},\\ 1/\\sqrt{n_{in}}]`, :math:`\\operatorname{Var}[W]
= 1/(3 n_{in})`: the activations get narrower (more peaked at 0) layer
after layer, and so do the back-propagated gradients on their way down.
With their "normalized" initialisation, :math:`\\operatorname{Var}[W] =
2/(n_{in} + n_{out})` (``tn.init.GlorotUniform``), both keep about the same
spread in every layer.

**He, Zhang, Ren & Sun (2015), section 2.2** -- ReLU nets. A ReLU zeroes
half of a symmetric input, so :math:`E[\\operatorname{relu}(z)^2] =
\\tfrac12 \\operatorname{Var}[z]`: Glorot's initialisation, made for units
that are linear near 0, *halves* the variance at every layer, and after 20
layers it is :math:`2^{-20} \\approx 10^{-6}` of what it was. Their
:math:`\\operatorname{Var}[W] = 2/n_{in}` (``tn.init.HeNormal``) makes up
for the half and keeps it.

The nets below have hidden layers of 256 units and see all 1,797 digits
(``tn.datasets.digits()``) in one batch. For each, the script prints the
geometric mean, over the hidden layers, of the factor by which the variance
changes from one layer to the next: of the pre-activations :math:`z` going
forward, and of the back-propagated gradients :math:`\\partial L/\\partial z`
going down (towards the input). The theory says 1/3 for the standard
initialisation, 1 for Glorot's with tanh, 1/2 for Glorot's with ReLU and 1
for He's; tinynet measures 0.33, 0.90, 0.50 and 0.99 forward. The
figures are ``tn.plot.signal_histograms`` (the two tanh nets, as in Glorot &
Bengio's figures) and ``tn.plot.signal_spread`` (every net: a constant
factor is a straight line on the log scale).

The script takes a few seconds. Run ``python
examples/initialisation_at_start.py --out figures`` to save the figures as
PNG files (needs matplotlib).
"""

import argparse
import sys
from pathlib import Path

import numpy as np

import tinynet as tn

# label: (activation, initialiser, hidden layers, what the theory says the factor is)
NETS = {
    "tanh, standard init": (tn.Tanh, tn.init.StandardUniform(), 5, "1/3"),
    "tanh, Glorot init": (tn.Tanh, tn.init.GlorotUniform(), 5, "1"),
    "relu, Glorot init": (tn.ReLU, tn.init.GlorotUniform(), 20, "1/2"),
    "relu, He init": (tn.ReLU, tn.init.HeNormal(), 20, "1"),
}


def net(activation, init, depth, n_in, n_classes, width, rng):
    """`depth` hidden layers Dense -> activation of `width` units, then the output."""
    layers = []
    for k in range(depth):
        layers += [
            tn.Dense(n_in if k == 0 else width, width, init=init, rng=rng),
            activation(),
        ]
    return tn.Sequential(*layers, tn.Dense(width, n_classes, init=init, rng=rng))


def factor(variances):
    """Geometric mean of variances[l + 1] / variances[l]: the factor per layer."""
    return float(np.exp(np.mean(np.diff(np.log(variances)))))


def main(argv=None):
    # partition, not splitlines()[0]: sphinx-gallery runs examples with __doc__ == ""
    parser = argparse.ArgumentParser(description=__doc__.strip().partition("\n")[0])
    parser.add_argument(
        "--out", type=Path, help="folder for the PNG figures (needs matplotlib)"
    )
    parser.add_argument(
        "--width", type=int, default=256, help="units per hidden layer (default 256)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)

    X, y = tn.datasets.digits()
    signals = {}
    print(
        f"{'net':<22}{'layers':>7}{'forward':>9}{'backward':>10}{'theory':>8}"
        f"{'Var[z] first -> last hidden':>30}"
    )
    for label, (activation, init, depth, theory) in NETS.items():
        rng = np.random.RandomState(args.seed)
        model = net(activation, init, depth, X.shape[1], 10, args.width, rng)
        snap = tn.recorders.snapshot(model, X, y)
        del snap[model[-1].name]  # the output layer: its gradient is the loss's own
        signals[label] = snap
        hidden = [s for s in snap.values() if s.role == "weights"]
        forward = [s.output.var() for s in hidden]  # Var[z], layer 1 first
        backward = [s.grad_out.var() for s in reversed(hidden)]  # Var[dL/dz], top first
        print(
            f"{label:<22}{depth:>7}{factor(forward):>9.3f}{factor(backward):>10.3f}"
            f"{theory:>8}{forward[0]:>15.3g} -> {forward[-1]:.3g}"
        )

    if args.out is not None:
        import matplotlib.pyplot as plt

        args.out.mkdir(parents=True, exist_ok=True)
        tanh = {label: signals[label] for label in list(NETS)[:2]}
        for what, name, paper in [
            ("output", "activations", "Figure 6"),
            ("grad_out", "gradients", "Figure 7"),
        ]:
            fig, axes = plt.subplots(1, 2, figsize=(13, 4.5), layout="constrained")
            tn.plot.signal_histograms(
                tanh,
                what=what,
                ax=axes,
                title=f"Tanh nets at initialisation (Glorot & Bengio, {paper})",
            )
            path = args.out / f"init_{name}_tanh.png"
            fig.savefig(path, dpi=100)
            print(f"wrote {path}", file=sys.stderr)
            plt.close(fig)
        fig, axes = plt.subplots(1, 2, figsize=(13, 4.8), layout="constrained")
        for what, ax in zip(("output", "grad_out"), axes, strict=True):
            tn.plot.signal_spread(signals, what=what, ax=ax)
        fig.suptitle(
            "Before the first step: spread per layer (digits, "
            f"hidden layers of {args.width} units)"
        )
        fig.savefig(args.out / "init_spread.png", dpi=100)
        print(f"wrote {args.out / 'init_spread.png'}", file=sys.stderr)
        plt.close(fig)


if __name__ == "__main__":
    main()
