"""The model: layers in a row, and the loop that trains them.

:class:`Sequential` feeds each layer's output to the next, sends gradients
back through them in reverse, and trains with :meth:`Sequential.fit`. One
training iteration does, in this order (the order the notebook uses):

1. forward pass on the batch;
2. loss = data loss + ``0.5 * l2 * sum(W**2)`` over every weight matrix;
3. backward pass -- backward hooks fire here and see the *data* gradients
   (the first layer's input is the data: its gradient is not computed);
4. ``l2 * W`` is added to each weight gradient;
   if the loss or a weight gradient is NaN or infinite, ``fit`` stops here
   with :class:`TrainingDiverged`, without stepping;
5. the optimizer steps;
6. every callback's ``on_iteration_end(i, logs)`` runs.
"""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from ._validation import (
    RNGLike,
    check_features,
    check_int,
    check_labels,
    check_param_grads,
    check_positive,
    check_rng,
)
from .activations import Activation
from .callbacks import Callback, History
from .layers import Layer
from .losses import Loss, SoftmaxCrossEntropy
from .optim import SGD, Optimizer

__all__ = ["Sequential", "TrainingDiverged"]


class TrainingDiverged(ArithmeticError):
    """Raised by ``fit`` when the loss or a gradient stops being a finite number.

    The optimizer does not step on that iteration, so the parameters keep
    their values from the last iteration whose loss and gradients were finite.
    (A step that overflows by itself, from finite gradients and a huge
    learning rate, is undone the same way.)

    Attributes
    ----------
    iteration : int
        The iteration (0-based) at which training stopped.
    layer : str or None
        The layer where non-finite values first appeared, e.g. ``"dense_0"``.

    Examples
    --------
    >>> import tinynet as tn
    >>> X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    >>> model = tn.Sequential(tn.Dense(2, 3, rng=0))
    >>> try:  # each step multiplies W by 1 - lr * l2 = -999
    ...     model.fit(X, y, optimizer=tn.SGD(lr=10.0), l2=100.0, iterations=1000)
    ... except tn.TrainingDiverged as error:
    ...     print(error.iteration, error.layer)
    ...     print(error)
    51 dense_0
    fit: training diverged at iteration 51: the loss is 1.69999e+308 and the gradient of
    dense_0.W overflowed: its sum of squares exceeds the float64 range (largest entry 1.01e+155).
    No step was taken: the parameters keep their values from before this iteration. Lower the
    learning rate (SGD has lr=10; try 1), the l2 strength or the init scale.
    """

    iteration: int | None = None
    layer: str | None = None


