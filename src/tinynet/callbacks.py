"""Callbacks: code that watches training without changing it.

``fit`` calls each callback at three moments: ``on_train_begin(model)``,
``on_iteration_end(i, logs)`` after every optimizer step (``logs`` holds the
iteration's ``"loss"`` and, when tracked, ``"accuracy"``), and
``on_train_end(model)``. Before ``on_train_begin``, ``fit`` sets
``callback.params`` to a dict with ``"iterations"``. To look *inside*
backpropagation, a callback registers layer hooks when training begins, as
:class:`GradientRecorder` does.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType

import numpy as np

from ._validation import check_choice, check_int, check_positive
from .activations import ReLU, Sigmoid, Tanh

__all__ = ["Callback", "History", "GradientRecorder", "PrintLoss", "ProgressBar", "ActivationRecorder"]


class Callback:
    """Base class; override any of the three methods. Each does nothing by default.

    Attributes
    ----------
    params : mapping
        Set by ``fit`` before ``on_train_begin``: ``{"iterations": n}``.

    Examples
    --------
    Stop-watch for the loss: remember the first iteration at which it fell
    below a threshold.

    >>> import tinynet as tn
    >>> class FirstBelow(tn.Callback):
    ...     def __init__(self, threshold):
    ...         self.threshold, self.iteration = threshold, None
    ...     def on_iteration_end(self, i, logs):
    ...         if self.iteration is None and logs["loss"] < self.threshold:
    ...             self.iteration = i
    >>> X, y = tn.datasets.spiral(n_per_class=20, rng=0)
    >>> model = tn.Sequential(tn.Dense(2, 16, rng=0), tn.ReLU(), tn.Dense(16, 3, rng=0))
    >>> watch = FirstBelow(0.9)
    >>> _ = model.fit(X, y, optimizer=tn.SGD(lr=0.5), iterations=200, callbacks=[watch])
    >>> watch.iteration is not None
    True
    """

    params: Mapping = MappingProxyType({})  # fit replaces it with {"iterations": n}

    def on_train_begin(self, model) -> None:
        """Called once, before the first iteration."""

    def on_iteration_end(self, i: int, logs: dict) -> None:
        """Called after iteration ``i`` (0-based) with ``logs["loss"]``."""

    def on_train_end(self, model) -> None:
        """Called once, after the last iteration."""


class History(Callback):
    """What ``fit`` returns: the loss (and optionally accuracy) at every iteration.

    Attributes
    ----------
    loss : ndarray, shape (iterations,)
        Data loss plus the L2 penalty, as printed by :class:`PrintLoss`.
    accuracy : ndarray, shape (iterations,), or None
        Training-batch accuracy before each step, when ``fit(track_accuracy=True)``.

    Examples
    --------
    >>> import tinynet as tn
    >>> X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    >>> model = tn.Sequential(tn.Dense(2, 3, rng=0))
    >>> history = model.fit(X, y, optimizer=tn.SGD(lr=0.1), iterations=5)
    >>> history.loss.shape
    (5,)
    """

    def __init__(self, track_accuracy: bool = False) -> None:
        self.track_accuracy = track_accuracy
        self._loss: list[float] = []
        self._accuracy: list[float] = []

    def on_iteration_end(self, i, logs):
        self._loss.append(logs["loss"])
        if self.track_accuracy:
            self._accuracy.append(logs["accuracy"])

    @property
    def loss(self) -> np.ndarray:
        """The loss at every iteration so far, shape ``(iterations,)`` (a new array)."""
        return np.array(self._loss)

    @property
    def accuracy(self) -> np.ndarray | None:
        """The training-batch accuracy at every iteration, or None when not tracked."""
        return np.array(self._accuracy) if self.track_accuracy else None

    def __repr__(self):
        last = f", final loss {self._loss[-1]:.6f}" if self._loss else ""
        return f"History({len(self._loss)} iterations{last})"


def _seed_metric(dW: np.ndarray) -> float:
    # The notebook's np.sum(np.abs(dW)) / np.sum(np.abs(dW.shape)), the same float,
    # without turning the shape into an array every call.
    return float(np.add.reduce(np.abs(dW), axis=None) / sum(dW.shape))  # add.reduce: dW.sum() minus a wrapper


METRICS: dict[str, Callable[[np.ndarray], float]] = {
    "seed": _seed_metric,
    "mean_abs": lambda dW: float(np.mean(np.abs(dW))),
    "l2": lambda dW: float(np.linalg.norm(dW)),
}


class GradientRecorder(Callback):
    r"""Record one number per weight-bearing layer per iteration: how big its weight gradient is.

    It registers a backward hook on every layer that has weights (``Dense``,
    ``Maxout``, ...) when training begins and removes it when training ends,
    so the number describes the gradient of the *data* loss, before the L2
    term is added, exactly where the notebook measures it.

    Parameters
    ----------
    metric : {"seed", "mean_abs", "l2"} or callable, default "seed"
        ``"seed"`` is the notebook's heuristic
        :math:`\sum_{ij} |dW_{ij}| / (n_{in} + n_{out})`;
        ``"mean_abs"`` is :math:`\operatorname{mean} |dW|`; ``"l2"`` is the
        Frobenius norm :math:`\lVert dW \rVert_2`. A callable gets ``dW`` and
        returns a float.
    layers : str or iterable of str, optional
        Names of the layers to record (``"dense_0"`` or ``["dense_0", "dense_2"]``);
        default all with weights.

    Attributes
    ----------
    history : dict of str to ndarray
        ``history["dense_0"][i]`` is the metric at iteration ``i``.

    Examples
    --------
    >>> import tinynet as tn
    >>> X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    >>> model = tn.Sequential(tn.Dense(2, 8, rng=0), tn.ReLU(), tn.Dense(8, 3, rng=0))
    >>> grads = tn.GradientRecorder()
    >>> _ = model.fit(X, y, optimizer=tn.SGD(lr=0.1), iterations=3, callbacks=[grads])
    >>> sorted(grads.history), grads.history["dense_0"].shape
    (['dense_0', 'dense_1'], (3,))
    """

    def __init__(self, metric: str | Callable[[np.ndarray], float] = "seed", layers: Iterable[str] | None = None) -> None:
        if callable(metric):
            self._metric = metric
        else:
            self._metric = METRICS[check_choice(metric, tuple(METRICS), "gradient metric")]
        self.metric = metric
        self.layers = None if layers is None else [layers] if isinstance(layers, str) else list(layers)
        self._values: dict[str, list[float]] = {}
        self._handles: list = []

    def on_train_begin(self, model):
        weighted = [layer for layer in model.layers if layer.weight_keys]
        if self.layers is not None:
            names = [layer.name for layer in weighted]
            for name in self.layers:
                check_choice(name, names, "layer with weights")
            weighted = [layer for layer in weighted if layer.name in self.layers]
        for layer in weighted:
            values = self._values.setdefault(layer.name, [])
            self._handles.append(layer.register_backward_hook(self._hook(values)))

    def _hook(self, values: list[float]) -> Callable:
        metric = self._metric

        def record(layer, grad_in, grad_out):
            values.append(metric(layer.grads[layer.weight_keys[0]]))

        return record

    def on_train_end(self, model):
        for handle in self._handles:
            handle.remove()
        self._handles.clear()

    @property
    def history(self) -> dict[str, np.ndarray]:
        """``{layer name: values}``, one value per iteration recorded so far (new arrays)."""
        return {name: np.array(values) for name, values in self._values.items()}

    def __repr__(self):
        return f"GradientRecorder(metric={self.metric!r})"


class PrintLoss(Callback):
    """Print ``iteration %d: loss %f`` every ``every`` iterations (the notebook's line).

    Parameters
    ----------
    every : int, default 1000
    file : file-like, optional
        Where to print; default ``sys.stdout`` at the time of printing.

    Examples
    --------
    >>> import tinynet as tn
    >>> X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    >>> model = tn.Sequential(tn.Dense(2, 3, init=tn.init.Normal(0.1), rng=0))
    >>> _ = model.fit(X, y, optimizer=tn.SGD(lr=0.1), iterations=3, callbacks=[tn.PrintLoss(every=2)])
    iteration 0: loss 1.110511
    iteration 2: loss 1.104611
    """

    def __init__(self, every: int = 1000, file=None) -> None:
        self.every = check_int(every, "every", "PrintLoss")
        if file is not None and not callable(getattr(file, "write", None)):
            raise TypeError(f"PrintLoss: file must be a file-like object with a write method, got {file!r}")
        self.file = file

    def on_iteration_end(self, i, logs):
        if i % self.every == 0:
            line = "iteration %d: loss %f" % (i, logs["loss"])  # noqa: UP031 -- the notebook's format
            print(line, file=self.file or sys.stdout)

    def __repr__(self):
        return f"PrintLoss(every={self.every})"


class ProgressBar(Callback):
    """A tqdm progress bar over iterations, showing the loss.

    Needs the optional ``progress`` extra (``pip install "tinynet-learn[progress]"``).
    The bar is drawn on stderr and stays silent when stderr is not a terminal.

    Parameters
    ----------
    update_every : int, default 100
        Redraw the bar (and the loss shown) every this many iterations.
    desc : str, optional
        A label in front of the bar, e.g. the name of the net being trained.

    Examples
    --------
    >>> import tinynet as tn
    >>> X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    >>> model = tn.Sequential(tn.Dense(2, 3, rng=0))
    >>> history = model.fit(X, y, iterations=200, callbacks=[tn.ProgressBar(update_every=50)])
    >>> len(history.loss)
    200
    """

    def __init__(self, update_every: int = 100, desc: str | None = None) -> None:
        self.update_every = check_int(update_every, "update_every", "ProgressBar")
        self.desc = desc
        self._bar = None
        self._done = 0

    def on_train_begin(self, model):
        try:
            from tqdm.auto import tqdm
        except ImportError:
            raise ImportError(
                "ProgressBar needs tqdm: pip install 'tinynet-learn[progress]'"
            ) from None
        self._bar = tqdm(total=self.params.get("iterations"), desc=self.desc, disable=None, unit="it")
        self._done = 0

    def on_iteration_end(self, i, logs):
        self._done = i + 1
        if (i + 1) % self.update_every == 0:
            self._bar.update(self.update_every)
            self._bar.set_postfix(loss=f"{logs['loss']:.4f}", refresh=False)

    def on_train_end(self, model):
        if self._done > self._bar.n:  # the iterations since the last redraw
            self._bar.update(self._done - self._bar.n)
        self._bar.close()


class ActivationRecorder(Callback):
    r"""Record, per activation layer and iteration, how many units are saturated or dead.

    It registers a hook on every :class:`~tinynet.Sigmoid`,
    :class:`~tinynet.Tanh` and :class:`~tinynet.ReLU` layer (subclasses
    included) when training begins and removes it when training ends. The
    hook is a *backward* hook, so it fires once per training iteration, and
    a ``predict`` made by another callback during training is not counted.
    It reduces the layer's output on the training batch, ``out`` (shape
    ``(N, n_units)``), to one number:

    * **saturated** (sigmoid and tanh): the fraction of the :math:`N \times n`
      outputs within ``tol`` of the function's bounds (0 and 1 for sigmoid,
      -1 and 1 for tanh). There :math:`\sigma'` or :math:`\tanh'` is below
      about ``tol``, so almost no gradient passes back through that unit;
    * **dead** (ReLU): the fraction of the :math:`n` units whose output is 0
      for *every* sample of the batch. Such a unit passes no gradient at all,
      so its incoming weights stop learning (from the data; L2 still shrinks them).
      A ReLU output is never negative, so the hook finds these units as the
      columns of ``out`` that sum to 0.

    Other layers (``LeakyReLU``, ``ELU``, ``Softplus``, ``Maxout``, your own)
    neither saturate at both ends nor die this way, and are not recorded.

    Parameters
    ----------
    tol : float, default 0.01
        How close to a bound an output must be to count as saturated; below
        0.5, so that the bands near 0 and near 1 of a sigmoid do not overlap.
    every : int, default 1
        Measure every this many iterations (the others are skipped, which saves
        time on long runs); :attr:`iterations` says which were measured.

    Attributes
    ----------
    saturated : dict of str to ndarray
        ``saturated["sigmoid_0"][t]`` is the saturated fraction at measured iteration ``t``.
    dead : dict of str to ndarray
        ``dead["relu_0"][t]``, likewise.
    iterations : ndarray of int
        The iteration numbers that were measured: ``0, every, 2 * every, ...``,
        counted on across several ``fit`` calls (as :class:`GradientRecorder` does).

    Examples
    --------
    >>> import tinynet as tn
    >>> X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    >>> model = tn.Sequential(tn.Dense(2, 8, rng=0), tn.ReLU(), tn.Dense(8, 8, rng=0), tn.Sigmoid(),
    ...                       tn.Dense(8, 3, rng=0))
    >>> units = tn.ActivationRecorder()
    >>> _ = model.fit(X, y, iterations=3, callbacks=[units])
    >>> list(units.dead), list(units.saturated), units.dead["relu_0"].shape
    (['relu_0'], ['sigmoid_0'], (3,))
    >>> bool(0 <= units.saturated["sigmoid_0"].min() <= units.saturated["sigmoid_0"].max() <= 1)
    True
    """

    def __init__(self, tol: float = 0.01, every: int = 1) -> None:
        self.tol = check_positive(tol, "tol", "ActivationRecorder")
        if self.tol >= 0.5:
            raise ValueError(f"ActivationRecorder: tol must be below 0.5, or every sigmoid output "
                             f"would count as saturated; got {tol!r}")
        self.every = check_int(every, "every", "ActivationRecorder")
        self._saturated: dict[str, list[float]] = {}
        self._dead: dict[str, list[float]] = {}
        self._iterations: list[int] = []
        self._handles: list = []
        self._count = 0  # iterations seen so far, over every fit this recorder took part in

    def on_train_begin(self, model):
        for layer in model.layers:
            if isinstance(layer, (Sigmoid, Tanh)):
                low, high = (0.0, 1.0) if isinstance(layer, Sigmoid) else (-1.0, 1.0)
                hook = self._saturation_hook(self._saturated.setdefault(layer.name, []), low, high)
            elif isinstance(layer, ReLU):
                hook = self._dead_hook(self._dead.setdefault(layer.name, []))
            else:
                continue
            self._handles.append(layer.register_backward_hook(hook))

    # The hooks run in every training iteration, so they count with count_nonzero and a
    # product, not with boolean means and .any(axis=0): about 6 us instead of 13-18 us
    # per layer of 300 x 50. On the notebook's net that is 6-9 % of a training iteration.
    def _saturation_hook(self, values: list[float], low: float, high: float):
        def record(layer, grad_in, grad_out):
            if self._count % self.every == 0:  # the two bands are disjoint (tol < 0.5)
                out = layer.output
                near = np.count_nonzero(out <= low + self.tol) + np.count_nonzero(out >= high - self.tol)
                values.append(near / out.size)

        return record

    def _dead_hook(self, values: list[float]):
        def record(layer, grad_in, grad_out):
            if self._count % self.every == 0:
                out = layer.output
                sums = np.ones(out.shape[0], out.dtype) @ out  # column sums, 0 only for dead units
                values.append(np.count_nonzero(sums <= 0) / out.shape[1])

        return record

    def on_iteration_end(self, i, logs):
        if self._count % self.every == 0:
            self._iterations.append(self._count)
        self._count += 1

    def on_train_end(self, model):
        for handle in self._handles:
            handle.remove()
        self._handles.clear()

    @property
    def saturated(self) -> dict[str, np.ndarray]:
        """``{sigmoid/tanh layer name: saturated fraction per measured iteration}`` (new arrays)."""
        return {name: np.array(values) for name, values in self._saturated.items()}

    @property
    def dead(self) -> dict[str, np.ndarray]:
        """``{ReLU layer name: dead fraction per measured iteration}`` (new arrays)."""
        return {name: np.array(values) for name, values in self._dead.items()}

    @property
    def iterations(self) -> np.ndarray:
        """The iterations at which the fractions were measured."""
        return np.array(self._iterations, dtype=np.intp)

    def __repr__(self):
        return f"ActivationRecorder(tol={self.tol:g}, every={self.every})"
