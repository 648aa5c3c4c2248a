"""Testing helpers for people who extend tinynet (needs the ``testing`` extra).

A new activation is correct when its backward pass agrees with finite
differences on every input a user might feed it. :func:`assert_backward_correct`
asks hypothesis for many such inputs -- random batch sizes, widths and values,
kept away from the activation's kinks -- and runs :func:`tinynet.gradcheck`
on each::

    from tinynet.testing import assert_backward_correct

    def test_swish_backward():
        assert_backward_correct(Swish)

The strategies it uses are public too, for writing your own property tests.
Hypothesis is imported here and nowhere else in tinynet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from .gradcheck import gradcheck
from .layers import Layer

__all__ = ["inputs", "input_shapes", "assert_backward_correct"]


def input_shapes(
    *, min_rows: int = 1, max_rows: int = 6, min_cols: int = 1, max_cols: int = 6, n_cols: int | None = None
) -> st.SearchStrategy[tuple[int, int]]:
    """Shapes ``(n_samples, n_features)``; ``n_cols`` fixes the number of features.

    Examples
    --------
    >>> from hypothesis import given
    >>> from tinynet.testing import input_shapes
    >>> @given(input_shapes(n_cols=3))
    ... def test_width(shape):
    ...     assert shape[1] == 3
    >>> test_width()
    """
    cols = st.just(n_cols) if n_cols is not None else st.integers(min_cols, max_cols)
    return st.tuples(st.integers(min_rows, max_rows), cols)


def inputs(
    shape: tuple[int, int] | st.SearchStrategy | None = None,
    *,
    bound: float = 5.0,
    kinks: Sequence[float] = (),
    margin: float = 1e-3,
) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays with entries in ``[-bound, bound]``, at least ``margin`` from every kink.

    Parameters
    ----------
    shape : tuple or strategy of tuples, optional
        Default: :func:`input_shapes`.
    bound : float, default 5.0
        Largest magnitude. Finite, so nothing overflows.
    kinks : sequence of float
        Points where the function's derivative jumps (``ReLU.kinks == (0.0,)``).
        Entries are drawn so that none lies within ``margin`` of a kink, which
        keeps the central difference from straddling it.
    margin : float, default 1e-3
        Must be much larger than the gradient check's ``eps``.

    Examples
    --------
    >>> import numpy as np
    >>> from hypothesis import given
    >>> from tinynet.testing import inputs
    >>> @given(inputs((3, 2), kinks=(0.0,)))
    ... def test_away_from_zero(x):
    ...     assert x.shape == (3, 2) and np.all(np.abs(x) >= 1e-3)
    >>> test_away_from_zero()
    """
    shape = input_shapes() if shape is None else shape
    elements = st.floats(-bound, bound, allow_nan=False, allow_infinity=False, allow_subnormal=False)
    if kinks:
        kinks = tuple(float(k) for k in kinks)
        elements = elements.filter(lambda v: all(abs(v - k) >= margin for k in kinks))
    return arrays(np.float64, shape, elements=elements)


def assert_backward_correct(
    layer_factory: Callable[[], Layer],
    *,
    n_features: int | None = None,
    min_rows: int = 1,
    kinks: Sequence[float] | None = None,
    bound: float = 5.0,
    max_examples: int = 50,
    eps: float = 1e-6,
    rtol: float = 1e-3,
    atol: float = 1e-5,
) -> None:
    """Assert that ``layer_factory()``'s backward pass matches finite differences.

    Hypothesis draws input batches (1-6 rows, 1-6 features unless
    ``n_features`` is given, entries in ``[-bound, bound]`` away from the
    kinks) and, for each, builds a fresh layer and runs
    :func:`tinynet.gradcheck` on the input and every parameter. On failure
    hypothesis shrinks to a small input and the assertion message is the
    gradient-check report, naming the layer, the array, the worst index and
    both values.

    Parameters
    ----------
    layer_factory : callable
        Called with no arguments; returns the layer to check. An activation
        class (``Swish``) works as it is; a layer with arguments needs a
        function: ``assert_backward_correct(lambda: tn.Dense(3, 2, rng=0))``.
    n_features : int, optional
        Input width, for layers that need one; default the layer's ``n_in``
        if it has one (``Dense``, ``BatchNorm``, ...), else random widths.
    min_rows : int, default 1
        Fewest rows in a batch (up to 6): ``2`` for a layer that needs a batch
        statistic, such as :class:`~tinynet.BatchNorm` in training mode.
    kinks : sequence of float, optional
        Default: the layer's ``kinks`` attribute (``()`` if it has none).
    bound, max_examples, eps, rtol, atol
        Input range, number of hypothesis examples, and the checker's settings.

    Raises
    ------
    AssertionError
        With the gradient-check report of the (shrunk) failing input.
    TypeError
        If ``layer_factory`` is a layer instance rather than something that
        builds one, or builds something that is not a layer.

    Examples
    --------
    >>> import tinynet as tn
    >>> from tinynet.testing import assert_backward_correct
    >>> assert_backward_correct(tn.Sigmoid, max_examples=10)
    """
    if isinstance(layer_factory, Layer) or not callable(layer_factory):
        raise TypeError(
            "assert_backward_correct: pass the layer's class or a function that builds it (tn.ReLU, "
            f"lambda: tn.LeakyReLU(0.1)): every example needs a fresh layer; got {layer_factory!r}"
        )
    sample = layer_factory()
    if not isinstance(sample, Layer):
        raise TypeError(f"assert_backward_correct: layer_factory() must return a tinynet Layer, got {sample!r}")
    if kinks is None:
        kinks = getattr(sample, "kinks", ())
    if n_features is None:
        n_features = getattr(sample, "n_in", None)  # a layer with a fixed input width (Dense, BatchNorm, ...)
    shapes = input_shapes(min_rows=min_rows, n_cols=n_features)

    @settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(x=inputs(shapes, bound=bound, kinks=kinks))
    def check(x):
        layer = layer_factory()
        try:
            result = gradcheck(layer, x, eps=eps, rtol=rtol, atol=atol)
        except ValueError as error:
            if n_features is None and "shape" in str(error):
                raise ValueError(f"assert_backward_correct: {layer.name} refused an input of shape {x.shape} ({error}); "
                                 f"if it takes a fixed number of features, pass n_features=...") from error
            raise
        result.raise_if_failed()

    check()
