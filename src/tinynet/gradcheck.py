r"""Gradient checking: compare a backward pass with finite differences.

For a scalar function :math:`f` of an array :math:`a`, the central difference

.. math:: \frac{\partial f}{\partial a_i} \approx \frac{f(a + \epsilon e_i) - f(a - \epsilon e_i)}{2 \epsilon}

has error :math:`O(\epsilon^2)` from truncation plus about
:math:`\text{ulp}(f) / \epsilon` from rounding, which is why it needs float64
and an :math:`\epsilon` near :math:`10^{-6}`. :func:`gradcheck` perturbs every
entry of the input and of every parameter, one at a time, and compares the
result with what ``backward`` computed. A layer's output is first reduced to
a scalar with a fixed random projection, :math:`f = \sum \text{out} \odot R`,
so that every output entry matters.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np

from . import threads as blas
from ._validation import RNGLike, check_not_masked, check_param_grads, check_positive, check_rng
from .layers import Layer
from .losses import Loss, SoftmaxCrossEntropy
from .model import Sequential

__all__ = ["gradcheck", "GradcheckResult", "ArrayCheck", "GradcheckError"]


class GradcheckError(AssertionError):
    """Raised by :meth:`GradcheckResult.raise_if_failed`; its message is the report.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> class Wrong(tn.Activation):
    ...     def forward(self, x):
    ...         return 3 * x
    ...     def derivative(self, x, out):
    ...         return np.ones_like(x)  # should be 3
    >>> try:
    ...     tn.gradcheck(Wrong(), np.ones((1, 2))).raise_if_failed()
    ... except tn.GradcheckError as error:
    ...     print(str(error).splitlines()[0])
    gradient check FAILED for 1 array(s) (eps=1e-06, rtol=0.001, atol=1e-05)
    """


@dataclass(frozen=True)
class ArrayCheck:
    """The comparison for one array (``x`` or a parameter such as ``W``).

    ``index``, ``analytic``, ``numeric`` and ``rel_error`` describe the worst
    entry: the one furthest outside ``atol + rtol * |numeric|``.

    Attributes
    ----------
    owner : str
        The layer, model or loss checked, e.g. ``"Sigmoid (sigmoid)"``.
    array : str
        ``"x"`` for the input, else the parameter's key (``"W"``; ``"dense_0.W"`` in a model).
    shape : tuple of int
        The array's shape.
    passed : bool
        Whether every entry is within tolerance.
    index : tuple of int
        The worst entry.
    analytic, numeric : float
        The worst entry's gradient from ``backward`` and from central differences.
    abs_error, rel_error : float
        ``|analytic - numeric|``, and that divided by ``max(|analytic|, |numeric|)``.
    message : str
        Set instead of the numbers when the check could not be made (wrong shape).

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> check = tn.gradcheck(tn.Dense(3, 2, rng=0), np.ones((4, 3))).checks[1]
    >>> check.array, check.shape, check.passed
    ('W', (3, 2), True)
    """

    owner: str
    array: str
    shape: tuple
    passed: bool
    index: tuple
    analytic: float
    numeric: float
    abs_error: float
    rel_error: float
    message: str = ""

    def __str__(self) -> str:
        status = "ok  " if self.passed else "FAIL"
        if self.message:
            return f"{status} {self.owner} {self.array}: {self.message}"
        return (
            f"{status} {self.owner} {self.array} {self.shape}: worst at index {self.index}: "
            f"analytic {self.analytic:.8g}, numeric {self.numeric:.8g}, "
            f"abs error {self.abs_error:.3g}, relative error {self.rel_error:.3g}"
        )


class GradcheckResult:
    """All comparisons made by :func:`gradcheck`; true when every one passed.

    Attributes
    ----------
    checks : list of ArrayCheck
        One per array, the input first.
    failures : list of ArrayCheck
        The checks that failed.
    ok : bool
        True when every check passed (also the result's truth value).
    eps, rtol, atol : float
        The settings the checks were made with.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> result = tn.gradcheck(tn.Dense(3, 2, rng=0), np.ones((4, 3)))
    >>> result
    <GradcheckResult ok=True arrays=3>
    >>> [check.array for check in result.checks]
    ['x', 'W', 'b']
    """

    def __init__(self, checks: list[ArrayCheck], eps: float, rtol: float, atol: float) -> None:
        self.checks = checks
        self.eps, self.rtol, self.atol = eps, rtol, atol

    @property
    def failures(self) -> list[ArrayCheck]:
        """The checks that failed, in order (empty when all passed)."""
        return [c for c in self.checks if not c.passed]

    @property
    def ok(self) -> bool:
        """True when every array passed."""
        return not self.failures

    def __bool__(self) -> bool:
        return self.ok

    def report(self) -> str:
        """A readable report: a headline, then one line per array (``str(result)`` is the same).

        Returns
        -------
        str
            ``ok``/``FAIL``, the owner, the array and its shape, the worst index,
            the analytic and numeric values and the errors, for every array.
        """
        head = "gradient check passed" if self.ok else f"gradient check FAILED for {len(self.failures)} array(s)"
        lines = [f"{head} (eps={self.eps:g}, rtol={self.rtol:g}, atol={self.atol:g})"]
        lines += [f"  {c}" for c in self.checks]
        return "\n".join(lines)

    __str__ = report

    def __repr__(self) -> str:
        return f"<GradcheckResult ok={self.ok} arrays={len(self.checks)}>"

    def raise_if_failed(self) -> None:
        """Raise :class:`GradcheckError` (an ``AssertionError``) carrying the report."""
        if not self.ok:
            raise GradcheckError(self.report())


def gradcheck(
    target: Layer | Sequential | Loss,
    x,
    y=None,
    *,
    eps: float = 1e-6,
    rtol: float = 1e-3,
    atol: float = 1e-5,
    loss: Loss | None = None,
    l2: float = 0.0,
    rng: RNGLike = 0,
) -> GradcheckResult:
    r"""Check every analytic gradient of ``target`` against central differences.

    Parameters
    ----------
    target : Layer, Sequential or Loss
        A layer or model is checked through the scalar
        :math:`f = \sum \text{out} \odot R` with a fixed random ``R``, unless
        ``y`` is given for a model, in which case :math:`f` is the training
        loss (``loss`` plus the ``l2`` penalty, exactly as ``fit`` computes
        it). A loss is checked through its own value, with labels ``y``.
    x : array_like, shape (N, n_in)
        The input at which gradients are compared. Must be float64 (integers
        are converted); it is copied, never modified.
    y : array_like of int, shape (N,), optional
        Labels, for a model trained with a loss, or for a loss.
    eps : float, default 1e-6
        Step of the central difference.
    rtol, atol : float, default 1e-3, 1e-5
        An entry passes when ``|analytic - numeric| <= atol + rtol * |numeric|``.
    loss : Loss, optional
        For a model with ``y``; default :class:`~tinynet.SoftmaxCrossEntropy`.
    l2 : float, default 0.0
        For a model with ``y``: L2 strength, as in ``fit``.
    rng : int, Generator or RandomState, default 0
        Source of the projection ``R``.

    Returns
    -------
    GradcheckResult
        True when every array passed; ``print(result)`` shows, for each array
        (``x``, ``W``, ``b``, ...), the worst index, the analytic and numeric
        values and the relative error. ``result.raise_if_failed()`` raises.

    Raises
    ------
    TypeError
        If ``x`` or a parameter is not float64 (finite differences in lower
        precision are dominated by rounding error), or a layer's ``grads``
        lack a key of its ``params``.
    ValueError
        If ``x`` or a parameter contains NaN or infinity, or ``x`` is a
        masked array with masked entries.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> x = np.random.default_rng(0).normal(size=(4, 3))
    >>> bool(tn.gradcheck(tn.Tanh(), x))
    True
    >>> class BadSquare(tn.Activation):
    ...     def forward(self, x):
    ...         return x**2
    ...     def derivative(self, x, out):
    ...         return x  # should be 2 * x
    >>> result = tn.gradcheck(BadSquare(), x)
    >>> result.ok, result.failures[0].owner, result.failures[0].array
    (False, 'BadSquare (bad_square)', 'x')
    """
    eps = check_positive(eps, "eps", "gradcheck")
    rtol = check_positive(rtol, "rtol", "gradcheck", allow_zero=True)
    atol = check_positive(atol, "atol", "gradcheck", allow_zero=True)
    check_not_masked(x, "gradcheck", "x")
    x = np.array(x)  # a private copy: we perturb it in place
    if x.dtype.kind in "iu":
        x = x.astype(np.float64)
    _check_array(x, "x", target)
    if isinstance(target, Loss):
        if y is None:
            raise ValueError("gradcheck: checking a loss needs labels y")
        owner, layers = type(target).__name__, []
    elif isinstance(target, Layer):
        owner = "Sequential" if isinstance(target, Sequential) else f"{type(target).__name__} ({target.name})"
        layers = [target, *(layer for _, layer in target.named_layers())]
        for layer in layers:
            check_param_grads(layer, "gradcheck")
            for key, value in layer.params.items():
                _check_array(value, key, layer)
    else:
        raise TypeError(f"gradcheck: expected a tinynet Layer, Sequential or Loss, got {target!r}")
    if y is not None and not isinstance(target, (Loss, Sequential)):
        raise ValueError("gradcheck: y is only used with a Sequential model or a Loss")
    with blas.limit(1), _unchanged(layers) as replay:
        f, analytic, arrays = _functions(target, x, y, loss, l2, rng, replay)
        first, again = f(), f()
        if first != again:
            raise ValueError(
                f"gradcheck: two forward passes of {owner} on the same input gave different results "
                f"({first!r}, then {again!r}), so finite differences cannot be taken: something in it draws "
                "random numbers at every call. Keep that layer's generator in an attribute named rng "
                "(gradcheck replays its draws), or check it in evaluation mode (layer.eval())"
            )
        checks = [
            _compare(owner, name, arrays[name], np.asarray(analytic.get(name)), f, eps, rtol, atol)
            for name in arrays
        ]
    return GradcheckResult(checks, eps, rtol, atol)


def _functions(target, x, y, loss, l2, rng, replay):
    """``(f, analytic, arrays)``: the scalar checked, the gradients ``backward`` gives, the arrays to perturb."""
    if isinstance(target, Loss):
        def f():
            return target.forward(x, y)

        f()
        return f, {"x": target.backward()}, {"x": x}
    model = isinstance(target, Sequential)
    params = target.parameters() if model else target.params
    grads = target.gradients() if model else target.grads
    arrays = {"x": x, **params}
    if y is not None:
        loss = SoftmaxCrossEntropy() if loss is None else loss
        weights = [layer.params[k] for _, layer in target.named_layers() for k in layer.weight_keys]

        def f():
            replay()
            value = loss.forward(target.forward(x), y)
            return value + sum(0.5 * l2 * np.sum(W * W) for W in weights)

        replay()
        target.compute_gradients(x, y, loss, l2)
        analytic = {key: g.copy() for key, g in grads.items()}
        replay()
        loss.forward(target.forward(x), y)
        analytic["x"] = target.backward(loss.backward())
        return f, analytic, arrays

    def output():
        replay()
        return target.forward(x) if model else target(x)

    R = check_rng(rng).standard_normal(np.shape(output()))

    def f():
        return float(np.sum(output() * R))

    f()
    analytic = {"x": target.backward(R)}
    analytic.update({key: np.array(g, copy=True) for key, g in grads.items()})
    return f, analytic, arrays


@contextlib.contextmanager
def _unchanged(layers):
    """Give the check a ``replay()`` that rewinds every layer's ``rng``; restore buffers and generators after."""
    generators = [layer.rng for layer in layers if isinstance(getattr(layer, "rng", None), _GENERATORS)]
    states = [_state(g) for g in generators]
    buffers = [(layer, {key: value.copy() for key, value in layer.buffers.items()}) for layer in layers]

    def replay():
        for g, state in zip(generators, states, strict=True):
            _set_state(g, state)

    try:
        yield replay
    finally:
        replay()
        for layer, saved in buffers:
            layer.buffers.update(saved)


_GENERATORS = (np.random.Generator, np.random.RandomState)


def _state(g):
    return g.bit_generator.state if isinstance(g, np.random.Generator) else g.get_state()


def _set_state(g, state) -> None:
    if isinstance(g, np.random.Generator):
        g.bit_generator.state = state
    else:
        g.set_state(state)


def _check_array(a: np.ndarray, name: str, owner) -> None:
    """Refuse what finite differences cannot check: lower precision and non-finite entries."""
    if a.dtype != np.float64:
        raise TypeError(
            f"gradcheck: {getattr(owner, 'name', owner)} {name} has dtype {a.dtype}; gradient "
            "checks need float64 (with eps=1e-6, rounding error in lower precision swamps "
            "the derivative). Convert with .astype(np.float64)."
        )
    bad = ~np.isfinite(a)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"gradcheck: {getattr(owner, 'name', owner)} {name} has the non-finite value {a[index]} "
            f"at index {index}; gradients can only be checked at finite values"
        )


