r"""Activations: element-wise nonlinearities.

An activation is a layer without parameters that applies one scalar function
:math:`f` to every entry of its input. A subclass of :class:`Activation`
writes only two methods:

``forward(x)``
    :math:`f(x)`, element-wise.
``derivative(x, out)``
    :math:`f'(x)`, element-wise, where ``out`` is :math:`f(x)` (many
    derivatives are cheaper written in terms of the output).

The base class supplies the chain rule, ``grad_in = grad_out * f'(x)``, so
this is all it takes to add a new activation::

    class Swish(tn.Activation):
        def forward(self, x):
            return x / (1 + np.exp(-x))
        def derivative(self, x, out):
            s = 1 / (1 + np.exp(-x))
            return s + out * (1 - s)

If :math:`f` has kinks (points where :math:`f'` jumps, like ReLU at 0), list
them in the class attribute ``kinks`` so gradient checks keep their inputs
away from them.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_positive
from .layers import Layer

__all__ = ["Activation", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU", "Softplus"]


class Activation(Layer):
    r"""Base class for element-wise nonlinearities.

    A subclass writes ``forward(x)`` (:math:`f(x)`) and :meth:`derivative`
    (:math:`f'(x)`); the base class does the chain rule in :meth:`backward`.

    Attributes
    ----------
    kinks : tuple of float
        Class-level: the points where :math:`f'` jumps (``(0.0,)`` for ReLU).
        :func:`tinynet.testing.assert_backward_correct` keeps its test
        inputs away from them. Default ``()``.

    Notes
    -----
    Shapes: ``x``, ``out``, ``grad_out`` and ``grad_in`` all have the same
    shape. Backward is the chain rule, element by element:

    .. math:: \frac{\partial L}{\partial x} = \frac{\partial L}{\partial\,\text{out}} \odot f'(x)

    Examples
    --------
    The square function, :math:`f(x) = x^2`, :math:`f'(x) = 2x`:

    >>> import numpy as np, tinynet as tn
    >>> class Square(tn.Activation):
    ...     def forward(self, x):
    ...         return x * x
    ...     def derivative(self, x, out):
    ...         return 2 * x
    >>> layer = Square()
    >>> layer(np.array([[1.0, -3.0]]))
    array([[1., 9.]])
    >>> layer.backward(np.ones((1, 2)))  # 1 * f'(x)
    array([[ 2., -6.]])
    >>> bool(tn.gradcheck(layer, np.array([[1.0, -3.0]])))
    True
    """

    kind = "activation"
    kinks: tuple[float, ...] = ()
    same_width = True

    def derivative(self, x: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Return :math:`f'(x)`, element-wise.

        Parameters
        ----------
        x : ndarray, shape (N, n)
            The input of the last forward pass.
        out : ndarray, shape (N, n)
            Its output, :math:`f(x)`: many derivatives are cheapest in terms
            of it (sigmoid: ``out * (1 - out)``).

        Returns
        -------
        ndarray, shape (N, n)
            A new array; neither ``x`` nor ``out`` may be modified.
        """
        raise NotImplementedError(f"{type(self).__name__} must define derivative(x, out)")

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """Chain rule: ``grad_out * derivative(x, out)`` for the last forward pass.

        Parameters
        ----------
        grad_out : ndarray, shape (N, n)
            :math:`\\partial L / \\partial\\,\\text{out}`.

        Returns
        -------
        ndarray, shape (N, n)
            :math:`\\partial L / \\partial x`.
        """
        self._check_grad_out(grad_out)
        return grad_out * self.derivative(self.input, self.output)


class Sigmoid(Activation):
    r"""Logistic sigmoid.

    .. math::

        \sigma(x) = \frac{1}{1 + e^{-x}}, \qquad \sigma'(x) = \sigma(x)\,(1 - \sigma(x))

    The formula is evaluated exactly as written, which is what makes the
    notebook's numbers come out bit for bit. For :math:`x < -709.78`
    (float32: :math:`x < -88.7`), :math:`e^{-x}` overflows to infinity and
    the output is :math:`1 / (1 + \infty) = 0`, silently: the true value
    is below :math:`10^{-308}` (:math:`10^{-38}`) there.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> tn.Sigmoid()(np.array([[-1000.0, -700.0, 0.0, 1000.0]]))
    array([[0.00000000e+000, 9.85967654e-305, 5.00000000e-001, 1.00000000e+000]])
    """

    def forward(self, x):
        # 1 / (1 + exp(-x)), step by step in one buffer
        z = np.negative(x)
        with np.errstate(over="ignore"):  # exp(1000) = inf is right here: 1 / (1 + inf) = 0
            np.exp(z, out=z)
        z += 1.0
        return np.divide(1.0, z, out=z)  # twice as fast as np.reciprocal here

    def derivative(self, x, out):
        return out * (1.0 - out)

    def backward(self, grad_out):
        # The base class's grad_out * derivative(x, out) = grad_out * (out * (1 - out)),
        # computed as (1 - out) * out * grad_out with one temporary instead of three.
        self._check_grad_out(grad_out)
        grad_in = np.subtract(1.0, self.output)
        grad_in *= self.output
        grad_in *= grad_out
        return grad_in


