"""Studies: the notebook's experiment, for any activations and any depth.

:func:`compare` trains one net per activation on the same data and returns a
:class:`StudyResult` holding, for each net, its loss and every layer's
weight-gradient magnitude at every iteration, the fraction of saturated and
dead units, its training accuracy and the trained model. With its defaults
it *is* the notebook: two hidden layers of 50 units, sigmoid then ReLU,
50,000 full-batch steps of size 0.1, L2 strength 1e-3, the spiral data and
both nets' weights drawn from one ``np.random.RandomState(0)`` stream -- and
it prints the notebook's 102 lines, digit for digit.

The same study runs from a shell (``--help`` lists the options)::

    tinynet-study --activations sigmoid relu leaky_relu --depth 6 --iterations 3000 --out figures
    python -m tinynet.study

Standard output gets only the notebook's lines (the loss every
``--print-every`` iterations, then the training accuracy, for each net);
notes on what is being trained, a summary table and the names of the
figures written go to standard error.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import datasets, io, plot
from ._validation import check_choice, check_features, check_int, check_labels, check_positive
from .activations import ELU, Activation, LeakyReLU, ReLU, Sigmoid, Softplus, Tanh
from .callbacks import ActivationRecorder, GradientRecorder, PrintLoss, ProgressBar
from .init import Initializer, Normal
from .layers import Dense, Layer, Maxout
from .losses import SoftmaxCrossEntropy
from .model import Sequential, TrainingDiverged
from .optim import SGD

__all__ = ["ACTIVATIONS", "Run", "StudyResult", "compare", "save_figures", "main"]

ACTIVATIONS: dict[str, type[Layer]] = {
    "sigmoid": Sigmoid,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "tanh": Tanh,
    "elu": ELU,
    "softplus": Softplus,
    "maxout": Maxout,
}
"""The activations :func:`compare` and the ``tinynet-study`` command know by name.

