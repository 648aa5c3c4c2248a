"""Where one training iteration's time goes: tinynet's ``fit`` on the notebook net, part by part.

Each layer's ``forward`` and ``backward``, the loss, the backward hooks (the
GradientRecorder) and the optimizer step are wrapped in timers, so the numbers
are tinynet's own code timed where it runs; what is left of ``fit``'s time is
its bookkeeping (L2 terms, the finiteness check, the pre-step copy, callbacks).
The timers themselves add about 0.2 us per wrapped call. Then the matrix
products alone are timed on the same shapes: no numpy loop can go below them.

    python benchmarks/profile.py                      # sigmoid net
    python benchmarks/profile.py --activation relu --dtype float32
"""

from __future__ import annotations

import argparse
import functools
import time
import timeit
from dataclasses import replace

import numpy as np
from run import CONFIGS, L2, LR, tinynet_model

import tinynet as tn


def timed(fn, totals: dict, key: str):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            totals[key] = totals.get(key, 0.0) + time.perf_counter() - start

    return wrapper


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activation", choices=["sigmoid", "relu"], default="sigmoid")
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    parser.add_argument("--iterations", type=int, default=3000)
    args = parser.parse_args(argv)
    cfg = next(c for c in CONFIGS if c.name == f"notebook net, {args.activation}")
    dtype = np.dtype(args.dtype).type
    model, X, y = tinynet_model(replace(cfg, dtype=dtype))
    Ws = [layer.params["W"] for layer in model.layers if isinstance(layer, tn.Dense)]
    loss, optimizer = tn.SoftmaxCrossEntropy(), tn.SGD(lr=LR)

    recorder = tn.GradientRecorder()

    def fit(iterations):
        model.fit(X, y, loss=loss, optimizer=optimizer, l2=L2, iterations=iterations, callbacks=[recorder])

    fit(200)  # warm up
    start = time.perf_counter()
    fit(args.iterations)
    plain = (time.perf_counter() - start) / args.iterations

    totals: dict[str, float] = {}
    for layer in model.layers:
        layer.forward = timed(layer.forward, totals, f"{layer.name} forward")
    for layer in reversed(model.layers):
        if layer is model.layers[0]:  # fit skips its input gradient: backward_params only
            layer.backward_params = timed(layer.backward_params, totals, f"{layer.name} backward")
        else:
            layer.backward = timed(layer.backward, totals, f"{layer.name} backward")
    hook = recorder._hook  # the recorder makes one hook per layer when a fit begins: time them all
    recorder._hook = lambda *args: timed(hook(*args), totals, "GradientRecorder (backward hooks)")
    loss.forward = timed(loss.forward, totals, "loss forward")
    loss.backward = timed(loss.backward, totals, "loss backward")
    optimizer.step = timed(optimizer.step, totals, "SGD step")
    start = time.perf_counter()
    fit(args.iterations)
    total = time.perf_counter() - start
    totals["rest of fit (L2, finiteness check, pre-step copy, callbacks)"] = total - sum(totals.values())

    print(
        f"notebook net, {args.activation}, {args.dtype}: {args.iterations} iterations of fit with a GradientRecorder"
    )
    print(
        f"  {plain * 1e6:.1f} us per iteration without timers, {total / args.iterations * 1e6:.1f} us with them\n"
    )
    for key, seconds in totals.items():
        us = seconds / args.iterations * 1e6
        print(f"  {key:<62} {us:7.1f} us  {seconds / total:6.1%}")

    products = 0.0
    n = X.shape[0]
    rng = np.random.default_rng(0)
    threads = tn.threads.rule(max(W.size for W in Ws), n)  # the BLAS threads fit used
    for k, W in enumerate(Ws):
        W = W.astype(dtype)
        x, g = (
            rng.standard_normal((n, W.shape[0])).astype(dtype),
            rng.standard_normal((n, W.shape[1])).astype(dtype),
        )
        for product in ("x @ W", "x.T @ g", "g @ W.T")[: 3 if k else 2]:  # no G @ W.T for the data
            with tn.threads.limit(threads):
                products += (
                    min(timeit.repeat(product, number=2000, repeat=5, globals={"x": x, "g": g, "W": W})) / 2000
                )
    print(
        f"\n  the {3 * len(Ws) - 1} matrix products alone (x @ W, x.T @ G per Dense, G @ W.T but the first's),"
        f" {threads or 'default'} BLAS thread(s) as in fit: {products * 1e6:.1f} us, {products / plain:.0%} of an untimed iteration"
    )


if __name__ == "__main__":
    main()
