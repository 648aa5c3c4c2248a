"""The ``tinynet-study`` command (also ``python -m tinynet.study``): the study from a shell."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from .._validation import check_choice, check_output_folder, int_problem, real_problem, require
from ..recorders import METRICS
from ..training import TrainingDiverged
from .experiment import ACTIVATIONS, INITIALIZERS, NORMS, compare, cores, variants
from .figures import save_figures

__all__ = ["main"]

SEEDS = 2**32 - 1  # np.random.RandomState takes seeds in [0, 2**32 - 1]
MAX_NETS = 12  # more nets than this in one study only with --yes


def _argument(convert: Callable, problem: Callable) -> Callable[[str], object]:
    """An argparse ``type``: ``convert`` the text, then refuse it with ``problem``'s words (from tinynet's checks)."""
    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected {'a whole number' if convert is int else 'a number'}, got {text!r}") from None
        wrong = problem(value)
        if wrong:
            raise argparse.ArgumentTypeError(f"{wrong}, got {text}")
        return value

    return parse


def _count(minimum: int, maximum: int | None = None):
    return _argument(int, lambda n: int_problem(n, minimum=minimum, maximum=maximum))


def _real(allow_zero: bool):
    return _argument(float, lambda x: real_problem(x, allow_zero=allow_zero))


def _name(value: str) -> str:
    try:
        return check_choice(value, tuple(ACTIVATIONS), "activation")
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tinynet-study",
        description="Train one net per activation on the spiral data and compare how their layers "
        "learn (the 'Vanishing gradients: sigmoid vs ReLU' notebook). With no options it prints "
        "the notebook's 102 lines and writes its figures to ./figures.",
        epilog="Example: tinynet-study --activations sigmoid relu leaky_relu --depth 6 "
        "--iterations 3000 --out figs. Exit status: 0 done, 1 training diverged, 2 bad options, "
        "130 interrupted (Ctrl-C), 143 terminated (SIGTERM).",
    )
    parser.add_argument("--activations", nargs="+", type=_name, default=["sigmoid", "relu"], metavar="NAME",
                        help=f"one or more of: {', '.join(ACTIVATIONS)} (default: sigmoid relu)")
    parser.add_argument("--depth", nargs="+", type=_count(1), default=[2], metavar="N",
                        help="hidden layers per net; several values train one net per depth (default: 2)")
    parser.add_argument("--width", type=_count(1), default=50, help="units per hidden layer (default: 50)")
    parser.add_argument("--iterations", type=_count(1), default=50_000,
                        help="gradient-descent steps per net (default: 50000)")
    parser.add_argument("--lr", type=_real(False), default=0.1, help="step size (default: 0.1)")
    parser.add_argument("--l2", type=_real(True), default=1e-3, help="L2 strength (default: 0.001)")
    parser.add_argument("--seed", type=_count(0, SEEDS), default=0,
                        help=f"seed of the one random stream, 0 to {SEEDS} (default: 0)")
    parser.add_argument("--print-every", type=_count(1), default=1000, metavar="N",
                        help="print the loss every N iterations (default: 1000)")
    parser.add_argument("--metric", choices=tuple(METRICS), default="seed",
                        help="gradient magnitude per layer: the notebook's sum|dW|/(n_in+n_out) (seed), "
                        "mean |dW| (mean_abs, fairer between layers of different sizes) or the L2 norm")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="folder for the PNG figures (default: figures; with --quiet, no figures "
                        "unless --out is given)")
    parser.add_argument("--init", nargs="+", choices=tuple(INITIALIZERS), default=["normal"], metavar="NAME",
                        help="how weights are drawn: normal (the notebook's 0.1 * randn), standard (Glorot & "
                        "Bengio's fan-in uniform), glorot, he; several train one net each (default: normal)")
    parser.add_argument("--norm", nargs="+", choices=tuple(NORMS), default=["none"], metavar="NAME",
                        help="normalisation before each hidden activation: none, batchnorm, layernorm "
                        "(default: none)")
    parser.add_argument("--residual", nargs="+", choices=("off", "on"), default=["off"], metavar="off|on",
                        help="residual blocks around every hidden layer but the first (default: off)")
    parser.add_argument("--yes", action="store_true",
                        help=f"train more than {MAX_NETS} nets without asking (every combination of the options "
                        "above is one net)")
    parser.add_argument("--no-figures", action="store_true", help="do not draw any figures")
    parser.add_argument("--jobs", type=_count(1), metavar="N",
                        help="train up to N nets at the same time, each in a worker process; each net's lines "
                        "are printed when it has finished, in order (default: one per CPU core, at most one "
                        "per net; --jobs 1 trains them one after the other in this process, with progress bars)")
    parser.add_argument("--threads", type=_count(1), metavar="N",
                        help="BLAS threads per net (default: tinynet's rule: one for small nets)")
    parser.add_argument("--quiet", action="store_true",
                        help="print nothing but errors (figures only where --out says)")
    return parser


class _Terminated(Exception):
    """SIGTERM arrived: stop as after Ctrl-C."""


@contextlib.contextmanager
def _sigterm_stops() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`_Terminated` (so that workers end and files close)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise _Terminated

    before = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``tinynet-study`` command; returns the exit status.

    Exit status 0 on success, 1 when training diverges, 2 for bad options
    (with an argparse-style message on stderr), 130 after Ctrl-C and 143
    after SIGTERM (one line on stderr; worker processes are stopped).

    Examples
    --------
    >>> from tinynet.study import main
    >>> main(["--activations", "relu", "--iterations", "2", "--print-every", "1", "--no-figures"])
    iteration 0: loss 1.109567
    iteration 1: loss 1.109094
    training accuracy: 0.51
    0
    """
    parser = _parser()
    args = parser.parse_args(argv)
    for option in ("activations", "depth", "init", "norm", "residual"):
        given = getattr(args, option)
        if len(set(given)) != len(given):
            parser.error(f"argument --{option}: a value is given twice: {' '.join(map(str, given))}")
    settings = {"init": args.init, "norm": args.norm, "residual": args.residual,
                "depth": args.depth if len(args.depth) > 1 else args.depth[0]}
    n_nets = len(variants(args.activations, **settings))
    if n_nets > MAX_NETS and not args.yes:
        parser.error(f"these options ask for {n_nets} nets (every combination of --activations, --depth, "
                     f"--init, --norm and --residual), more than {MAX_NETS}: add --yes to train them all")
    out = None if args.no_figures or (args.quiet and args.out is None) else args.out or Path("figures")
    if out is not None:
        try:
            check_output_folder(out, "argument --out")
        except OSError as error:
            parser.error(str(error))
    jobs = min(n_nets, cores()) if args.jobs is None else args.jobs
    try:
        require("tqdm", "progress", "tinynet-study")
        progress = sys.stderr.isatty() and min(jobs, n_nets) == 1
    except ImportError:
        progress = False
    if not args.quiet:
        print(f"{parser.prog}: training {n_nets} net{'s' * (n_nets > 1)}", file=sys.stderr)
    try:
        with _sigterm_stops():
            result = compare(
                args.activations, width=args.width, iterations=args.iterations, lr=args.lr, l2=args.l2,
                seed=args.seed, print_every=args.print_every, quiet=args.quiet, progress=progress,
                metric=args.metric, jobs=jobs, threads=args.threads, **settings,
            )
    except TrainingDiverged as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{parser.prog}: interrupted", file=sys.stderr)
        return 130
    except _Terminated:
        print(f"{parser.prog}: terminated", file=sys.stderr)
        return 143
    if not args.quiet:
        print(f"\n{result.summary()}", file=sys.stderr)
    if out is None:
        return 0
    try:
        written = save_figures(result, out)
    except ImportError:
        print(f"{parser.prog}: matplotlib is not installed, so no figures were written "
              "(pip install 'tinynet-learn[plot]')", file=sys.stderr)
        return 0
    if not args.quiet:
        for path in written:
            print(f"wrote {path}", file=sys.stderr)
    return 0
