"""Layers: the building blocks a model stacks.

A layer turns an input batch into an output batch (``forward``) and, given the
gradient of the loss with respect to its output, returns the gradient with
respect to its input (``backward``). Layers with weights keep them in
``params`` and the matching gradients in ``grads``: two dicts with the same
keys, which optimizers walk together. ``backward`` only *computes* gradients;
the weights change only when an optimizer steps.

Call a layer (``layer(x)``) rather than ``layer.forward(x)``: the call also
remembers the input and output for ``backward`` and runs forward hooks. A
model sends gradients back with :meth:`Layer.backpropagate`, which calls
``backward`` and then the backward hooks.

Every layer has a mode, ``layer.training`` (True after construction): a few
layers, such as :class:`Dropout`, compute something else in evaluation mode.
State that is not trained, such as a running mean, lives in ``layer.buffers``.
"""

from __future__ import annotations

import contextlib
import inspect
import re
from collections.abc import Callable, Iterator

import numpy as np
import numpy.typing as npt

from ._validation import RNGLike, check_float_input, check_int, check_positive, check_rng
from .init import Initializer, initializer

__all__ = ["Layer", "HookHandle", "Dense", "Maxout", "Dropout", "leaves", "mode"]


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

    Optionally, ``backward_params(grad_out)`` fills ``grads`` without the
    input gradient, which ``fit`` does not need for a model's first layer.

    For an element-wise function, subclass :class:`~tinynet.Activation`
    instead: it needs only ``forward`` and ``derivative``.

    Attributes
    ----------
    name : str
        ``kind`` until a model names it ``<kind>_<index>`` (``dense_0``); inside
        a nested model, the path to it (``residual_0.dense_1``).
    kind : str
        Class-level; derived from the class name (``LeakyReLU`` ->
        ``"leaky_relu"``) unless a subclass sets it.
    weight_keys : tuple of str
        Class-level; the keys of ``params`` that are *weights*: L2-penalised
        by ``fit`` and recorded by :class:`~tinynet.GradientRecorder`. Biases
        are not weights.
    same_width : bool
        Class-level: True for a layer whose output is as wide as its input
        (activations, :class:`Dropout`), so that a model checks the widths of
        the layers on either side of it. Default False.
    training : bool
        True (training mode) after construction; see :meth:`train` and :meth:`eval`.
    buffers : dict of str to ndarray
        State that is not trained, such as :class:`~tinynet.BatchNorm`'s running
        mean: saved and converted with the parameters, never seen by optimizers.

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
    same_width = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "kind" not in cls.__dict__:
            cls.kind = re.sub(r"(?<!^)(?=[A-Z][a-z])", "_", cls.__name__).lower()

    def __init__(self) -> None:
        self.name = self.kind
        self.training = True
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.buffers: dict[str, np.ndarray] = {}
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

    def backward_params(self, grad_out: np.ndarray) -> None:
        """Fill ``grads`` only, without the gradient with respect to the input.

        ``fit`` calls this instead of ``backward`` on a model's first layer:
        that layer's input is the data, and nothing uses the data's gradient.
        The base class calls ``backward`` and drops its result, so a new layer
        needs nothing more; :class:`Dense` and :class:`Maxout` override it to
        skip their products with :math:`W^\\top`.

        Parameters
        ----------
        grad_out : ndarray, shape (N, n_out)
            :math:`\\partial L / \\partial\\,\\text{out}` for the output of the last call.
        """
        self.backward(grad_out)

    def _check_width(self, x: np.ndarray) -> None:
        """Refuse an input that is not a matrix with ``self.n_in`` columns."""
        if x.ndim != 2 or x.shape[1] != self.n_in:
            raise ValueError(f"{self.name}: expected input of shape (n_samples, {self.n_in}), got {x.shape}")

    def _check_grad_out(self, grad_out) -> None:
        """Refuse a backward pass before any forward pass, or a ``grad_out`` not shaped like the output."""
        try:  # the common case first, and cheap: it runs for every layer in every iteration
            if grad_out.shape == self.output.shape:
                return
        except AttributeError:  # no forward pass yet (output is None), or grad_out is not an array
            pass
        if self.output is None:
            raise RuntimeError(f"{self.name}: backward called before the layer was called on an input")
        if not isinstance(grad_out, np.ndarray):
            raise TypeError(f"{self.name}: backward expected grad_out as a numpy array of shape "
                            f"{self.output.shape}, got {type(grad_out).__name__}")
        raise ValueError(f"{self.name}: backward expected grad_out of shape {self.output.shape} "
                         f"(the shape of its last output), got {grad_out.shape}")

    def __call__(self, x: npt.ArrayLike) -> np.ndarray:
        """Run ``forward(x)``, remember ``x`` and the output for ``backward``, run forward hooks.

        Parameters
        ----------
        x : array_like, shape (N, n_in)
            A float64 or float32 array is used as it is; a list or an integer
            array becomes float64 first, and an array subclass such as
            ``np.matrix`` a plain array.

        Returns
        -------
        ndarray, shape (N, n_out)

        Raises
        ------
        TypeError
            If ``x`` does not hold real numbers, or ``forward`` returned
            something other than a numpy array.
        ValueError
            If ``x`` is a masked array with masked entries (a mask would be
            dropped, and the values under it used).
        """
        x = check_float_input(x, self.name)
        out = self.forward(x)
        if not isinstance(out, np.ndarray):
            raise TypeError(f"{self.name}: forward must return a numpy array, got {type(out).__name__}")
        self.input, self.output = x, out
        if self._forward_hooks:
            for hook in tuple(self._forward_hooks.values()):
                hook(self, x, out)
        return out

    def backpropagate(self, grad_out: np.ndarray, *, input_grad: bool = True) -> np.ndarray | None:
        """What a model calls on each layer, last to first: ``backward``, then the backward hooks.

        ``backward`` is what a layer writes; this is ``backward`` as a model
        uses it, as calling a layer is ``forward`` as a model uses it.

        Parameters
        ----------
        grad_out : ndarray, shape (N, n_out)
            :math:`\\partial L / \\partial\\,\\text{out}`.
        input_grad : bool, default True
            False for a model's first layer in ``fit``: :meth:`backward_params`
            runs instead, the hooks get ``grad_in=None``, and None is returned.

        Returns
        -------
        ndarray, shape (N, n_in), or None
            :math:`\\partial L / \\partial x`.

        Raises
        ------
        ValueError
            If ``backward`` returned a gradient not shaped like the layer's input.
        """
        if input_grad:
            grad_in = self.backward(grad_out)
            if getattr(grad_in, "shape", None) != self.input.shape:  # name the layer that got it wrong
                got = getattr(grad_in, "shape", type(grad_in).__name__)
                raise ValueError(f"{self.name}: backward returned a gradient of shape {got}; it must have "
                                 f"the shape of the layer's input, {self.input.shape}")
        else:
            self.backward_params(grad_out)
            grad_in = None
        if self._backward_hooks:
            for hook in tuple(self._backward_hooks.values()):
                hook(self, grad_in, grad_out)
        return grad_in

    def register_forward_hook(self, fn: Callable) -> HookHandle:
        """Call ``fn(layer, x, out)`` after every forward pass through the layer.

        Returns
        -------
        HookHandle
            ``handle.remove()`` detaches ``fn``.
        """
        return self._register(self._forward_hooks, fn, "fn(layer, x, out)")

    def register_backward_hook(self, fn: Callable) -> HookHandle:
        """Call ``fn(layer, grad_in, grad_out)`` after every backward pass in a model.

        When ``fn`` runs, ``layer.grads`` holds the fresh gradients of the data
        loss (before ``fit`` adds the L2 term). They are overwritten by the
        next backward pass: copy what you want to keep.

        ``grad_in`` is None for a model's first layer in ``fit`` and
        ``compute_gradients``: they skip the gradient with respect to the data
        (see :meth:`backward_params`), as PyTorch does for inputs that do not
        require a gradient.

        Returns
        -------
        HookHandle
            ``handle.remove()`` detaches ``fn``.

        Examples
        --------
        >>> import numpy as np, tinynet as tn
        >>> model = tn.Sequential(tn.Dense(2, 3, rng=0))
        >>> seen = []
        >>> handle = model[0].register_backward_hook(
        ...     lambda layer, grad_in, grad_out: seen.append(layer.name))
        >>> _ = model.forward(np.ones((4, 2)))
        >>> _ = model.backward(np.ones((4, 3)))
        >>> handle.remove()
        >>> seen
        ['dense_0']
        """
        return self._register(self._backward_hooks, fn, "fn(layer, grad_in, grad_out)")

    def _register(self, hooks: dict, fn: Callable, call: str) -> HookHandle:
        if not callable(fn):
            raise TypeError(f"{self.name}: a hook must be callable, got {fn!r}")
        try:  # a wrong signature fails now, not at the first call deep inside fit
            inspect.signature(fn).bind(None, None, None)
        except TypeError:
            raise TypeError(f"{self.name}: this hook is called as {call}, but {fn!r} cannot take "
                            f"those three arguments") from None
        except ValueError:  # no signature to inspect (some built-ins): trust it
            pass
        handle = HookHandle(hooks)
        hooks[handle] = fn
        return handle

    def named_layers(self) -> Iterator[tuple[str, Layer]]:
        """``(name, layer)`` for every layer inside this one, at every depth; none for a plain layer.

        A model (:class:`~tinynet.Sequential`, :class:`~tinynet.Residual`)
        yields its layers, and the layers inside those, in order.
        """
        return iter(())

    def train(self, mode: bool = True) -> Layer:
        """Put this layer, and every layer inside it, in training mode (or evaluation mode if ``mode`` is False).

        Returns
        -------
        Layer
            ``self``, so that ``model = tn.Sequential(...).eval()`` works.

        Examples
        --------
        >>> import tinynet as tn
        >>> model = tn.Sequential(tn.Dense(4, 4, rng=0), tn.Dropout(0.5, rng=0)).eval()
        >>> model[1].training, model.train()[1].training
        (False, True)
        """
        self.training = bool(mode)
        for _, layer in self.named_layers():
            layer.training = bool(mode)
        return self

    def eval(self) -> Layer:
        """Put this layer, and every layer inside it, in evaluation mode; the same as ``train(False)``.

        Returns
        -------
        Layer
            ``self``.
        """
        return self.train(False)

    def get_config(self) -> dict:
        """The constructor arguments that rebuild this layer, as a JSON-able dict.

        :func:`tinynet.io.save` stores it; :func:`tinynet.load` calls
        ``type(layer)(**config)`` and then puts the saved ``params`` and
        ``buffers`` back. The base class follows scikit-learn's convention:
        each argument of ``__init__`` is read from the attribute of the same
        name (``self.alpha`` for ``alpha``), so a layer that stores its
        arguments that way needs no ``get_config`` of its own. An argument
        named ``rng`` is left out: it only decides random draws.

        Raises
        ------
        TypeError
            If an argument of ``__init__`` has no attribute of the same name:
            store it as one, or define ``get_config``.

        Examples
        --------
        >>> import tinynet as tn
        >>> tn.Dense(2, 3, rng=0).get_config(), tn.LeakyReLU(0.2).get_config(), tn.ReLU().get_config()
        ({'n_in': 2, 'n_out': 3}, {'alpha': 0.2}, {})
        """
        config = {}
        for name, parameter in inspect.signature(type(self)).parameters.items():
            if name == "rng" or parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                continue
            if not hasattr(self, name):
                raise TypeError(
                    f"{type(self).__name__}: its constructor takes {name!r}, but the layer has no attribute "
                    f"{name!r} to read it back from; store it (self.{name} = {name}) or define get_config()"
                )
            config[name] = getattr(self, name)
        return config

    def __repr__(self) -> str:
        try:
            arguments = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        except TypeError:  # a constructor argument the layer does not keep: nothing to show
            arguments = "..."
        return f"{type(self).__name__}({arguments})"


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
        self.init = initializer(init, "Dense")
        W = np.asarray(self.init((self.n_in, self.n_out), check_rng(rng)), dtype=np.float64)
        self.params = {"W": W, "b": np.zeros(self.n_out)}
        self.grads = {"W": np.zeros_like(W), "b": np.zeros(self.n_out)}
        self._ones = np.ones(0)

    def forward(self, x):
        self._check_width(x)
        out = x @ self.params["W"]
        out += self.params["b"]
        return out

    def backward(self, grad_out):
        self.backward_params(grad_out)
        return grad_out @ self.params["W"].T

    def backward_params(self, grad_out):
        self._check_grad_out(grad_out)
        np.matmul(self.input.T, grad_out, out=self.grads["W"])
        # the sum over the batch as a product with a vector of ones: grad_out.sum(axis=0)
        # up to rounding, two to five times faster for tall, narrow batches
        if self._ones.shape[0] != grad_out.shape[0] or self._ones.dtype != grad_out.dtype:
            self._ones = np.ones(grad_out.shape[0], grad_out.dtype)
        np.matmul(self._ones, grad_out, out=self.grads["b"])

    def get_config(self):
        """The constructor arguments that rebuild this layer: ``n_in`` and ``n_out``.

        ``init`` and ``rng`` are left out: they only decide the first weights,
        and :func:`tinynet.load` replaces those with the saved ``W``
        (:func:`tinynet.io.save` notes a built-in ``init`` separately, so the
        loaded layer's repr still names it).

        Returns
        -------
        dict
            ``{"n_in": n_in, "n_out": n_out}``.

        Examples
        --------
        >>> import tinynet as tn
        >>> tn.Dense(2, 50, rng=0).get_config()
        {'n_in': 2, 'n_out': 50}
        """
        return {"n_in": self.n_in, "n_out": self.n_out}  # init and rng: the saved W replaces the draw

    def __repr__(self):
        return f"Dense({self.n_in}, {self.n_out}, init={self.init!r})"


