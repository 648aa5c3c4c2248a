"""How many BLAS threads pay off: one training iteration with OpenBLAS held to 1 and to 2 threads.

For nets from teaching size to large, this times one full-batch training
iteration of the hand-optimised numpy loop (b) and of tinynet's ``fit`` (c),
from ``run.py``, with numpy's BLAS held to 1 and to 2 threads
(``tn.threads.limit``; tinynet also gets ``fit(threads=...)``). The four are interleaved in every round, in
turn forwards and backwards, so that all of them see the same machine; each
ratio "2 threads / 1 thread" is the median [min..max] over rounds of that
round's ratio. A "batch" config stands for one minibatch step: it trains on
the same rows every step, without the cost of gathering a batch.

The size column is the largest matrix product of the net, N x n_in x n_out
multiply-adds for a Dense layer of n_in x n_out on N rows (the forward
product and the two of the backward pass have the same size). The table is
sorted by it, so the crossover, where 2 threads start to pay, can be read off.
The last column is the machine's load average when the config started: on
2 cores, above 2 means that something else wanted the cores too.

    python benchmarks/threads.py                     # all configs, 9 rounds
    python benchmarks/threads.py --rounds 5 --only width
"""

from __future__ import annotations

import argparse
import os
import statistics

from run import Config, optimised_loop, time_per_iteration, tinynet_fit

import tinynet as tn

CONFIGS = [
    Config("notebook net, sigmoid", [2, 50, 50, 3], "sigmoid"),
    Config("notebook net, relu", [2, 50, 50, 3], "relu"),
    Config("depth 10, sigmoid", [2] + [50] * 10 + [3], "sigmoid"),
    Config("depth 10, relu", [2] + [50] * 10 + [3], "relu"),
    *(Config(f"batch {rows:,} of 30,000, relu", [2, 50, 50, 3], "relu", n_per_class=10_000, rows=rows)
      for rows in (64, 256, 1024)),
    *(Config(f"{3 * n:,} points, relu", [2, 50, 50, 3], "relu", n_per_class=n)
      for n in (500, 1000, 1500, 3334, 10_000)),
    *(Config(f"width {w}, relu", [2, w, w, 3], "relu") for w in (64, 128, 192, 256, 512)),
]
# tinynet is given its thread count: left to its rule, it would choose one thread for small nets
LOOPS = {"(b) numpy": lambda cfg, threads: optimised_loop(cfg),
         "(c) tinynet": lambda cfg, threads: tinynet_fit(cfg, threads=threads)}


def size(cfg: Config) -> int:
    """Multiply-adds of the net's largest matrix product: N x n_in x n_out."""
    n = cfg.rows or 3 * cfg.n_per_class
    return max(n * a * b for a, b in zip(cfg.widths[:-1], cfg.widths[1:]))


def measure(cfg: Config, rounds: int, budget: float) -> dict:
    """Per (loop, threads): seconds per iteration, one value per round."""
    runs = {(name, threads): make(cfg, threads) for name, make in LOOPS.items() for threads in (1, 2)}
    with tn.threads.limit(2):
        probe = time_per_iteration(runs["(b) numpy", 2], 5)
    iterations = max(5, int(budget / probe))
    times = {key: [] for key in runs}
    for r in range(rounds):
        for key in list(runs)[::(-1) ** r]:
            with tn.threads.limit(key[1]):
                runs[key](2)  # wake the threads up: each loop starts from where it stopped
                times[key].append(time_per_iteration(runs[key], iterations))
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--budget", type=float, default=0.2, help="seconds per loop and thread count per round")
    parser.add_argument("--only", help="run configs whose name contains this text")
    args = parser.parse_args(argv)
    configs = sorted((cfg for cfg in CONFIGS if not args.only or args.only in cfg.name), key=size)
    print(f"{'config':<28} {'size':>11}   " + "   ".join(
        f"{name} 1 thread, 2 threads (us), 2/1 [min..max]" for name in LOOPS) + "   load", flush=True)
    for cfg in configs:
        load = os.getloadavg()[0]  # how busy the machine was: processes running or waiting, last minute
        times = measure(cfg, args.rounds, args.budget)
        cells = []
        for name in LOOPS:
            one, two = times[name, 1], times[name, 2]
            ratios = [b / a for a, b in zip(one, two)]
            cells.append(f"{statistics.median(one) * 1e6:10.1f} {statistics.median(two) * 1e6:10.1f}"
                         f"   {statistics.median(ratios):.2f} [{min(ratios):.2f}..{max(ratios):.2f}]")
        print(f"{cfg.name:<28} {size(cfg):11,}   " + "      ".join(cells) + f"   {load:4.1f}", flush=True)


if __name__ == "__main__":
    main()
