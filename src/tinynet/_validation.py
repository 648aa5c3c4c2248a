"""Checks at the public boundary, in one place.

Every function here takes what a user handed to tinynet, and either returns
it in the form the library works with or raises a ``ValueError`` /
``TypeError`` whose message names who complained, what was expected and what
arrived. Layers and models call these once per public call; the one that
runs for every layer in every training iteration, :func:`check_float_input`,
passes a float array through after a single test.
"""

from __future__ import annotations

import difflib
import numbers

import numpy as np

RNGLike = int | np.random.Generator | np.random.RandomState | None
"""What every ``rng`` argument accepts."""


def check_rng(rng: RNGLike) -> np.random.Generator | np.random.RandomState:
    """Turn ``rng`` into a numpy random generator (SPEC 7 conventions).

    ``None`` gives a fresh ``default_rng()``, an int seeds ``default_rng``,
    and a ``Generator`` or ``RandomState`` is used as it is, so that draws
    continue its stream (this is how the notebook's ``np.random.randn``
    sequence is reproduced with ``RandomState(0)``).
    """
    if isinstance(rng, (np.random.Generator, np.random.RandomState)):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        if rng is not None and rng < 0:
            raise ValueError(f"rng: an int seed must be >= 0, got {rng}")
        return np.random.default_rng(rng)
    raise TypeError(
        "rng must be None, an int seed, a numpy Generator or a RandomState; "
        f"got {type(rng).__name__}"
    )


def check_param_grads(layer, owner: str) -> None:
    """Refuse a layer whose ``grads`` do not have exactly the keys of its ``params``."""
    params, grads = getattr(layer, "params", None), getattr(layer, "grads", None)
    if not (isinstance(params, dict) and isinstance(grads, dict)) or set(params) != set(grads):
        raise TypeError(
            f"{owner}: {getattr(layer, 'name', type(layer).__name__)} has params {sorted(params or {})} but "
            f"grads {sorted(grads or {})}; give grads an array for every params key (and call "
            "super().__init__() in the layer's __init__)"
        )


def check_positive(value, name: str, owner: str, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a float, refusing NaN, infinities and negatives."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a real number, got {value!r}")
    value = float(value)
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{owner}: {name} must be finite and {bound}, got {value!r}")
    return value


