"""Where tinynet's time goes beyond the flat baseline (b'): the same iteration, built up piece by piece.

``run.py`` reports tinynet at 1.2-1.45x the time of (b'), the flat numpy loop.
This script times, interleaved in every round, the steps between the two:

* (b') the flat loop, and (b' fresh) the same loop giving every hidden layer's
  output and input gradient a fresh array, as tinynet's layers do;
* tinynet's layers and loss alone: ``model.forward``, ``loss.forward``,
  ``model.backward`` (forward and backward);
* the same plus the L2 term, its gradient and the SGD step (+ L2, step);
* the same plus a GradientRecorder (+ recorder);
* ``fit`` itself, with its divergence guard, callbacks and bookkeeping (fit).

Each line gives the median time per iteration and the median ratio to (b')
over rounds.

    python benchmarks/gap.py                    # the notebook nets and depth 10
    python benchmarks/gap.py --only "depth 10"
"""

from __future__ import annotations

import argparse
import statistics

import numpy as np
from run import CONFIGS, CONTENTION, FLAT, L2, LR, flat_loop, interleaved, ratio, tinynet_fit, tinynet_model

import tinynet as tn


def layers_loop(cfg, l2_and_step: bool, record: bool):
    """tinynet's layers, loss, optimizer and recorder called directly, without ``fit``."""
    model, X, y = tinynet_model(cfg)
    loss, optimizer, recorder = tn.SoftmaxCrossEntropy(), tn.SGD(lr=LR), tn.GradientRecorder()
    if record:
        recorder.on_train_begin(model)  # attaches its hooks
    params, grads = model.parameters(), model.gradients()

    def run(iterations):
        with tn.threads.limit(tn.threads.rule(max(p.size for p in params.values()), len(X))):
            for _ in range(iterations):
                model.forward(X)
                loss.forward(model.layers[-1].output, y)
                model.backward(loss.backward(), input_grad=False)
                if l2_and_step:
                    model.l2_penalty(L2)
                    model.add_l2_gradient(L2)
                    optimizer.step(params, grads)

    return run


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--iterations", type=int, default=300, help="per competitor and round")
    parser.add_argument("--only", help="run configs whose name contains this text")
    args = parser.parse_args(argv)
    for cfg in CONFIGS:
        if cfg.name not in CONTENTION or (args.only and args.only not in cfg.name):
            continue
        runs = {FLAT: flat_loop(cfg), "(b' fresh) flat, fresh arrays": flat_loop(cfg, fresh=True),
                "forward and backward": layers_loop(cfg, l2_and_step=False, record=False),
                "+ L2, step": layers_loop(cfg, l2_and_step=True, record=False),
                "+ recorder": layers_loop(cfg, l2_and_step=True, record=True),
                "fit": tinynet_fit(cfg)}
        times, _ = interleaved(runs, args.rounds, args.iterations)
        print(f"{cfg.name}  ({args.rounds} rounds of {args.iterations} iterations)")
        for name, seconds in times.items():
            print(f"  {name:<31} {statistics.median(seconds) * 1e6:8.1f} us   {ratio(times, name, FLAT):.2f}x (b')")


if __name__ == "__main__":
    np.seterr(over="ignore")  # the sigmoid's exp overflows to inf by design, as in fit
    main()