A dict from name to layer class: ``"sigmoid"`` (:class:`~tinynet.Sigmoid`),
``"relu"`` (:class:`~tinynet.ReLU`), ``"leaky_relu"``
(:class:`~tinynet.LeakyReLU`), ``"tanh"`` (:class:`~tinynet.Tanh`), ``"elu"``
(:class:`~tinynet.ELU`), ``"softplus"`` (:class:`~tinynet.Softplus`) and
``"maxout"`` (:class:`~tinynet.Maxout`, a layer with its own weights that takes
the place of a hidden ``Dense`` layer and its activation). The names are the
classes' ``kind``; :func:`compare` also accepts a class of your own.
"""


@dataclass
class Run:
    """One trained net of a study.

    Attributes
    ----------
    name : str
        The activation's label: ``"sigmoid"``, or a user class's ``kind`` (``"swish"``).
    model : Sequential
        The trained net.
    loss : ndarray, shape (iterations,)
        Data loss plus the L2 penalty at every iteration.
    gradients : dict of str to ndarray
        ``{layer name: magnitude per iteration}`` for every layer with weights,
        first layer first (the output layer last). The magnitude is the
        study's ``metric`` of the layer's data-loss weight gradient.
    accuracy : float
        Training accuracy of the final model.
    units : ActivationRecorder
        Saturated (sigmoid, tanh) and dead (ReLU) units per layer and iteration;
        also available as :attr:`saturated` and :attr:`dead`.
    """

    name: str
    model: Sequential
    loss: np.ndarray
    gradients: dict[str, np.ndarray]
    accuracy: float
    units: ActivationRecorder = field(repr=False)

    @property
    def saturated(self) -> dict[str, np.ndarray]:
        """``{sigmoid/tanh layer: fraction of outputs within 0.01 of a bound, per iteration}``."""
        return self.units.saturated

    @property
    def dead(self) -> dict[str, np.ndarray]:
        """``{ReLU layer: fraction of units that output 0 for the whole batch, per iteration}``."""
        return self.units.dead

    @property
    def gradient_matrix(self) -> np.ndarray:
        """The gradient magnitudes as one array, shape ``(n_weight_layers, iterations)``; row 0 is the first layer.

        Rows are positions, not names, so nets whose layers are named
        differently (``dense_0`` and ``maxout_0``) can be compared row by row.
        """
        return np.array(list(self.gradients.values()))

    def __repr__(self):
        return f"Run({self.name!r}, accuracy={self.accuracy:.2f}, final loss={self.loss[-1]:.6f})"


@dataclass
class StudyResult(Mapping):
    """What :func:`compare` returns: one :class:`Run` per activation, and the data.

    It is a read-only mapping from activation label to :class:`Run`, in the
    order the activations were given: ``result["relu"].accuracy``,
    ``for name, run in result.items()``.

    Attributes
    ----------
    runs : dict of str to Run
    X : ndarray, shape (N, 2)
        The training inputs (shared by every run).
    y : ndarray of int, shape (N,)
    settings : dict
        The arguments of :func:`compare` (depth, width, iterations, lr, l2, seed, ...).
    """

    runs: dict[str, Run]
    X: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)
    settings: dict = field(default_factory=dict)

    def __getitem__(self, name: str) -> Run:
        if name not in self.runs:
            check_choice(name, tuple(self.runs), "run")
        return self.runs[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.runs)

    def __len__(self) -> int:
        return len(self.runs)

    def summary(self) -> str:
        """A table: per activation, final loss, training accuracy, first and last layer's gradient.

        The gradient columns are the weight-gradient magnitudes (the study's
        ``metric``) of the first hidden layer and of the output layer,
        averaged over the last 100 iterations (or all, if fewer).
        """
        rows = [("activation", "final loss", "accuracy", "grad layer 1", "grad output layer")]
        for name, run in self.runs.items():
            tail = run.gradient_matrix[:, -100:].mean(axis=1)
            rows.append((name, f"{run.loss[-1]:.6f}", f"{run.accuracy:.2f}", f"{tail[0]:.3g}", f"{tail[-1]:.3g}"))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        return "\n".join(
            "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True)))
            for row in rows
        )

    def __repr__(self):
        s = self.settings
        return (f"StudyResult({list(self.runs)}, depth={s.get('depth')}, width={s.get('width')}, "
                f"iterations={s.get('iterations')})")


def _hidden_block(spec, label: str, pieces: int):
    """A function ``(n_in, n_out, init, rng) -> layers`` for one hidden layer of this activation."""
    if spec is Maxout or isinstance(spec, Maxout):
        k = spec.pieces if isinstance(spec, Maxout) else pieces
        return lambda n_in, n_out, init, rng: [Maxout(n_in, n_out, pieces=k, init=init, rng=rng)]
    if isinstance(spec, type) and issubclass(spec, Activation):
        return lambda n_in, n_out, init, rng: [Dense(n_in, n_out, init=init, rng=rng), spec()]
    if isinstance(spec, Activation):  # a fresh copy for every layer: a layer sits in one place only
        return lambda n_in, n_out, init, rng: [Dense(n_in, n_out, init=init, rng=rng), copy.deepcopy(spec)]
    raise TypeError(
        f"compare: {label!r} is not an activation; give a name ({', '.join(map(repr, ACTIVATIONS))}), "
        "an Activation subclass or instance (e.g. tn.LeakyReLU(0.1)), or tn.Maxout"
    )


def _resolve(activations) -> list[tuple[str, object]]:
    """``[(label, spec)]`` with names replaced by classes; labels are unique."""
    if isinstance(activations, (str, type, Layer)):
        activations = [activations]
    resolved: list[tuple[str, object]] = []
    for spec in activations:
        if isinstance(spec, str):
            label = check_choice(spec, tuple(ACTIVATIONS), "activation")
            spec = ACTIVATIONS[label]
        elif (isinstance(spec, type) and issubclass(spec, Layer)) or isinstance(spec, Layer):
            label = spec.kind
        else:
            label = repr(spec)
        if isinstance(spec, Layer) and any(label == seen for seen, _ in resolved):
            label = repr(spec)  # LeakyReLU(alpha=0.01) beside LeakyReLU(alpha=0.2)
        if any(label == seen for seen, _ in resolved):
            raise ValueError(f"compare: the activation {label!r} is given twice")
        resolved.append((label, spec))
    if not resolved:
        raise ValueError("compare: activations is empty; give at least one, e.g. ('sigmoid', 'relu')")
    return resolved


class _AboveProgressBars:
    """Stands in for stdout while tqdm bars are drawn: prints whole lines above the bars."""

    def __init__(self, stream) -> None:
        self.stream, self._pending = stream, ""

    def write(self, text: str) -> None:
        from tqdm import tqdm

        *lines, self._pending = (self._pending + text).split("\n")
        for line in lines:
            tqdm.write(line, file=self.stream)

    def flush(self) -> None:
        self.stream.flush()


def compare(
    activations: Iterable[str | type[Layer] | Layer] = ("sigmoid", "relu"),
    *,
    depth: int = 2,
    width: int = 50,
    iterations: int = 50_000,
    lr: float = 0.1,
    l2: float = 1e-3,
    seed: int | np.random.RandomState | np.random.Generator = 0,
    init: Initializer | None = None,
    dataset: str | tuple[np.ndarray, np.ndarray] = "spiral",
    print_every: int | None = 1000,
    quiet: bool = False,
    pieces: int = 2,
    metric: str = "seed",
    progress: bool = False,
    file=None,
    jobs: int = 1,
) -> StudyResult:
    r"""Train one net per activation on the same data and record how each layer learns.

    Each net is ``depth`` hidden layers of ``width`` units and a linear
    output layer with one unit per class: for an element-wise activation
    :math:`f`, ``Dense -> f -> Dense -> f -> ... -> Dense``. **Maxout** is a
    layer with its own weights, so it replaces each *pair* ``Dense -> f``:
    ``Maxout -> Maxout -> ... -> Dense``, still ``depth`` hidden layers of
    ``width`` units (each unit the max of ``pieces`` linear pieces).

    Everything random comes from one stream, in the notebook's order: the
    data first, then the first net's weights layer by layer, then the second
    net's, and so on. Training is full-batch gradient descent
    (``SGD(lr)``) on the softmax cross-entropy plus
    :math:`\tfrac{\lambda}{2}\sum W^2` (``l2``) for ``iterations`` steps.

    Parameters
    ----------
    activations : iterable, default ("sigmoid", "relu")
        Names from :data:`ACTIVATIONS` (``"sigmoid"``, ``"relu"``,
        ``"leaky_relu"``, ``"tanh"``, ``"elu"``, ``"softplus"``,
        ``"maxout"``), :class:`~tinynet.Activation` subclasses (your own
        included; instantiated once per layer with no arguments) or
        instances (copied for each layer, e.g. ``tn.LeakyReLU(0.1)``), or
        :class:`~tinynet.Maxout`.
    depth : int, default 2
        Number of hidden layers.
    width : int, default 50
        Units per hidden layer.
    iterations : int, default 50_000
    lr : float, default 0.1
        Step size.
    l2 : float, default 1e-3
        L2 strength :math:`\lambda` (weights only).
    seed : int, RandomState or Generator, default 0
        An int seeds ``np.random.RandomState(seed)``, the notebook's
        ``np.random.seed``; a generator is used (and advanced) as it is.
    init : Initializer, optional
        How weights are drawn; default ``tn.init.Normal(0.1)``, the notebook's
        ``0.1 * np.random.randn``.
    dataset : "spiral" or (X, y), default "spiral"
        ``"spiral"``: the notebook's three arms of 100 points, drawn from the
        stream first. Or your own ``(X, y)`` (then the stream starts with the weights).
    print_every : int or None, default 1000
        Print ``iteration %d: loss %f`` every this many iterations (None: never);
        ``training accuracy: %.2f`` is printed after each net.
    quiet : bool, default False
        Print nothing at all.
    pieces : int, default 2
        Linear pieces per Maxout unit.
    metric : {"seed", "mean_abs", "l2"}, default "seed"
        Gradient magnitude recorded per layer (see :class:`~tinynet.GradientRecorder`);
        ``"seed"`` is the notebook's :math:`\sum |dW| / (n_{in} + n_{out})`.
    progress : bool, default False
        Show a progress bar per net on stderr (needs the ``progress`` extra;
        silent when stderr is not a terminal).
    file : file-like, optional
        Where the notebook's lines go; default ``sys.stdout``. A one-line note
        per net (``training the relu net: 2 -> 50 -> 50 -> 3``) goes to
        ``sys.stderr`` unless ``quiet``.
    jobs : int, default 1
        Train up to this many nets at the same time, each in a Python process
        of its own with its share of the CPU cores (on two cores, ``jobs=2``
        trains the notebook's two nets in about half the time). Each net is
        trained as with ``jobs=1``, only with fewer BLAS threads, and its
        lines are printed net by net, in order (the tests find the results
        and the lines of ``jobs=1`` and ``jobs=2`` equal, bit for bit). A net
        can go to another process only if all its layers are tinynet's own,
        and ``progress`` bars need ``jobs=1``. ``jobs`` above the number of
        nets counts as the number of nets (one net: no other process).

    Returns
    -------
    StudyResult
        ``result["sigmoid"].loss``, ``.gradients``, ``.accuracy``, ``.model``,
        ``.saturated``, ``.dead``; ``result.summary()``.

    Raises
    ------
    ValueError
        For an unknown activation name (the message lists the valid ones and
        suggests the closest) or a bad setting.
    TrainingDiverged
        When a net's loss stops being finite (lower ``lr``).
    RuntimeError
        With ``jobs`` > 1, when a process training a net fails for another
        reason (its error message is on stderr).

    Examples
    --------
    >>> import tinynet as tn
    >>> result = tn.study.compare(("sigmoid", "relu"), iterations=3, print_every=2)
    iteration 0: loss 1.156405
    iteration 2: loss 1.115637
    training accuracy: 0.33
    iteration 0: loss 1.116188
    iteration 2: loss 1.114745
    training accuracy: 0.32
    >>> list(result), list(result["relu"].gradients), result["relu"].loss.shape
    (['sigmoid', 'relu'], ['dense_0', 'dense_1', 'dense_2'], (3,))

    Deeper nets, Maxout, and an activation of your own:

    >>> import numpy as np
    >>> class Swish(tn.Activation):
    ...     def forward(self, x):
    ...         return x / (1 + np.exp(-x))
    ...     def derivative(self, x, out):
    ...         s = 1 / (1 + np.exp(-x))
    ...         return s + out * (1 - s)
    >>> result = tn.study.compare(["maxout", Swish], depth=4, iterations=5, quiet=True)
    >>> list(result["maxout"].gradients), result["swish"].gradient_matrix.shape
    (['maxout_0', 'maxout_1', 'maxout_2', 'maxout_3', 'dense_0'], (5, 5))
    """
    specs = _resolve(activations)
    depth = check_int(depth, "depth", "compare")
    width = check_int(width, "width", "compare")
    iterations = check_int(iterations, "iterations", "compare")
    lr = check_positive(lr, "lr", "compare")
    l2 = check_positive(l2, "l2", "compare", allow_zero=True)
    pieces = check_int(pieces, "pieces", "compare")
    if print_every is not None:
        print_every = check_int(print_every, "print_every", "compare")
    jobs = min(check_int(jobs, "jobs", "compare"), len(specs))  # never more processes than nets
    if jobs > 1 and progress and not quiet:
        raise ValueError(f"compare: progress bars need jobs=1 (every net trained in this process), got jobs={jobs}")
    init = Normal(0.1) if init is None else init
    if not isinstance(init, Initializer):
        raise TypeError(f"compare: init must be an Initializer such as tn.init.Normal(0.1), got {init!r}")
    if isinstance(seed, (np.random.RandomState, np.random.Generator)):
        rng = seed
    else:
        rng = np.random.RandomState(check_int(seed, "seed", "compare", minimum=0))

    if isinstance(dataset, str):
        check_choice(dataset, ("spiral",), "dataset")
        X, y = datasets.spiral(n_per_class=100, n_classes=3, rng=rng)
    else:
        try:
            X, y = dataset
        except (TypeError, ValueError):
            raise TypeError(f"compare: dataset must be 'spiral' or a pair (X, y), got {dataset!r}") from None
        X = check_features(X, "compare")
        y = check_labels(y, X.shape[0], None, "compare")
    n_classes = int(y.max()) + 1
    blocks = [(label, _hidden_block(spec, label, pieces)) for label, spec in specs]

    out = sys.stdout if file is None else file
    if progress and not quiet:
        try:
            import tqdm  # noqa: F401
        except ImportError:
            raise ImportError("compare(progress=True) needs tqdm: pip install 'tinynet-learn[progress]'") from None
        out = _AboveProgressBars(out)

    nets = []  # every net is drawn before any trains: training draws nothing, so the order is kept
    for label, block in blocks:
        layers, n_in = [], X.shape[1]
        for _ in range(depth):
            layers += block(n_in, width, init, rng)
            n_in = width
        layers.append(Dense(n_in, n_classes, init=init, rng=rng))
        nets.append((label, Sequential(*layers)))
    training = {"iterations": iterations, "lr": lr, "l2": l2, "metric": metric, "print_every": print_every,
                "quiet": quiet}
    shape = " -> ".join(str(n) for n in [X.shape[1], *[width] * depth, n_classes])
    about = None if quiet else f"{shape}, {iterations} iterations"  # of each net, on stderr
    if jobs == 1:
        runs = {}
        for label, model in nets:
            if about:
                print(f"training the {label} net: {about}", file=sys.stderr)
            runs[label] = _train(label, model, X, y, out=out, progress=progress and not quiet, **training)
    else:
        runs = _train_in_processes(nets, X, y, jobs, training, out, about)

    settings = {"activations": [label for label, _ in specs], "depth": depth, "width": width,
                "iterations": iterations, "lr": lr, "l2": l2, "seed": seed if isinstance(seed, int) else None,
                "init": repr(init), "dataset": dataset if isinstance(dataset, str) else "custom",
                "pieces": pieces, "metric": metric}
    return StudyResult(runs, X, y, settings)


def _train(label: str, model: Sequential, X, y, *, iterations, lr, l2, metric, print_every, quiet, out,
           progress) -> Run:
    """Train one net of a study, printing the notebook's lines for it to ``out``."""
    grads, units = GradientRecorder(metric=metric), ActivationRecorder()
    callbacks = [grads, units]
    if print_every is not None and not quiet:
        callbacks.append(PrintLoss(every=print_every, file=out))
    if progress:
        callbacks.append(ProgressBar(update_every=max(1, min(1000, iterations // 100)), desc=label))
    history = model.fit(X, y, loss=SoftmaxCrossEntropy(), optimizer=SGD(lr=lr), l2=l2,
                        iterations=iterations, callbacks=callbacks)
    accuracy = model.accuracy(X, y)
    if not quiet:
        print("training accuracy: %.2f" % accuracy, file=out)  # noqa: UP031 -- the notebook's format
    return Run(label, model, history.loss, grads.history, accuracy, units)


# -- training nets in other processes ----------------------------------------
# compare(jobs=n) writes the data, the settings and each untrained net (tn.io's .npz,
# never a pickle) to a temporary folder and starts ``python -c _WORKER <tinynet's folder>
# <that folder> k`` for net k. The worker trains it with _train, as jobs=1 does here, and writes the
# trained net and its records back; its printed lines come through a pipe, and are
# passed on net by net, in order. Each worker's BLAS gets cores // jobs threads.

# The worker imports the tinynet this process runs: without the working folder, which -c
# puts first on sys.path as "" (a tinynet there would win), and with this tinynet's folder
# first only if it is missing.
_WORKER = """import sys
sys.path = [folder for folder in sys.path if folder]
if sys.argv[1] not in sys.path:
    sys.path.insert(0, sys.argv[1])
from tinynet.study import _worker
_worker(*sys.argv[2:])
"""


def _worker(folder: str, k: str) -> None:
    """Train net ``k`` of the study whose files are in ``folder`` (run by :func:`_train_in_processes`)."""
    folder = Path(folder)
    training = json.loads((folder / "training.json").read_text())
    with np.load(folder / "data.npz") as data:
        X, y = data["X"], data["y"]
    model = io.load(folder / f"net{k}.npz")
    try:
        run = _train("", model, X, y, out=sys.stdout, progress=False, **training)
    except TrainingDiverged as error:
        details = {"message": str(error), "iteration": error.iteration, "layer": error.layer}
        (folder / f"diverged{k}.json").write_text(json.dumps(details))
        sys.exit(1)
    io.save(run.model, folder / f"trained{k}.npz")
    records = {"loss": run.loss, "accuracy": run.accuracy, "iterations": run.units.iterations}
    records.update({f"gradients.{name}": v for name, v in run.gradients.items()})
    records.update({f"saturated.{name}": v for name, v in run.saturated.items()})
    records.update({f"dead.{name}": v for name, v in run.dead.items()})
    np.savez(folder / f"records{k}.npz", **records)


def _finished_run(folder: Path, k: int, label: str) -> Run:
    """The :class:`Run` that worker ``k`` left in ``folder``."""
    with np.load(folder / f"records{k}.npz") as stored:
        records = {key: stored[key] for key in stored.files}
    model = io.load(folder / f"trained{k}.npz")

    def part(kind: str) -> dict:
        return {key.partition(".")[2]: v for key, v in records.items() if key.startswith(kind + ".")}

    units = ActivationRecorder()  # refilled with what the worker's recorder saw
    units._saturated = {name: v.tolist() for name, v in part("saturated").items()}
    units._dead = {name: v.tolist() for name, v in part("dead").items()}
    units._iterations, units._count = records["iterations"].tolist(), len(records["loss"])
    return Run(label, model, records["loss"], part("gradients"), float(records["accuracy"]), units)


def _train_in_processes(nets, X, y, jobs: int, training: dict, out, about: str | None) -> dict[str, Run]:
    for label, model in nets:
        for layer in model.layers:
            if type(layer) not in io._BUILTIN:  # what a fresh process's io.load can rebuild
                raise ValueError(
                    f"compare: jobs={jobs} trains each net in another Python process, which can rebuild "
                    f"only tinynet's own layers, but the {label} net has {layer.name} "
                    f"({type(layer).__qualname__}); train it in this process with jobs=1"
                )
    env = dict(os.environ)
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, str(max(1, _cores() // jobs)))
    package_folder = str(Path(__file__).resolve().parent.parent)  # the worker imports this very tinynet
    workers: list[tuple[subprocess.Popen, queue.SimpleQueue, threading.Thread]] = []
    runs: dict[str, Run] = {}
    with tempfile.TemporaryDirectory(prefix="tinynet-study-") as tmp:
        folder = Path(tmp)
        np.savez(folder / "data.npz", X=X, y=y)
        (folder / "training.json").write_text(json.dumps(training))
        for k, (_, model) in enumerate(nets):
            io.save(model, folder / f"net{k}.npz")
        try:
            for k, (label, _) in enumerate(nets):
                while len(workers) < min(len(nets), k + jobs):  # nets before k are done
                    worker = subprocess.Popen([sys.executable, "-u", "-c", _WORKER, package_folder, str(tmp),
                                               str(len(workers))], stdout=subprocess.PIPE, text=True, errors="replace", env=env)
                    lines: queue.SimpleQueue = queue.SimpleQueue()  # drained at once: a full pipe never blocks it
                    drain = threading.Thread(target=_drain, args=(worker.stdout, lines), daemon=True)
                    drain.start()
                    workers.append((worker, lines, drain))
                worker, lines, _ = workers[k]
                if about:
                    print(f"training the {label} net: {about}", file=sys.stderr)
                for line in iter(lines.get, None):
                    out.write(line)
                if worker.wait() != 0:
                    diverged = folder / f"diverged{k}.json"
                    if diverged.exists():
                        details = json.loads(diverged.read_text())
                        error = TrainingDiverged(details["message"])
                        error.iteration, error.layer = details["iteration"], details["layer"]
                        raise error
                    raise RuntimeError(f"compare: the process training the {label} net failed (exit status "
                                       f"{worker.returncode}; its error is above); try jobs=1")
                runs[label] = _finished_run(folder, k, label)
        finally:
            for worker, _, drain in workers:
                if worker.poll() is None:
                    worker.kill()
                worker.wait()
                drain.join()
                worker.stdout.close()
    return runs


def _cores() -> int:
    """The CPU cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _drain(stream, lines: queue.SimpleQueue) -> None:
    try:
        for line in stream:
            lines.put(line)
    finally:
        lines.put(None)  # the end, however it came


_METRIC_LABELS = {"seed": plot.SEED_METRIC, "mean_abs": "mean |dW|", "l2": "||dW|| (Frobenius norm)"}


def _grid(n: int, ncols: int = 3) -> tuple[int, int]:
    ncols = min(n, ncols)
    return math.ceil(n / ncols), ncols


def save_figures(result: StudyResult, out: str | Path, *, dpi: int = 100) -> list[Path]:
    """Write the study's figures to the folder ``out`` as PNG files (needs the ``plot`` extra).

    ``gradients.png``
        Every layer's weight-gradient magnitude over training, one panel per
        activation (log scale).
    ``gradients_first_layer.png``
        The first hidden layer's gradient for every activation on one plot:
        where vanishing gradients hurt most.
    ``gradient_flow.png``
        Bars: each layer's gradient at the end of training, per activation (log scale).
    ``gradient_heatmap.png``
        Layer x iteration, colour = gradient magnitude, one panel per activation.
    ``decision_boundaries.png``
        The plane coloured by predicted class, one panel per activation.
    ``loss.png``
        The training loss of every net.
    ``units.png``
        Saturated (sigmoid, tanh) and dead (ReLU) units per layer over training;
        written only when some net has such layers.

    Returns
    -------
    list of Path
        The files written, in the order above.

    Raises
    ------
    FileExistsError
        If ``out`` is an existing file.
    """
    plot._pyplot()  # the clear ImportError, before any work
    from matplotlib.figure import Figure

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"save_figures: {out} is a file, not a folder for the figures")
    out.mkdir(parents=True, exist_ok=True)
    s = result.settings
    where = f"depth {s.get('depth')}, width {s.get('width')}, lr {s.get('lr'):g}, l2 {s.get('l2'):g}"
    ylabel = _METRIC_LABELS.get(s.get("metric"), "weight-gradient magnitude")
    histories = {name: run.gradients for name, run in result.items()}
    units = {name: run.units for name, run in result.items() if run.saturated or run.dead}
    n = len(result)
    written = []

    def save(name: str, nrows: int, ncols: int, size: tuple[float, float], draw) -> None:
        fig = Figure(figsize=(size[0] * ncols, size[1] * nrows), layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=False)
        draw(fig, axes.ravel())
        fig.savefig(out / name, dpi=dpi)
        written.append(out / name)

    rows, cols = _grid(n)
    save("gradients.png", rows, cols, (5.5, 4.2), lambda fig, axes: plot.gradient_magnitudes(
        histories, ax=axes, panels=True, log=True, ylabel=ylabel,
        title=f"Weight-gradient magnitude per layer ({where})"))
    save("gradients_first_layer.png", 1, 1, (9, 5), lambda fig, axes: plot.gradient_magnitudes(
        histories, ax=axes[0], layers=[0], log=True, ylabel=ylabel,
        title=f"First hidden layer's weight gradient, by activation ({where})"))
    save("gradient_flow.png", 1, 1, (max(8, 1.2 * s.get("depth", 2) + 0.6 * n), 5),
         lambda fig, axes: plot.gradient_flow(histories, ax=axes[0], ylabel=ylabel,
                                              title=f"Gradient reaching each layer at the end of training ({where})"))
    save("gradient_heatmap.png", rows, cols, (5.5, 3.8), lambda fig, axes: plot.gradient_heatmap(
        histories, ax=axes, label=f"{ylabel} (log colour scale)",
        title=f"Gradient flow through the layers during training ({where})"))
    save("decision_boundaries.png", rows, cols, (4.8, 4.4), lambda fig, axes: plot.decision_boundary(
        {name: run.model for name, run in result.items()}, result.X, result.y, ax=axes,
        title=f"Decision boundaries after {s.get('iterations')} iterations ({where})"))
    save("loss.png", 1, 1, (9, 5), lambda fig, axes: plot.loss_curves(
        {name: run.loss for name, run in result.items()}, ax=axes[0], title=f"Training loss ({where})"))
    if units:
        urows, ucols = _grid(len(units))
        save("units.png", urows, ucols, (5.5, 4.2), lambda fig, axes: plot.saturation(
            units, ax=axes, title=f"Saturated and dead units during training ({where})"))
    return written


# -- the command -------------------------------------------------------------


def _name(value: str) -> str:
    try:
        return check_choice(value, tuple(ACTIVATIONS), "activation")
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _count(minimum: int):
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
        if number < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {number}")
        return number

    return parse


def _real(allow_zero: bool):
    def parse(value: str) -> float:
        try:
            number = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {value!r}") from None
        if not math.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
            raise argparse.ArgumentTypeError(f"must be finite and {'>= 0' if allow_zero else '> 0'}, got {value}")
        return number

    return parse


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tinynet-study",
        description="Train one net per activation on the spiral data and compare how their layers "
        "learn (the 'Vanishing gradients: sigmoid vs ReLU' notebook). With no options it prints "
        "the notebook's 102 lines and writes its figures to ./figures.",
        epilog="Example: tinynet-study --activations sigmoid relu leaky_relu --depth 6 "
        "--iterations 3000 --out figs",
    )
    parser.add_argument("--activations", nargs="+", type=_name, default=["sigmoid", "relu"], metavar="NAME",
                        help=f"one or more of: {', '.join(ACTIVATIONS)} (default: sigmoid relu)")
    parser.add_argument("--depth", type=_count(1), default=2, help="hidden layers per net (default: 2)")
    parser.add_argument("--width", type=_count(1), default=50, help="units per hidden layer (default: 50)")
    parser.add_argument("--iterations", type=_count(1), default=50_000,
                        help="gradient-descent steps per net (default: 50000)")
    parser.add_argument("--lr", type=_real(False), default=0.1, help="step size (default: 0.1)")
    parser.add_argument("--l2", type=_real(True), default=1e-3, help="L2 strength (default: 0.001)")
    parser.add_argument("--seed", type=_count(0), default=0, help="seed of the one random stream (default: 0)")
    parser.add_argument("--print-every", type=_count(1), default=1000, metavar="N",
                        help="print the loss every N iterations (default: 1000)")
    parser.add_argument("--metric", choices=("seed", "mean_abs", "l2"), default="seed",
                        help="gradient magnitude per layer: the notebook's sum|dW|/(n_in+n_out) (seed), "
                        "mean |dW| (mean_abs, fairer between layers of different sizes) or the L2 norm")
    parser.add_argument("--out", type=Path, default=Path("figures"), metavar="DIR",
                        help="folder for the PNG figures (default: figures)")
    parser.add_argument("--no-figures", action="store_true", help="do not draw any figures")
    parser.add_argument("--jobs", type=_count(1), metavar="N",
                        help="train up to N nets at the same time, each in its own process; the printed lines "
                        "stay the same and in order (default: one per CPU core, at most one per net; "
                        "--jobs 1 trains them one after the other in this process, with progress bars)")
    parser.add_argument("--quiet", action="store_true",
                        help="print nothing but errors (figures are still written)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``tinynet-study`` command; returns the exit status.

    Exit status 0 on success, 1 when training diverges, 2 for bad options
    (with an argparse-style message on stderr).

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
    if len(set(args.activations)) != len(args.activations):
        parser.error(f"argument --activations: a name is given twice: {' '.join(args.activations)}")
    if not args.no_figures and args.out.exists() and not args.out.is_dir():
        parser.error(f"argument --out: {args.out} is a file, not a folder for the figures")
    jobs = min(len(args.activations), _cores()) if args.jobs is None else args.jobs
    try:
        import tqdm  # noqa: F401

        progress = sys.stderr.isatty() and min(jobs, len(args.activations)) == 1
    except ImportError:
        progress = False
    try:
        result = compare(
            args.activations, depth=args.depth, width=args.width, iterations=args.iterations, lr=args.lr,
            l2=args.l2, seed=args.seed, print_every=args.print_every, quiet=args.quiet, progress=progress,
            metric=args.metric, jobs=jobs,
        )
    except TrainingDiverged as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"\n{result.summary()}", file=sys.stderr)
    if args.no_figures:
        return 0
    try:
        written = save_figures(result, args.out)
    except ImportError:
        print(f"{parser.prog}: matplotlib is not installed, so no figures were written "
              "(pip install 'tinynet-learn[plot]')", file=sys.stderr)
        return 0
    if not args.quiet:
        for path in written:
            print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
