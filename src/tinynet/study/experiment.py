"""The experiment: train one net per activation on the same data, and keep what each layer did.

:func:`compare` builds the nets (:func:`build_nets`), trains them (here, or at
the same time in worker processes) and returns a :class:`StudyResult`: for
each net a :class:`Run` with its loss and every layer's weight-gradient
magnitude at every iteration, its saturated and dead units, its training
accuracy and the trained model.
"""

from __future__ import annotations

import copy
import functools
import importlib.machinery
import io as text_io
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from .. import datasets
from .._validation import check_choice, check_features, check_int, check_labels, check_positive, require
from ..activations import Activation
from ..callbacks import PrintLoss, ProgressBar
from ..init import GlorotUniform, HeNormal, Initializer, Normal, StandardUniform, initializer
from ..io import BUILTIN_LAYERS
from ..layers import Dense, Layer, Maxout
from ..losses import SoftmaxCrossEntropy
from ..model import Residual, Sequential
from ..normalization import BatchNorm, LayerNorm
from ..optim import SGD
from ..recorders import METRICS, ActivationRecorder, ActivationStats, GradientRecorder, Signal, snapshot
from ..training import TrainingDiverged

__all__ = ["ACTIVATIONS", "INITIALIZERS", "NORMS", "Variant", "variants", "Run", "StudyResult", "compare", "build_nets"]

ACTIVATIONS: dict[str, type[Layer]] = {  # documented where users import it: tinynet.study.ACTIVATIONS
    **{cls.kind: cls for cls in BUILTIN_LAYERS if issubclass(cls, Activation)},
    "maxout": Maxout,
}


INITIALIZERS: dict[str, Callable[[], Initializer]] = {  # documented in tinynet.study
    "normal": functools.partial(Normal, 0.1),
    "standard": StandardUniform,
    "glorot": GlorotUniform,
    "he": HeNormal,
}


NORMS: dict[str, type[Layer] | None] = {"none": None, "batchnorm": BatchNorm, "layernorm": LayerNorm}  # likewise



@dataclass(frozen=True)
class Variant:
    """One net of a study: its activation, initialiser, normalisation, residual blocks and depth."""

    activation: str
    spec: object = field(repr=False)
    init: str = "normal"
    initializer: Initializer = field(default_factory=lambda: Normal(0.1), repr=False)
    norm: str = "none"
    residual: bool = False
    depth: int = 2

    def label(self, varying: set[str]) -> str:
        """``"sigmoid + batchnorm + residual, he, depth 10"``: the activation, then what varies in the study."""
        text = self.activation + ("" if self.norm == "none" else f" + {self.norm}") + (" + residual" if self.residual else "")
        extra = [self.init] * ("init" in varying) + [f"depth {self.depth}"] * ("depth" in varying)
        return ", ".join([text, *extra])


def variants(activations=("sigmoid", "relu"), *, init=None, norm="none", residual=False, depth=2) -> list[Variant]:
    """Every combination of the settings given, in order: activation first, then init, norm, residual, depth.

    Each argument takes one value or a list of them (see :func:`compare`).

    Examples
    --------
    >>> import tinynet as tn
    >>> [v.label({"norm", "residual"}) for v in tn.study.variants(["sigmoid"], norm=["none", "batchnorm"],
    ...                                                            residual=[False, True])]
    ['sigmoid', 'sigmoid + residual', 'sigmoid + batchnorm', 'sigmoid + batchnorm + residual']
    """
    inits = [_named_initializer(item) for item in _listed("normal" if init is None else init)]
    norms = [check_choice(n, tuple(NORMS), "normalisation") for n in _listed(norm)]
    residuals = [_on_off(r) for r in _listed(residual)]
    depths = [check_int(d, "depth", "compare") for d in _listed(depth)]
    return [Variant(label, spec, name, obj, n, r, d) for label, spec in _resolve(activations)
            for name, obj in inits for n in norms for r in residuals for d in depths]


def _listed(value) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _on_off(value) -> bool:
    if isinstance(value, str) and value in ("on", "off"):
        return value == "on"
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"compare: residual must be True/False (or 'on'/'off'), got {value!r}")
    return bool(value)


