r"""Recorders: callbacks that look inside backpropagation while a model trains.

A recorder registers a backward hook on the layers it watches when training
begins and removes it when training ends. At every recorded iteration the
hook turns each layer into one value (a gradient magnitude, a fraction of
saturated units, ...). When training ends, values from an iteration that did
not complete are dropped, so every series has one value per recorded
iteration and matches ``history.loss`` even when training stops half-way (an
error, Ctrl-C). ``every=k`` records one iteration in ``k``, for long runs.

To record something else, subclass :class:`Recorder` and write ``watch``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple

import numpy as np

from ._validation import check_choice, check_features, check_int, check_labels, check_positive
from .activations import Activation, ReLU, Sigmoid, Tanh
from .callbacks import Callback
from .layers import Layer, leaves, mode
from .losses import Loss, SoftmaxCrossEntropy

__all__ = ["Recorder", "GradientRecorder", "ActivationRecorder", "ActivationStats", "METRICS", "Metric", "Signal",
           "snapshot"]


class Metric(NamedTuple):
    """A gradient magnitude :class:`GradientRecorder` knows by name: its label and its function."""

    label: str
    function: Callable[[np.ndarray], float]


def _seed_metric(dW: np.ndarray) -> float:
    # The notebook's np.sum(np.abs(dW)) / np.sum(np.abs(dW.shape)), the same float: np.add.reduce
    # is dW.sum() without its wrapper, and sum(dW.shape) is the same sum of positive ints.
    return float(np.add.reduce(np.abs(dW), axis=None) / sum(dW.shape))


METRICS: dict[str, Metric] = {
    "seed": Metric("sum |dW| / (n_in + n_out)", _seed_metric),
    "mean_abs": Metric("mean |dW|", lambda dW: float(np.mean(np.abs(dW)))),
    "l2": Metric("||dW|| (Frobenius norm)", lambda dW: float(np.linalg.norm(dW))),
}
"""The gradient magnitudes known by name, each with the label plots put on their axis."""


class Recorder(Callback):
    """Base class: record one value per watched layer, at every ``every``-th training iteration.

    A subclass writes ``watch(model)``, returning ``{layer: function}``; the
    function gets the layer just after its backward pass in a training
    iteration (``layer.input``, ``layer.output`` and ``layer.grads`` are then
    the iteration's) and returns the value to record.

    Parameters
    ----------
    every : int, default 1
        Record iterations ``0, every, 2 * every, ...``, counted on across several
        ``fit`` calls; the values of the others are not computed.

    Attributes
    ----------
    history : dict of str to ndarray
        ``history[layer name][t]``: the value at the ``t``-th recorded iteration.
    iterations : ndarray of int
        The iterations that were recorded.

    Examples
    --------
    The largest output of every ReLU layer:

    >>> import numpy as np, tinynet as tn
    >>> class LargestOutput(tn.Recorder):
    ...     def watch(self, model):
    ...         return {layer: lambda layer: float(layer.output.max())
    ...                 for _, layer in model.named_layers() if isinstance(layer, tn.ReLU)}
    >>> X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    >>> model = tn.Sequential(tn.Dense(2, 8, rng=0), tn.ReLU(), tn.Dense(8, 3, rng=0))
    >>> largest = LargestOutput(every=2)
    >>> _ = model.fit(X, y, iterations=5, callbacks=[largest])
    >>> list(largest.history), largest.iterations
    (['relu_0'], array([0, 2, 4]))
    """

    def __init__(self, every: int = 1) -> None:
        self.every = check_int(every, "every", type(self).__name__)
        self._values: dict[str, list] = {}
        self._iterations: list[int] = []
        self._handles: list = []
        self._begun: dict[str, int] = {}  # for each watched layer, its number of values when this fit began
        self._count = 0  # training iterations seen, over every fit this recorder took part in

    def watch(self, model) -> dict[Layer, Callable[[Layer], object]]:
        """The layers to record and, for each, the function that measures it.

        Parameters
        ----------
        model : Sequential
            The model that is about to train.

        Returns
        -------
        dict
            ``{layer: function(layer) -> value}``.
        """
        raise NotImplementedError(f"{type(self).__name__} must define watch(model)")

    def on_train_begin(self, model):
        if self._handles:
            raise RuntimeError(
                f"{type(self).__name__}: this recorder is already recording a fit that has not ended (a fit "
                "started from inside another fit's callback?); give the inner fit a recorder of its own"
            )
        self._recorded_before = len(self._iterations)
        for layer, measure in self.watch(model).items():
            values = self._values.setdefault(layer.name, [])
            self._begun[layer.name] = len(values)
            self._handles.append(layer.register_backward_hook(self._hook(measure, values)))

    def _hook(self, measure: Callable[[Layer], object], values: list) -> Callable:
        def record(layer, grad_in, grad_out):
            if self._count % self.every == 0:
                values.append(measure(layer))

        return record

    def on_iteration_end(self, i, logs):
        if self._count % self.every == 0:
            self._iterations.append(self._count)  # the iteration is complete: its values count
        self._count += 1

    def on_train_end(self, model):
        for handle in self._handles:
            handle.remove()
        self._handles.clear()
        completed = len(self._iterations) - self._recorded_before
        for name, begun in self._begun.items():  # drop what an iteration that did not complete recorded
            del self._values[name][begun + completed:]
        self._begun.clear()

    @property
    def history(self) -> dict[str, np.ndarray]:
        """``{layer name: values}``, one value per recorded iteration (new arrays)."""
        return {name: np.array(values) for name, values in self._values.items()}

    @property
    def iterations(self) -> np.ndarray:
        """The iterations that were recorded (a new array)."""
        return np.array(self._iterations, dtype=np.intp)

    def __repr__(self):
        return f"{type(self).__name__}(every={self.every})"


class GradientRecorder(Recorder):
    r"""Record how big each weight-bearing layer's weight gradient is, at every iteration.

    It watches every layer that has weights (``Dense``, ``Maxout``, ...), at
    every depth of a nested model, and measures its gradient just after its
    backward pass: the gradient of the *data* loss, before the L2 term is
    added, exactly where the notebook measures it.
    ``grads.history["dense_0"][t]`` is the metric at the ``t``-th recorded
    iteration (see :attr:`Recorder.history`).

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
    every : int, default 1
        Record one iteration in ``every`` (see :class:`Recorder`).

    Attributes
    ----------
    label : str
        What the values are, for a plot's axis: ``"sum |dW| / (n_in + n_out)"`` for ``"seed"``.

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

    def __init__(self, metric: str | Callable[[np.ndarray], float] = "seed",
                 layers: Iterable[str] | None = None, every: int = 1) -> None:
        super().__init__(every)
        if callable(metric):
            self.label, self._metric = getattr(metric, "__name__", "weight-gradient magnitude"), metric
        else:
            self.label, self._metric = METRICS[check_choice(metric, tuple(METRICS), "gradient metric")]
        self.metric = metric
        self.layers = None if layers is None else [layers] if isinstance(layers, str) else list(layers)

    def watch(self, model):
        weighted = {name: layer for name, layer in model.named_layers() if layer.weight_keys}
        chosen = weighted if self.layers is None else {
            name: weighted[check_choice(name, list(weighted), "layer with weights")] for name in self.layers}
        metric = self._metric
        return {layer: lambda layer: metric(layer.grads[layer.weight_keys[0]]) for layer in chosen.values()}

    def __repr__(self):
        return f"GradientRecorder(metric={self.metric!r}, every={self.every})"


class ActivationRecorder(Recorder):
    r"""Record, per activation layer and iteration, how many units are saturated or dead.

    It watches every :class:`~tinynet.Sigmoid`, :class:`~tinynet.Tanh` and
    :class:`~tinynet.ReLU` layer (subclasses included) through a *backward*
    hook, so it measures once per training iteration, and a ``predict`` made
    by another callback during training is not counted. It reduces the
    layer's output on the training batch, ``out`` (shape ``(N, n_units)``),
    to one number:

    * **saturated** (sigmoid and tanh): the fraction of the :math:`N \times n`
      outputs within ``tol`` of the function's bounds (0 and 1 for sigmoid,
      -1 and 1 for tanh). There :math:`\sigma'` or :math:`\tanh'` is below
      about ``tol``, so almost no gradient passes back through that unit;
    * **dead** (ReLU): the fraction of the :math:`n` units whose output is 0
      for *every* sample of the batch. Such a unit passes no gradient at all,
      so its incoming weights stop learning (from the data; L2 still shrinks them).

    Other layers (``LeakyReLU``, ``ELU``, ``Softplus``, ``Maxout``, your own)
    neither saturate at both ends nor die this way, and are not recorded.

    Parameters
    ----------
    tol : float, default 0.01
        How close to a bound an output must be to count as saturated; below
        0.5, so that the bands near 0 and near 1 of a sigmoid do not overlap.
    every : int, default 1
        Record one iteration in ``every`` (see :class:`Recorder`).

    Attributes
    ----------
    saturated : dict of str to ndarray
        ``saturated["sigmoid_0"][t]`` is the saturated fraction at recorded iteration ``t``.
    dead : dict of str to ndarray
        ``dead["relu_0"][t]``, likewise.

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
        super().__init__(every)
        self.tol = check_positive(tol, "tol", "ActivationRecorder")
        if self.tol >= 0.5:
            raise ValueError(f"ActivationRecorder: tol must be below 0.5, or every sigmoid output "
                             f"would count as saturated; got {tol!r}")
        self._dead_layers: set[str] = set()

    def watch(self, model):
        watched = {}
        for name, layer in model.named_layers():
            if isinstance(layer, (Sigmoid, Tanh)):
                watched[layer] = self._saturated(0.0 if isinstance(layer, Sigmoid) else -1.0, 1.0)
            elif isinstance(layer, ReLU):
                watched[layer] = _dead
                self._dead_layers.add(name)
        return watched

    def _saturated(self, low: float, high: float) -> Callable[[Layer], float]:
        def measure(layer):  # count_nonzero, not boolean means: about half the time (the bands are disjoint)
            out = layer.output
            return (np.count_nonzero(out <= low + self.tol) + np.count_nonzero(out >= high - self.tol)) / out.size

        return measure

    @property
    def saturated(self) -> dict[str, np.ndarray]:
        """``{sigmoid/tanh layer name: saturated fraction per recorded iteration}`` (new arrays)."""
        return {name: v for name, v in self.history.items() if name not in self._dead_layers}

    @property
    def dead(self) -> dict[str, np.ndarray]:
        """``{ReLU layer name: dead fraction per recorded iteration}`` (new arrays)."""
        return {name: v for name, v in self.history.items() if name in self._dead_layers}

    def __repr__(self):
        return f"ActivationRecorder(tol={self.tol:g}, every={self.every})"


def _dead(layer: Layer) -> float:
    out = layer.output
    # A ReLU output is never negative, so a column sums to 0 only if every entry is 0. The
    # sums as a product with a vector of ones: out.sum(axis=0), several times faster here.
    sums = np.ones(out.shape[0], out.dtype) @ out
    return np.count_nonzero(sums <= 0) / out.shape[1]


class ActivationStats(Recorder):
    r"""Record how each activation layer's outputs are spread: mean, standard deviation and two percentiles.

    Glorot & Bengio (2010, Figure 2) follow these four numbers through
    training to show the top hidden layer of a sigmoid net saturating: its
    mean output drops towards 0 while the lower layers stay near 0.5. The
    recorder watches every :class:`~tinynet.Activation` layer (at every
    depth) and reduces its output on the training batch, all units
    together, to ``[mean, std, low, high]``, the percentiles being
    ``percentiles`` (the paper's 2 and 98).

    Parameters
    ----------
    percentiles : (float, float), default (2, 98)
        The low and high percentiles, in :math:`[0, 100]`.
    every : int, default 1
        Record one iteration in ``every`` (see :class:`Recorder`); percentiles
        take a sort of the batch's outputs, so long runs record every 10 or 100.

    Attributes
    ----------
    mean, std : dict of str to ndarray
        ``mean["sigmoid_0"][t]`` at recorded iteration ``t``.
    low, high : dict of str to ndarray
        The two percentiles, likewise.

    Examples
    --------
    >>> import tinynet as tn
    >>> X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    >>> model = tn.Sequential(tn.Dense(2, 8, rng=0), tn.Sigmoid(), tn.Dense(8, 3, rng=0))
    >>> stats = tn.ActivationStats(every=2)
    >>> _ = model.fit(X, y, iterations=5, callbacks=[stats])
    >>> stats.history["sigmoid_0"].shape, stats.iterations
    ((3, 4), array([0, 2, 4]))
    >>> bool((stats.low["sigmoid_0"] <= stats.mean["sigmoid_0"]).all())
    True
    """

    def __init__(self, percentiles: tuple[float, float] = (2.0, 98.0), every: int = 1) -> None:
        super().__init__(every)
        low, high = (check_positive(p, "percentiles", "ActivationStats", allow_zero=True) for p in percentiles)
        if not low <= high <= 100:
            raise ValueError(f"ActivationStats: percentiles must be (low, high) with 0 <= low <= high <= 100, "
                             f"got {percentiles!r}")
        self.percentiles = (low, high)

    def watch(self, model):
        percentiles = self.percentiles

        def measure(layer):
            out = layer.output
            return np.array([out.mean(), out.std(), *np.percentile(out, percentiles)])

        return {layer: measure for _, layer in model.named_layers() if isinstance(layer, Activation)}

    def _column(self, k: int) -> dict[str, np.ndarray]:
        return {name: values[:, k] if values.size else values for name, values in self.history.items()}

    @property
    def mean(self) -> dict[str, np.ndarray]:
        """``{activation layer: mean output per recorded iteration}``."""
        return self._column(0)

    @property
    def std(self) -> dict[str, np.ndarray]:
        """``{activation layer: standard deviation of the outputs per recorded iteration}``."""
        return self._column(1)

    @property
    def low(self) -> dict[str, np.ndarray]:
        """``{activation layer: low percentile of the outputs per recorded iteration}``."""
        return self._column(2)

    @property
    def high(self) -> dict[str, np.ndarray]:
        """``{activation layer: high percentile of the outputs per recorded iteration}``."""
        return self._column(3)

    def __repr__(self):
        return f"ActivationStats(percentiles={self.percentiles}, every={self.every})"


class Signal(NamedTuple):
    """What :func:`~tinynet.recorders.snapshot` saw of a layer: its output and the gradient back to it.

    ``role`` is ``"activation"`` for an :class:`~tinynet.Activation`,
    ``"weights"`` for a layer with weights (``Dense``, ``Maxout``), and
    ``"other"`` for the rest (normalisations, dropout).
    """

    output: np.ndarray
    grad_out: np.ndarray
    role: str


def snapshot(model, X, y, loss: Loss | None = None) -> dict[str, Signal]:
    r"""One forward and backward pass on ``X, y``: every layer's output and the gradient of the loss with respect to it.

    Glorot & Bengio (2010, Figures 6-7) and He et al. (2015, §2.2) look at
    these at initialisation: how the spread of the activations (forward) and
    of the back-propagated gradients (backward) changes from layer to layer.
    For a :class:`~tinynet.Dense` layer, ``output`` is the pre-activation
    :math:`z = xW + b` and ``grad_out`` is :math:`\partial L / \partial z`.

    The pass runs in training mode; the model is left as it was (its
    buffers too: a BatchNorm's running statistics are put back).

    Parameters
    ----------
    model : Sequential
    X : ndarray, shape (N, n_in)
    y : ndarray of int, shape (N,)
    loss : Loss, optional
        Default :class:`~tinynet.SoftmaxCrossEntropy`.

    Returns
    -------
    dict of str to Signal
        ``{layer name: Signal(output, grad_out, role)}`` for every layer that is not
        a model itself, first layer first; arrays of shape ``(N, width)``.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> X, y = tn.datasets.spiral(n_per_class=50, rng=0)
    >>> model = tn.Sequential(tn.Dense(2, 64, init=tn.init.HeNormal(), rng=0), tn.ReLU(),
    ...                       tn.Dense(64, 64, init=tn.init.HeNormal(), rng=1), tn.ReLU(), tn.Dense(64, 3, rng=2))
    >>> signals = tn.recorders.snapshot(model, X, y)
    >>> list(signals)
    ['dense_0', 'relu_0', 'dense_1', 'relu_1', 'dense_2']
    >>> signals["dense_1"].output.shape, signals["dense_1"].grad_out.shape
    ((150, 64), (150, 64))
    """
    X = check_features(X, "snapshot", model.dtype)
    y = check_labels(y, X.shape[0], model.n_out, "snapshot")
    leaf_layers = leaves(model)
    buffers = [(layer, {key: value.copy() for key, value in layer.buffers.items()}) for layer in leaf_layers]
    outputs, grads = {}, {}
    handles = [layer.register_backward_hook(
        lambda layer, grad_in, grad_out: grads.__setitem__(layer.name, grad_out.copy())) for layer in leaf_layers]
    try:
        with mode(model, training=True):
            model.compute_gradients(X, y, SoftmaxCrossEntropy() if loss is None else loss)
            outputs = {layer.name: layer.output.copy() for layer in leaf_layers}
    finally:
        for handle in handles:
            handle.remove()
        for layer, saved in buffers:
            layer.buffers.update(saved)
            layer.input = layer.output = None
    roles = {layer.name: "activation" if isinstance(layer, Activation) else "weights" if layer.weight_keys else "other"
             for layer in leaf_layers}
    return {name: Signal(outputs[name], grads[name], roles[name]) for name in outputs}
