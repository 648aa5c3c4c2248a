"""What ``fit`` needs besides its six steps: checked arguments, batches, callbacks, and a guard.

:meth:`tinynet.Sequential.fit` is the textbook loop, one line per step. The
pieces here keep that loop short and readable:

* ``Plan`` checks every argument of ``fit`` before any work is done, cuts
  the data into batches and epochs, and holds the validation data;
* ``Plan.running`` is the ``with`` block around the loop: BLAS threads,
  training mode, callbacks begun and ended (every callback that began gets its
  ``on_train_end``, and the first error wins), epoch ends with validation;
* ``DivergenceGuard`` stops training *before* a step on a NaN or infinite
  loss or gradient, and undoes a step that overflowed.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import operator
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from . import threads as blas
from ._validation import check_features, check_int, check_labels, check_positive, check_rng, nonfinite
from .callbacks import Callback, History
from .datasets import train_test_split
from .layers import leaves, mode
from .losses import Loss, SoftmaxCrossEntropy
from .optim import SGD, Optimizer

__all__ = ["TrainingDiverged", "DivergenceWarning"]


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
    history : History or None
        The iterations done before it (also ``model.history``).

    Examples
    --------
    >>> import tinynet as tn
    >>> X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    >>> model = tn.Sequential(tn.Dense(2, 3, rng=0))
    >>> try:  # each step multiplies W by 1 - lr * l2 = -999
    ...     model.fit(X, y, optimizer=tn.SGD(lr=10.0), l2=100.0, iterations=1000)
    ... except tn.TrainingDiverged as error:
    ...     print(error.iteration, error.layer, len(error.history.loss))
    ...     print(error)
    51 dense_0 51
    fit: training diverged at iteration 51: the loss is 1.69999e+308 and the gradient of
    dense_0.W overflowed: its sum of squares exceeds the float64 range (largest entry 1.01e+155).
    No step was taken: the parameters keep their values from before this iteration. Lower the
    learning rate (SGD has lr=10; try 1), the l2 strength or the init scale.
    """

    iteration: int | None = None
    layer: str | None = None
    history: History | None = None


class DivergenceWarning(UserWarning):
    """Warned by ``fit`` when training ended with the loss far above where it started.

    When training ends, ``fit`` compares the mean training loss of the last
    recorded epoch with the first's, and warns when it is more than three
    times as large and larger by more than 1: the learning rate is probably
    too large. Only a NaN or infinite value stops training
    (:class:`TrainingDiverged`, raised instead of this warning).
    """