class Maxout(Layer):
    r"""Maxout units (Goodfellow et al., 2013): each output is the largest of ``pieces`` linear functions.

    A Maxout layer is a full layer with its own weights, not an element-wise
    activation: it replaces a ``Dense`` layer *and* the activation after it.
    Piece :math:`k` is an ordinary dense layer with weights :math:`W_k`
    (``params["W"][k]``, shape ``(n_in, n_out)``) and bias :math:`b_k`; unit
    :math:`j` outputs the largest of its ``pieces`` values. With two pieces,
    one of them free to stay near zero, a unit can learn ReLU, leaky ReLU,
    :math:`|x|` or any other convex piecewise-linear function.

    Parameters
    ----------
    n_in, n_out : int
        Number of input features and of output units.
    pieces : int, default 2
        Linear pieces per unit, :math:`K`.
    init : Initializer, optional
        How each piece's weights are drawn; default
        :class:`~tinynet.init.GlorotUniform`. The initializer is called once
        per piece with shape ``(n_in, n_out)``, piece 0 first, from ``rng``
        (so piece 0 draws exactly what a ``Dense(n_in, n_out)`` would).
        Biases start at zero.
    rng : int, numpy.random.Generator or numpy.random.RandomState, optional
        Source of the initial weights, drawn once, here.

    Notes
    -----
    Shapes: ``x`` is ``(N, n_in)``; ``W`` is ``(K, n_in, n_out)``; ``b`` is
    ``(K, n_out)``; ``out`` and ``grad_out`` are ``(N, n_out)``. Forward:

    .. math::

        z_{k,n,j} = (x W_k)_{n,j} + b_{k,j}, \qquad
        \text{out}_{n,j} = \max_k z_{k,n,j}, \qquad
        k^*_{n,j} = \operatorname{argmax}_k z_{k,n,j} .

    Backward, with :math:`G = \partial L / \partial\,\text{out}` and the mask
    :math:`M_{k,n,j} = [k = k^*_{n,j}]` (only the winning piece gets the
    gradient):

    .. math::

        \frac{\partial L}{\partial W_k} = x^\top (M_k \odot G), \qquad
        \frac{\partial L}{\partial b_k} = \sum_n (M_k \odot G)_{n,:}, \qquad
        \frac{\partial L}{\partial x} = \sum_k (M_k \odot G)\, W_k^\top .

    **Ties.** Where two or more pieces share the maximum, the first of them
    (lowest :math:`k`, as ``np.argmax`` picks) wins and receives the whole
    gradient; the others get none. The function has a kink there, so a
    finite-difference check must keep the top two pieces apart.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> layer = tn.Maxout(2, 3, pieces=2, rng=0)
    >>> layer.params["W"].shape, layer.params["b"].shape
    ((2, 2, 3), (2, 3))
    >>> x = np.array([[1.0, -2.0], [0.5, 0.5]])
    >>> z = x @ layer.params["W"] + layer.params["b"][:, None, :]  # (pieces, N, n_out)
    >>> bool(np.array_equal(layer(x), z.max(axis=0)))
    True
    >>> layer.backward(np.ones((2, 3))).shape
    (2, 2)
    """

    weight_keys = ("W",)

    def __init__(
        self,
        n_in: int,
        n_out: int,
        pieces: int = 2,
        init: Initializer | None = None,
        rng: RNGLike = None,
    ) -> None:
        super().__init__()
        self.n_in = check_int(n_in, "n_in", "Maxout")
        self.n_out = check_int(n_out, "n_out", "Maxout")
        self.pieces = check_int(pieces, "pieces", "Maxout")
        self.init = initializer(init, "Maxout")
        rng = check_rng(rng)
        W = np.stack([np.asarray(self.init((self.n_in, self.n_out), rng), dtype=np.float64)
                      for _ in range(self.pieces)])
        self.params = {"W": W, "b": np.zeros((self.pieces, self.n_out))}
        self.grads = {"W": np.zeros_like(W), "b": np.zeros((self.pieces, self.n_out))}
        self._winner: np.ndarray | None = None

    def forward(self, x):
        self._check_width(x)
        z = x @ self.params["W"]  # (pieces, N, n_out): one matrix product per piece
        z += self.params["b"][:, None, :]
        self._winner = np.argmax(z, axis=0)  # (N, n_out); ties go to the first piece
        return np.take_along_axis(z, self._winner[None], axis=0)[0]

    def backward(self, grad_out):
        routed = self._fill_grads(grad_out)
        return np.matmul(routed, self.params["W"].transpose(0, 2, 1)).sum(axis=0)

    def backward_params(self, grad_out):
        self._fill_grads(grad_out)

    def _fill_grads(self, grad_out):
        """Fill ``grads`` and return :math:`M_k \\odot G`, shape ``(pieces, N, n_out)``."""
        self._check_grad_out(grad_out)
        routed = np.zeros((self.pieces, *grad_out.shape), dtype=grad_out.dtype)
        np.put_along_axis(routed, self._winner[None], grad_out[None], axis=0)  # M_k * G
        np.matmul(self.input.T, routed, out=self.grads["W"])
        np.sum(routed, axis=1, out=self.grads["b"])
        return routed

    def get_config(self):
        """The constructor arguments that rebuild this layer: ``n_in``, ``n_out`` and ``pieces``.

        ``init`` and ``rng`` are left out: they only decide the first weights,
        and :func:`tinynet.load` replaces those with the saved ``W``
        (:func:`tinynet.io.save` notes a built-in ``init`` separately, so the
        loaded layer's repr still names it).

        Returns
        -------
        dict
            ``{"n_in": n_in, "n_out": n_out, "pieces": pieces}``.

        Examples
        --------
        >>> import tinynet as tn
        >>> tn.Maxout(2, 50, pieces=3, rng=0).get_config()
        {'n_in': 2, 'n_out': 50, 'pieces': 3}
        """
        return {"n_in": self.n_in, "n_out": self.n_out, "pieces": self.pieces}

    def __repr__(self):
        return f"Maxout({self.n_in}, {self.n_out}, pieces={self.pieces}, init={self.init!r})"


