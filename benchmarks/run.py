"""Side-by-side speed of one training iteration: tinynet against plain numpy (and PyTorch).

Every competitor trains the same net on the same data with full-batch gradient
descent (lr 0.1, L2 1e-3) and records each weight matrix's gradient magnitude
with the notebook's heuristic, every iteration:

(a) notebook  -- the notebook's loop, written out for any depth: fresh arrays
                 for every operation, ``probs[range(n), y]``, boolean-mask
                 assignment for the ReLU backward;
(b) numpy     -- a hand-optimised numpy loop over generic layers: buffers
                 allocated once, ``out=`` everywhere, index arrays precomputed;
(b') numpy, flat -- a numpy loop written for speed alone, the baseline tinynet is held
                 to: all parameters in one flat vector and all gradients in
                 another (each layer's W and b are views into them), so the
                 step, the L2 terms, the finiteness check and the pre-step copy
                 that tinynet's ``fit`` also makes are one or two numpy calls
                 whatever the depth; buffers allocated once, ``out=`` everywhere;
                 the softmax on transposed scores (classes x samples);
(c) tinynet   -- ``model.fit`` with a ``GradientRecorder`` (and (c0) without it);
(d) torch     -- PyTorch eager, ``nn.Sequential``, same dtype (only if importable).

Before timing a config, every competitor trains 3 steps from the same start and
must end with the weights, biases and gradient magnitudes of (a) (to 1e-10 in
float64, 1e-4 in float32): they all do the same computation.

Rounds are interleaved (a, b, b', c, c0, d, a, ...) in one process so that all
competitors see the same machine state. The table shows per-iteration medians
with min..max over rounds. Every ratio (to (a), tinynet to (b') and to (b),
recorder on to off, ...) is the median over rounds of that round's ratio: the
two competitors ran back to back, so a slow patch of the machine cancels out.
The float32 configs also run (c64) and (b64), tinynet's net and the
hand-optimised loop in float64, for the speed-up of each.
The last column is the median number of minor page faults per iteration:
memory that the C allocator gave back to the system and must fault in again.

    python benchmarks/run.py                 # all configs, 7 rounds
    python benchmarks/run.py --quick         # fewer rounds and iterations
    python benchmarks/run.py --study         # also the full 2 x 50,000 notebook study
    python benchmarks/run.py --study-interleaved   # the same iterations, finely alternated
    python benchmarks/run.py --threads 1     # every competitor with numpy's BLAS held to 1 thread

``--contention`` times only tinynet (with its GradientRecorder), on the
notebook nets and depth 10, idle and beside 1 and 2 busy processes (each a
``while`` loop of its own that ends by itself after ``--busy-seconds`` and is
killed when its phase ends, or on Ctrl-C). Rounds run idle, 1 busy, idle,
2 busy; each loaded time is divided by the idle time just before it, and the
ratios are medians over rounds. ``--threads`` names the BLAS thread counts to
compare in the same rounds: a number holds the numpy loops to it
(``tn.threads.limit``) and is passed to ``fit(threads=...)``;
"as is" leaves numpy's default to the loops and tinynet to its own rule
(:mod:`tinynet.threads`: one thread for these nets):

    python benchmarks/run.py --contention                        # as is
    python benchmarks/run.py --contention --threads "as is,2"    # and tinynet on 2 threads, as before the rule
    python benchmarks/run.py --contention --only "30,000"        # other configs of the table
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os

# PyTorch's OpenMP threads must not spin after each operation: they would starve numpy's
# BLAS threads of the two cores and slow every other competitor several-fold.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import platform
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

import tinynet as tn

try:
    import resource
except ImportError:  # Windows: no page-fault counts
    resource = None

LR, L2 = 0.1, 1e-3
FLAT = "(b') numpy, flat"  # the baseline tinynet is held to
AGREE = {np.float64: 1e-10, np.float32: 1e-4}  # check(): largest allowed difference from (a)


@dataclass
class Config:
    name: str
    widths: list[int]
    activation: str  # "sigmoid" or "relu"
    n_per_class: int = 100
    dtype: type = np.float64
    rows: int | None = None  # train on this many of the points, drawn once: a minibatch's shapes


CONFIGS = [
    Config("notebook net, sigmoid", [2, 50, 50, 3], "sigmoid"),
    Config("notebook net, relu", [2, 50, 50, 3], "relu"),
    Config("30,000 points, relu", [2, 50, 50, 3], "relu", n_per_class=10_000),
    Config("width 256, relu", [2, 256, 256, 3], "relu"),
    Config("depth 10, sigmoid", [2] + [50] * 10 + [3], "sigmoid"),
    Config("depth 10, relu", [2] + [50] * 10 + [3], "relu"),
    Config("notebook net, sigmoid, float32", [2, 50, 50, 3], "sigmoid", dtype=np.float32),
    Config("notebook net, relu, float32", [2, 50, 50, 3], "relu", dtype=np.float32),
]


def problem(cfg: Config):
    """Spiral data and initial weights (0.1 * randn) from one RandomState(0) stream."""
    rng = np.random.RandomState(0)
    X, y = tn.datasets.spiral(n_per_class=cfg.n_per_class, rng=rng)
    Ws = [0.1 * rng.randn(a, b) for a, b in zip(cfg.widths[:-1], cfg.widths[1:])]
    if cfg.rows:
        keep = rng.permutation(len(y))[:cfg.rows]
        X, y = X[keep], y[keep]
    return X.astype(cfg.dtype), y, [W.astype(cfg.dtype) for W in Ws]


# -- (a) the notebook's loop, any depth --------------------------------------------------------
def notebook_loop(cfg: Config):
    X, y, Ws = problem(cfg)
    bs = [np.zeros((1, W.shape[1]), cfg.dtype) for W in Ws]
    n = X.shape[0]
    relu = cfg.activation == "relu"
    magnitudes = [[] for _ in Ws]

    def f(z):
        return np.maximum(0, z) if relu else 1 / (1 + np.exp(-z))

    def run(iterations):
        for _ in range(iterations):
            hs = [X]
            for W, b in zip(Ws[:-1], bs[:-1]):
                hs.append(f(np.dot(hs[-1], W) + b))
            scores = np.dot(hs[-1], Ws[-1]) + bs[-1]
            exp_scores = np.exp(scores)
            probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
            data_loss = np.sum(-np.log(probs[range(n), y])) / n
            reg_loss = sum(0.5 * L2 * np.sum(W * W) for W in Ws)
            _loss = data_loss + reg_loss
            d = probs
            d[range(n), y] -= 1
            d /= n
            dWs, dbs = [None] * len(Ws), [None] * len(Ws)
            for i in range(len(Ws) - 1, -1, -1):
                dWs[i] = hs[i].T.dot(d)
                magnitudes[i].append(np.sum(np.abs(dWs[i])) / np.sum(np.abs(dWs[i].shape)))
                dbs[i] = np.sum(d, axis=0, keepdims=True)
                if i:
                    d = np.dot(d, Ws[i].T)
                    if relu:
                        d[hs[i] <= 0] = 0
                    else:
                        d = d * (hs[i] * (1 - hs[i]))
            for W, b, dW, db in zip(Ws, bs, dWs, dbs):
                dW += L2 * W
                W += -LR * dW
                b += -LR * db

    run.state = lambda: (Ws, [b.ravel() for b in bs], magnitudes)
    return run


# -- (b) hand-optimised numpy ----------------------------------------------------------------------
def optimised_loop(cfg: Config):
    X, y, Ws = problem(cfg)
    dt = cfg.dtype
    n, L = X.shape[0], len(Ws)
    bs = [np.zeros(W.shape[1], dt) for W in Ws]
    hs = [X] + [np.empty((n, W.shape[1]), dt) for W in Ws]  # hs[L] holds the scores
    dWs = [np.empty_like(W) for W in Ws]
    dbs = [np.empty_like(b) for b in bs]
    ds = [np.empty((n, W.shape[1]), dt) for W in Ws]  # gradient w.r.t. each layer's output
    tmp = [np.empty((n, W.shape[1]), dt) for W in Ws]
    absW = [np.empty_like(W) for W in Ws]
    ylin = np.arange(n) * cfg.widths[-1] + y  # flat indices of the correct classes
    sums = np.empty((n, 1), dt)
    relu = cfg.activation == "relu"
    magnitudes = [[] for _ in Ws]
    denominators = [float(sum(W.shape)) for W in Ws]

    def run(iterations):
        for _ in range(iterations):
            for i in range(L):
                np.matmul(hs[i], Ws[i], out=hs[i + 1])
                hs[i + 1] += bs[i]
                if i < L - 1:
                    h = hs[i + 1]
                    if relu:
                        np.maximum(h, 0, out=h)
                    else:
                        np.negative(h, out=h)
                        np.exp(h, out=h)
                        h += 1
                        np.divide(1, h, out=h)
            p = ds[L - 1]
            np.subtract(hs[L], hs[L].max(axis=1, keepdims=True), out=p)
            np.exp(p, out=p)
            np.sum(p, axis=1, keepdims=True, out=sums)
            p /= sums
            _loss = -np.log(p.ravel()[ylin]).mean() + sum(0.5 * L2 * np.vdot(W, W) for W in Ws)
            p.ravel()[ylin] -= 1
            p /= n
            for i in range(L - 1, -1, -1):
                d = ds[i]
                np.matmul(hs[i].T, d, out=dWs[i])
                np.abs(dWs[i], out=absW[i])
                magnitudes[i].append(absW[i].sum() / denominators[i])
                np.sum(d, axis=0, out=dbs[i])
                if i:
                    g = ds[i - 1]
                    np.matmul(d, Ws[i].T, out=g)
                    h = hs[i]
                    if relu:
                        g *= h > 0
                    else:
                        np.subtract(1, h, out=tmp[i - 1])
                        tmp[i - 1] *= h
                        g *= tmp[i - 1]
            for W, b, dW, db in zip(Ws, bs, dWs, dbs):
                dW += L2 * W
                dW *= LR
                W -= dW
                db *= LR
                b -= db

    run.state = lambda: (Ws, bs, magnitudes)
    return run


# -- (b') hand-optimised numpy on flat parameters ---------------------------------------------------
def flat_loop(cfg: Config, fresh: bool = False):
    """A numpy loop written for speed alone: a fixed number of calls per iteration for all parameters.

    Every parameter lives in one flat vector, all weights first, then all biases,
    and every gradient in another laid out alike; each layer's ``W`` and ``b`` are
    views into them. So the SGD step, the L2 term of the loss, the L2 term of the
    weight gradients, the finiteness check and the pre-step copy each take one or
    two numpy calls whatever the depth, and so does recording the gradient
    magnitudes (one ``abs`` and one ``add.reduceat`` over all weight gradients).
    Every activation and gradient buffer is allocated once and written with
    ``out=``; the output layer writes its scores transposed (classes x samples),
    so the softmax's reductions run along contiguous rows; bias gradients are
    products with a vector of ones. It checks that the loss and gradients are
    finite and copies the parameters before each step, as tinynet's ``fit`` does
    to stop a diverging net and undo an overflowing step, so that both do the
    same work.

    ``fresh=True`` (for ``gap.py``) gives each hidden layer's output and input
    gradient a fresh array every iteration, as tinynet's layers do, instead of
    a buffer allocated once.
    """
    X, y, W0s = problem(cfg)
    dt = cfg.dtype
    n, L, shapes = X.shape[0], len(W0s), [W.shape for W in W0s]
    sizes, widths = [a * b for a, b in shapes], [b for _, b in shapes]
    starts, n_weights = np.cumsum(sizes) - sizes, sum(sizes)  # where each W begins; all weights
    theta = np.zeros(n_weights + sum(widths), dt)  # [W_0, ..., W_L-1, b_0, ..., b_L-1]
    grad, backup, scratch = np.zeros_like(theta), np.empty_like(theta), np.empty_like(theta)

    def views(flat):
        """Each layer's W and b, as views into ``flat``."""
        Ws = [flat[s:s + size].reshape(shape) for s, size, shape in zip(starts, sizes, shapes)]
        return Ws, np.split(flat[n_weights:], np.cumsum(widths)[:-1])

    Ws, bs = views(theta)
    dWs, dbs = views(grad)
    for W, W0 in zip(Ws, W0s):
        W[...] = W0
    denominators = np.array([a + b for a, b in shapes], dt)
    hs = [X] + [np.empty((n, b), dt) for b in widths[:-1]]  # the hidden layers' outputs
    gs = [np.empty((n, b), dt) for b in widths[:-1]]  # the gradients w.r.t. them
    tmp = [np.empty((n, b), dt) for b in widths[:-1]]  # sigmoid: h * (1 - h)
    masks = [np.empty((n, b), bool) for b in widths[:-1]]  # ReLU: h > 0
    zeros = [np.zeros((n, b), dt) for b in widths[:-1]]  # ReLU: max(h, 0) is faster against an array
    k = shapes[-1][1]
    scores = np.empty((k, n), dt)  # transposed: classes x samples
    onehot = np.zeros((k, n), dt)
    onehot[y, np.arange(n)] = 1
    col_max, sums = np.empty(n, dt), np.empty(n, dt)
    ones = np.ones(n, dt)
    relu = cfg.activation == "relu"
    records = []

    def run(iterations):
        s, wt, wg, ws = scores, theta[:n_weights], grad[:n_weights], scratch[:n_weights]
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for _ in range(iterations):
                for i in range(L - 1):
                    h = hs[i + 1] = hs[i] @ Ws[i] if fresh else np.matmul(hs[i], Ws[i], out=hs[i + 1])
                    h += bs[i]
                    if relu:
                        h = hs[i + 1] = np.maximum(h, zeros[i], out=None if fresh else h)
                    else:
                        h = hs[i + 1] = np.negative(h, out=None if fresh else h)
                        np.exp(h, out=h)
                        h += 1
                        np.divide(1, h, out=h)
                np.matmul(Ws[-1].T, hs[-1].T, out=s)
                s += bs[-1][:, None]
                np.maximum.reduce(s, axis=0, out=col_max)
                s -= col_max
                correct = np.vdot(onehot, s)  # sum over samples of the shifted correct score
                np.exp(s, out=s)
                np.add.reduce(s, axis=0, out=sums)
                s /= sums
                loss = (np.add.reduce(np.log(sums)) - correct) / n + 0.5 * L2 * np.vdot(wt, wt)
                d = np.subtract(s, onehot, out=s)
                d /= n
                np.matmul(hs[-1].T, d.T, out=dWs[-1])
                np.add.reduce(d, axis=1, out=dbs[-1])
                d = d.T
                for i in range(L - 2, -1, -1):
                    g = d @ Ws[i + 1].T if fresh else np.matmul(d, Ws[i + 1].T, out=gs[i])
                    h = hs[i + 1]
                    if relu:
                        g = np.multiply(g, np.greater(h, 0, out=masks[i]), out=None if fresh else g)
                    else:
                        t = np.subtract(1, h, out=None if fresh else tmp[i])
                        t *= h
                        g = np.multiply(t, g, out=t if fresh else g)
                    np.matmul(hs[i].T, g, out=dWs[i])
                    np.matmul(ones, g, out=dbs[i])
                    d = g
                np.abs(wg, out=ws)
                records.append(np.add.reduceat(ws, starts) / denominators)
                np.multiply(wt, L2, out=ws)
                wg += ws
                if not math.isfinite(loss + np.vdot(grad, grad)):
                    raise FloatingPointError("(b') numpy, flat: the loss or a gradient is not finite")
                np.copyto(backup, theta)
                np.multiply(grad, LR, out=scratch)
                np.subtract(theta, scratch, out=theta)

    run.state = lambda: (Ws, bs, list(np.array(records).T))
    return run


