"""
Your own activation: Swish, checked and trained
===============================================

A new activation is a subclass of ``tn.Activation`` with two methods: the
function and its derivative. Here it is Swish (Ramachandran et al., 2017),

.. math:: f(x) = x\\,\\sigma(x), \\qquad f'(x) = \\sigma(x) + f(x)\\,(1 - \\sigma(x)),

a smooth cousin of ReLU. Before training with it, we check its backward
pass: ``tinynet.testing.assert_backward_correct`` lets hypothesis try many
random input batches and compares the derivative with finite differences
(it needs the ``testing`` extra, hypothesis). A wrong derivative fails here,
with a report naming the worst entry -- we show that too, with a
deliberately broken copy.

Then ``tn.study.compare`` trains it beside ReLU on the notebook's spiral,
with the notebook's settings, passing the class itself.

Run ``python examples/custom_activation.py --out figures`` to save the
figures as PNG files (needs matplotlib).
"""

import argparse
import sys
from pathlib import Path

import numpy as np

import tinynet as tn
from tinynet.testing import assert_backward_correct


class Swish(tn.Activation):
    r"""Swish: :math:`f(x) = x\,\sigma(x)`, :math:`f'(x) = \sigma(x) + f(x)(1 - \sigma(x))`."""

    def forward(self, x):
        return x * _sigmoid(x)

    def derivative(self, x, out):
        s = _sigmoid(x)
        return s + out * (1.0 - s)


class BrokenSwish(Swish):
    """The same function with a common slip in the derivative: sigma(x) alone."""

    def derivative(self, x, out):
        return _sigmoid(x)


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # = 1 / (1 + exp(-x)), without overflow for very negative x


def main(argv=None):
    # partition, not splitlines()[0]: sphinx-gallery runs examples with __doc__ == ""
    parser = argparse.ArgumentParser(description=__doc__.strip().partition("\n")[0])
    parser.add_argument("--out", type=Path, help="folder for the PNG figures (needs matplotlib)")
    parser.add_argument("--iterations", type=int, default=5000, help="per net (default 5000)")
    args = parser.parse_args(argv)

    assert_backward_correct(Swish)
    print("Swish: backward pass agrees with finite differences")
    try:
        assert_backward_correct(BrokenSwish, max_examples=20)
    except AssertionError as error:
        print("BrokenSwish is caught:", str(error).splitlines()[0])

    result = tn.study.compare([Swish, "relu"], iterations=args.iterations, print_every=1000)
    print()
    print(result.summary())

    if args.out is not None:
        for path in tn.study.save_figures(result, args.out):
            print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
