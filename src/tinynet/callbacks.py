"""Callbacks: code that runs at fixed moments of training.

``fit`` calls each callback at four moments: ``on_train_begin(model)``;
``on_iteration_end(i, logs)`` after every optimizer step (``logs`` holds the
iteration's ``"loss"`` and, when tracked, ``"accuracy"``); at the end of an
epoch, ``on_epoch_end(epoch, logs)`` (``logs`` holds the epoch's mean
``"loss"`` and ``"accuracy"`` and, with validation data, ``"val_loss"`` and
``"val_accuracy"``, at the epochs where they are computed); and
``on_train_end(model)``. Before ``on_train_begin``, ``fit`` sets
``callback.model``, ``callback.optimizer`` and ``callback.params`` (a dict
with ``"iterations"``, ``"epochs"`` and ``"steps_per_epoch"``). A callback
may end training by setting ``callback.model.stop_training = True``.

Callbacks that look *inside* backpropagation are in :mod:`tinynet.recorders`;
learning-rate schedules in :mod:`tinynet.schedules`.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

from ._validation import check_choice, check_int, check_positive, require

__all__ = ["Callback", "History", "PrintLoss", "ProgressBar", "EarlyStopping", "ModelCheckpoint"]


class Callback:
    """Base class; override any of the four methods. Each does nothing by default.

    Attributes
    ----------
    model : Sequential or None
        Set by ``fit`` before ``on_train_begin``: the model being trained.
    optimizer : Optimizer or None
        Set by ``fit`` before ``on_train_begin``: the optimizer stepping it
        (a schedule changes its ``lr``).
    params : mapping
        Set by ``fit`` before ``on_train_begin``:
        ``{"iterations": n, "epochs": e, "steps_per_epoch": s}``.

    Examples
    --------
    Stop-watch for the loss: remember the first iteration at which it fell
    below a threshold, and stop training there.

    >>> import tinynet as tn
    >>> class FirstBelow(tn.Callback):
    ...     def __init__(self, threshold):
    ...         self.threshold, self.iteration = threshold, None
    ...     def on_iteration_end(self, i, logs):
    ...         if logs["loss"] < self.threshold:
    ...             self.iteration = i
    ...             self.model.stop_training = True
    >>> X, y = tn.datasets.spiral(n_per_class=20, rng=0)
    >>> model = tn.Sequential(tn.Dense(2, 16, rng=0), tn.ReLU(), tn.Dense(16, 3, rng=0))
    >>> watch = FirstBelow(0.9)
    >>> history = model.fit(X, y, optimizer=tn.SGD(lr=0.5), iterations=200, callbacks=[watch])
    >>> len(history.loss) == watch.iteration + 1
    True
    """

    model = None
    optimizer = None
    params: Mapping = MappingProxyType({})  # fit replaces it

    def on_train_begin(self, model) -> None:
        """Called once, before the first iteration."""

    def on_iteration_end(self, i: int, logs: dict) -> None:
        """Called after iteration ``i`` (0-based) with ``logs["loss"]``."""

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        """Called after epoch ``epoch`` (0-based) with the epoch's means and validation, when computed."""

    def on_train_end(self, model) -> None:
        """Called once, after the last iteration (also when training stops with an error)."""