class Dropout(Layer):
    r"""Inverted dropout: in training, zero each entry with probability ``p`` and scale the rest by :math:`1/(1-p)`.

    Dropping random units forces a net not to rely on any one of them
    (Srivastava et al., 2014). Scaling the kept units up during training
    keeps every unit's expected output the same as in evaluation mode, where
    the layer passes its input through unchanged.

    Parameters
    ----------
    p : float, default 0.5
        Probability of zeroing an entry, in :math:`[0, 1)`. With ``p = 0`` the
        layer is the identity and draws nothing. ``p >= 1`` is refused: it would
        zero every unit, and no gradient would pass.
    rng : int, numpy.random.Generator or numpy.random.RandomState, optional
        Source of the masks, kept as ``self.rng``. :func:`tinynet.gradcheck`
        replays its draws, so a gradient check sees one mask.

    Notes
    -----
    Shapes: ``x``, ``out``, ``grad_out`` and ``grad_in`` are all ``(N, n)``.
    In training mode a new mask :math:`M` is drawn at every forward pass,
    :math:`M_{ij} = [u_{ij} \ge p] / (1 - p)` with :math:`u_{ij}` uniform on
    :math:`[0, 1)`, and

    .. math::

        \text{out} = x \odot M, \qquad
        \frac{\partial L}{\partial x} = \frac{\partial L}{\partial\,\text{out}} \odot M .

    In evaluation mode, :math:`\text{out} = x` and the gradient passes unchanged.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> layer = tn.Dropout(0.5, rng=0)
    >>> layer(np.ones((2, 4)))  # kept entries are scaled by 1 / (1 - p) = 2
    array([[2., 0., 0., 0.],
           [2., 2., 2., 2.]])
    >>> layer.eval()(np.ones((2, 4)))
    array([[1., 1., 1., 1.],
           [1., 1., 1., 1.]])
    """

    same_width = True

    def __init__(self, p: float = 0.5, rng: RNGLike = None) -> None:
        super().__init__()
        self.p = check_positive(p, "p", "Dropout", allow_zero=True)
        if self.p >= 1:
            raise ValueError(f"Dropout: p must be in [0, 1): p = {p!r} would drop every unit, and no "
                             "gradient would pass")
        self.rng = check_rng(rng)
        self.mask: np.ndarray | None = None

    def forward(self, x):
        if not self.training or self.p == 0:
            self.mask = None
            return x.copy()
        keep = self.rng.random(x.shape) >= self.p
        self.mask = keep.astype(x.dtype) / x.dtype.type(1.0 - self.p)
        return x * self.mask

    def backward(self, grad_out):
        self._check_grad_out(grad_out)
        return grad_out.copy() if self.mask is None else grad_out * self.mask


