"""Weight initializers: how a layer's first weights are drawn.

An initializer is a small object that, given a weight shape ``(n_in, n_out)``
and a random generator, returns the starting weights. Every draw goes through
``rng.standard_normal`` or ``rng.uniform``, so a ``np.random.RandomState(0)``
shared by a dataset and the layers built after it reproduces the stream of a
script that called ``np.random.seed(0)`` and then ``np.random.randn``.
"""

from __future__ import annotations

import math

import numpy as np

from ._validation import RNGLike, check_positive, check_rng

__all__ = ["Initializer", "Normal", "StandardUniform", "GlorotNormal", "GlorotUniform", "HeNormal", "initializer"]


class Initializer:
    """Base class: ``init(shape, rng) -> ndarray`` of float64 weights.

    A subclass writes ``sample(shape, rng)``; calling the initializer first
    turns ``rng`` (int, ``Generator`` or ``RandomState``) into a generator.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> class Constant(tn.init.Initializer):
    ...     def sample(self, shape, rng):
    ...         return np.full(shape, 0.5)
    >>> tn.Dense(2, 3, init=Constant()).params["W"]
    array([[0.5, 0.5, 0.5],
           [0.5, 0.5, 0.5]])
    """

    def __call__(self, shape: tuple[int, int], rng: RNGLike = None) -> np.ndarray:
        return self.sample(tuple(shape), check_rng(rng))

    def sample(self, shape: tuple[int, int], rng) -> np.ndarray:
        """Draw the weights.

        Parameters
        ----------
        shape : tuple of int
            ``(n_in, n_out)``.
        rng : Generator or RandomState
            Draw from this and nothing else, so runs are reproducible.

        Returns
        -------
        ndarray, shape ``shape``
            float64 weights.
        """
        raise NotImplementedError

    def get_config(self) -> dict:
        """The constructor arguments that rebuild this initializer (none here; ``Normal``: ``std``).

        :func:`tinynet.io.save` stores them for the built-in initializers, so a
        loaded layer names the initializer it was built with.
        """
        return {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Normal(Initializer):
    r"""Zero-mean Gaussian weights with a fixed standard deviation.

    .. math:: W_{ij} = \sigma\, z_{ij}, \qquad z_{ij} \sim \mathcal{N}(0, 1)

    Parameters
    ----------
    std : float, default 0.01
        The standard deviation :math:`\sigma`. The notebook uses 0.1.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> W = tn.init.Normal(0.1)((2, 3), np.random.RandomState(0))
    >>> np.allclose(W, 0.1 * np.random.RandomState(0).randn(2, 3))
    True
    """

    def __init__(self, std: float = 0.01):
        self.std = check_positive(std, "std", "Normal")

    def sample(self, shape, rng):
        return self.std * rng.standard_normal(shape)

    def get_config(self):
        """The constructor argument that rebuilds this initializer: ``{"std": std}``."""
        return {"std": self.std}

    def __repr__(self):
        return f"Normal(std={self.std:g})"


class StandardUniform(Initializer):
    r"""Glorot & Bengio's "standard" initialisation: :math:`W_{ij} \sim U[-1/\sqrt{n_{in}},\ 1/\sqrt{n_{in}}]`.

    The rule of thumb that was common before 2010 (eq. 1 of Glorot & Bengio,
    2010). Each weight has variance :math:`1 / (3 n_{in})`, so a layer
    multiplies the variance of its input by about :math:`1/3`: with it, the
    activations and the back-propagated gradients of a deep net shrink layer
    after layer -- the paper's motivation for :class:`GlorotUniform`.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> W = tn.init.StandardUniform()((100, 50), np.random.default_rng(0))
    >>> bool(np.abs(W).max() <= 0.1), round(float(W.var() * 3 * 100), 1)
    (True, 1.0)
    """

    def sample(self, shape, rng):
        limit = 1.0 / math.sqrt(shape[0])
        return rng.uniform(-limit, limit, shape)


class GlorotNormal(Initializer):
    r"""Glorot (Xavier) normal: :math:`\sigma = \sqrt{2 / (n_{in} + n_{out})}`.

    Keeps the variance of activations and gradients roughly equal across
    layers for tanh- and sigmoid-like units (Glorot & Bengio, 2010).

    Examples
    --------
    >>> import tinynet as tn
    >>> tn.init.GlorotNormal()((50, 50), rng=0).std().round(1)
    np.float64(0.1)
    """

    def sample(self, shape, rng):
        return math.sqrt(2.0 / (shape[0] + shape[1])) * rng.standard_normal(shape)


class GlorotUniform(Initializer):
    r"""Glorot (Xavier) uniform on :math:`[-a, a]`, :math:`a = \sqrt{6 / (n_{in} + n_{out})}`.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> W = tn.init.GlorotUniform()((4, 2), np.random.default_rng(0))
    >>> bool(np.abs(W).max() <= 1.0)
    True
    """

    def sample(self, shape, rng):
        limit = math.sqrt(6.0 / (shape[0] + shape[1]))
        return rng.uniform(-limit, limit, shape)


class HeNormal(Initializer):
    r"""He (Kaiming) normal: :math:`\sigma = \sqrt{2 / n_{in}}`, suited to ReLU units.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> W = tn.init.HeNormal()((200, 300), np.random.default_rng(0))
    >>> round(float(W.std()), 2)
    0.1
    """

    def sample(self, shape, rng):
        return math.sqrt(2.0 / shape[0]) * rng.standard_normal(shape)


def initializer(init: Initializer | None, owner: str) -> Initializer:
    """``init`` itself if it is an :class:`Initializer`, a new :class:`GlorotUniform` if None.

    What every ``init=`` argument of tinynet goes through.

    Raises
    ------
    TypeError
        Naming ``owner``, for anything else (a class instead of an instance, a string, ...).

    Examples
    --------
    >>> import tinynet as tn
    >>> tn.init.initializer(None, "Dense")
    GlorotUniform()
    >>> tn.init.initializer(tn.init.HeNormal, "Dense")
    Traceback (most recent call last):
    TypeError: Dense: init must be an Initializer such as tn.init.Normal(0.1), got <class 'tinynet.init.HeNormal'>
    """
    if init is None:
        return GlorotUniform()
    if not isinstance(init, Initializer):
        raise TypeError(f"{owner}: init must be an Initializer such as tn.init.Normal(0.1), got {init!r}")
    return init