def _numeric(a: np.ndarray, f, eps: float) -> np.ndarray:
    """Central differences of ``f()`` with respect to each entry of ``a`` (restored after)."""
    grad = np.empty(a.shape)
    for index in np.ndindex(a.shape):
        original = a[index]
        try:
            a[index] = original + eps
            plus = f()
            a[index] = original - eps
            minus = f()
        finally:  # an error or Ctrl-C inside f() must not leave the entry perturbed
            a[index] = original
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def _compare(owner, name, a, analytic, f, eps, rtol, atol) -> ArrayCheck:
    if analytic.shape != a.shape:
        return ArrayCheck(
            owner, name, a.shape, False, (), np.nan, np.nan, np.inf, np.inf,
            message=f"backward returned shape {analytic.shape}, expected {a.shape}",
        )
    numeric = _numeric(a, f, eps)
    if a.size == 0:
        return ArrayCheck(owner, name, a.shape, True, (), 0.0, 0.0, 0.0, 0.0)
    with np.errstate(invalid="ignore"):
        error = np.abs(analytic - numeric)
        excess = np.where(np.isnan(error), np.inf, error - (atol + rtol * np.abs(numeric)))
    index = np.unravel_index(int(np.argmax(excess)), a.shape)
    an, nu = float(analytic[index]), float(numeric[index])
    scale = max(abs(an), abs(nu))
    rel = abs(an - nu) / scale if scale > 0 else 0.0
    return ArrayCheck(owner, name, a.shape, bool(excess[index] <= 0), tuple(int(i) for i in index),
                      an, nu, float(error[index]), rel)