class Tanh(Activation):
    r"""Hyperbolic tangent.

    .. math:: \tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}, \qquad \tanh'(x) = 1 - \tanh^2(x)

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> tn.Tanh()(np.array([[0.0, 1000.0]]))
    array([[0., 1.]])
    """

    def forward(self, x):
        return np.tanh(x)

    def derivative(self, x, out):
        return 1.0 - out * out


class ReLU(Activation):
    r"""Rectified linear unit.

    .. math::

        f(x) = \max(0, x), \qquad f'(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}

    At the kink :math:`x = 0` the derivative is taken as 0, as in the notebook.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> tn.ReLU()(np.array([[-2.0, 3.0]]))
    array([[0., 3.]])
    """

    kind = "relu"
    kinks = (0.0,)

    def forward(self, x):
        return np.maximum(x, 0.0)

    def derivative(self, x, out):
        return (out > 0).astype(out.dtype)

    def backward(self, grad_out):
        # The base class's grad_out * derivative(x, out), with the boolean mask out > 0 as f'(x).
        self._check_grad_out(grad_out)
        return grad_out * (self.output > 0)


class LeakyReLU(Activation):
    r"""Leaky ReLU: a small slope :math:`\alpha` for negative inputs.

    .. math::

        f(x) = \begin{cases} x & x > 0 \\ \alpha x & x \le 0 \end{cases}, \qquad
        f'(x) = \begin{cases} 1 & x > 0 \\ \alpha & x \le 0 \end{cases}

    Parameters
    ----------
    alpha : float, default 0.01
        Slope for :math:`x \le 0`.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> tn.LeakyReLU(alpha=0.1)(np.array([[-2.0, 3.0]]))
    array([[-0.2,  3. ]])
    """

    kind = "leaky_relu"
    kinks = (0.0,)

    def __init__(self, alpha: float = 0.01) -> None:
        super().__init__()
        self.alpha = check_positive(alpha, "alpha", "LeakyReLU", allow_zero=True)

    def forward(self, x):
        return np.where(x > 0, x, self.alpha * x)

    def derivative(self, x, out):
        return np.where(x > 0, 1.0, self.alpha)



class ELU(Activation):
    r"""Exponential linear unit (Clevert et al., 2016).

    .. math::

        f(x) = \begin{cases} x & x > 0 \\ \alpha (e^{x} - 1) & x \le 0 \end{cases}, \qquad
        f'(x) = \begin{cases} 1 & x > 0 \\ f(x) + \alpha & x \le 0 \end{cases}

    Parameters
    ----------
    alpha : float, default 1.0
        Value the output approaches as :math:`x \to -\infty` is :math:`-\alpha`.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> tn.ELU()(np.array([[-1000.0, 2.0]]))
    array([[-1.,  2.]])
    """

    kind = "elu"
    kinks = (0.0,)

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = check_positive(alpha, "alpha", "ELU", allow_zero=True)

    def forward(self, x):
        return np.where(x > 0, x, self.alpha * np.expm1(np.minimum(x, 0.0)))

    def derivative(self, x, out):
        return np.where(x > 0, 1.0, out + self.alpha)



class Softplus(Activation):
    r"""Softplus, a smooth ReLU.

    .. math:: f(x) = \log(1 + e^{x}), \qquad f'(x) = \sigma(x) = \frac{1}{1 + e^{-x}}

    Computed as ``logaddexp(0, x)``, which neither overflows nor loses
    precision for large :math:`|x|`.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> tn.Softplus()(np.array([[-1000.0, 0.0, 3.0]])).round(6)
    array([[0.      , 0.693147, 3.048587]])
    """

    def forward(self, x):
        return np.logaddexp(0.0, x)

    def derivative(self, x, out):
        return -np.expm1(-out)  # 1 - exp(-softplus(x)) == sigmoid(x), without overflow
