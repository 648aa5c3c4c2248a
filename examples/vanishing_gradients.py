"""
Vanishing gradients: sigmoid vs ReLU
====================================

A line-for-line reproduction, with tinynet, of the classic notebook
*Vanishing Gradients* (built on Andrej Karpathy's cs231n spiral demo).

Two nets with two hidden layers of 50 units each learn to separate three
spiral arms with full-batch gradient descent (step size 0.1, L2 strength
1e-3, 50,000 iterations). The first net uses sigmoid units, the second ReLU
units. A :class:`tinynet.GradientRecorder` measures, at every iteration, how
large each layer's weight gradient is -- the notebook's heuristic
``sum(|dW|) / (n_in + n_out)`` (the notebook plots the two hidden layers'),
and a :class:`tinynet.ActivationRecorder` counts saturated and dead units.
The sigmoid net's gradients stay small, so it learns slowly; the ReLU net's
do not.

The data and both nets' initial weights come from one
``np.random.RandomState(0)`` stream, in the notebook's order, so the printed
losses equal the notebook's to the last digit.

Run ``python examples/vanishing_gradients.py --out figures`` to also save the
figures as PNG files (needs matplotlib: ``pip install "tinynet-learn[plot]"``):
the notebook's overlay of the two hidden layers' gradients
(``gradients_overlay.png``, with a log-scale look at the first 1,000
iterations), every layer's gradients per net, the gradient reaching each layer
(bars and a heatmap), the decision boundaries, the loss curves and the
saturated and dead units. The ``tinynet-study`` command runs the same study,
prints the same lines and writes the same figures under the same names, with
the two nets training at the same time on two CPU cores.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

import tinynet as tn


def three_layer_net(activation, rng):
    """The notebook's net: 2 -> 50 -> 50 -> 3, weights 0.1 * randn, biases 0."""
    init = tn.init.Normal(0.1)
    return tn.Sequential(
        tn.Dense(2, 50, init=init, rng=rng),
        activation(),
        tn.Dense(50, 50, init=init, rng=rng),
        activation(),
        tn.Dense(50, 3, init=init, rng=rng),
    )


def train(name, model, X, y, iterations):
    """Full-batch gradient descent, printing the loss every 1,000 iterations."""
    grads, units = tn.GradientRecorder(metric="seed"), tn.ActivationRecorder()
    history = model.fit(
        X,
        y,
        loss=tn.SoftmaxCrossEntropy(),
        optimizer=tn.SGD(lr=0.1),
        l2=1e-3,
        iterations=iterations,
        callbacks=[grads, units, tn.PrintLoss(every=1000)],
    )
    accuracy = model.accuracy(X, y)
    print(f"training accuracy: {accuracy:.2f}")
    # what tinynet-study keeps of a trained net, so that both write the same figures
    return tn.study.Run(name, model, history.loss, grads.history, accuracy, units)


def study_result(runs, X, y, iterations):
    """The two runs as the ``tinynet-study`` command holds them, with this script's settings."""
    settings = {"depth": 2, "width": 50, "iterations": iterations, "lr": 0.1, "l2": 1e-3, "metric": "seed"}
    return tn.study.StudyResult(runs, X, y, settings)


def main(argv=None):
    # partition, not splitlines()[0]: sphinx-gallery runs examples with __doc__ == ""
    parser = argparse.ArgumentParser(description=__doc__.strip().partition("\n")[0])
    parser.add_argument("--out", type=Path, help="folder for the PNG figures (needs matplotlib)")
    parser.add_argument("--iterations", type=int, default=50_000, help="per net (default 50000)")
    args = parser.parse_args(argv)

    rng = np.random.RandomState(0)  # the notebook's np.random.seed(0)
    X, y = tn.datasets.spiral(n_per_class=100, n_classes=3, rng=rng)

    runs = {}
    for name, activation in [("sigmoid", tn.Sigmoid), ("relu", tn.ReLU)]:
        model = three_layer_net(activation, rng)  # the ReLU net continues the stream
        runs[name] = train(name, model, X, y, args.iterations)

    if args.out is not None:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            print("matplotlib is not installed: no figures (pip install 'tinynet-learn[plot]')")
        else:  # the figures of tinynet-study, under the same names
            for path in tn.study.save_figures(study_result(runs, X, y, args.iterations), args.out):
                print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
