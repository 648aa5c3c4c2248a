"""
Glorot & Bengio's Figure 2: the top sigmoid layer saturates
===========================================================

Glorot and Bengio (2010) trained sigmoid nets with four hidden layers of
1,000 units, weights drawn from the "standard" fan-in uniform
:math:`U[-1/\\sqrt{n_{in}},\\ 1/\\sqrt{n_{in}}]`, with minibatch gradient
descent (10 examples per step). Their Figure 2 follows the mean (and the
standard deviation) of each hidden layer's sigmoid outputs during training.
What it shows: very early, the mean of the **top** hidden layer drops
towards 0 -- its units saturate, and learning slows down -- while the lower
layers keep a mean around 0.5 or above (higher the nearer they are to the
output). Much later (around epoch 100 there) the top layer slowly comes out
of saturation, and training moves on. Their explanation: at the start the
hidden units' values say nothing useful about the class, so the output
layer gains most by relying on its biases and pushing :math:`h W` towards
0, and with sigmoid units that means pushing :math:`h` towards 0, where
:math:`\\sigma' \\approx 0`.

tinynet reruns the experiment, smaller: four sigmoid layers of 100 units
(``tn.init.StandardUniform``), ``SGD(lr=1.0)``, minibatches of 10, on a
spiral of three arms of 100 points and on the 8x8 digits
(``tn.datasets.digits()``). A
``tn.ActivationStats`` recorder keeps each sigmoid layer's mean, standard
deviation and 2nd and 98th percentiles every 10 iterations. The tables
below print the means; the figure draws all four with
``tn.plot.activation_stats``.

On both data sets the top layer's mean falls from 0.5 to below 0.05 within
the first 10 steps and to about 0.01 later, layers 2 and 3 rise above 0.5,
and layer 1 stays at 0.5; the loss does not move (it stays near
:math:`\\ln 3` on the spiral and :math:`\\ln 10` on the digits: guessing).
Then the top layer escapes -- its mean climbs back -- and only then does
the net learn: after 2,060 steps on the spiral (69 epochs of 30 steps) and
2,660 on the digits (15 epochs of 179).
How long the plateau lasts depends on the seed (``--seed 0`` to ``4``:
1,100 to 3,310 steps on the spiral, 2,660 to 7,450 on the digits, so some
need ``--iterations 10000``), and a smaller step size makes it much longer
(``--lr 0.5``: more than 20,000 steps on the digits).

The script takes about 5 seconds. Run ``python examples/glorot_saturation.py
--out figures`` to save the figure as a PNG file (needs matplotlib).
"""

import argparse
import sys
from pathlib import Path

import numpy as np

import tinynet as tn

EVERY = 10  # record the activations every 10 steps


def sigmoid_net(n_in, n_classes, width, rng):
    """n_in -> 4 sigmoid layers of `width` -> n_classes, "standard" initialisation."""
    init = tn.init.StandardUniform()
    layers = []
    for k in range(4):
        layers += [
            tn.Dense(n_in if k == 0 else width, width, init=init, rng=rng),
            tn.Sigmoid(),
        ]
    return tn.Sequential(*layers, tn.Dense(width, n_classes, init=init, rng=rng))


def train(X, y, args, rng):
    """Minibatch SGD, recording each sigmoid layer's outputs every EVERY steps."""
    model = sigmoid_net(X.shape[1], int(y.max()) + 1, args.width, rng)
    stats = tn.ActivationStats(every=EVERY)
    history = model.fit(
        X,
        y,
        optimizer=tn.SGD(lr=args.lr),
        batch_size=10,
        rng=rng,
        iterations=args.iterations,
        callbacks=[stats],
    )
    return model, stats, history.loss


def report(name, model, stats, loss, X, y):
    """Each layer's mean output at a few iterations; how long the top one saturates."""
    layers = list(stats.mean)
    last = int(stats.iterations[-1])
    at = [t for t in (0, 10, 100, 1000, 2000, 3000, 4000) if t < last] + [last]
    print(f"{name}: mean sigmoid output of each hidden layer (1 = nearest the input)")
    print(
        "iteration"
        + "".join(f"{f'layer {k}':>9}" for k in range(1, len(layers) + 1))
        + "  loss (mean of the last 100 steps)"
    )
    for t in at:
        row = int(np.searchsorted(stats.iterations, t))
        means = "".join(f"{stats.mean[n][row]:9.3f}" for n in layers)
        print(f"{t:>9d}{means}{loss[max(0, t - 99) : t + 1].mean():9.3f}")
    # the top layer's mean over 100 steps (10 records): saturated while below 0.05
    top = np.convolve(stats.mean[layers[-1]], np.ones(10) / 10, mode="valid")
    start = int(np.argmax(top < 0.05))
    if top[start] < 0.05:
        after = np.flatnonzero(top[start:] >= 0.05)
        end = f"to {stats.iterations[start + after[0]]}" if after.size else "to the end"
        print(
            f"top layer saturated (mean below 0.05) from iteration "
            f"{stats.iterations[start]} {end}"
        )
    print(f"training accuracy {model.accuracy(X, y):.2f}\n")


def main(argv=None):
    # partition, not splitlines()[0]: sphinx-gallery runs examples with __doc__ == ""
    parser = argparse.ArgumentParser(description=__doc__.strip().partition("\n")[0])
    parser.add_argument(
        "--out", type=Path, help="folder for the PNG figure (needs matplotlib)"
    )
    parser.add_argument(
        "--iterations",
        type=int,
        default=5000,
        help="minibatch steps per data set (default 5000)",
    )
    parser.add_argument(
        "--width", type=int, default=100, help="units per layer (default 100)"
    )
    parser.add_argument("--lr", type=float, default=1.0, help="step size (default 1.0)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)

    data = {
        "spiral": tn.datasets.spiral(n_per_class=100, n_classes=3, rng=0),
        "digits": tn.datasets.digits(),
    }
    stats = {}
    for name, (X, y) in data.items():
        # one stream per data set: the weights, then the order of the examples
        rng = np.random.RandomState(args.seed)
        model, stats[name], loss = train(X, y, args, rng)
        report(name, model, stats[name], loss, X, y)

    if args.out is not None:
        import matplotlib.pyplot as plt

        args.out.mkdir(parents=True, exist_ok=True)
        fig, axes = plt.subplots(1, 2, figsize=(13, 4.8), layout="constrained")
        panels = {
            f"{name} ({len(data[name][0])} examples)": s for name, s in stats.items()
        }
        tn.plot.activation_stats(
            panels,
            ax=axes,
            title=f"Sigmoid outputs per hidden layer during training "
            f"(4 x {args.width} units, standard init, lr {args.lr:g})",
        )
        fig.savefig(args.out / "glorot_figure2.png", dpi=100)
        plt.close(fig)
        print(f"wrote {args.out / 'glorot_figure2.png'}", file=sys.stderr)


if __name__ == "__main__":
    main()