# -- (c) tinynet -------------------------------------------------------------------------------------
def tinynet_model(cfg: Config):
    """The config's net as a tinynet Sequential with the shared initial weights, and the data."""
    X, y, Ws = problem(cfg)
    act = tn.ReLU if cfg.activation == "relu" else tn.Sigmoid
    layers = []
    for i, W in enumerate(Ws):
        dense = tn.Dense(*W.shape, rng=0)
        dense.params["W"][:] = W
        layers += [dense] + ([act()] if i < len(Ws) - 1 else [])
    return tn.Sequential(*layers).astype(cfg.dtype), X, y


def tinynet_fit(cfg: Config, record: bool = True, units: bool = False, threads: int | None = None):
    """``fit`` with a GradientRecorder (if ``record``) and an ActivationRecorder (if ``units``).

    ``threads`` goes to ``fit``: None lets tinynet choose by its rule (:mod:`tinynet.threads`),
    which overrides any limit set around the call.
    """
    model, X, y = tinynet_model(cfg)
    optimizer = tn.SGD(lr=LR)
    recorder = [tn.GradientRecorder()] if record else []
    callbacks = [*recorder, tn.ActivationRecorder()] if units else recorder

    def run(iterations):
        model.fit(X, y, optimizer=optimizer, l2=L2, iterations=iterations, callbacks=callbacks, threads=threads)

    dense = [layer for layer in model.layers if isinstance(layer, tn.Dense)]
    run.state = lambda: ([d.params["W"] for d in dense], [d.params["b"] for d in dense],
                         list(recorder[0].history.values()) if record else None)
    return run


