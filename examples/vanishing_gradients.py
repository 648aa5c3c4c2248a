"""
Vanishing gradients: sigmoid vs ReLU
====================================

A line-for-line reproduction, with tinynet, of the classic notebook
*Vanishing Gradients* (built on Andrej Karpathy's cs231n spiral demo).

Two nets with two hidden layers of 50 units each learn to separate three
spiral arms with full-batch gradient descent (step size 0.1, L2 strength
1e-3, 50,000 iterations). The first net uses sigmoid units, the second ReLU
units. A :class:`tinynet.GradientRecorder` measures, at every iteration, how
large the weight gradients of the two hidden layers are -- the notebook's
heuristic ``sum(|dW|) / (n_in + n_out)``, on the layers the notebook records.
The sigmoid net's gradients stay small, so it learns slowly; the ReLU net's
do not.

The data and both nets' initial weights come from one
``np.random.RandomState(0)`` stream, in the notebook's order, so the printed
losses equal the notebook's to the last digit.

Run ``python examples/vanishing_gradients.py --out figures`` to also save the
figures as PNG files (needs matplotlib: ``pip install "tinynet-learn[plot]"``).
The ``tinynet-study`` command runs the same study, and prints the same
lines, with the two nets training at the same time on two CPU cores.
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


def train(model, X, y, iterations):
    """Full-batch gradient descent, printing the loss every 1,000 iterations."""
    grads = tn.GradientRecorder(metric="seed", layers=["dense_0", "dense_1"])  # the notebook's two
    history = model.fit(
        X,
        y,
        loss=tn.SoftmaxCrossEntropy(),
        optimizer=tn.SGD(lr=0.1),
        l2=1e-3,
        iterations=iterations,
        callbacks=[grads, tn.PrintLoss(every=1000)],
    )
    print(f"training accuracy: {model.accuracy(X, y):.2f}")
    return grads, history


def save_figures(out, X, y, sigmoid, relu):
    """The notebook's figures, plus the two loss curves."""
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    figures = {
        "gradients_sigmoid.png": lambda ax: tn.plot.gradient_magnitudes(
            {"sigmoid": sigmoid["grads"].history}, ax=ax,
            title="Sum of magnitudes of gradients -- sigmoid weights"),
        "gradients_relu.png": lambda ax: tn.plot.gradient_magnitudes(
            {"relu": relu["grads"].history}, ax=ax,
            title="Sum of magnitudes of gradients -- ReLU weights"),
        "gradients_overlay.png": lambda ax: tn.plot.gradient_magnitudes(
            {"relu": relu["grads"].history, "sigmoid": sigmoid["grads"].history}, ax=ax,
            title="Sum of magnitudes of gradients -- both nets"),
        "boundary_sigmoid.png": lambda ax: tn.plot.decision_boundary(
            sigmoid["model"], X, y, ax=ax, title="Decision boundary -- sigmoid net"),
        "boundary_relu.png": lambda ax: tn.plot.decision_boundary(
            relu["model"], X, y, ax=ax, title="Decision boundary -- ReLU net"),
        "loss.png": lambda ax: tn.plot.loss_curve(
            {"sigmoid": sigmoid["history"].loss, "relu": relu["history"].loss}, ax=ax),
    }
    for name, draw in figures.items():
        fig, ax = plt.subplots(figsize=(8, 5), layout="constrained")
        draw(ax)
        fig.savefig(out / name, dpi=100)
        plt.close(fig)
    return sorted(figures)


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
        grads, history = train(model, X, y, args.iterations)
        runs[name] = {"model": model, "grads": grads, "history": history}

    if args.out is not None:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            print("matplotlib is not installed: no figures (pip install 'tinynet-learn[plot]')")
        else:
            for name in save_figures(args.out, X, y, runs["sigmoid"], runs["relu"]):
                print(f"wrote {args.out / name}", file=sys.stderr)


if __name__ == "__main__":
    main()
