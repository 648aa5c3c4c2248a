r"""Optimizers: how parameters move once their gradients are known.

An optimizer's ``step(params, grads)`` walks two dicts with the same keys
(``"dense_0.W"``, ``"dense_0.b"``, ...) and updates each parameter array in
place. State such as momentum is kept per key.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_positive

__all__ = ["Optimizer", "SGD", "RMSProp", "Adam"]


class Optimizer:
    """Base class: ``step(params, grads)`` updates every ``params[k]`` in place.

    Examples
    --------
    Gradient descent that never moves a parameter by more than ``limit``:

    >>> import numpy as np, tinynet as tn
    >>> class ClippedSGD(tn.Optimizer):
    ...     def __init__(self, lr, limit):
    ...         self.lr, self.limit = lr, limit
    ...     def step(self, params, grads):
    ...         for key, param in params.items():
    ...             param -= np.clip(self.lr * grads[key], -self.limit, self.limit)
    >>> params, grads = {"w": np.array([1.0, 1.0])}, {"w": np.array([0.5, 50.0])}
    >>> ClippedSGD(lr=0.1, limit=1.0).step(params, grads)
    >>> params["w"]
    array([0.95, 0.  ])
    """

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Update every ``params[key]`` in place from ``grads[key]``.

        Parameters
        ----------
        params : dict of str to ndarray
            The parameters, keyed like ``"dense_0.W"`` (:meth:`tinynet.Sequential.parameters`).
        grads : dict of str to ndarray
            Their gradients, with the same keys and shapes.
        """
        raise NotImplementedError


class SGD(Optimizer):
    r"""Gradient descent, optionally with momentum or Nesterov momentum (``torch.optim.SGD``'s update).

    With :math:`\mu = 0` this is plain :math:`\theta \leftarrow \theta - \eta g`.
    With momentum, a velocity :math:`v` (0 before the first step) accumulates
    the gradients:

    .. math::

        v \leftarrow \mu v + g, \qquad
        d = \begin{cases} g + \mu v & \text{Nesterov} \\ v & \text{otherwise} \end{cases}, \qquad
        \theta \leftarrow \theta - \eta\, d

    This is PyTorch's form (the learning rate multiplies the velocity when it
    is used, not when it is stored), so a learning-rate schedule acts at once,
    and a learner can check tinynet against ``torch.optim.SGD`` step by step.

    Parameters
    ----------
    lr : float
        Step size :math:`\eta > 0`. The notebook uses 0.1.
    momentum : float, default 0.0
        :math:`\mu \in [0, 1)`.
    nesterov : bool, default False
        Nesterov's momentum: look ahead along the velocity (needs ``momentum`` > 0).

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> params, grads = {"w": np.array([1.0])}, {"w": np.array([0.5])}
    >>> tn.SGD(lr=0.1).step(params, grads)
    >>> params["w"]
    array([0.95])
    >>> sgd = tn.SGD(lr=0.1, momentum=0.9, nesterov=True)
    >>> sgd.step(params, grads)  # v = 0.5, d = 0.5 + 0.9 * 0.5
    >>> params["w"]
    array([0.855])
    """

    def __init__(self, lr: float, momentum: float = 0.0, nesterov: bool = False) -> None:
        self.lr = check_positive(lr, "lr", "SGD")
        self.momentum = check_positive(momentum, "momentum", "SGD", allow_zero=True)
        if self.momentum >= 1:
            raise ValueError(f"SGD: momentum must be in [0, 1), got {momentum!r}")
        if nesterov and not self.momentum:
            raise ValueError("SGD: nesterov=True needs momentum > 0 (Nesterov's look-ahead is along the velocity)")
        self.nesterov = bool(nesterov)
        self.velocity: dict[str, np.ndarray] = {}

    def step(self, params, grads):
        for key, param in params.items():
            g = grads[key]
            if self.momentum:
                v = _state(self.velocity, key, param)
                v *= self.momentum
                v += g                                               # v <- mu v + g
                g = g + self.momentum * v if self.nesterov else v    # d
            param -= self.lr * g                                     # theta <- theta - lr d

    def __repr__(self):
        nesterov = ", nesterov=True" if self.nesterov else ""
        return f"SGD(lr={self.lr:g}, momentum={self.momentum:g}{nesterov})"


