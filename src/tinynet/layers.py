"""Layers: the building blocks a model stacks.

A layer turns an input batch into an output batch (``forward``) and, given the
gradient of the loss with respect to its output, returns the gradient with
respect to its input (``backward``). Layers with weights keep them in
``params`` and the matching gradients in ``grads``: two dicts with the same
keys, which optimizers walk together. ``backward`` only *computes* gradients;
the weights change only when an optimizer steps.

Call a layer (``layer(x)``) rather than ``layer.forward(x)``: the call also
remembers the input and output for ``backward`` and runs forward hooks.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from ._validation import RNGLike, check_int, check_rng
from .init import GlorotUniform, Initializer

__all__ = ["Layer", "HookHandle", "Dense"]


class HookHandle:
    """Returned by ``register_*_hook``; call ``remove()`` to detach the hook.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> layer = tn.ReLU()
    >>> handle = layer.register_forward_hook(lambda layer, x, out: print(out.shape))
    >>> _ = layer(np.ones((4, 3)))
    (4, 3)
    >>> handle.remove()
    >>> _ = layer(np.ones((4, 3)))  # the hook is gone: nothing printed
    """

    def __init__(self, hooks: dict):
        self._hooks = hooks

    def remove(self) -> None:
        """Detach the hook. Removing twice is harmless."""
        self._hooks.pop(self, None)


class Layer:
    """Base class of every layer.

    A subclass sets ``params`` and ``grads`` (dicts with the same keys) in
    ``__init__`` after calling ``super().__init__()``, and writes:

    ``forward(x) -> out``
        The output for a batch ``x`` of shape ``(n_samples, n_in)``.
    ``backward(grad_out) -> grad_in``
        Given :math:`\\partial L / \\partial\\,\\text{out}`, fill ``grads`` with
        :math:`\\partial L / \\partial\\,\\text{param}` and return
        :math:`\\partial L / \\partial x`. It may read ``self.input`` and
        ``self.output``, which calling the layer stores. It must not modify
        ``grad_out`` in place: hooks and other consumers may still read it.

    For an element-wise function, subclass :class:`~tinynet.Activation`
    instead: it needs only ``forward`` and ``derivative``.

    Attributes
    ----------
    name : str
        ``kind`` until a model names it ``<kind>_<index>`` (``dense_0``).
    kind : str
        Class-level; derived from the class name (``LeakyReLU`` ->
        ``"leaky_relu"``) unless a subclass sets it.
    weight_keys : tuple of str
        Class-level; the keys of ``params`` that are *weights*: L2-penalised
        by ``fit`` and recorded by :class:`~tinynet.GradientRecorder`. Biases
        are not weights.

    Examples
    --------
    A layer that multiplies its input by one learnable number :math:`s`
    (:math:`\\partial L/\\partial s = \\sum G \\odot x`,
    :math:`\\partial L/\\partial x = s\\,G`), checked against finite differences:

    >>> import numpy as np, tinynet as tn
    >>> class Scale(tn.Layer):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.params = {"s": np.array([2.0])}
    ...         self.grads = {"s": np.zeros(1)}
    ...     def forward(self, x):
    ...         return x * self.params["s"]
    ...     def backward(self, grad_out):
    ...         self.grads["s"][0] = np.sum(grad_out * self.input)
    ...         return grad_out * self.params["s"]
    >>> layer = Scale()
    >>> layer(np.ones((2, 3)))
    array([[2., 2., 2.],
           [2., 2., 2.]])
    >>> bool(tn.gradcheck(layer, np.ones((2, 3))))
    True
    """

    kind = "layer"
    weight_keys: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "kind" not in cls.__dict__:
            cls.kind = re.sub(r"(?<!^)(?=[A-Z][a-z])", "_", cls.__name__).lower()

    def __init__(self) -> None:
        self.name = self.kind
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.input: np.ndarray | None = None
        self.output: np.ndarray | None = None
        self._forward_hooks: dict[HookHandle, Callable] = {}
        self._backward_hooks: dict[HookHandle, Callable] = {}

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Compute the output for a batch.

        Parameters
        ----------
        x : ndarray, shape (N, n_in)
            A batch of ``N`` inputs.

        Returns
        -------
        ndarray, shape (N, n_out)
            The output; a new array (``x`` is not modified).
        """
        raise NotImplementedError(f"{type(self).__name__} must define forward(x)")

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """Fill ``grads`` and return the gradient with respect to the input.

        Parameters
        ----------
        grad_out : ndarray, shape (N, n_out)
            :math:`\\partial L / \\partial\\,\\text{out}` for the output of the last call.

        Returns
        -------
        ndarray, shape (N, n_in)
            :math:`\\partial L / \\partial x`.
        """
        raise NotImplementedError(f"{type(self).__name__} must define backward(grad_out)")

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Run ``forward(x)``, remember ``x`` and the output for ``backward``, run forward hooks.

        Parameters
        ----------
        x : ndarray, shape (N, n_in)

        Returns
        -------
        ndarray, shape (N, n_out)
        """
        out = self.forward(x)
        self.input, self.output = x, out
        for hook in tuple(self._forward_hooks.values()):
            hook(self, x, out)
        return out

    def register_forward_hook(self, fn: Callable) -> HookHandle:
        """Call ``fn(layer, x, out)`` after every forward pass through the layer.

        Returns
        -------
        HookHandle
            ``handle.remove()`` detaches ``fn``.
        """
        return self._register(self._forward_hooks, fn)

    def register_backward_hook(self, fn: Callable) -> HookHandle:
        """Call ``fn(layer, grad_in, grad_out)`` after every backward pass in a model.

        When ``fn`` runs, ``layer.grads`` holds the fresh gradients of the data
        loss (before ``fit`` adds the L2 term). They are overwritten by the
        next backward pass: copy what you want to keep.

        Returns
        -------
        HookHandle
            ``handle.remove()`` detaches ``fn``.

        Examples
        --------
        >>> import numpy as np, tinynet as tn
        >>> model = tn.Sequential(tn.Dense(2, 3, rng=0))
        >>> seen = []
        >>> handle = model.layers[0].register_backward_hook(
        ...     lambda layer, grad_in, grad_out: seen.append(layer.name))
        >>> _ = model.forward(np.ones((4, 2)))
        >>> _ = model.backward(np.ones((4, 3)))
        >>> handle.remove()
        >>> seen
        ['dense_0']
        """
        return self._register(self._backward_hooks, fn)

    def _register(self, hooks: dict, fn: Callable) -> HookHandle:
        if not callable(fn):
            raise TypeError(f"{self.name}: a hook must be callable, got {fn!r}")
        handle = HookHandle(hooks)
        hooks[handle] = fn
        return handle

    def _run_backward_hooks(self, grad_in, grad_out) -> None:
        for hook in tuple(self._backward_hooks.values()):
            hook(self, grad_in, grad_out)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Dense(Layer):
    r"""Fully connected layer: ``out = x @ W + b``.

    Parameters
    ----------
    n_in, n_out : int
        Number of input and output features.
    init : Initializer, optional
        How ``W`` (shape ``(n_in, n_out)``) is drawn; default
        :class:`~tinynet.init.GlorotUniform`. ``b`` starts at zero.
    rng : int, numpy.random.Generator or numpy.random.RandomState, optional
        Source of the initial weights, drawn once, here, in construction
        order. Pass one ``RandomState`` to several layers to continue one
        stream, as the notebook's ``np.random.randn`` calls do.

    Notes
    -----
    Shapes: ``x`` is ``(N, n_in)``, ``out`` and ``grad_out`` are ``(N, n_out)``.
    With :math:`G = \partial L / \partial\,\text{out}`, backward computes

    .. math::

        \frac{\partial L}{\partial W} = x^\top G, \qquad
        \frac{\partial L}{\partial b} = \sum_{n} G_{n,:}, \qquad
        \frac{\partial L}{\partial x} = G W^\top .

    ``grads["W"]`` and ``grads["b"]`` are buffers overwritten by each backward.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> layer = tn.Dense(2, 3, init=tn.init.Normal(0.1), rng=np.random.RandomState(0))
    >>> layer(np.ones((4, 2))).shape
    (4, 3)
    >>> layer.backward(np.ones((4, 3))).shape
    (4, 2)
    >>> layer.grads["b"]
    array([4., 4., 4.])
    """

    weight_keys = ("W",)

    def __init__(
        self,
        n_in: int,
        n_out: int,
        init: Initializer | None = None,
        rng: RNGLike = None,
    ) -> None:
        super().__init__()
        self.n_in = check_int(n_in, "n_in", "Dense")
        self.n_out = check_int(n_out, "n_out", "Dense")
        self.init = GlorotUniform() if init is None else init
        if not isinstance(self.init, Initializer):
            raise TypeError(f"Dense: init must be an Initializer such as tn.init.Normal(0.1), got {init!r}")
        W = np.asarray(self.init((self.n_in, self.n_out), check_rng(rng)), dtype=np.float64)
        self.params = {"W": W, "b": np.zeros(self.n_out)}
        self.grads = {"W": np.zeros_like(W), "b": np.zeros(self.n_out)}

    def forward(self, x):
        if x.ndim != 2 or x.shape[1] != self.n_in:
            raise ValueError(
                f"{self.name}: expected input of shape (n_samples, {self.n_in}), "
                f"got {x.shape}"
            )
        out = x @ self.params["W"]
        out += self.params["b"]
        return out

    def backward(self, grad_out):
        np.matmul(self.input.T, grad_out, out=self.grads["W"])
        np.sum(grad_out, axis=0, out=self.grads["b"])
        return grad_out @ self.params["W"].T

    def __repr__(self):
        return f"Dense({self.n_in}, {self.n_out}, init={self.init!r})"
