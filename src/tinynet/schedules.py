r"""Learning-rate schedules: callbacks that change the optimizer's ``lr`` as training goes on.

A schedule is a :class:`~tinynet.Callback`, as in Keras: put it in ``fit``'s
``callbacks`` and it sets ``optimizer.lr`` before the first step and after
every epoch (``per="epoch"``) or every iteration (``per="iteration"``), from
the learning rate the optimizer had when training began, :math:`\eta_0`. It
works with any optimizer that has an ``lr`` (``SGD``, ``RMSProp``, ``Adam``,
your own). ``history.lr`` shows the rate each step used.

To write your own, subclass :class:`LearningRateSchedule` and write
``lr_at(t, lr0)``.
"""

from __future__ import annotations

import math

from ._validation import check_choice, check_int, check_positive
from .callbacks import Callback

__all__ = ["LearningRateSchedule", "StepDecay", "ExponentialDecay", "CosineDecay"]


class LearningRateSchedule(Callback):
    r"""Base class: set ``optimizer.lr`` to ``lr_at(t, lr0)`` at every epoch (or iteration) ``t``.

    ``t`` counts on across several ``fit`` calls, like a PyTorch scheduler;
    :math:`\eta_0` (``lr0``) is the optimizer's ``lr`` when the first of them began.

    Parameters
    ----------
    per : {"epoch", "iteration"}, default "epoch"
        What ``t`` counts.

    Examples
    --------
    A rate that halves every 10 epochs and never goes below 1e-3:

    >>> import tinynet as tn
    >>> class Halving(tn.LearningRateSchedule):
    ...     def lr_at(self, t, lr0):
    ...         return max(lr0 * 0.5 ** (t // 10), 1e-3)
    >>> X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    >>> model = tn.Sequential(tn.Dense(2, 3, rng=0))
    >>> history = model.fit(X, y, optimizer=tn.SGD(lr=0.1), epochs=30, callbacks=[Halving()])
    >>> history.lr[[0, 10, 20, 29]]
    array([0.1  , 0.05 , 0.025, 0.025])
    """

    def __init__(self, per: str = "epoch") -> None:
        self.per = check_choice(per, ("epoch", "iteration"), "schedule unit (per)")
        self.t = 0
        self.lr0: float | None = None

    def lr_at(self, t: int, lr0: float) -> float:
        """The learning rate for epoch (or iteration) ``t``.

        Parameters
        ----------
        t : int
            0 for the first epoch (or iteration).
        lr0 : float
            The optimizer's learning rate when training began.

        Returns
        -------
        float
        """
        raise NotImplementedError(f"{type(self).__name__} must define lr_at(t, lr0)")

    def on_train_begin(self, model):
        if not isinstance(getattr(self.optimizer, "lr", None), float):
            raise TypeError(f"{type(self).__name__}: the optimizer {self.optimizer!r} has no learning rate (lr) to set")
        if self.lr0 is None:
            self.lr0 = self.optimizer.lr
        self._set()

    def on_iteration_end(self, i, logs):
        if self.per == "iteration":
            self.t += 1
            self._set()

    def on_epoch_end(self, epoch, logs):
        if self.per == "epoch":
            self.t += 1
            self._set()

    def _set(self) -> None:
        self.optimizer.lr = float(self.lr_at(self.t, self.lr0))

    def __repr__(self):
        return f"{type(self).__name__}(per={self.per!r})"


class StepDecay(LearningRateSchedule):
    r"""Multiply the rate by ``gamma`` every ``step_size`` epochs: :math:`\eta_t = \eta_0\, \gamma^{\lfloor t / s \rfloor}`.

    ``torch.optim.lr_scheduler.StepLR``.

    Parameters
    ----------
    step_size : int
        :math:`s`, epochs (or iterations) between two drops.
    gamma : float, default 0.1
    per : {"epoch", "iteration"}, default "epoch"

    Examples
    --------
    >>> import tinynet as tn
    >>> [tn.StepDecay(step_size=2, gamma=0.5).lr_at(t, 1.0) for t in range(5)]
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    def __init__(self, step_size: int, gamma: float = 0.1, per: str = "epoch") -> None:
        super().__init__(per)
        self.step_size = check_int(step_size, "step_size", "StepDecay")
        self.gamma = check_positive(gamma, "gamma", "StepDecay")

    def lr_at(self, t, lr0):
        return lr0 * self.gamma ** (t // self.step_size)

    def __repr__(self):
        return f"StepDecay(step_size={self.step_size}, gamma={self.gamma:g}, per={self.per!r})"


class ExponentialDecay(LearningRateSchedule):
    r"""Multiply the rate by ``gamma`` every epoch: :math:`\eta_t = \eta_0\, \gamma^t`.

    ``torch.optim.lr_scheduler.ExponentialLR``.

    Parameters
    ----------
    gamma : float
        Between 0 and 1 for a decaying rate.
    per : {"epoch", "iteration"}, default "epoch"

    Examples
    --------
    >>> import tinynet as tn
    >>> [round(tn.ExponentialDecay(0.9).lr_at(t, 1.0), 3) for t in range(3)]
    [1.0, 0.9, 0.81]
    """

    def __init__(self, gamma: float, per: str = "epoch") -> None:
        super().__init__(per)
        self.gamma = check_positive(gamma, "gamma", "ExponentialDecay")

    def lr_at(self, t, lr0):
        return lr0 * self.gamma**t

    def __repr__(self):
        return f"ExponentialDecay(gamma={self.gamma:g}, per={self.per!r})"


class CosineDecay(LearningRateSchedule):
    r"""Half a cosine from :math:`\eta_0` down to ``min_lr`` over ``period`` epochs, then ``min_lr``.

    .. math::

        \eta_t = \eta_{min} + \tfrac12 (\eta_0 - \eta_{min}) \Big(1 + \cos\frac{\pi \min(t, T)}{T}\Big)

    ``torch.optim.lr_scheduler.CosineAnnealingLR`` for :math:`t \le T` (Loshchilov & Hutter, 2017).

    Parameters
    ----------
    period : int
        :math:`T`, in epochs (or iterations).
    min_lr : float, default 0.0
    per : {"epoch", "iteration"}, default "epoch"

    Examples
    --------
    >>> import tinynet as tn
    >>> [round(tn.CosineDecay(period=4).lr_at(t, 1.0), 4) for t in range(6)]
    [1.0, 0.8536, 0.5, 0.1464, 0.0, 0.0]
    """

    def __init__(self, period: int, min_lr: float = 0.0, per: str = "epoch") -> None:
        super().__init__(per)
        self.period = check_int(period, "period", "CosineDecay")
        self.min_lr = check_positive(min_lr, "min_lr", "CosineDecay", allow_zero=True)

    def lr_at(self, t, lr0):
        return self.min_lr + 0.5 * (lr0 - self.min_lr) * (1 + math.cos(math.pi * min(t, self.period) / self.period))

    def __repr__(self):
        return f"CosineDecay(period={self.period}, min_lr={self.min_lr:g}, per={self.per!r})"
