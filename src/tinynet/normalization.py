r"""Normalisation layers: re-centre and re-scale what flows between layers.

A sigmoid unit learns slowly when its input sits far out on either flat end.
A normalisation layer placed before the activation shifts each feature to
mean 0 and variance 1, then lets the net choose a scale and shift of its own
(:math:`\gamma`, :math:`\beta`). :class:`BatchNorm` (Ioffe & Szegedy, 2015)
normalises each feature over the batch, and so behaves differently in training
(the batch's statistics) and evaluation (running averages kept in
``buffers``); :class:`LayerNorm` (Ba et al., 2016) normalises each sample over
its features, the same in both modes.

Both follow PyTorch (``torch.nn.BatchNorm1d``, ``torch.nn.LayerNorm``) and are
checked against it. Their :math:`\gamma` and :math:`\beta` are parameters but
not *weights*: ``fit``'s L2 penalty leaves them alone (as is common practice)
and :class:`~tinynet.GradientRecorder` does not record them.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_int, check_positive
from .layers import Layer

__all__ = ["BatchNorm", "LayerNorm"]


def _affine_params(layer: Layer, n: int) -> None:
    layer.params = {"gamma": np.ones(n), "beta": np.zeros(n)}
    layer.grads = {"gamma": np.zeros(n), "beta": np.zeros(n)}


def _affine_grads(layer: Layer, grad_out: np.ndarray) -> None:
    """The gradients of ``gamma * x_hat + beta``: the batch sums of ``grad_out * x_hat`` and of ``grad_out``."""
    layer.grads["gamma"][:] = np.sum(grad_out * layer.x_hat, axis=0)
    layer.grads["beta"][:] = np.sum(grad_out, axis=0)


class BatchNorm(Layer):
    r"""Batch normalisation: each feature shifted and scaled to mean 0, variance 1 over the batch, then :math:`\gamma \hat x + \beta`.

    Parameters
    ----------
    n_features : int
        Features (columns) of the input, :math:`C`.
    momentum : float, default 0.1
        Weight of the newest batch in the running averages (PyTorch's
        convention: ``running = (1 - momentum) * running + momentum * batch``).
    eps : float, default 1e-5
        Added to the variance before the square root.

    Attributes
    ----------
    params : dict
        ``gamma`` (ones) and ``beta`` (zeros), shape ``(C,)``.
    buffers : dict
        ``running_mean`` (zeros) and ``running_var`` (ones), shape ``(C,)``,
        updated at every forward pass in training mode and used in evaluation mode.

    Notes
    -----
    Shapes: ``x``, ``out``, ``grad_out`` and ``grad_in`` are ``(N, C)``. In
    **training mode**, with the batch's mean and (biased) variance per feature,

    .. math::

        \mu = \frac1N \sum_n x_n, \quad
        \sigma^2 = \frac1N \sum_n (x_n - \mu)^2, \quad
        \hat x_n = \frac{x_n - \mu}{\sqrt{\sigma^2 + \epsilon}}, \quad
        \text{out}_n = \gamma \odot \hat x_n + \beta ,

    and the running averages move towards :math:`\mu` and the *unbiased*
    variance :math:`\tfrac{N}{N-1}\sigma^2`. With :math:`G = \partial L / \partial\,\text{out}`,
    the gradient flows to :math:`x` along three paths (directly, and through
    :math:`\mu` and :math:`\sigma^2`, which depend on every sample), which add up to

    .. math::

        \frac{\partial L}{\partial \gamma} = \sum_n G_n \odot \hat x_n, \qquad
        \frac{\partial L}{\partial \beta} = \sum_n G_n, \qquad
        \frac{\partial L}{\partial x_n} = \frac{\gamma}{N\sqrt{\sigma^2 + \epsilon}} \odot
        \Big(N G_n - \sum_m G_m - \hat x_n \odot \sum_m G_m \odot \hat x_m\Big).

    In **evaluation mode** :math:`\mu` and :math:`\sigma^2` are the running
    averages, constants: :math:`\partial L / \partial x_n = \gamma \odot G_n / \sqrt{\sigma^2 + \epsilon}`.

    A batch of one sample has no variance to normalise by: in training mode it
    is refused.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> layer = tn.BatchNorm(2)
    >>> x = np.array([[1.0, 10.0], [3.0, 30.0]])
    >>> layer(x).round(4)
    array([[-1., -1.],
           [ 1.,  1.]])
    >>> layer.buffers["running_mean"], layer.buffers["running_var"]
    (array([0.2, 2. ]), array([  1.1, 20.9]))
    >>> bool(tn.gradcheck(layer, x + np.array([[0.5, -4.0], [0.0, 2.0]])))
    True
    """

    def __init__(self, n_features: int, momentum: float = 0.1, eps: float = 1e-5) -> None:
        super().__init__()
        self.n_features = self.n_in = self.n_out = check_int(n_features, "n_features", "BatchNorm")
        self.momentum = check_positive(momentum, "momentum", "BatchNorm", allow_zero=True)
        if self.momentum > 1:
            raise ValueError(f"BatchNorm: momentum must be in [0, 1], got {momentum!r}")
        self.eps = check_positive(eps, "eps", "BatchNorm")
        _affine_params(self, self.n_features)
        self.buffers = {"running_mean": np.zeros(self.n_features), "running_var": np.ones(self.n_features)}
        self.x_hat: np.ndarray | None = None
        self.inv_std: np.ndarray | None = None

    def forward(self, x):
        self._check_width(x)
        if self.training:
            n = x.shape[0]
            if n < 2:
                raise ValueError(f"{self.name}: a batch of {n} sample in training mode has no variance to "
                                 "normalise by; train on batches of 2 or more, or call model.eval() first")
            mean = x.mean(axis=0)
            var = x.var(axis=0)  # biased, 1/N: what normalises
            m = self.momentum
            self.buffers["running_mean"] = (1 - m) * self.buffers["running_mean"] + m * mean
            self.buffers["running_var"] = (1 - m) * self.buffers["running_var"] + m * var * (n / (n - 1))
        else:
            mean, var = self.buffers["running_mean"], self.buffers["running_var"]
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        self.x_hat = (x - mean) * self.inv_std
        return self.params["gamma"] * self.x_hat + self.params["beta"]

    def backward(self, grad_out):
        self._check_grad_out(grad_out)
        _affine_grads(self, grad_out)
        scaled = grad_out * (self.params["gamma"] * self.inv_std)
        if not self.training:
            return scaled
        n = grad_out.shape[0]
        return scaled - (np.sum(scaled, axis=0) + self.x_hat * np.sum(scaled * self.x_hat, axis=0)) / n

    def __repr__(self):
        return f"BatchNorm({self.n_features}, momentum={self.momentum:g}, eps={self.eps:g})"


class LayerNorm(Layer):
    r"""Layer normalisation: each sample shifted and scaled to mean 0, variance 1 over its features, then :math:`\gamma \hat x + \beta`.

    Parameters
    ----------
    n_features : int
        Features (columns) of the input, :math:`C`.
    eps : float, default 1e-5
        Added to the variance before the square root.

    Attributes
    ----------
    params : dict
        ``gamma`` (ones) and ``beta`` (zeros), shape ``(C,)``.

    Notes
    -----
    Shapes: ``x``, ``out``, ``grad_out`` and ``grad_in`` are ``(N, C)``. Per
    sample :math:`n`, over its :math:`C` features (the same in both modes),

    .. math::

        \mu_n = \frac1C \sum_c x_{nc}, \quad
        \sigma_n^2 = \frac1C \sum_c (x_{nc} - \mu_n)^2, \quad
        \hat x_{nc} = \frac{x_{nc} - \mu_n}{\sqrt{\sigma_n^2 + \epsilon}}, \quad
        \text{out}_{nc} = \gamma_c \hat x_{nc} + \beta_c .

    With :math:`G = \partial L / \partial\,\text{out}` and :math:`D = G \odot \gamma`
    (the gradient with respect to :math:`\hat x`),

    .. math::

        \frac{\partial L}{\partial \gamma} = \sum_n G_n \odot \hat x_n, \qquad
        \frac{\partial L}{\partial \beta} = \sum_n G_n, \qquad
        \frac{\partial L}{\partial x_{nc}} = \frac{1}{C\sqrt{\sigma_n^2 + \epsilon}}
        \Big(C D_{nc} - \sum_{c'} D_{nc'} - \hat x_{nc} \sum_{c'} D_{nc'} \hat x_{nc'}\Big).

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> layer = tn.LayerNorm(3)
    >>> layer(np.array([[1.0, 2.0, 3.0]])).round(4)
    array([[-1.2247,  0.    ,  1.2247]])
    >>> bool(tn.gradcheck(layer, np.array([[1.0, 2.0, 4.0], [0.5, -1.0, 0.0]])))
    True
    """

    def __init__(self, n_features: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.n_features = self.n_in = self.n_out = check_int(n_features, "n_features", "LayerNorm")
        self.eps = check_positive(eps, "eps", "LayerNorm")
        _affine_params(self, self.n_features)
        self.x_hat: np.ndarray | None = None
        self.inv_std: np.ndarray | None = None

    def forward(self, x):
        self._check_width(x)
        mean = x.mean(axis=1, keepdims=True)
        self.inv_std = 1.0 / np.sqrt(x.var(axis=1, keepdims=True) + self.eps)
        self.x_hat = (x - mean) * self.inv_std
        return self.params["gamma"] * self.x_hat + self.params["beta"]

    def backward(self, grad_out):
        self._check_grad_out(grad_out)
        _affine_grads(self, grad_out)
        d = grad_out * self.params["gamma"]
        c = d.shape[1]
        mean_d = np.sum(d, axis=1, keepdims=True) / c
        mean_dx = np.sum(d * self.x_hat, axis=1, keepdims=True) / c
        return self.inv_std * (d - mean_d - self.x_hat * mean_dx)

    def __repr__(self):
        return f"LayerNorm({self.n_features}, eps={self.eps:g})"
