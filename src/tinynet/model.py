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
6. every callback's ``on_iteration_end(i, logs)`` runs (and, at the end of
   an epoch, ``on_epoch_end(epoch, logs)``).

A :class:`Sequential` is itself a layer, so models nest: a model can be one
layer of another, and :class:`Residual` adds its input to its layers' output.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
import numpy.typing as npt

from . import io
from . import threads as blas
from ._validation import RNGLike, check_features, check_labels, check_param_grads, nonfinite
from .callbacks import Callback, History
from .layers import Layer, leaves, mode
from .losses import Loss, SoftmaxCrossEntropy
from .optim import Optimizer
from .training import DivergenceGuard, Plan, TrainingDiverged

__all__ = ["Sequential", "Residual", "TrainingDiverged"]


class Sequential(Layer):
    """A stack of layers applied one after another.

    Parameters
    ----------
    *layers : Layer
        The layers, first to last; a ``Sequential`` is a layer too, so models
        nest. Each is named ``<kind>_<index>`` by its position among the
        layers of the same kind: ``dense_0``, ``sigmoid_0``, ``dense_1``, ...
        A layer inside a nested model is named by its path:
        ``residual_0.dense_0``.
    rename : bool, default True
        False keeps the layers' names as they are (``model[1:3]`` does: its
        layers are the model's own).

    Attributes
    ----------
    layers : tuple of Layer
        The direct children, fixed once the model is built; ``model[i]``,
        ``len(model)`` and ``for layer in model`` work on them as on a list,
        and ``model[1:3]`` is a new ``Sequential`` sharing those layers (and
        their names).
    history : History or None
        The :class:`~tinynet.History` of the last (or current) ``fit``: after an
        error or Ctrl-C, the iterations done so far.
    stop_training : bool
        A callback sets it to True to end ``fit`` after the current iteration.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> rng = np.random.RandomState(0)
    >>> model = tn.Sequential(tn.Dense(2, 4, rng=rng), tn.ReLU(), tn.Dense(4, 3, rng=rng))
    >>> [layer.name for layer in model]
    ['dense_0', 'relu_0', 'dense_1']
    >>> model.predict(np.zeros((2, 2)))
    array([0, 0])

    Models nest; every layer, at every depth, has a name:

    >>> block = tn.Residual(tn.Dense(4, 4, rng=rng), tn.ReLU())
    >>> model = tn.Sequential(tn.Dense(2, 4, rng=rng), block, tn.Dense(4, 3, rng=rng))
    >>> [name for name, _ in model.named_layers()]
    ['dense_0', 'residual_0', 'residual_0.dense_0', 'residual_0.relu_0', 'dense_1']
    >>> len(model), model[1] is block, len(model[1:])
    (3, True, 2)
    """

    def __init__(self, *layers: Layer, rename: bool = True) -> None:
        super().__init__()
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        if not layers:
            raise ValueError(f"{type(self).__name__} needs at least one layer")
        for position, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(
                    f"{type(self).__name__}: item {position} is {layer!r}, not a tinynet Layer "
                    "(did you pass the class instead of an instance, e.g. tn.ReLU instead of tn.ReLU()?)"
                )
            check_param_grads(layer, type(self).__name__)
        everything = [layer for top in layers for layer in (top, *(inner for _, inner in top.named_layers()))]
        for layer in everything:
            if sum(other is layer for other in everything) > 1:
                raise ValueError(f"{type(self).__name__}: the same {type(layer).__name__} instance appears twice")
        self.layers: tuple[Layer, ...] = tuple(layers)
        self.history: History | None = None
        self.stop_training = False
        # Every layer at every depth, and the weights among their parameters, found once: a model's
        # layers are a tuple, fixed when it is built (fit walks these at every iteration).
        self._all = tuple(everything)
        self._weighted = tuple((layer, key) for layer in self._all for key in layer.weight_keys)
        if rename:
            _name(self.layers, "")
        self._width()  # refuses mismatched widths now rather than at the first forward pass

    def get_config(self) -> dict:
        """``{}``: a model is rebuilt from its layers alone (``Sequential(*layers)``), which name themselves again.

        Returns
        -------
        dict
        """
        return {}

    # -- a list of layers -------------------------------------------------------
    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self) -> Iterator[Layer]:
        return iter(self.layers)

    def __getitem__(self, index: int | slice) -> Layer | Sequential:
        if isinstance(index, slice):
            if not self.layers[index]:
                raise IndexError(f"{type(self).__name__}[{index.start}:{index.stop}] holds no layer")
            return Sequential(*self.layers[index], rename=False)  # the same layer objects, keeping their names
        return self.layers[index]

    def named_layers(self) -> Iterator[tuple[str, Layer]]:
        """``(name, layer)`` for every layer at every depth, in order (a nested model before its layers).

        Examples
        --------
        >>> import tinynet as tn
        >>> model = tn.Sequential(tn.Dense(2, 3, rng=0), tn.Sequential(tn.Tanh(), tn.Dense(3, 3, rng=0)))
        >>> [name for name, _ in model.named_layers()]
        ['dense_0', 'sequential_0', 'sequential_0.tanh_0', 'sequential_0.dense_0']
        """
        for layer in self._all:
            yield layer.name, layer

    # -- widths -------------------------------------------------------------------
    def _width(self) -> int | None:
        """The width of the output (its number of classes), or None if unknown; checks every junction."""
        width, previous = None, None
        for layer in self.layers:
            n_in = getattr(layer, "n_in", None)
            if width is not None and n_in is not None and n_in != width:
                raise ValueError(
                    f"{type(self).__name__}: {layer.name} expects {n_in} input features, but {previous} "
                    f"outputs {width}; make {layer.name}'s n_in {width}"
                )
            if not getattr(layer, "same_width", False):
                width, previous = getattr(layer, "n_out", None), layer.name
        return width

    @property
    def n_in(self) -> int | None:
        """The number of input features the model expects, or None if its first layers do not say."""
        for layer in self.layers:
            if getattr(layer, "n_in", None) is not None:
                return layer.n_in
            if not getattr(layer, "same_width", False):
                return None
        return None

    @property
    def n_out(self) -> int | None:
        """The width of the model's output (its number of classes), or None if unknown."""
        return self._width()

    # -- passes -------------------------------------------------------------------
    def forward(self, x: npt.ArrayLike) -> np.ndarray:
        """Scores for a batch ``x`` of shape ``(N, n_in)``; returns ``(N, n_out)``.

        Each layer is called in turn (see :meth:`Layer.__call__ <tinynet.Layer.__call__>`),
        so a list or an integer array is taken as float64. The layers compute
        in their current mode (:meth:`~tinynet.Layer.train`, :meth:`~tinynet.Layer.eval`).
        """
        for layer in self.layers:
            x = layer(x)
        return x

    def backward(self, grad_out: np.ndarray, *, input_grad: bool = True) -> np.ndarray | None:
        """Backpropagate ``dL/dscores`` (``(N, n_out)``); returns ``dL/dx`` (``(N, n_in)``).

        Fills every layer's ``grads`` and fires backward hooks, last layer first
        (:meth:`Layer.backpropagate <tinynet.Layer.backpropagate>`). With
        ``input_grad=False`` the first layer only fills its ``grads``
        (:meth:`Layer.backward_params <tinynet.Layer.backward_params>`), its
        hooks get ``grad_in=None``, and None is returned: ``fit`` needs no
        gradient with respect to the data. Raises ``ValueError`` naming the
        layer if ``grad_out`` is not shaped like the scores, or if a layer's
        ``backward`` returns a gradient not shaped like its input.
        """
        first, *rest = self.layers
        for layer in reversed(rest):
            grad_out = layer.backpropagate(grad_out)
        return first.backpropagate(grad_out, input_grad=input_grad)

    def backward_params(self, grad_out: np.ndarray) -> None:
        self.backward(grad_out, input_grad=False)

    def l2_penalty(self, l2: float) -> float:
        """:math:`\\tfrac{\\lambda}{2}\\sum W^2` over every weight array (not biases), ``l2`` being :math:`\\lambda`."""
        # np.vdot(W, W) is sum(W**2) without a temporary
        return 0.5 * l2 * sum([np.vdot(layer.params[k], layer.params[k]) for layer, k in self._weighted]) if l2 else 0.0

    def add_l2_gradient(self, l2: float) -> None:
        """Add :math:`\\lambda W` to the gradient of every weight array, the gradient of :meth:`l2_penalty`."""
        if l2:
            for layer, key in self._weighted:
                layer.grads[key] += l2 * layer.params[key]

    def compute_gradients(self, X: np.ndarray, y: np.ndarray, loss: Loss, l2: float = 0.0) -> float:
        """One training iteration without the optimizer step (steps 1-4 of ``fit``).

        Returns the loss including the L2 penalty and leaves
        :math:`\\partial(\\text{loss})/\\partial\\theta` in every layer's ``grads``.
        ``X`` and ``y`` are used as given (``fit`` validates them once), in
        the layers' current mode.
        """
        value = loss.forward(self.forward(X), y) + self.l2_penalty(l2)
        self.backward(loss.backward(), input_grad=False)
        self.add_l2_gradient(l2)
        return float(value)

    # -- using a model -------------------------------------------------------------
    def predict_proba(self, X) -> np.ndarray:
        """Softmax of the scores: ``(N, n_classes)``, rows sum to 1.

        ``X`` (``(N, n_in)``, finite) may be integer or float32: it is converted
        to the model's dtype (float64 unless :meth:`astype` changed it). The
        model computes in evaluation mode (and is left in the mode it was in).
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
        """Fraction of rows of ``X`` whose predicted label equals ``y`` (in evaluation mode)."""
        X = check_features(X, "accuracy", self.dtype)
        y = check_labels(y, X.shape[0], self.n_out, "accuracy")
        return float(np.mean(self.predict(X) == y))

    def evaluate(self, X, y, loss: Loss | None = None, l2: float = 0.0) -> tuple[float, float]:
        """The loss (data + L2 penalty, as ``fit`` reports it) and the accuracy on ``X, y``, in evaluation mode.

        This is what ``fit`` computes on its validation data.

        Returns
        -------
        tuple of float
            ``(loss, accuracy)``.

        Examples
        --------
        >>> import tinynet as tn
        >>> X, y = tn.datasets.spiral(n_per_class=10, rng=0)
        >>> model = tn.Sequential(tn.Dense(2, 3, init=tn.init.Normal(0.1), rng=0))
        >>> [round(value, 4) for value in model.evaluate(X, y)]
        [1.1105, 0.1]
        """
        scores = self._scores(X, "evaluate")
        y = check_labels(y, scores.shape[0], self.n_out, "evaluate")
        loss = SoftmaxCrossEntropy() if loss is None else loss
        value = loss.forward(scores, y) + self.l2_penalty(l2)
        return float(value), float(np.mean(np.argmax(scores, axis=1) == y))

    def _scores(self, X, owner: str) -> np.ndarray:
        X = check_features(X, owner, self.dtype)
        largest = max((p.size for p in self.parameters().values()), default=0)
        with (blas.limit(blas.rule(largest, X.shape[0])), mode(self, training=False),
              np.errstate(over="ignore", invalid="ignore", divide="ignore")):
            scores = self.forward(X)
        if not np.isfinite(scores).all():
            first = next(layer for layer in leaves(self) if not np.isfinite(layer.output).all())
            params = self.parameters()
            bad = nonfinite(params)
            big = max(params, key=lambda k: np.abs(params[k]).max(initial=0.0), default=None)
            cause = f"the parameters {', '.join(bad)} are not finite" if bad else (
                f"the largest |X| is {np.abs(X).max():g} and the largest parameter, in {big}, is "
                f"{np.abs(params[big]).max(initial=0.0) if big else 0.0:g}: values this large overflow")
            raise ValueError(f"{owner}: the output of {first.name} is not finite for this X; {cause}")
        return scores

    @property
    def dtype(self) -> np.dtype:
        """The floating-point type of the parameters (float64 unless :meth:`astype` changed it)."""
        for value in self.parameters().values():
            return value.dtype
        return np.dtype(np.float64)

    def astype(self, dtype) -> Sequential:
        """Convert every parameter, gradient and buffer to ``dtype``, in place; returns the model.

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
        for _, layer in self.named_layers():
            for store in (layer.params, layer.grads, layer.buffers):
                for key, value in store.items():
                    store[key] = value.astype(dtype)
        return self

    def parameters(self) -> dict[str, np.ndarray]:
        """Every parameter array, keyed ``"<layer name>.<key>"`` (``"dense_0.W"``, ``"residual_0.dense_0.W"``)."""
        return {f"{layer.name}.{k}": v for _, layer in self.named_layers() for k, v in layer.params.items()}

    def gradients(self) -> dict[str, np.ndarray]:
        """Every gradient array, with the same keys as :meth:`parameters`."""
        return {f"{layer.name}.{k}": v for _, layer in self.named_layers() for k, v in layer.grads.items()}

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
        ...     print(tn.load(os.path.join(tmp, "model.npz"))[1])
        ELU(alpha=0.5)
        """
        io.save(self, path)

    def summary(self) -> str:
        """A table of layers (at every depth), output widths, parameter and buffer counts.

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
        rows, width, total, buffers = [], "?", 0, 0
        for name, layer in self.named_layers():
            inner = isinstance(layer, Sequential)
            if not getattr(layer, "same_width", False) or inner:
                width = str(layer.n_out) if getattr(layer, "n_out", None) is not None else width
            count = sum(p.size for p in layer.params.values())
            extra = sum(b.size for b in layer.buffers.values())
            total, buffers = total + count, buffers + extra
            described = f"{type(layer).__name__} ({len(layer)} layers)" if inner else repr(layer)
            rows.append((name, described, width, str(count), str(extra)))
        show = buffers > 0
        w0 = max(5, *(len(r[0]) for r in rows))
        w1 = max(4, *(len(r[1]) for r in rows))
        head = f"{'layer':<{w0}}  {'type':<{w1}}  output  params" + ("  buffers" if show else "")
        lines = [head] + [f"{a:<{w0}}  {b:<{w1}}  {c:>6}  {d:>6}" + (f"  {e:>7}" if show else "")
                          for a, b, c, d, e in rows]
        lines.append(f"total parameters: {total}" + (f", buffers: {buffers}" if show else ""))
        return "\n".join(lines)

    def __repr__(self):
        inner = "".join(f"\n  ({layer.name.rpartition('.')[2]}): " + repr(layer).replace("\n", "\n  ")
                        for layer in self.layers)
        return f"{type(self).__name__}({inner}\n)"

    # -- training -------------------------------------------------------------------
    def fit(
        self,
        X,
        y,
        *,
        loss: Loss | None = None,
        optimizer: Optimizer | None = None,
        l2: float = 0.0,
        iterations: int | None = None,
        epochs: int | None = None,
        batch_size: int | None = None,
        shuffle: bool = True,
        rng: RNGLike = None,
        validation_data: tuple | None = None,
        validation_split: float | None = None,
        validation_every: int | None = None,
        callbacks: Iterable[Callback] = (),
        track_accuracy: bool = False,
        threads: int | None = None,
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
        iterations : int, optional
            Number of optimizer steps; default 1000 unless ``epochs`` is given.
        epochs : int, optional
            Instead of ``iterations``: passes over the data. An epoch is
            ``N // batch_size`` iterations (full batch: one).
        batch_size : int, optional
            Rows per step; default all of them (full-batch gradient descent,
            as in the notebook).
        shuffle : bool, default True
            With ``batch_size``, reshuffle the rows every pass through the data.
        rng : int, Generator or RandomState, optional
            Source of the shuffling (and of ``validation_split``'s split).
        validation_data : (X_val, y_val), optional
            Evaluated in evaluation mode at the end of an epoch (see
            ``validation_every``): ``history.val_loss``, ``history.val_accuracy``.
        validation_split : float, optional
            Instead of ``validation_data``: hold out this fraction of ``X, y``,
            stratified, drawn with ``rng``.
        validation_every : int, optional
            Validate (and record the epoch's means in the History) every this
            many epochs, and after the last. Default: every epoch with
            ``batch_size``; in full-batch training, where an epoch is one
            iteration, every 1 % of the iterations (100 times in all).
        callbacks : iterable of Callback
            E.g. ``[tn.GradientRecorder(), tn.PrintLoss(every=1000)]``. Each gets
            ``callback.model`` and ``callback.optimizer`` before training begins.
            A callback (or hook) may also replace a parameter with a new array
            (``layer.params["W"] = new``): the optimizer trains the new array
            from the next iteration on.
        track_accuracy : bool, default False
            Also record the training-batch accuracy at every iteration.
        threads : int, optional
            BLAS threads for the matrix products; default one for a small
            problem, the BLAS library's own setting for a big one (see
            :mod:`tinynet.threads`).

        Returns
        -------
        History
            ``history.loss[i]`` is the loss at iteration ``i``; also
            ``model.history``.

        Raises
        ------
        ValueError, TypeError
            Before any training, for a bad argument: the message names it, what
            was expected and what arrived.
        TrainingDiverged
            When the loss or a gradient becomes NaN or infinite. That iteration's
            step is not taken, so the parameters keep their last finite values.

        Warns
        -----
        DivergenceWarning
            When an epoch's mean training loss is more than three times the
            first epoch's (and larger by more than 1): the learning rate is
            probably too large.

        Notes
        -----
        The model trains in training mode and is left in the mode each layer
        was in; when training ends, the layers drop the last batch they cached
        for the backward pass (``layer.input``, ``layer.output``).
        """
        plan = Plan.check(self, X, y, loss=loss, optimizer=optimizer, l2=l2, iterations=iterations,
                          epochs=epochs, batch_size=batch_size, shuffle=shuffle, rng=rng,
                          validation_data=validation_data, validation_split=validation_split,
                          validation_every=validation_every, callbacks=callbacks,
                          track_accuracy=track_accuracy, threads=threads)
        loss, optimizer, l2 = plan.loss, plan.optimizer, plan.l2
        guard = DivergenceGuard(self, loss, optimizer, l2)
        with plan.running(self) as events:
            for i, (X_batch, y_batch) in plan.batches():
                scores = self.forward(X_batch)                            # 1. forward pass
                value = loss.forward(scores, y_batch) + self.l2_penalty(l2)  # 2. loss + L2 penalty
                self.backward(loss.backward(), input_grad=False)          # 3. backward pass (hooks fire)
                self.add_l2_gradient(l2)                                  # 4. + l2 * W
                guard.check(i, value)                                     # stop before stepping on NaN/inf
                optimizer.step(guard.params, guard.grads)                 # 5. optimizer step
                events.iteration_end(i, value, scores, y_batch)           # 6. callbacks
                guard.follow_replacements()
                if self.stop_training:
                    break
            guard.check_parameters(i, value)
        return events.history


def _name(layers: list[Layer], prefix: str) -> None:
    """Name each layer ``<prefix><kind>_<index among its kind>``, and the layers inside it after it."""
    counts: dict[str, int] = {}
    for layer in layers:
        index = counts.get(layer.kind, 0)
        counts[layer.kind] = index + 1
        layer.name = f"{prefix}{layer.kind}_{index}"
        if isinstance(layer, Sequential):
            _name(layer.layers, layer.name + ".")


class Residual(Sequential):
    r"""A residual block: its layers' output plus its input, :math:`x + f(x)` (He et al., 2016).

    The layers ``f`` must give an output as wide as their input. Gradients
    flow back along two paths, through ``f`` and straight through the ``+``,
    so the block's Jacobian is :math:`I + \partial f / \partial x`: even when
    ``f``'s part vanishes, the identity carries the gradient to earlier layers.

    Parameters
    ----------
    *layers : Layer
        The block ``f``, first to last (named inside the block:
        ``residual_0.dense_0``, ...).

    Notes
    -----
    Shapes: ``x``, ``out``, ``grad_out`` and ``grad_in`` are all ``(N, n)``.
    With :math:`G = \partial L / \partial\,\text{out}`,

    .. math::

        \text{out} = x + f(x), \qquad
        \frac{\partial L}{\partial x} = G + \Big(\frac{\partial f}{\partial x}\Big)^{\!\top} G .

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> block = tn.Residual(tn.Dense(3, 3, rng=0), tn.Tanh())
    >>> x = np.random.default_rng(0).normal(size=(4, 3))
    >>> bool(np.allclose(block(x), x + np.tanh(x @ block[0].params["W"])))
    True
    >>> bool(tn.gradcheck(block, x))
    True
    """

    same_width = True

    def __init__(self, *layers: Layer) -> None:
        super().__init__(*layers)
        n_in, n_out = super().n_in, super().n_out
        if n_in is not None and n_out is not None and n_in != n_out:
            raise ValueError(f"Residual: its layers take {n_in} features and output {n_out}; x + f(x) needs "
                             f"an output as wide as the input")

    @property
    def n_in(self) -> int | None:
        """The width of the block's input and output (None if its layers do not say)."""
        width = super().n_in
        return super().n_out if width is None else width

    @property
    def n_out(self) -> int | None:
        """The same as :attr:`n_in`."""
        return self.n_in

    def forward(self, x):
        return x + super().forward(x)

    def backward(self, grad_out, *, input_grad=True):
        grad_in = super().backward(grad_out, input_grad=True)
        return grad_out + grad_in

    def backward_params(self, grad_out):
        super().backward(grad_out, input_grad=False)


io.register_layer(Sequential)  # so that io can rebuild models inside models, and load() a whole model
io.register_layer(Residual)