class RMSProp(Optimizer):
    r"""RMSProp (Tieleman & Hinton, 2012): divide each step by a running root mean square of the gradients.

    .. math::

        v \leftarrow \alpha v + (1 - \alpha) g^2, \qquad
        \theta \leftarrow \theta - \eta\, \frac{g}{\sqrt{v} + \epsilon}

    with :math:`v` 0 before the first step: ``torch.optim.RMSprop``'s update
    (without its centred and momentum variants).

    Parameters
    ----------
    lr : float, default 0.01
    alpha : float, default 0.99
        Decay of the running mean of :math:`g^2`, in :math:`[0, 1)`.
    eps : float, default 1e-8

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> params, grads = {"w": np.array([1.0])}, {"w": np.array([0.5])}
    >>> tn.RMSProp(lr=0.01).step(params, grads)  # v = 0.01 * 0.25: a step of 0.01 / sqrt(0.01)
    >>> params["w"].round(6)
    array([0.9])
    """

    def __init__(self, lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8) -> None:
        self.lr = check_positive(lr, "lr", "RMSProp")
        self.alpha = check_positive(alpha, "alpha", "RMSProp", allow_zero=True)
        if self.alpha >= 1:
            raise ValueError(f"RMSProp: alpha must be in [0, 1), got {alpha!r}")
        self.eps = check_positive(eps, "eps", "RMSProp")
        self.v: dict[str, np.ndarray] = {}

    def step(self, params, grads):
        for key, param in params.items():
            g = grads[key]
            v = _state(self.v, key, param)
            v *= self.alpha
            v += (1.0 - self.alpha) * g * g                          # v <- alpha v + (1 - alpha) g^2
            param -= self.lr * g / (np.sqrt(v) + self.eps)           # theta <- theta - lr g / (sqrt(v) + eps)

    def __repr__(self):
        return f"RMSProp(lr={self.lr:g}, alpha={self.alpha:g}, eps={self.eps:g})"


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015): per-parameter steps from running moments (``torch.optim.Adam``'s update).

    .. math::

        m \leftarrow \beta_1 m + (1-\beta_1) g, \quad
        v \leftarrow \beta_2 v + (1-\beta_2) g^2, \quad
        \theta \leftarrow \theta - \frac{\eta}{1-\beta_1^t}\, \frac{m}{\sqrt{v} / \sqrt{1-\beta_2^t} + \epsilon}

    with :math:`m` and :math:`v` 0 before the first step :math:`t = 1`.

    Parameters
    ----------
    lr : float, default 1e-3
    beta1, beta2 : float, default 0.9, 0.999
    eps : float, default 1e-8

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> params, grads = {"w": np.array([1.0])}, {"w": np.array([0.5])}
    >>> tn.Adam(lr=0.1).step(params, grads)  # the first step has length lr
    >>> params["w"].round(6)
    array([0.9])
    """

    def __init__(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
        self.lr = check_positive(lr, "lr", "Adam")
        self.beta1 = check_positive(beta1, "beta1", "Adam", allow_zero=True)
        self.beta2 = check_positive(beta2, "beta2", "Adam", allow_zero=True)
        self.eps = check_positive(eps, "eps", "Adam")
        if self.beta1 >= 1 or self.beta2 >= 1:
            raise ValueError(f"Adam: beta1 and beta2 must be in [0, 1), got {beta1!r}, {beta2!r}")
        self.t = 0
        self.m: dict[str, np.ndarray] = {}
        self.v: dict[str, np.ndarray] = {}

    def step(self, params, grads):
        self.t += 1
        c1 = 1.0 - self.beta1**self.t
        c2 = 1.0 - self.beta2**self.t
        for key, param in params.items():
            g = grads[key]
            m, v = _state(self.m, key, param), _state(self.v, key, param)
            m *= self.beta1
            m += (1.0 - self.beta1) * g                              # m <- beta1 m + (1 - beta1) g
            v *= self.beta2
            v += (1.0 - self.beta2) * g * g                          # v <- beta2 v + (1 - beta2) g^2
            param -= (self.lr / c1) * m / (np.sqrt(v) / np.sqrt(c2) + self.eps)

    def __repr__(self):
        return f"Adam(lr={self.lr:g}, beta1={self.beta1:g}, beta2={self.beta2:g}, eps={self.eps:g})"


def _state(store: dict[str, np.ndarray], key: str, param: np.ndarray) -> np.ndarray:
    """``store[key]``, zeros shaped like ``param`` the first time."""
    value = store.get(key)
    if value is None:
        value = store[key] = np.zeros_like(param)
    return value