@dataclass
class Plan:
    """Everything ``fit`` was asked to do, checked: the loss, the optimizer, batches, epochs, callbacks.

    Build it with :meth:`check`, which raises ``ValueError``/``TypeError`` for
    a bad argument before any training; ``fit`` documents the arguments.
    """

    X: np.ndarray
    y: np.ndarray
    loss: Loss
    optimizer: Optimizer
    l2: float
    iterations: int
    steps_per_epoch: int
    validation: tuple[np.ndarray, np.ndarray] | None
    validation_every: int
    callbacks: list[Callback]
    track_accuracy: bool
    threads: int | None
    batch_size: int | None
    shuffle: bool
    rng: object = field(repr=False)

    @classmethod
    def check(cls, model, X, y, *, loss, optimizer, l2, iterations, epochs, batch_size, shuffle, rng,
              validation_data, validation_split, validation_every, callbacks, track_accuracy, threads) -> Plan:
        """Check ``fit``'s arguments; see :meth:`tinynet.Sequential.fit`."""
        X = check_features(X, "fit", model.dtype)
        y = check_labels(y, X.shape[0], model.n_out, "fit")
        loss = SoftmaxCrossEntropy() if loss is None else loss
        optimizer = SGD(lr=0.1) if optimizer is None else optimizer
        if not isinstance(loss, Loss):
            raise TypeError(f"fit: loss must be a tinynet Loss such as tn.SoftmaxCrossEntropy(), got {loss!r}")
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"fit: optimizer must be a tinynet Optimizer such as tn.SGD(lr=0.1), got {optimizer!r}")
        l2 = check_positive(l2, "l2", "fit", allow_zero=True)
        bad = nonfinite(model.parameters())
        if bad:
            raise ValueError(f"fit: the parameter {bad[0]} contains NaN or infinity; rebuild or reload the model")
        if isinstance(callbacks, Callback):
            raise TypeError(f"fit: callbacks must be a list of Callbacks; got one, {callbacks!r}: "
                            f"pass callbacks=[{type(callbacks).__name__}(...)]")
        callbacks = list(callbacks)
        for cb in callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"fit: callbacks must be tinynet Callbacks, got {cb!r}")
        rng = check_rng(rng)
        X, y, validation = _validation(model, X, y, validation_data, validation_split, rng)
        if batch_size is not None:
            batch_size = check_int(batch_size, "batch_size", "fit")
            if batch_size > X.shape[0]:
                raise ValueError(f"fit: batch_size must be in [1, {X.shape[0]}] (the number of samples), "
                                 f"got {batch_size}")
        steps = 1 if batch_size is None else X.shape[0] // batch_size
        if iterations is not None and epochs is not None:
            raise TypeError(f"fit: give iterations or epochs, not both (got iterations={iterations!r}, "
                            f"epochs={epochs!r}); an epoch is {steps} iteration(s) here")
        if epochs is not None:
            iterations = check_int(epochs, "epochs", "fit") * steps
        iterations = check_int(1000 if iterations is None else iterations, "iterations", "fit")
        if validation_every is None:  # every epoch; full-batch, every 1 % of the run (50,000 iterations: 100)
            validation_every = 1 if batch_size is not None else max(1, iterations // 100)
        validation_every = check_int(validation_every, "validation_every", "fit")
        if threads is None:
            largest = max((p.size for p in model.parameters().values()), default=0)
            threads = blas.rule(largest, X.shape[0] if batch_size is None else batch_size)
        else:
            threads = check_int(threads, "threads", "fit")
        return cls(X, y, loss, optimizer, l2, iterations, steps, validation, validation_every,
                   [History(track_accuracy), *callbacks], track_accuracy, threads, batch_size, shuffle, rng)

    def batches(self) -> Iterator[tuple[int, tuple[np.ndarray, np.ndarray]]]:
        """``(i, (X_batch, y_batch))`` for every iteration ``i``.

        The whole data when ``batch_size`` is None; otherwise passes over the
        data in minibatches (reshuffled each pass when ``shuffle``), skipping
        the rows left over at the end of a pass.
        """
        if self.batch_size is None:
            return enumerate(itertools.repeat((self.X, self.y), self.iterations))
        return enumerate(_minibatches(self.X, self.y, self.batch_size, self.shuffle, self.rng, self.iterations))

    @contextlib.contextmanager
    def running(self, model) -> Iterator[_Events]:
        """The ``with`` block around the loop: threads, training mode, callbacks, errors, caches.

        Numpy's warnings about overflow and invalid values are silenced inside:
        a NaN or infinity is what :class:`DivergenceGuard` looks for, and it
        explains where it came from.
        """
        events = _Events(self, model)
        model.history, model.stop_training = events.history, False
        try:
            with (blas.limit(self.threads), mode(model, training=True),
                  np.errstate(over="ignore", invalid="ignore", divide="ignore"), events.begun()):
                yield events
            events.warn_if_the_loss_rose()
        except TrainingDiverged as error:
            error.history = events.history
            raise
        finally:
            for _, layer in model.named_layers():
                layer.input = layer.output = None  # a big batch is not kept alive after training


class _Events:
    """Calls the callbacks, keeps the epochs' means, and validates at the end of an epoch."""

    def __init__(self, plan: Plan, model) -> None:
        self.plan, self.model = plan, model
        self.history: History = plan.callbacks[0]
        # the callbacks that do something at each moment, called in their order (the others would do nothing)
        self._at_iteration = [cb for cb in plan.callbacks if type(cb).on_iteration_end is not Callback.on_iteration_end]
        self._at_epoch = [cb for cb in plan.callbacks if type(cb).on_epoch_end is not Callback.on_epoch_end]
        self._at_every_epoch = [cb for cb in self._at_epoch if cb is not self.history]  # History: recorded ones
        self._last_epoch = plan.iterations // plan.steps_per_epoch - 1  # the last complete epoch
        self._losses: list[float] = []
        self._correct = self._seen = 0

    @contextlib.contextmanager
    def begun(self) -> Iterator[None]:
        """Every callback that began gets its ``on_train_end``, whatever happens; the first error wins."""
        plan, begun = self.plan, []
        params = {"iterations": plan.iterations, "epochs": plan.iterations // plan.steps_per_epoch,
                  "steps_per_epoch": plan.steps_per_epoch}
        try:
            for cb in plan.callbacks:
                cb.params, cb.model, cb.optimizer = params, self.model, plan.optimizer
                cb.on_train_begin(self.model)
                begun.append(cb)
            yield
        except BaseException:
            _end(begun, self.model, raising=False)
            raise
        _end(begun, self.model, raising=True)

    def iteration_end(self, i: int, value: float, scores: np.ndarray, y: np.ndarray) -> None:
        """Step 6: the callbacks' ``on_iteration_end``; at the end of an epoch, also ``on_epoch_end``."""
        plan = self.plan
        epoch, step = divmod(i, plan.steps_per_epoch)
        recording = (epoch + 1) % plan.validation_every == 0 or epoch == self._last_epoch
        logs = {"loss": value}
        if plan.track_accuracy or recording:
            correct = int(np.count_nonzero(np.argmax(scores, axis=1) == y))
            if plan.track_accuracy:
                logs["accuracy"] = correct / len(y)
        for cb in self._at_iteration:
            cb.on_iteration_end(i, logs)
        if recording:
            self._losses.append(value)
            self._correct, self._seen = self._correct + correct, self._seen + len(y)
        if step + 1 == plan.steps_per_epoch and (recording or self._at_every_epoch):
            self._epoch_end(epoch, recording)

    def _epoch_end(self, epoch: int, recording: bool) -> None:
        logs = {}
        if recording:
            logs = {"loss": math.fsum(self._losses) / len(self._losses), "accuracy": self._correct / self._seen}
            self._losses, self._correct, self._seen = [], 0, 0
            if self.plan.validation is not None:
                logs["val_loss"], logs["val_accuracy"] = self.model.evaluate(*self.plan.validation, self.plan.loss,
                                                                             self.plan.l2)
        for cb in self._at_epoch if recording else self._at_every_epoch:
            cb.on_epoch_end(epoch, logs)

    def warn_if_the_loss_rose(self) -> None:
        """Warn when the last recorded epoch's mean loss is far above the first's (see :class:`DivergenceWarning`)."""
        losses = self.history.train_loss
        if not len(losses):
            return
        first, loss, epoch = losses[0], losses[-1], self.history.epoch[-1]
        if loss > 3 * first and loss > first + 1:
            lr = getattr(self.plan.optimizer, "lr", None)
            hint = f" ({type(self.plan.optimizer).__name__} has lr={lr:g})" if isinstance(lr, float) else ""
            warnings.warn(f"fit: the training loss rose from {first:.4g} (first epoch) to {loss:.4g} "
                          f"(epoch {epoch}); the learning rate may be too large{hint}", DivergenceWarning,
                          stacklevel=4)


def _end(begun: list[Callback], model, *, raising: bool) -> None:
    """``on_train_end`` for every callback in ``begun``; raise the first error if ``raising``."""
    first = None
    for cb in begun:
        try:
            cb.on_train_end(model)
        except Exception as error:  # noqa: BLE001 -- the others still end; the first error is raised
            first = first or error
    if first is not None and raising:
        raise first


class DivergenceGuard:
    """Stops ``fit`` before a step on a NaN or infinite loss or gradient; undoes a step that overflowed.

    Keras watches for NaN with a callback (``TerminateOnNaN``), but callbacks run
    after the optimizer's step, and tinynet stops before it, so the parameters
    keep their last finite values. The guard also copies the parameters before
    each step, to undo a step that turns finite values into infinities.

    It steps the arrays the layers hold: :meth:`follow_replacements` takes
    the new ones after a callback or hook put new arrays in place.
    """

    def __init__(self, model, loss: Loss, optimizer: Optimizer, l2: float) -> None:
        self.model, self.loss, self.optimizer, self.l2 = model, loss, optimizer, l2
        self._layers = [layer for _, layer in model.named_layers() if layer.params]  # fixed while it trains
        self.follow_replacements(force=True)

    def follow_replacements(self, *, force: bool = False) -> None:
        """Step, from now on, the arrays the layers hold (a callback or hook may have replaced some)."""
        held = [p for layer in self._layers for p in layer.params.values()]
        if force or any(map(operator.is_not, held, self.params.values())):
            self.params, self.grads = self.model.parameters(), self.model.gradients()
            weight_grads = [layer.grads[k] for layer in self._layers for k in layer.weight_keys]
            # the arrays as flat views, so that one concatenate copies them all and one vdot checks them all
            self._flat_params = [p.reshape(-1) for p in self.params.values()]
            self._flat_grads = [g.reshape(-1) for g in weight_grads]
            dtype = held[0].dtype if held else np.dtype(float)
            # two flat copies of the parameters, in turn: the one before the last step, and the newest
            self._before, self._newest = (np.empty(sum(p.size for p in held), dtype) for _ in range(2))
            self._grad_buffer = np.empty(sum(g.size for g in weight_grads), dtype)
            self._saved = False  # nothing to undo on the new arrays yet

    def check(self, i: int, value: float) -> None:
        """Raise :class:`TrainingDiverged` if the loss, a gradient or a parameter is not finite; else copy the parameters.

        A non-finite parameter here comes from the last step (undone, and
        reported as iteration ``i - 1``) or from a callback or hook.
        """
        # value + sum(dW**2) is NaN or inf if the loss or any weight-gradient entry is (or their squares
        # overflow); a non-finite bias gradient makes dW non-finite too
        grads = np.concatenate(self._flat_grads, out=self._grad_buffer) if self._flat_grads else self._grad_buffer
        newest = np.concatenate(self._flat_params, out=self._newest) if self._flat_params else self._newest
        stepped_ok = _finite(newest)
        if not (math.isfinite(value + np.vdot(grads, grads)) and stepped_ok):
            self._stop(i, value, undo=self._saved and not stepped_ok)
        self._before, self._newest, self._saved = newest, self._before, True

    def check_parameters(self, i: int, value: float) -> None:
        """After the last iteration ``i``: did its step, or a callback, leave a parameter non-finite?"""
        self.follow_replacements()
        if not all(_finite(p) for p in self._flat_params):
            self._stop(i + 1, value, undo=self._saved)

    def _stop(self, i: int, value: float, *, undo: bool) -> None:
        error = diverged(self.model, i - 1 if undo else i, value, self.loss, self.optimizer, self.l2, undone=undo)
        if undo:  # the step of iteration i - 1 overflowed: put its parameters back (the copy is flat)
            start = 0
            for param in self._flat_params:
                np.copyto(param, self._before[start : start + param.size])
                start += param.size
        raise error


def _finite(a: np.ndarray) -> bool:
    """Whether every entry of ``a`` is finite: one product, and a precise look only when its squares overflow."""
    return math.isfinite(np.vdot(a, a)) or bool(np.isfinite(a).all())


def diverged(model, i: int, value: float, loss: Loss, optimizer: Optimizer, l2: float, *, undone: bool):
    """The error for iteration ``i``, naming where values first went non-finite (it changes nothing)."""
    kept = "No step was taken: the parameters keep their values from before this iteration."
    leaf_layers = leaves(model)
    bad_params = nonfinite(model.parameters())
    bad_outputs = [lay for lay in leaf_layers if lay.output is not None and not np.isfinite(lay.output).all()]
    if undone:
        layer, _, key = bad_params[0].rpartition(".") if bad_params else (None, "", "")
        where = f"{type(optimizer).__name__}'s step made {layer}.{key} non-finite"
        kept = "That step was undone: the parameters are back to their values from before it."
    elif bad_outputs:  # the forward pass
        layer = bad_outputs[0].name
        where = f"the output of {layer} is the first non-finite value"
    elif bad_params:  # not from a step: a callback or hook put it there
        layer = bad_params[0].rpartition(".")[0]
        where = f"the parameter {bad_params[0]} is not finite (a callback or hook put it in place)"
    elif not math.isfinite(value):  # finite scores, non-finite loss
        big = [(lay.name, k) for lay in leaf_layers for k in lay.weight_keys
               if not math.isfinite(0.5 * l2 * float(np.vdot(lay.params[k], lay.params[k])))]
        if l2 and big:
            layer, where = big[0][0], f"the L2 penalty of {big[0][0]}.{big[0][1]} overflowed"
        else:
            layer = leaf_layers[-1].name
            top = float(np.abs(leaf_layers[-1].output).max())
            where = f"the scores ({layer}'s output) reach {top:g}, too large for {loss!r}"
    else:  # the backward pass, last layer first
        layer, where = None, "a gradient is not finite"
        for lay in reversed(leaf_layers):
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


def _validation(model, X, y, validation_data, validation_split, rng):
    """``(X, y, (X_val, y_val) or None)``: the validation data given, or split off ``X, y``."""
    if validation_data is not None and validation_split is not None:
        raise TypeError("fit: give validation_data or validation_split, not both")
    if validation_split is not None:
        split = check_positive(validation_split, "validation_split", "fit")
        if split >= 1:
            raise ValueError(f"fit: validation_split must be a fraction in (0, 1), got {validation_split!r}")
        X, X_val, y, y_val = train_test_split(X, y, test_size=split, rng=rng)
        return X, y, (X_val, y_val)
    if validation_data is None:
        return X, y, None
    try:
        X_val, y_val = validation_data
    except (TypeError, ValueError):
        raise TypeError(f"fit: validation_data must be a pair (X_val, y_val), got {type(validation_data).__name__}"
                        ) from None
    X_val = check_features(X_val, "fit (validation_data)", model.dtype)
    if X_val.shape[1] != X.shape[1]:
        raise ValueError(f"fit: validation_data has {X_val.shape[1]} features, the training data {X.shape[1]}")
    return X, y, (X_val, check_labels(y_val, X_val.shape[0], model.n_out, "fit (validation_data)"))


def _minibatches(X, y, batch_size: int, shuffle: bool, rng, iterations: int) -> Iterable:
    n, done = X.shape[0], 0
    while True:
        order = rng.permutation(n) if shuffle else np.arange(n)
        for start in range(0, n - batch_size + 1, batch_size):
            if done == iterations:
                return
            idx = order[start : start + batch_size]
            yield X[idx], y[idx]
            done += 1