# -- (d) PyTorch --------------------------------------------------------------------------------------
def torch_loop(cfg: Config):
    import torch

    X, y, Ws = problem(cfg)
    tdt = torch.float64 if cfg.dtype == np.float64 else torch.float32
    act = torch.nn.ReLU if cfg.activation == "relu" else torch.nn.Sigmoid
    mods = []
    for i, W in enumerate(Ws):
        lin = torch.nn.Linear(*W.shape, dtype=tdt)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(W.T.copy()))
            lin.bias.zero_()
        mods += [lin] + ([act()] if i < len(Ws) - 1 else [])
    net = torch.nn.Sequential(*mods)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    weights = [m.weight for m in mods if isinstance(m, torch.nn.Linear)]
    magnitudes = [[] for _ in weights]

    def run(iterations):
        for _ in range(iterations):
            net.zero_grad(set_to_none=True)
            loss = torch.nn.functional.cross_entropy(net(Xt), yt)
            with torch.no_grad():
                _total = loss.item() + sum(0.5 * L2 * float((W * W).sum()) for W in weights)
            loss.backward()
            with torch.no_grad():
                for k, W in enumerate(weights):
                    magnitudes[k].append(float(W.grad.abs().sum()) / sum(W.shape))
                    W.grad.add_(W, alpha=L2)
                for p in net.parameters():
                    p.add_(p.grad, alpha=-LR)

    linears = [m for m in mods if isinstance(m, torch.nn.Linear)]
    run.state = lambda: ([m.weight.detach().numpy().T for m in linears],
                         [m.bias.detach().numpy() for m in linears], magnitudes)
    return run