class History(Callback):
    """What ``fit`` returns: the loss at every iteration, and the epochs' training and validation results.

    Attributes
    ----------
    loss : ndarray, shape (iterations,)
        Data loss plus the L2 penalty at every iteration, as printed by :class:`PrintLoss`.
    accuracy : ndarray, shape (iterations,), or None
        Training-batch accuracy before each step, when ``fit(track_accuracy=True)``.
    lr : ndarray, shape (iterations,)
        The optimizer's learning rate at each step (NaN for an optimizer without ``lr``).
    epoch : ndarray of int
        The epochs whose results were recorded (``fit``'s ``validation_every``).
    train_loss, train_accuracy : ndarray
        At those epochs: the mean loss and accuracy over the epoch's batches,
        as the model was while it trained on each (Keras reports the same).
    val_loss, val_accuracy : ndarray or None
        At those epochs, with validation data: the loss (data + L2) and the
        accuracy on it, in evaluation mode, at the epoch's end.

    Examples
    --------
    >>> import tinynet as tn
    >>> X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    >>> model = tn.Sequential(tn.Dense(2, 3, rng=0))
    >>> history = model.fit(X, y, optimizer=tn.SGD(lr=0.1), iterations=5)
    >>> history.loss.shape, history.epoch
    ((5,), array([0, 1, 2, 3, 4]))
    """

    def __init__(self, track_accuracy: bool = False) -> None:
        self.track_accuracy = track_accuracy
        self._loss: list[float] = []
        self._accuracy: list[float] = []
        self._lr: list[float] = []
        self._epochs: dict[str, list] = {"epoch": [], "loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}

    def on_iteration_end(self, i, logs):
        self._loss.append(logs["loss"])
        self._lr.append(float(getattr(self.optimizer, "lr", math.nan)))
        if self.track_accuracy:
            self._accuracy.append(logs["accuracy"])

    def on_epoch_end(self, epoch, logs):  # fit calls it only for the epochs it records (``validation_every``)
        self._epochs["epoch"].append(epoch)
        for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
            if key in logs:
                self._epochs[key].append(logs[key])

    @property
    def loss(self) -> np.ndarray:
        """The loss at every iteration so far, shape ``(iterations,)`` (a new array)."""
        return np.array(self._loss)

    @property
    def accuracy(self) -> np.ndarray | None:
        """The training-batch accuracy at every iteration, or None when not tracked."""
        return np.array(self._accuracy) if self.track_accuracy else None

    @property
    def lr(self) -> np.ndarray:
        """The learning rate of every step so far."""
        return np.array(self._lr)

    @property
    def epoch(self) -> np.ndarray:
        """The epochs whose results were recorded."""
        return np.array(self._epochs["epoch"], dtype=np.intp)

    @property
    def train_loss(self) -> np.ndarray:
        """Mean training loss of each recorded epoch."""
        return np.array(self._epochs["loss"])

    @property
    def train_accuracy(self) -> np.ndarray:
        """Mean training-batch accuracy of each recorded epoch."""
        return np.array(self._epochs["accuracy"])

    @property
    def val_loss(self) -> np.ndarray | None:
        """Validation loss at each recorded epoch, or None without validation data."""
        return np.array(self._epochs["val_loss"]) if self._epochs["val_loss"] else None

    @property
    def val_accuracy(self) -> np.ndarray | None:
        """Validation accuracy at each recorded epoch, or None without validation data."""
        return np.array(self._epochs["val_accuracy"]) if self._epochs["val_accuracy"] else None

    def __repr__(self):
        last = f", final loss {self._loss[-1]:.6f}" if self._loss else ""
        val = f", final val_loss {self._epochs['val_loss'][-1]:.6f}" if self._epochs["val_loss"] else ""
        return f"History({len(self._loss)} iterations{last}{val})"


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
    """A progress bar over iterations, showing the latest loss and validation results.

    Needs the optional ``progress`` extra (``pip install "tinynet-learn[progress]"``).
    It uses ``tqdm.auto``: a widget in Jupyter, text on stderr in a terminal
    (silent when stderr is not a terminal).

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
        self._shown: dict[str, str] = {}

    def on_train_begin(self, model):
        tqdm = require("tqdm.auto", "progress", "ProgressBar").tqdm
        self._bar = tqdm(total=self.params.get("iterations"), desc=self.desc, disable=None, unit="it")
        self._shown = {}

    def on_iteration_end(self, i, logs):
        if (i + 1) % self.update_every == 0:
            self._shown["loss"] = f"{logs['loss']:.4f}"
            self._bar.update(i + 1 - self._bar.n)
            self._bar.set_postfix(self._shown, refresh=False)

    def on_epoch_end(self, epoch, logs):
        for key in ("val_loss", "val_accuracy"):
            if key in logs:
                self._shown[key] = f"{logs[key]:.4f}"

    def on_train_end(self, model):
        if self._bar is None:
            return
        losses = model.history.loss
        self._bar.update(len(losses) - self._bar.n)  # the iterations since the last redraw
        if len(losses):
            self._shown["loss"] = f"{losses[-1]:.4f}"  # the last iteration's, not the last redraw's
        self._bar.set_postfix(self._shown, refresh=False)
        self._bar.close()
        self._bar = None


def _watched(monitor: str) -> tuple[str, float]:
    """The checked name of an epoch result to watch, and the sign that makes bigger ``sign * value`` better."""
    monitor = check_choice(monitor, ("val_loss", "val_accuracy", "loss", "accuracy"), "monitor")
    return monitor, -1.0 if monitor.endswith("loss") else 1.0


def _better(value: float, best: float | None, sign: float, by: float = 0.0) -> bool:
    """Whether ``value`` beats ``best`` by more than ``by`` (anything beats no best yet)."""
    return best is None or sign * (value - best) > by


class EarlyStopping(Callback):
    """Stop training when a monitored result has stopped improving; optionally restore the best parameters.

    It looks at ``logs[monitor]`` at the end of every epoch that has it (with
    ``fit``'s ``validation_every``, the epochs where validation ran).

    Parameters
    ----------
    monitor : {"val_loss", "val_accuracy", "loss", "accuracy"}, default "val_loss"
        What to watch (``"loss"`` and ``"accuracy"``: the epoch's training means).
        Losses improve downwards, accuracies upwards.
    patience : int, default 5
        Training stops at the ``patience``-th result in a row that does not
        improve on the best (0 and 1: at the first), as in Keras.
    min_delta : float, default 0.0
        How much a result must beat the best so far to count as an improvement.
    restore_best : bool, default True
        When training ends, put back the parameters and buffers of the best
        epoch (copied when it happened).

    Attributes
    ----------
    best : float or None
        The best result seen.
    best_epoch : int or None
        The epoch it came from.
    stopped_epoch : int or None
        The epoch at which training was stopped (None if it ran to the end).

    Examples
    --------
    >>> import tinynet as tn
    >>> X, y = tn.datasets.spiral(n_per_class=30, rng=0)
    >>> model = tn.Sequential(tn.Dense(2, 32, rng=0), tn.ReLU(), tn.Dense(32, 3, rng=1))
    >>> stop = tn.EarlyStopping(patience=3)
    >>> history = model.fit(X, y, epochs=500, batch_size=30, optimizer=tn.SGD(lr=0.5), rng=0,
    ...                     validation_split=0.3, callbacks=[stop])
    >>> stop.stopped_epoch is not None and len(history.epoch) < 500
    True
    >>> float(history.val_loss[stop.best_epoch]) == stop.best
    True
    """

    def __init__(self, monitor: str = "val_loss", patience: int = 5, min_delta: float = 0.0,
                 restore_best: bool = True) -> None:
        self.monitor, self._sign = _watched(monitor)
        self.patience = check_int(patience, "patience", "EarlyStopping", minimum=0)
        self.min_delta = check_positive(min_delta, "min_delta", "EarlyStopping", allow_zero=True)
        self.restore_best = bool(restore_best)

    def on_train_begin(self, model):
        self.best, self.best_epoch, self.stopped_epoch = None, None, None
        self._waited, self._best_state = 0, None

    def on_epoch_end(self, epoch, logs):
        if self.monitor not in logs:
            return
        value = float(logs[self.monitor])
        if _better(value, self.best, self._sign, by=self.min_delta):
            self.best, self.best_epoch, self._waited = value, epoch, 0
            if self.restore_best:
                self._best_state = _state(self.model)
        else:
            self._waited += 1
            if self._waited >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True

    def on_train_end(self, model):
        if self.restore_best and self._best_state is not None:
            for (layer, store, key), value in self._best_state.items():
                np.copyto(getattr(layer, store)[key], value)

    def __repr__(self):
        return (f"EarlyStopping(monitor={self.monitor!r}, patience={self.patience}, min_delta={self.min_delta:g}, "
                f"restore_best={self.restore_best})")


def _state(model) -> dict:
    """Copies of every parameter and buffer of ``model``, keyed by (layer, "params"/"buffers", key)."""
    return {(layer, store, key): value.copy() for _, layer in model.named_layers()
            for store in ("params", "buffers") for key, value in getattr(layer, store).items()}


class ModelCheckpoint(Callback):
    """Save the model whenever a monitored result improves (with ``model.save``: atomic, never half-written).

    Parameters
    ----------
    path : str or path-like
        The file to write (``.npz``); each improvement replaces it.
    monitor : {"val_loss", "val_accuracy", "loss", "accuracy"}, default "val_loss"
        As for :class:`EarlyStopping`.

    Attributes
    ----------
    best : float or None
        The best result seen, the one the file holds.
    best_epoch : int or None

    Examples
    --------
    >>> import os, tempfile
    >>> import tinynet as tn
    >>> X, y = tn.datasets.spiral(n_per_class=20, rng=0)
    >>> model = tn.Sequential(tn.Dense(2, 16, rng=0), tn.ReLU(), tn.Dense(16, 3, rng=1))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     best = tn.ModelCheckpoint(os.path.join(tmp, "best.npz"))
    ...     _ = model.fit(X, y, epochs=20, batch_size=20, rng=0, validation_split=0.25, callbacks=[best])
    ...     saved = tn.load(os.path.join(tmp, "best.npz"))
    >>> saved.summary() == model.summary()
    True
    """

    def __init__(self, path: str | os.PathLike, monitor: str = "val_loss") -> None:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"ModelCheckpoint: path must be a str or os.PathLike, got {path!r}")
        self.path = os.fspath(path)
        self.monitor, self._sign = _watched(monitor)

    def on_train_begin(self, model):
        folder = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(folder):
            raise FileNotFoundError(f"ModelCheckpoint: the folder {folder!r} does not exist; create it first")
        self.best, self.best_epoch = None, None

    def on_epoch_end(self, epoch, logs):
        if self.monitor not in logs:
            return
        value = float(logs[self.monitor])
        if _better(value, self.best, self._sign):
            self.best, self.best_epoch = value, epoch
            self.model.save(self.path)

    def __repr__(self):
        return f"ModelCheckpoint({self.path!r}, monitor={self.monitor!r})"