class Sequential:
    """A stack of layers applied one after another.

    Parameters
    ----------
    *layers : Layer
        The layers, first to last. Each is named ``<kind>_<index>`` by its
        position among the layers of the same kind: ``dense_0``,
        ``sigmoid_0``, ``dense_1``, ...

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> rng = np.random.RandomState(0)
    >>> model = tn.Sequential(tn.Dense(2, 4, rng=rng), tn.ReLU(), tn.Dense(4, 3, rng=rng))
    >>> [layer.name for layer in model.layers]
    ['dense_0', 'relu_0', 'dense_1']
    >>> model.predict(np.zeros((2, 2)))
    array([0, 0])
    """

    def __init__(self, *layers: Layer) -> None:
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        if not layers:
            raise ValueError("Sequential needs at least one layer")
        counts: dict[str, int] = {}
        for position, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(
                    f"Sequential: item {position} is {layer!r}, not a tinynet Layer "
                    "(did you pass the class instead of an instance, e.g. tn.ReLU instead of tn.ReLU()?)"
                )
            check_param_grads(layer, "Sequential")
            if sum(other is layer for other in layers) > 1:
                raise ValueError(f"Sequential: the same {type(layer).__name__} instance appears twice")
            index = counts.get(layer.kind, 0)
            counts[layer.kind] = index + 1
            layer.name = f"{layer.kind}_{index}"
        self.layers: list[Layer] = list(layers)
        self._n_outputs()  # refuses mismatched widths now rather than at the first forward pass

    # -- passes -------------------------------------------------------------
    def forward(self, x: npt.ArrayLike) -> np.ndarray:
        """Scores for a batch ``x`` of shape ``(N, n_in)``; returns ``(N, n_out)``.

        Each layer is called in turn (see :meth:`Layer.__call__ <tinynet.Layer.__call__>`),
        so a list or an integer array is taken as float64.
        """
        for layer in self.layers:
            x = layer(x)
        return x

    def backward(self, grad: np.ndarray, *, input_grad: bool = True) -> np.ndarray | None:
        """Backpropagate ``dL/dscores`` (``(N, n_out)``); returns ``dL/dx`` (``(N, n_in)``).

        Fills every layer's ``grads`` and fires backward hooks, last layer first.
        With ``input_grad=False`` the first layer only fills its ``grads``
        (:meth:`Layer.backward_params <tinynet.Layer.backward_params>`), its
        hooks get ``grad_in=None``, and None is returned: ``fit`` needs no
        gradient with respect to the data. Raises ``ValueError`` naming the
        layer if ``grad`` is not shaped like the scores, or if a layer's
        ``backward`` returns a gradient not shaped like its input.
        """
        first, *rest = self.layers
        for layer in reversed(self.layers if input_grad else rest):
            grad_in = layer.backward(grad)
            if getattr(grad_in, "shape", None) != layer.input.shape:  # name the layer that got it wrong
                got = getattr(grad_in, "shape", type(grad_in).__name__)
                raise ValueError(f"{layer.name}: backward returned a gradient of shape {got}; it must have "
                                 f"the shape of the layer's input, {layer.input.shape}")
            if layer._backward_hooks:
                layer._run_backward_hooks(grad_in, grad)
            grad = grad_in
        if input_grad:
            return grad
        first.backward_params(grad)
        if first._backward_hooks:
            first._run_backward_hooks(None, grad)
        return None

    def compute_gradients(self, X: np.ndarray, y: np.ndarray, loss: Loss, l2: float = 0.0) -> float:
        """One training iteration without the optimizer step (steps 1-4 of ``fit``).

        Returns the loss including the L2 penalty and leaves
        :math:`\\partial(\\text{loss})/\\partial\\theta` in every layer's ``grads``.
        ``X`` and ``y`` are used as given (``fit`` validates them once).
        """
        value = loss.forward(self.forward(X), y)
        if l2:
            penalty = 0.0
            for W in self._weights():
                penalty += 0.5 * l2 * np.vdot(W, W)  # sum(W**2), without a temporary
            value = value + penalty
        self.backward(loss.backward(), input_grad=False)
        if l2:
            for layer in self.layers:
                for key in layer.weight_keys:
                    layer.grads[key] += l2 * layer.params[key]
        return float(value)

    def _n_outputs(self) -> int | None:
        """The width of the model's output (its number of classes), or None if unknown."""
        width, previous = None, None
        for layer in self.layers:
            n_in = getattr(layer, "n_in", None)
            if width is not None and n_in is not None and n_in != width:
                raise ValueError(
                    f"Sequential: {layer.name} expects {n_in} input features, but {previous} "
                    f"outputs {width}; make {layer.name}'s n_in {width}"
                )
            if hasattr(layer, "n_out") or not isinstance(layer, Activation):
                width, previous = getattr(layer, "n_out", None), layer.name
        return width

    def _weight_grads(self):
        return [layer.grads[k] for layer in self.layers for k in layer.weight_keys]

    def _weights(self):
        return [layer.params[k] for layer in self.layers for k in layer.weight_keys]

    # -- using a model -----------------------------------------------------
    def predict_proba(self, X) -> np.ndarray:
        """Softmax of the scores: ``(N, n_classes)``, rows sum to 1.

        ``X`` (``(N, n_in)``, finite) may be integer or float32: it is converted
        to the model's dtype (float64 unless :meth:`astype` changed it).
        Raises ``ValueError`` rather than answer when the scores are not finite.
        """
        scores = self._scores(X, "predict_proba")
        with np.errstate(over="ignore"):  # scores 1e308 apart: the gap is -inf, its exp the right 0
            exp = np.exp(scores - scores.max(axis=1, keepdims=True))
        return exp / exp.sum(axis=1, keepdims=True)

    def predict(self, X) -> np.ndarray:
        """Class labels ``(N,)``: the index of the largest score in each row (``X`` as in :meth:`predict_proba`)."""
        return np.argmax(self._scores(X, "predict"), axis=1)

    def accuracy(self, X, y) -> float:
        """Fraction of rows of ``X`` whose predicted label equals ``y``."""
        X = check_features(X, "accuracy", self.dtype)
        y = check_labels(y, X.shape[0], self._n_outputs(), "accuracy")
        return float(np.mean(self.predict(X) == y))

    def _scores(self, X, owner: str) -> np.ndarray:
        X = check_features(X, owner, self.dtype)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            scores = self.forward(X)
        if not np.isfinite(scores).all():
            first = next(layer for layer in self.layers if not np.isfinite(layer.output).all())
            params = self.parameters()
            bad = [k for k, v in params.items() if not np.isfinite(v).all()]
            big = max(params, key=lambda k: np.abs(params[k]).max(initial=0.0), default=None)
            cause = f"the parameters {', '.join(bad)} are not finite" if bad else (
                f"the largest |X| is {np.abs(X).max():g} and the largest parameter, in {big}, is "
                f"{np.abs(params[big]).max(initial=0.0) if big else 0.0:g}: values this large overflow")
            raise ValueError(f"{owner}: the output of {first.name} is not finite for this X; {cause}")
        return scores

    @property
    def dtype(self) -> np.dtype:
        """The floating-point type of the parameters (float64 unless :meth:`astype` changed it)."""
        for layer in self.layers:
            for value in layer.params.values():
                return value.dtype
        return np.dtype(np.float64)

    def astype(self, dtype) -> Sequential:
        """Convert every parameter and gradient buffer to ``dtype``, in place; returns the model.

        ``np.float32`` roughly halves the cost of the matrix products; inputs
        are then converted to float32 too. Gradient checks stay float64-only.

        Examples
        --------
        >>> import numpy as np, tinynet as tn
        >>> model = tn.Sequential(tn.Dense(2, 3, rng=0)).astype(np.float32)
        >>> model.dtype, model.predict_proba(np.ones((1, 2))).dtype
        (dtype('float32'), dtype('float32'))
        """
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise TypeError(f"Sequential.astype: dtype must be float32 or float64, got {dtype}")
        for layer in self.layers:
            for store in (layer.params, layer.grads):
                for key, value in store.items():
                    store[key] = value.astype(dtype)
        return self

    def parameters(self) -> dict[str, np.ndarray]:
        """Every parameter array, keyed ``"<layer name>.<key>"`` (``"dense_0.W"``)."""
        return {f"{layer.name}.{k}": v for layer in self.layers for k, v in layer.params.items()}

    def gradients(self) -> dict[str, np.ndarray]:
        """Every gradient array, with the same keys as :meth:`parameters`."""
        return {f"{layer.name}.{k}": v for layer in self.layers for k, v in layer.grads.items()}

    def save(self, path) -> None:
        """Write the model to one ``.npz`` file; :func:`tinynet.load` reads it back.

        The same as ``tn.io.save(model, path)``: see :func:`tinynet.io.save`.

        Parameters
        ----------
        path : str or path-like
            Where to write, exactly that path (``.npz`` is the convention).

        Examples
        --------
        >>> import os, tempfile
        >>> import tinynet as tn
        >>> model = tn.Sequential(tn.Dense(2, 3, rng=0), tn.ELU(alpha=0.5))
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     model.save(os.path.join(tmp, "model.npz"))
        ...     print(tn.load(os.path.join(tmp, "model.npz")).layers[1])
        ELU(alpha=0.5)
        """
        from .io import save  # io sits above model, so it is imported when first needed

        save(self, path)

    def summary(self) -> str:
        """A table of layers, output widths and parameter counts.

        Examples
        --------
        >>> import tinynet as tn
        >>> print(tn.Sequential(tn.Dense(2, 50, rng=0), tn.Sigmoid(), tn.Dense(50, 3, rng=0)).summary())
        layer      type                                   output  params
        dense_0    Dense(2, 50, init=GlorotUniform())         50     150
        sigmoid_0  Sigmoid()                                  50       0
        dense_1    Dense(50, 3, init=GlorotUniform())          3     153
        total parameters: 303
        """
        rows, width, total = [], "?", 0
        for layer in self.layers:
            width = getattr(layer, "n_out", width)
            count = sum(p.size for p in layer.params.values())
            total += count
            rows.append((layer.name, repr(layer), str(width), str(count)))
        w0 = max(5, *(len(r[0]) for r in rows))
        w1 = max(4, *(len(r[1]) for r in rows))
        lines = [f"{'layer':<{w0}}  {'type':<{w1}}  output  params"]
        lines += [f"{a:<{w0}}  {b:<{w1}}  {c:>6}  {d:>6}" for a, b, c, d in rows]
        lines.append(f"total parameters: {total}")
        return "\n".join(lines)

    def __repr__(self):
        inner = "".join(f"\n  ({layer.name}): {layer!r}" for layer in self.layers)
        return f"Sequential({inner}\n)"

    # -- training ----------------------------------------------------------
    def fit(
        self,
        X,
        y,
        *,
        loss: Loss | None = None,
        optimizer: Optimizer | None = None,
        l2: float = 0.0,
        iterations: int = 1000,
        callbacks: Iterable[Callback] = (),
        batch_size: int | None = None,
        shuffle: bool = True,
        rng: RNGLike = None,
        track_accuracy: bool = False,
    ) -> History:
        """Train with gradient descent; see the module docstring for one iteration's order.

        Parameters
        ----------
        X : array_like, shape (N, n_in)
            Inputs: finite, int or float. They are converted to the model's dtype
            (float64 unless :meth:`astype` changed it), so integer and float32
            input is accepted.
        y : array_like of int, shape (N,)
            Class labels in ``[0, n_classes)``, where ``n_classes`` is the width of
            the last layer's output. Floats are accepted if they are whole numbers.
        loss : Loss, optional
            Default: a new :class:`~tinynet.SoftmaxCrossEntropy`.
        optimizer : Optimizer, optional
            Default: a new ``SGD(lr=0.1)``, the notebook's step size.
        l2 : float, default 0.0
            L2 penalty strength :math:`\\lambda`: adds
            :math:`\\tfrac{\\lambda}{2}\\sum W^2` (weights only, not biases)
            to the loss and :math:`\\lambda W` to each weight gradient.
        iterations : int, default 1000
            Number of optimizer steps.
        callbacks : iterable of Callback
            E.g. ``[tn.GradientRecorder(), tn.PrintLoss(every=1000)]``. A callback
            (or hook) may also replace a parameter with a new array
            (``layer.params["W"] = new``): the optimizer trains the new array
            from the next iteration on.
        batch_size : int, optional
            Rows per step; default all of them (full-batch gradient descent,
            as in the notebook).
        shuffle : bool, default True
            With ``batch_size``, reshuffle the rows every pass through the data.
        rng : int, Generator or RandomState, optional
            Source of the shuffling.
        track_accuracy : bool, default False
            Also record the training-batch accuracy at every iteration.

        Returns
        -------
        History
            ``history.loss[i]`` is the loss at iteration ``i``.

        Raises
        ------
        ValueError, TypeError
            Before any training, for a bad argument: the message names it, what
            was expected and what arrived.
        TrainingDiverged
            When the loss or a gradient becomes NaN or infinite. That iteration's
            step is not taken, so the parameters keep their last finite values.
        """
        X = check_features(X, "fit", self.dtype)
        y = check_labels(y, X.shape[0], self._n_outputs(), "fit")
        loss = SoftmaxCrossEntropy() if loss is None else loss
        optimizer = SGD(lr=0.1) if optimizer is None else optimizer
        if not isinstance(loss, Loss):
            raise TypeError(f"fit: loss must be a tinynet Loss such as tn.SoftmaxCrossEntropy(), got {loss!r}")
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"fit: optimizer must be a tinynet Optimizer such as tn.SGD(lr=0.1), got {optimizer!r}")
        l2 = check_positive(l2, "l2", "fit", allow_zero=True)
        iterations = check_int(iterations, "iterations", "fit")
        for key, param in self.parameters().items():
            if not np.isfinite(param).all():
                raise ValueError(f"fit: the parameter {key} contains NaN or infinity; rebuild or reload the model")
        if isinstance(callbacks, Callback):
            raise TypeError(f"fit: callbacks must be a list of Callbacks; got one, {callbacks!r}: "
                            f"pass callbacks=[{type(callbacks).__name__}(...)]")
        callbacks = list(callbacks)
        for cb in callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"fit: callbacks must be tinynet Callbacks, got {cb!r}")
        batches = _batches(X, y, batch_size, shuffle, rng)

        params = self.parameters()  # optimizers update these arrays in place
        before_step = {key: np.empty_like(p) for key, p in params.items()}  # to undo an overflowing step
        stepped = False
        history = History(track_accuracy)
        callbacks.insert(0, history)
        for cb in callbacks:
            cb.params = {"iterations": iterations}
            cb.on_train_begin(self)
        try:
            for i in range(iterations):
                xb, yb = next(batches)
                with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                    value = self.compute_gradients(xb, yb, loss, l2)
                    total = value  # NaN or inf if the loss or any weight-gradient entry is (or overflows);
                    for g in self._weight_grads():  # a non-finite bias gradient makes dW non-finite too
                        total += np.vdot(g, g)
                    if not math.isfinite(total):
                        raise _diverged(self, i, value, loss, optimizer, l2, before_step if stepped else None)
                    for key, param in params.items():
                        np.copyto(before_step[key], param)
                    optimizer.step(params, self.gradients())
                    stepped = True
                logs = {"loss": value}
                if track_accuracy:
                    logs["accuracy"] = float(np.mean(np.argmax(self.layers[-1].output, axis=1) == yb))
                for cb in callbacks:
                    cb.on_iteration_end(i, logs)
                held = [p for layer in self.layers for p in layer.params.values()]  # in the order of params
                if any(map(operator.is_not, held, params.values())):  # a callback or hook replaced one
                    params = self.parameters()  # train the new arrays from now on
                    before_step = {key: np.empty_like(p) for key, p in params.items()}
                    stepped = False  # no step to undo on the new arrays yet
            if not all(np.isfinite(p).all() for p in params.values()):
                raise _diverged(self, iterations, value, loss, optimizer, l2, before_step)
        finally:
            for cb in callbacks:
                cb.on_train_end(self)
        return history