def check_int(value, name: str, owner: str, *, minimum: int = 1) -> int:
    """Return ``value`` as an int ``>= minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{owner}: {name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{owner}: {name} must be >= {minimum}, got {value!r}")
    return int(value)


def check_choice(value: str, choices, what: str) -> str:
    """Return ``value`` if it is one of ``choices``; else list them, with a guess.

    Examples
    --------
    >>> from tinynet._validation import check_choice
    >>> check_choice("sigmoi", ("sigmoid", "relu"), "activation")
    Traceback (most recent call last):
    ValueError: unknown activation 'sigmoi'; valid names are 'sigmoid', 'relu'. Did you mean 'sigmoid'?
    """
    valid = ", ".join(repr(c) for c in choices)
    if not isinstance(value, str):
        raise TypeError(f"{what} must be given by name (a str), one of {valid}; got {value!r}")
    if value in choices:
        return value
    hint = difflib.get_close_matches(value, list(choices), n=1)
    guess = f" Did you mean {hint[0]!r}?" if hint else ""
    raise ValueError(f"unknown {what} {value!r}; valid names are {valid}.{guess}")


def check_not_masked(x, owner: str, name: str) -> None:
    """Refuse a masked array with masked entries: ``np.asarray`` would drop the mask."""
    if np.ma.is_masked(x):
        raise ValueError(
            f"{owner}: {name} is a masked array with masked entries ({np.ma.count_masked(x)}); tinynet "
            "ignores masks and would use the values under them. Fill them with .filled(value) "
            "or drop those rows first"
        )


def check_real(x, owner: str, name: str = "X") -> np.ndarray:
    """Return ``np.asarray(x)`` if it holds real numbers (int or float).

    Booleans, strings, objects, complex numbers, ragged nested lists and masked
    arrays with masked entries are refused.
    """
    check_not_masked(x, owner, name)
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as exc:  # ragged nested lists, odd objects
        raise TypeError(f"{owner}: {name} must be array-like of numbers ({exc})") from None
    if arr.dtype.kind not in "iuf":
        raise TypeError(
            f"{owner}: {name} must hold real numbers (int or float), got dtype {arr.dtype}"
        )
    return arr


def check_float_input(x, owner: str, name: str = "the input") -> np.ndarray:
    """Return ``x`` as a plain float32 or float64 array, what layers and losses compute with.

    Such an array comes back as it is (the test runs for every layer call, so it
    comes first). A list, an integer array or another float type becomes
    float64; a subclass such as ``np.matrix`` (whose ``*`` is a matrix product)
    a plain array.
    """
    if type(x) is np.ndarray and x.dtype.char in "fd":
        return x
    arr = check_real(x, owner, name)
    return arr if arr.dtype.char in "fd" else arr.astype(np.float64)


def check_features(x, owner: str, dtype=np.float64) -> np.ndarray:
    """Return ``x`` as a finite 2-D float array of shape ``(n_samples, n_features)``.

    Integer and lower-precision float input is converted to ``dtype``; booleans,
    strings, objects, complex numbers, NaN and infinities are refused.
    """
    arr = check_real(x, owner)
    if arr.ndim != 2:
        one = " (one sample? use x.reshape(1, -1))" if arr.ndim == 1 else ""
        raise ValueError(
            f"{owner}: X must be 2-D with shape (n_samples, n_features), "
            f"got shape {arr.shape}{one}"
        )
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{owner}: X is empty (shape {arr.shape})")
    with np.errstate(over="ignore"):  # longdouble beyond float64's range becomes inf, refused below
        arr = arr.astype(dtype, copy=False)
    if not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))
        raise ValueError(
            f"{owner}: X contains {len(bad)} NaN or infinite value(s), the first at row "
            f"{bad[0][0]}, column {bad[0][1]}; drop or impute those rows first"
        )
    return arr


def check_labels(y, n_samples: int, n_classes: int | None, owner: str) -> np.ndarray:
    """Return ``y`` as a 1-D ``intp`` array of class labels in ``[0, n_classes)``."""
    check_not_masked(y, owner, "y")
    try:
        arr = np.asarray(y)
    except (ValueError, TypeError) as exc:
        raise TypeError(f"{owner}: y must be array-like of integer labels ({exc})") from None
    if arr.ndim != 1:
        one_hot = " (one-hot labels? pass y.argmax(axis=1))" if arr.ndim == 2 else ""
        raise ValueError(f"{owner}: y must be 1-D (n_samples,), got shape {arr.shape}{one_hot}")
    if arr.shape[0] != n_samples:
        raise ValueError(
            f"{owner}: y has {arr.shape[0]} labels but X has {n_samples} samples"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{owner}: y is empty; a batch needs at least one labelled sample")
    if arr.dtype.kind == "f":
        if not np.isfinite(arr).all() or np.any(arr != np.round(arr)):
            raise ValueError(
                f"{owner}: y must hold integer class labels, got float values "
                "with fractions (or NaN)"
            )
    elif arr.dtype.kind not in "iu":
        raise TypeError(f"{owner}: y must hold integer class labels, got dtype {arr.dtype}")
    if arr.size and arr.min() < 0:
        raise ValueError(f"{owner}: y must hold labels >= 0, got {arr.min():g}")
    # checked before the cast to intp, which would wrap (or warn about) labels beyond its range
    limit = np.iinfo(np.intp).max if n_classes is None else n_classes
    if arr.size and arr.max() >= limit:
        raise ValueError(
            f"{owner}: label {arr.max():g} is out of range: the model outputs "
            f"{n_classes} classes, so labels must be in [0, {n_classes - 1}]"
            if n_classes is not None else f"{owner}: label {arr.max():g} is too large"
        )
    return arr.astype(np.intp, copy=False)
