r"""Optimizers: how parameters move once their gradients are known.

An optimizer's ``step(params, grads)`` walks two dicts with the same keys
(``"dense_0.W"``, ``"dense_0.b"``, ...) and updates each parameter array in
place. State such as momentum is kept per key.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_positive

__all__ = ["Optimizer", "SGD", "Adam"]


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
    r"""Gradient descent, optionally with (heavy-ball) momentum.

    .. math::

        v \leftarrow \mu v - \eta\, g, \qquad \theta \leftarrow \theta + v

    With :math:`\mu = 0` this is plain :math:`\theta \leftarrow \theta - \eta g`.

    Parameters
    ----------
    lr : float
        Step size :math:`\eta > 0`. The notebook uses 0.1.
    momentum : float, default 0.0
        :math:`\mu \in [0, 1)`.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> params, grads = {"w": np.array([1.0])}, {"w": np.array([0.5])}
    >>> tn.SGD(lr=0.1).step(params, grads)
    >>> params["w"]
    array([0.95])
    """

    def __init__(self, lr: float, momentum: float = 0.0) -> None:
        self.lr = check_positive(lr, "lr", "SGD")
        self.momentum = check_positive(momentum, "momentum", "SGD", allow_zero=True)
        if self.momentum >= 1:
            raise ValueError(f"SGD: momentum must be in [0, 1), got {momentum!r}")
        self.velocity: dict[str, np.ndarray] = {}

    def step(self, params, grads):
        for key, param in params.items():
            if self.momentum:
                v = self.velocity.get(key)
                if v is None:
                    v = self.velocity[key] = np.zeros_like(param)
                v *= self.momentum
                v -= self.lr * grads[key]
                param += v
            else:
                param -= self.lr * grads[key]

    def __repr__(self):
        return f"SGD(lr={self.lr:g}, momentum={self.momentum:g})"


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015): per-parameter steps from running moments.

    .. math::

        m \leftarrow \beta_1 m + (1-\beta_1) g, \quad
        v \leftarrow \beta_2 v + (1-\beta_2) g^2, \quad
        \theta \leftarrow \theta - \eta\, \frac{m / (1-\beta_1^t)}{\sqrt{v / (1-\beta_2^t)} + \epsilon}

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
            if key not in self.m:
                self.m[key] = np.zeros_like(param)
                self.v[key] = np.zeros_like(param)
            m, v = self.m[key], self.v[key]
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * g * g
            param -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)

    def __repr__(self):
        return f"Adam(lr={self.lr:g}, beta1={self.beta1:g}, beta2={self.beta2:g}, eps={self.eps:g})"