def minor_faults() -> int:
    """Minor page faults of this process so far (0 where there is no ``resource`` module)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt if resource else 0


def time_per_iteration(run, iterations: int, faults: list | None = None) -> float:
    """Seconds per iteration; appends the minor page faults per iteration to ``faults``."""
    before, start = minor_faults(), time.perf_counter()
    run(iterations)
    seconds = (time.perf_counter() - start) / iterations
    if faults is not None:
        faults.append((minor_faults() - before) / iterations)
    return seconds


def competitors(cfg: Config, have_torch: bool, threads: int | None = None) -> dict:
    """Each competitor's ``run(iterations)``, from the same data and initial weights.

    ``threads``: tinynet's BLAS threads (None: its rule); the other loops run under the limit set around them.
    """
    makers = {"(a) notebook": notebook_loop, "(b) numpy": optimised_loop, FLAT: flat_loop,
              "(c) tinynet": lambda c: tinynet_fit(c, threads=threads),
              "(c0) tinynet, no recorder": lambda c: tinynet_fit(c, record=False, threads=threads)}
    if cfg.dtype != np.float64:  # the same nets in float64, for the speed-ups in the same rounds
        makers["(c64) tinynet, float64"] = lambda c: tinynet_fit(replace(c, dtype=np.float64), threads=threads)
        makers["(b64) numpy, float64"] = lambda c: optimised_loop(replace(c, dtype=np.float64))
    if have_torch:
        makers["(d) torch"] = torch_loop
    return {name: make(cfg) for name, make in makers.items()}


def check(cfg: Config, have_torch: bool, iterations: int = 3) -> dict[str, float]:
    """Train every competitor ``iterations`` steps and compare it with the notebook loop (a).

    Returns, per competitor, the largest difference from (a) over the final
    weights, the biases and the recorded gradient magnitudes, each array's
    ``max |x - x_a| / max |x_a|``: all of them must do the same computation
    for the timings to be comparable.
    """
    runs = competitors(cfg, have_torch)
    for run in runs.values():
        run(iterations)
    weights, biases, magnitudes = runs["(a) notebook"].state()
    reference = [*weights, *biases, np.array(magnitudes)]
    differences = {}
    for name, run in runs.items():
        W, b, m = run.state()
        arrays = [*W, *b] + ([np.array(m)] if m is not None else [])
        differences[name] = max(float(np.max(np.abs(a - r)) / np.max(np.abs(r))) if a.shape == r.shape
                                else np.inf for a, r in zip(arrays, reference))
    return differences


def bench(cfg: Config, rounds: int, budget: float, have_torch: bool, threads: int | None = None):
    runs = competitors(cfg, have_torch, threads)
    probe = time_per_iteration(runs["(a) notebook"], 20)  # warm-up and size the rounds
    iterations = max(20, int(budget / probe))
    times, faults = interleaved(runs, rounds, iterations)
    return times, faults, iterations


def interleaved(runs: dict, rounds: int, iterations: int) -> tuple[dict, dict]:
    """Per competitor, seconds per iteration and minor page faults per iteration, one value per round.

    Each round times every competitor in turn, after 5 warm-up iterations each.
    """
    for run in runs.values():
        run(5)
    times = {name: [] for name in runs}
    faults = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            times[name].append(time_per_iteration(run, iterations, faults[name]))
    return times, faults


def ratio(times, top: str, bottom: str) -> float:
    """Median over rounds of the per-round ratio: both ran back to back in each round."""
    return statistics.median(t / b for t, b in zip(times[top], times[bottom]))


def report(cfg: Config, times, faults, iterations):
    print(f"\n{cfg.name}  ({iterations} iterations per round, {len(next(iter(times.values())))} rounds)")
    for name, values in times.items():
        print(f"  {name:<27} {statistics.median(values) * 1e6:9.1f} us  [{min(values) * 1e6:8.1f} .."
              f" {max(values) * 1e6:8.1f}]   {ratio(times, name, '(a) notebook'):5.2f}x notebook"
              f"   {statistics.median(faults[name]):6.1f} faults/it")
    print(f"  tinynet / flat numpy: {ratio(times, '(c) tinynet', FLAT):.2f}x;"
          f" tinynet / hand-optimised numpy: {ratio(times, '(c) tinynet', '(b) numpy'):.2f}x;"
          f" recorder on / off: {ratio(times, '(c) tinynet', '(c0) tinynet, no recorder'):.3f}x")
    if "(c64) tinynet, float64" in times:
        print(f"  float64 / {np.dtype(cfg.dtype).name}: {ratio(times, '(c64) tinynet, float64', '(c) tinynet'):.2f}x"
              f" (hand-optimised numpy: {ratio(times, '(b64) numpy, float64', '(b) numpy'):.2f}x)")
    if "(d) torch" in times:
        print(f"  tinynet / torch: {ratio(times, '(c) tinynet', '(d) torch'):.2f}x")


def study(root: Path, runs: int):
    """The full default study (2 nets x 50,000 iterations, printing) against the notebook's loop.

    Four commands run in turn, ``runs`` times each: the notebook's script, the
    tinynet example, and ``tinynet-study --no-figures``, which also records every
    layer's gradient and the saturated or dead units at every iteration, both as
    it is (the two nets at the same time, one process per core) and with
    ``--jobs 1`` (one after the other in one process, like the other two). Each
    ratio is the median over the rounds, each round's commands having run back to back.
    """
    commands = {"notebook loop": [str(root / "benchmarks" / "notebook_study.py")],
                "tinynet example": [str(root / "examples" / "vanishing_gradients.py")],
                "tinynet-study": ["-m", "tinynet.study", "--no-figures"],
                "tinynet-study -j1": ["-m", "tinynet.study", "--no-figures", "--jobs", "1"]}
    expected = (root / "tests" / "data" / "expected_output.txt").read_text()
    timings = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            start = time.perf_counter()
            out = subprocess.run([sys.executable, *command], capture_output=True, text=True, check=True).stdout
            timings[name].append(time.perf_counter() - start)
            print(f"  {name:<17} {timings[name][-1]:7.1f} s   output equals the notebook's: {out == expected}",
                  flush=True)
    for name in ("tinynet example", "tinynet-study", "tinynet-study -j1"):
        print(f"  {name} / notebook: {ratio(timings, name, 'notebook loop'):.2f}x (median of {runs} rounds)")


def study_interleaved(chunk: int = 1000):
    """The study's 2 x 50,000 iterations in one process, (a), (b) and (c) alternating every ``chunk``.

    Fine-grained alternation makes the total robust to the machine's drift, which
    whole-script runs of 40 s each are not; printing is left out (50 lines). (c+)
    also records the saturated or dead units, as ``tinynet-study`` does.
    """
    totals = dict.fromkeys(["(a) notebook", "(b) numpy", "(c) tinynet", "(c+) tinynet, units too"], 0.0)
    for cfg in CONFIGS[:2]:  # the notebook net, sigmoid then ReLU
        runs = dict(zip(totals, (notebook_loop(cfg), optimised_loop(cfg), tinynet_fit(cfg),
                                 tinynet_fit(cfg, units=True))))
        for _ in range(50_000 // chunk):
            for name, run in runs.items():
                start = time.perf_counter()
                run(chunk)
                totals[name] += time.perf_counter() - start
    for name, seconds in totals.items():
        print(f"  {name:<23} {seconds:7.1f} s   {seconds / totals['(a) notebook']:.2f}x notebook")


# -- --contention: tinynet beside busy processes ----------------------------------------------------
BUSY = """\
import signal, sys, time
signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C in the terminal ends it at once, without a traceback
end = time.monotonic() + float(sys.argv[1])
print(flush=True)  # tell the benchmark that it runs
while time.monotonic() < end:
    pass