def _diverged(model: Sequential, i: int, value: float, loss: Loss, optimizer: Optimizer, l2: float,
              before_step: dict | None):
    """The error for iteration ``i``, naming where values first went non-finite (failure path only).

    If the previous optimizer step (finite gradients, but an overflowing update)
    left non-finite parameters, they are restored from ``before_step``.
    """
    kept = "No step was taken: the parameters keep their values from before this iteration."
    bad_params = [(lay.name, k) for lay in model.layers for k, p in lay.params.items() if not np.isfinite(p).all()]
    bad_outputs = [lay for lay in model.layers if lay.output is not None and not np.isfinite(lay.output).all()]
    if bad_params and before_step is not None:
        i, layer = i - 1, bad_params[0][0]
        where = f"{type(optimizer).__name__}'s step made {layer}.{bad_params[0][1]} non-finite"
        kept = "That step was undone: the parameters are back to their values from before it."
        for key, param in model.parameters().items():
            np.copyto(param, before_step[key])
    elif bad_outputs:  # the forward pass
        layer = bad_outputs[0].name
        where = f"the output of {layer} is the first non-finite value"
    elif not math.isfinite(value):  # finite scores, non-finite loss
        big = [(lay.name, k) for lay in model.layers for k in lay.weight_keys
               if not math.isfinite(0.5 * l2 * float(np.vdot(lay.params[k], lay.params[k])))]
        if l2 and big:
            layer, where = big[0][0], f"the L2 penalty of {big[0][0]}.{big[0][1]} overflowed"
        else:
            layer = model.layers[-1].name
            top = float(np.abs(model.layers[-1].output).max())
            where = f"the scores ({layer}'s output) reach {top:g}, too large for {loss!r}"
    else:  # the backward pass, last layer first
        layer, where = None, "a gradient is not finite"
        for lay in reversed(model.layers):
            bad = [k for k, g in lay.grads.items() if not math.isfinite(float(np.vdot(g, g)))]
            if bad:
                g = lay.grads[bad[0]]
                if np.isfinite(g).all():  # finite entries whose squares add up past the dtype's range
                    state = (f"overflowed: its sum of squares exceeds the {g.dtype} range "
                             f"(largest entry {np.abs(g).max():.3g})")
                else:
                    state = "is not finite"
                layer, where = lay.name, f"the gradient of {lay.name}.{bad[0]} {state}"
                break
    lr = getattr(optimizer, "lr", None)
    hint = f" ({type(optimizer).__name__} has lr={lr:g}; try {lr / 10:g})" if isinstance(lr, float) else ""
    error = TrainingDiverged(
        f"fit: training diverged at iteration {i}: the loss is {value:g} and {where}. {kept} "
        f"Lower the learning rate{hint}, the l2 strength or the init scale."
    )
    error.iteration, error.layer = i, layer
    return error


def _batches(X, y, batch_size, shuffle, rng):
    """Return an endless iterator of ``(X_batch, y_batch)``.

    Full batch when ``batch_size`` is None; otherwise passes over the data in
    minibatches (reshuffled each pass when ``shuffle``), skipping the rows
    left over at the end of a pass. Arguments are checked now, not at the
    first ``next``.
    """
    if batch_size is None:
        return itertools.repeat((X, y))
    n = X.shape[0]
    batch_size = check_int(batch_size, "batch_size", "fit")
    if batch_size > n:
        raise ValueError(f"fit: batch_size must be in [1, {n}] (the number of samples), got {batch_size}")
    rng = check_rng(rng)

    def passes():
        while True:
            order = rng.permutation(n) if shuffle else np.arange(n)
            for start in range(0, n - batch_size + 1, batch_size):
                idx = order[start : start + batch_size]
                yield X[idx], y[idx]

    return passes()