def leaves(layer: Layer) -> list[Layer]:
    """The layers inside ``layer`` that hold no layers themselves, first to last, at every depth.

    Parameters
    ----------
    layer : Layer
        A model (or any layer; a plain layer has none inside).

    Returns
    -------
    list of Layer

    Examples
    --------
    >>> import tinynet as tn
    >>> model = tn.Sequential(tn.Dense(2, 2, rng=0), tn.Residual(tn.Dense(2, 2, rng=1), tn.ReLU()))
    >>> [inner.name for inner in tn.layers.leaves(model)]
    ['dense_0', 'residual_0.dense_0', 'residual_0.relu_0']
    """
    return [inner for _, inner in layer.named_layers() if not any(True for _ in inner.named_layers())]


@contextlib.contextmanager
def mode(layer: Layer, training: bool) -> Iterator[Layer]:
    """Run a ``with`` block with ``layer`` and every layer inside it in training (or evaluation) mode.

    Afterwards each layer is back in the mode it was in, whatever that was.

    Parameters
    ----------
    layer : Layer
        A layer or a whole model.
    training : bool
        True for training mode, False for evaluation mode.

    Examples
    --------
    >>> import tinynet as tn
    >>> model = tn.Sequential(tn.Dense(2, 2, rng=0), tn.Dropout(0.5))
    >>> with tn.layers.mode(model, training=False):
    ...     print(model[1].training)
    False
    >>> model[1].training
    True
    """
    layers = [layer, *(inner for _, inner in layer.named_layers())]
    before = [inner.training for inner in layers]
    layer.train(training)
    try:
        yield layer
    finally:
        for inner, was in zip(layers, before, strict=True):
            inner.training = was