"""


@contextlib.contextmanager
def busy_processes(count: int, seconds: float):
    """``count`` processes that each keep a core busy; each ends by itself after ``seconds``.

    The processes are killed when the ``with`` block ends, however it ends
    (an exception, Ctrl-C). A Ctrl-C in the terminal also reaches them directly,
    and they end on it.
    """
    procs = []
    try:
        for _ in range(count):
            procs.append(subprocess.Popen([sys.executable, "-c", BUSY, str(seconds)], stdout=subprocess.PIPE))
        for proc in procs:
            proc.stdout.readline()  # returns once it runs
        yield procs
    finally:
        for proc in procs:
            proc.kill()
        for proc in procs:
            proc.wait()
            proc.stdout.close()


def as_count(setting: str) -> int | None:
    """``fit``'s ``threads`` for a ``--threads`` setting: None (tinynet's rule) for "as is"."""
    return None if setting == "as is" else int(setting)


def time_for(run, budget: float) -> float:
    """Seconds per iteration of ``run``, over at least ``budget`` seconds.

    Calls ``run`` with 1, 2, 4, ... iterations until ``budget`` has passed, so
    that a run slowed a hundredfold still ends soon after ``budget``.
    """
    done, chunk, start = 0, 1, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < budget:
        run(chunk)
        done, chunk = done + chunk, chunk * 2
    return elapsed / done


CONTENTION = ["notebook net, sigmoid", "notebook net, relu", "depth 10, sigmoid", "depth 10, relu"]
PHASES = ("idle", "1 busy", "2 busy")


def contention(configs: list[Config], settings: list[str], rounds: int, budget: float, busy_seconds: float):
    """tinynet's time per iteration with 0, 1 and 2 busy processes beside it, interleaved.

    Every round runs the phases idle, 1 busy, idle, 2 busy; in each phase every
    config is timed with every BLAS thread setting. Each loaded phase is compared
    with the idle phase just before it; the ratios are medians over rounds.
    """
    runs = {(cfg.name, setting): tinynet_fit(cfg, threads=as_count(setting)) for cfg in configs for setting in settings}
    for run in runs.values():
        run(5)
    phases = [("idle", 0), ("1 busy", 1), ("idle", 0), ("2 busy", 2)]
    times = {(key, phase): [] for key in runs for phase in PHASES}
    ratios = {(key, phase): [] for key in runs for phase in ("1 busy", "2 busy")}
    for r in range(rounds):
        for phase, count in phases:
            with busy_processes(count, busy_seconds) as procs:
                for key, run in runs.items():  # fit sets its own thread count (as_count(setting))
                    times[key, phase].append(time_for(run, budget))
                    if count:
                        ratios[key, phase].append(times[key, phase][-1] / times[key, "idle"][-1])
                if any(proc.poll() is not None for proc in procs):
                    sys.exit(f"a busy process ended before the {phase} phase did: raise --busy-seconds")
        print(f"  round {r + 1} of {rounds} done", flush=True)
    width = max(len(cfg.name) for cfg in configs)
    print(f"\n  {'config':<{width}} {'BLAS threads':<12} {'idle':>9} {'1 busy':>9} {'2 busy':>9}"
          f"   {'1 busy / idle':<20} 2 busy / idle")
    for name, setting in runs:
        key = name, setting
        cells = "".join(f" {statistics.median(times[key, phase]) * 1e6:9.1f}" for phase in PHASES)
        spread = "".join(f"   {statistics.median(ratios[key, phase]):6.2f}x [{min(ratios[key, phase]):.2f}.."
                         f"{max(ratios[key, phase]):.2f}]" for phase in ("1 busy", "2 busy"))
        print(f"  {name:<{width}} {setting:<12}{cells}{spread}")
    print("  (us per iteration, medians over all rounds; ratios: median [min..max] over rounds of the loaded"
          " time / the idle time just before it)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--budget", type=float, default=0.4, help="seconds per competitor per round")
    parser.add_argument("--quick", action="store_true", help="3 rounds of 0.15 s")
    parser.add_argument("--only", help="run configs whose name contains this text")
    parser.add_argument("--study", action="store_true", help="also time the full notebook study")
    parser.add_argument("--study-runs", type=int, default=3, help="runs of each study script (default 3)")
    parser.add_argument("--study-interleaved", action="store_true",
                        help="also the study's iterations in one process, alternating every 1,000")
    parser.add_argument("--contention", action="store_true",
                        help="instead, time tinynet idle and beside 1 and 2 busy processes")
    parser.add_argument("--threads", default="as is",
                        help="BLAS thread limit for every competitor, e.g. 1; with --contention, limits to "
                             "compare, e.g. 'as is,1,2' (default: as is, no limit)")
    parser.add_argument("--busy-seconds", type=float, default=300,
                        help="with --contention: a busy process ends by itself after this long (default 300)")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.budget = 3, 0.15
    settings = [setting.strip() for setting in args.threads.split(",")]
    if len(settings) > 1 and not args.contention:
        parser.error("--threads: one limit for the table; several only with --contention")
    if args.contention:
        print(f"python {platform.python_version()}, numpy {np.__version__}; {platform.machine()}, "
              f"{os.cpu_count()} cores")
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks: stop busy processes
        configs = [cfg for cfg in CONFIGS if (args.only in cfg.name if args.only else cfg.name in CONTENTION)]
        contention(configs, settings, args.rounds, args.budget, args.busy_seconds)
        return
    try:
        import torch

        have_torch = True
        # One thread: with two, torch's OpenMP workers and numpy's OpenBLAS workers (which
        # spin for a while after each call) fight over the two cores and everything slows
        # down erratically. For matrices this small one thread is torch's fastest setting.
        torch.set_num_threads(1)
        versions = f"torch {torch.__version__} (1 thread)"
    except ImportError:
        have_torch = False
        versions = "torch not importable: (d) skipped"
    print(f"python {platform.python_version()}, numpy {np.__version__}, {versions}; {platform.machine()};"
          f" BLAS threads: {settings[0]}")
    with tn.threads.limit(as_count(settings[0])):
        for cfg in CONFIGS:
            if args.only and args.only not in cfg.name:
                continue
            differences = check(cfg, have_torch)
            worst = max(differences, key=differences.get)
            if differences[worst] > AGREE[cfg.dtype]:
                sys.exit(f"{cfg.name}: {worst} does not compute what (a) does: its weights, biases or gradient "
                         f"magnitudes after 3 steps differ by {differences[worst]:.1e}")
            report(cfg, *bench(cfg, args.rounds, args.budget, have_torch, as_count(settings[0])))
            print(f"  same weights, biases and magnitudes as (a) after 3 steps, to {differences[worst]:.0e}")
    if args.study:
        print(f"\nfull default study ({args.study_runs} runs each, alternating)")
        study(Path(__file__).resolve().parents[1], args.study_runs)
    if args.study_interleaved:
        print("\nthe study's 2 x 50,000 iterations in one process, alternating every 1,000 (no printing)")
        study_interleaved()


if __name__ == "__main__":
    main()