def _named_initializer(item) -> tuple[str, Initializer]:
    """``(name, initializer)`` for a name from :data:`INITIALIZERS` or an Initializer (named by its repr)."""
    if isinstance(item, str):
        name = check_choice(item, tuple(INITIALIZERS), "initializer")
        return name, INITIALIZERS[name]()
    item = initializer(item, "compare")
    return repr(item), item


def _hidden_layers(variant: Variant, n_in: int, width: int, pieces: int, rng) -> list[Layer]:
    """The hidden layers of one net: ``Dense -> [norm] -> f`` each (Maxout: ``Maxout -> [norm]``),
    all but the first wrapped in a :class:`~tinynet.Residual` block when ``variant.residual``."""
    init, norm, spec = variant.initializer, NORMS[variant.norm], variant.spec
    layers = []
    for k in range(variant.depth):
        width_in = n_in if k == 0 else width
        if spec is Maxout or isinstance(spec, Maxout):
            block = [Maxout(width_in, width, pieces=spec.pieces if isinstance(spec, Maxout) else pieces,
                            init=init, rng=rng)]
            block += [norm(width)] if norm else []
        elif (isinstance(spec, type) and issubclass(spec, Activation)) or isinstance(spec, Activation):
            activation = spec() if isinstance(spec, type) else copy.deepcopy(spec)  # a layer sits in one place
            block = [Dense(width_in, width, init=init, rng=rng), *([norm(width)] if norm else []), activation]
        else:
            raise TypeError(
                f"compare: {variant.activation!r} is not an activation; give a name ({', '.join(map(repr, ACTIVATIONS))}), "
                "an Activation subclass or instance (e.g. tn.LeakyReLU(0.1)), or tn.Maxout"
            )
        layers += [Residual(*block)] if variant.residual and k > 0 else block
    return layers


@dataclass(eq=False)
class Run:
    """One trained net of a study.

    Two runs are equal when their names, losses, gradients, unit fractions,
    accuracies and trained parameters are equal.

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
    stats : ActivationStats
        Every activation layer's mean, standard deviation and 2nd and 98th
        percentile output, at 200 iterations spread over training.
    signals : dict of str to Signal
        Every layer's output and back-propagated gradient at initialisation,
        before the first step (:func:`tinynet.recorders.snapshot`).
    variant : Variant
        What the net is made of: activation, initialiser, normalisation,
        residual blocks, depth.
    """

    name: str
    model: Sequential
    loss: np.ndarray
    gradients: dict[str, np.ndarray]
    accuracy: float
    units: ActivationRecorder = field(repr=False)
    stats: ActivationStats | None = field(default=None, repr=False)
    signals: dict[str, Signal] | None = field(default=None, repr=False)
    variant: Variant | None = field(default=None, repr=False)

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

    def __eq__(self, other):
        if not isinstance(other, Run):
            return NotImplemented
        same = [_same(getattr(self, name), getattr(other, name))
                for name in ("gradients", "saturated", "dead")] + [_same(self.model.parameters(), other.model.parameters())]
        return (self.name == other.name and self.accuracy == other.accuracy and all(same)
                and np.array_equal(self.loss, other.loss) and repr(self.model) == repr(other.model))

    __hash__ = None  # equal runs would need equal hashes: a Run is a mutable record

    def __repr__(self):
        return f"Run({self.name!r}, accuracy={self.accuracy:.2f}, final loss={self.loss[-1]:.6f})"


def _same(a: Mapping[str, np.ndarray], b: Mapping[str, np.ndarray]) -> bool:
    return list(a) == list(b) and all(np.array_equal(a[key], b[key]) for key in a)


@dataclass(eq=False)
class StudyResult(Mapping):
    """What :func:`compare` returns: one :class:`Run` per activation, and the data.

    It is a read-only mapping from activation label to :class:`Run`, in the
    order the activations were given: ``result["relu"].accuracy``,
    ``"tanh" in result``, ``for name, run in result.items()``. A missing label
    raises ``KeyError`` with the valid ones. Two results are equal when they
    hold equal runs under the same labels (as for any mapping).

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
        try:
            return self.runs[name]
        except (KeyError, TypeError):
            raise KeyError(f"no run {name!r} in this study; its runs are {', '.join(map(repr, self.runs))}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.runs)

    def __len__(self) -> int:
        return len(self.runs)

    def summary(self) -> str:
        """A table: per net, final loss, training accuracy, first and last layer's gradient, and their ratio.

        The gradient columns are the weight-gradient magnitudes (the study's
        ``metric``) of the first hidden layer and of the output layer,
        averaged over the last 100 recorded iterations (or all, if fewer);
        the ratio is the first over the last: far below 1 when the gradient
        vanishes on its way back to the first layer.
        """
        rows = [("net", "final loss", "accuracy", "grad layer 1", "grad output layer", "ratio")]
        for name, run in self.runs.items():
            tail = run.gradient_matrix[:, -100:].mean(axis=1)
            ratio = tail[0] / tail[-1] if tail[-1] > 0 else float("nan")
            rows.append((name, f"{run.loss[-1]:.6f}", f"{run.accuracy:.2f}", f"{tail[0]:.3g}", f"{tail[-1]:.3g}",
                         f"{ratio:.3g}"))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        return "\n".join(
            "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True)))
            for row in rows
        )

    def __repr__(self):
        s = self.settings
        return (f"StudyResult({list(self.runs)}, depth={s.get('depth')}, width={s.get('width')}, "
                f"iterations={s.get('iterations')})")


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


def build_nets(variants: Iterable[Variant], n_in: int, n_classes: int, *, width: int = 50, pieces: int = 2,
               rng=0) -> list[Sequential]:
    """The study's nets, one per variant, their weights drawn from ``rng`` net after net, layer by layer.

    For an element-wise activation :math:`f`: ``Dense -> f -> Dense -> f ->
    ... -> Dense``, ``depth`` hidden layers of ``width`` units and a linear
    output layer with ``n_classes`` units; ``"maxout"`` replaces each pair
    ``Dense -> f`` with a ``Maxout`` layer. A normalisation goes between each
    hidden ``Dense`` and its activation; with residual blocks, every hidden
    layer but the first (which changes the width) is a
    :class:`~tinynet.Residual` block.

    Parameters
    ----------
    variants : iterable of Variant
        From :func:`variants`.
    n_in, n_classes : int
        Input features and output units.
    width, pieces
        As for :func:`compare`.
    rng : int, Generator or RandomState, default 0
        An int seeds ``np.random.RandomState``, as in :func:`compare`.

    Returns
    -------
    list of Sequential
        The untrained nets, in the order of ``variants``.

    Examples
    --------
    >>> import tinynet as tn
    >>> nets = tn.study.build_nets(tn.study.variants(["relu", "maxout"], depth=3), 2, 3)
    >>> [len(net) for net in nets]
    [7, 4]
    >>> tn.study.build_nets(tn.study.variants("sigmoid", norm="batchnorm", residual=True), 2, 3)[0]
    Sequential(
      (dense_0): Dense(2, 50, init=Normal(std=0.1))
      (batch_norm_0): BatchNorm(50, momentum=0.1, eps=1e-05)
      (sigmoid_0): Sigmoid()
      (residual_0): Residual(
        (dense_0): Dense(50, 50, init=Normal(std=0.1))
        (batch_norm_0): BatchNorm(50, momentum=0.1, eps=1e-05)
        (sigmoid_0): Sigmoid()
      )
      (dense_1): Dense(50, 3, init=Normal(std=0.1))
    )
    """
    width, pieces = check_int(width, "width", "compare"), check_int(pieces, "pieces", "compare")
    rng = _stream(rng)
    return [Sequential(*_hidden_layers(v, n_in, width, pieces, rng),
                       Dense(width, n_classes, init=v.initializer, rng=rng)) for v in variants]


def _stream(seed) -> np.random.RandomState | np.random.Generator:
    if isinstance(seed, (np.random.RandomState, np.random.Generator)):
        return seed
    return np.random.RandomState(check_int(seed, "seed", "compare", minimum=0))


class _AboveProgressBars:
    """Stands in for stdout while tqdm bars are drawn: prints whole lines above the bars."""

    def __init__(self, stream) -> None:
        self.stream, self._pending = stream, ""

    def write(self, text: str) -> None:
        tqdm = require("tqdm", "progress", "compare(progress=True)").tqdm
        *lines, self._pending = (self._pending + text).split("\n")
        for line in lines:
            tqdm.write(line, file=self.stream)

    def flush(self) -> None:
        self.stream.flush()


def compare(
    activations: Iterable[str | type[Layer] | Layer] = ("sigmoid", "relu"),
    *,
    depth: int | Iterable[int] = 2,
    width: int = 50,
    iterations: int = 50_000,
    lr: float = 0.1,
    l2: float = 1e-3,
    seed: int | np.random.RandomState | np.random.Generator = 0,
    init: str | Initializer | Iterable | None = None,
    norm: str | Iterable[str] = "none",
    residual: bool | Iterable[bool] = False,
    dataset: str | tuple[np.ndarray, np.ndarray] = "spiral",
    print_every: int | None = 1000,
    quiet: bool = False,
    pieces: int = 2,
    metric: str = "seed",
    progress: bool = False,
    file=None,
    jobs: int = 1,
    threads: int | None = None,
) -> StudyResult:
    r"""Train one net per activation (and initialiser, normalisation, ...) on the same data and record how each layer learns.

    Each net is ``depth`` hidden layers of ``width`` units and a linear
    output layer with one unit per class: for an element-wise activation
    :math:`f`, ``Dense -> f -> Dense -> f -> ... -> Dense``. **Maxout** is a
    layer with its own weights, so it replaces each *pair* ``Dense -> f``:
    ``Maxout -> Maxout -> ... -> Dense``, still ``depth`` hidden layers of
    ``width`` units (each unit the max of ``pieces`` linear pieces). The cures
    for vanishing gradients vary the net: ``norm`` puts a normalisation
    between each hidden ``Dense`` and its activation, ``residual`` turns every
    hidden layer but the first into a :class:`~tinynet.Residual` block, and
    ``init`` chooses how the weights are drawn. Every argument that takes a
    list trains every combination (:func:`variants`); each net is labelled by
    its activation and what varies: ``"sigmoid + batchnorm + residual"``,
    ``"relu, he, depth 10"``.

    Everything random comes from one stream, in the notebook's order: the
    data first, then the first net's weights layer by layer, then the second
    net's, and so on. Training is full-batch gradient descent
    (``SGD(lr)``) on the softmax cross-entropy plus
    :math:`\tfrac{\lambda}{2}\sum W^2` (``l2``) for ``iterations`` steps.

    Parameters
    ----------
    activations : iterable, default ("sigmoid", "relu")
        Names from :data:`~tinynet.study.ACTIVATIONS` (``"sigmoid"``, ``"relu"``,
        ``"leaky_relu"``, ``"tanh"``, ``"elu"``, ``"softplus"``,
        ``"maxout"``), :class:`~tinynet.Activation` subclasses (your own
        included; instantiated once per layer with no arguments) or
        instances (copied for each layer, e.g. ``tn.LeakyReLU(0.1)``), or
        :class:`~tinynet.Maxout`.
    depth : int or iterable of int, default 2
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
    init : str, Initializer or iterable of them, optional
        How weights are drawn: names from :data:`~tinynet.study.INITIALIZERS`
        (``"normal"``, the notebook's ``0.1 * np.random.randn`` and the default;
        ``"standard"``, ``"glorot"``, ``"he"``) or initializer objects.
    norm : {"none", "batchnorm", "layernorm"} or iterable of them, default "none"
        Normalisation before each hidden activation (:data:`~tinynet.study.NORMS`).
    residual : bool or iterable of bool, default False
        Residual blocks around every hidden layer but the first.
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
        Train up to this many nets at the same time, each in a worker process
        (on two cores, ``jobs=2`` trains the notebook's two nets in about half
        the time). A worker trains a net exactly as ``jobs=1`` does, so the
        results are the same: bit for bit for nets small enough to train on
        one BLAS thread (see :mod:`tinynet.threads`; the notebook's are), and
        up to rounding for bigger ones. Each net's lines are printed when it
        has finished training, net by net, in order. Your own layer classes
        go to the workers too, if the workers can import them (from a
        module, not from a notebook cell). ``progress`` bars need ``jobs=1``;
        ``jobs`` above the number of nets counts as the number of nets.
    threads : int, optional
        BLAS threads per net (see :meth:`tinynet.Sequential.fit`); by default
        tinynet's rule, and at most the cores divided by ``jobs`` in a worker.

    Returns
    -------
    StudyResult
        ``result["sigmoid"].loss``, ``.gradients``, ``.accuracy``, ``.model``,
        ``.saturated``, ``.dead``, ``.stats``, ``.signals``; ``result.summary()``.

    Raises
    ------
    ValueError
        For an unknown activation name (the message lists the valid ones and
        suggests the closest) or a bad setting.
    TrainingDiverged
        When a net's loss stops being finite (lower ``lr``).
    RuntimeError
        With ``jobs`` > 1, when a worker process dies (killed, or out of memory).

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

    The cures, side by side:

    >>> result = tn.study.compare("sigmoid", norm=["none", "batchnorm"], residual=[False, True], depth=4,
    ...                           iterations=5, quiet=True)
    >>> list(result)
    ['sigmoid', 'sigmoid + residual', 'sigmoid + batchnorm', 'sigmoid + batchnorm + residual']
    """
    training = {"iterations": check_int(iterations, "iterations", "compare"),
                "lr": check_positive(lr, "lr", "compare"), "l2": check_positive(l2, "l2", "compare", allow_zero=True),
                "metric": check_choice(metric, tuple(METRICS), "gradient metric"),
                "print_every": None if print_every is None else check_int(print_every, "print_every", "compare"),
                "quiet": bool(quiet), "threads": None if threads is None else check_int(threads, "threads", "compare")}
    chosen = variants(activations, init=init, norm=norm, residual=residual, depth=depth)
    varying = {key for key in ("init", "norm", "residual", "depth") if len({getattr(v, key) for v in chosen}) > 1}
    labels = [v.label(varying) for v in chosen]
    jobs = min(check_int(jobs, "jobs", "compare"), len(chosen))  # never more processes than nets
    if jobs > 1 and progress and not quiet:
        raise ValueError(f"compare: progress bars need jobs=1 (every net trained in this process), got jobs={jobs}")
    rng = _stream(seed)
    X, y = _data(dataset, rng)
    n_classes = int(y.max()) + 1
    nets = list(zip(labels, build_nets(chosen, X.shape[1], n_classes, width=width, pieces=pieces, rng=rng),
                    strict=True))
    out = sys.stdout if file is None else file
    if progress and not quiet:
        require("tqdm", "progress", "compare(progress=True)")
        out = _AboveProgressBars(out)
    about = {label: None if quiet else " -> ".join(str(n) for n in [X.shape[1], *[width] * v.depth, n_classes])
             + f", {iterations} iterations" for label, v in zip(labels, chosen, strict=True)}  # on stderr
    if jobs == 1:
        runs = {}
        for label, model in nets:
            if about[label]:
                print(f"training the {label} net: {about[label]}", file=sys.stderr)
            runs[label] = _train(label, model, X, y, out=out, progress=progress and not quiet, **training)
    else:
        runs = _train_in_processes(nets, X, y, jobs, training, out, about)
    for run, variant in zip(runs.values(), chosen, strict=True):
        run.variant = variant
    settings = {"activations": list(dict.fromkeys(v.activation for v in chosen)), "depth": depth, "width": width,
                "iterations": iterations, "lr": lr, "l2": l2, "seed": seed if isinstance(seed, int) else None,
                "init": list(dict.fromkeys(v.init for v in chosen)), "norm": list(dict.fromkeys(v.norm for v in chosen)),
                "residual": list(dict.fromkeys(v.residual for v in chosen)), "varying": sorted(varying),
                "dataset": dataset if isinstance(dataset, str) else "custom", "pieces": pieces, "metric": metric}
    return StudyResult(runs, X, y, settings)


def _data(dataset, rng) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(dataset, str):
        check_choice(dataset, ("spiral",), "dataset")
        return datasets.spiral(n_per_class=100, n_classes=3, rng=rng)
    try:
        X, y = dataset
    except (TypeError, ValueError):
        raise TypeError(f"compare: dataset must be 'spiral' or a pair (X, y), got {dataset!r}") from None
    X = check_features(X, "compare")
    return X, check_labels(y, X.shape[0], None, "compare")


def _train(label: str, model: Sequential, X, y, *, iterations, lr, l2, metric, print_every, quiet, threads, out,
           progress) -> Run:
    """Train one net of a study, printing the notebook's lines for it to ``out``."""
    grads, units = GradientRecorder(metric=metric), ActivationRecorder()
    stats = ActivationStats(every=max(1, iterations // 200))
    signals = snapshot(model, X, y)  # at initialisation, before the first step
    callbacks = [grads, units, stats]
    if print_every is not None and not quiet:
        callbacks.append(PrintLoss(every=print_every, file=out))
    if progress:
        callbacks.append(ProgressBar(update_every=max(1, min(1000, iterations // 100)), desc=label))
    history = model.fit(X, y, loss=SoftmaxCrossEntropy(), optimizer=SGD(lr=lr), l2=l2,
                        iterations=iterations, callbacks=callbacks, threads=threads)
    accuracy = model.accuracy(X, y)
    if not quiet:
        print("training accuracy: %.2f" % accuracy, file=out)  # noqa: UP031 -- the notebook's format
    return Run(label, model, history.loss, grads.history, accuracy, units, stats, signals)


# -- training nets in worker processes -------------------------------------------------------
# compare(jobs=n) hands each untrained net to a pool of n worker processes (started fresh, "spawn",
# so that they import the tinynet this process runs). A worker trains it with _train, as jobs=1
# does here, collecting the printed lines, and sends the Run and the lines back; they are printed
# net by net, in order. Each worker's BLAS gets at most cores // n threads.


def _worker_starts(threads: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole terminal: the parent handles it
    threadpool_limits(threads)


def _train_in_worker(label: str, model: Sequential, X, y, training: dict) -> tuple[Run | TrainingDiverged, str]:
    """Train one net in a worker: its Run (or how it diverged) and its printed lines."""
    lines = text_io.StringIO()
    try:
        return _train(label, model, X, y, out=lines, progress=False, **training), lines.getvalue()
    except TrainingDiverged as error:  # its lines are printed before it is raised, as with jobs=1
        return error, lines.getvalue()


def _importable(nets) -> None:
    """Refuse a layer class that a fresh worker process could not import by name."""
    for label, model in nets:
        for _, layer in model.named_layers():
            module = type(layer).__module__
            top = module.partition(".")[0]
            if module == "__main__":  # a script's classes are found again when the worker runs it as __mp_main__
                importable = hasattr(sys.modules["__main__"], "__file__")
            else:  # found on sys.path, which the workers get, not only in this process's sys.modules
                importable = top == "tinynet" or importlib.machinery.PathFinder.find_spec(top, sys.path) is not None
            if not importable:
                raise ValueError(
                    f"compare: the {label} net has {layer.name}, a {type(layer).__qualname__} from {module!r}, which "
                    f"a worker process cannot import (a class from a notebook cell or a test module); put the class "
                    f"in a module that Python can import, or train in this process with jobs=1"
                )


def _train_in_processes(nets, X, y, jobs: int, training: dict, out, about: dict) -> dict[str, Run]:
    _importable(nets)
    before = set(multiprocessing.active_children())
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_starts,
                               initargs=(max(1, cores() // jobs),))
    runs = {}
    try:
        futures = [pool.submit(_train_in_worker, label, model, X, y, training) for label, model in nets]
        for (label, _), future in zip(nets, futures, strict=True):
            if about[label]:
                print(f"training the {label} net: {about[label]}", file=sys.stderr)
            try:
                run, lines = future.result()
            except BrokenProcessPool:  # every net not finished yet is lost with it, not only the one it trained
                lost = ", ".join(name for name, _ in nets if name not in runs)
                raise RuntimeError(
                    f"compare: a worker process ended before it finished, so these nets were not trained: {lost}. "
                    "Was it killed, or out of memory? Or did a script call compare(jobs > 1) without "
                    "`if __name__ == \"__main__\":` around it (each worker runs the script again)? Try jobs=1"
                ) from None
            out.write(lines)
            if isinstance(run, TrainingDiverged):
                raise run
            runs[label] = run
    finally:  # on an error, Ctrl-C or SIGTERM too: no worker outlives this call
        pool.shutdown(wait=False, cancel_futures=True)
        for worker in set(multiprocessing.active_children()) - before:
            worker.terminate()
            worker.join()
    return runs


def cores() -> int:
    """The CPU cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
