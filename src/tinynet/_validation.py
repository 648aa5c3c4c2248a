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
import importlib
import math
import numbers
import tempfile
from pathlib import Path
from types import ModuleType

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


def real_problem(value: float, *, allow_zero: bool = False) -> str | None:
    """What is wrong with ``value`` as a finite, positive (or, with ``allow_zero``, non-negative) number, if anything."""
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        return f"must be finite and {'>= 0' if allow_zero else '> 0'}"
    return None


def int_problem(value: int, *, minimum: int = 1, maximum: int | None = None) -> str | None:
    """What is wrong with ``value`` as an int in ``[minimum, maximum]``, if anything."""
    if value < minimum:
        return f"must be >= {minimum}"
    if maximum is not None and value > maximum:
        return f"must be <= {maximum}"
    return None


def check_positive(value, name: str, owner: str, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a float, refusing NaN, infinities and negatives."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a real number, got {value!r}")
    value = float(value)
    problem = real_problem(value, allow_zero=allow_zero)
    if problem:
        raise ValueError(f"{owner}: {name} {problem}, got {value!r}")
    return value


def check_int(value, name: str, owner: str, *, minimum: int = 1, maximum: int | None = None) -> int:
    """Return ``value`` as an int in ``[minimum, maximum]``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{owner}: {name} must be an integer, got {value!r}")
    problem = int_problem(value, minimum=minimum, maximum=maximum)
    if problem:
        raise ValueError(f"{owner}: {name} {problem}, got {value!r}")
    return int(value)


def check_output_folder(path, owner: str) -> Path:
    """Return ``path`` as a folder that exists (it is created) and takes new files; else raise ``OSError``.

    Called before long work whose results go there, so that a bad folder is
    reported at once, not after the work.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise FileExistsError(f"{owner}: {path} is a file, not a folder for the figures")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as error:
        raise type(error)(f"{owner}: cannot write into the folder {path}: {error.strerror or error}") from None
    return path


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
    with np.errstate(over="ignore"):  # values beyond dtype's range become inf, told apart below
        converted = arr.astype(dtype, copy=False)
    if not np.isfinite(converted).all():
        bad = np.argwhere(~np.isfinite(converted))
        row, column = bad[0]
        if np.isfinite(arr[row, column]):
            raise ValueError(
                f"{owner}: X holds values beyond the range of {np.dtype(dtype)}, the model's dtype "
                f"(largest |X| {np.abs(arr).max():g}, largest {np.dtype(dtype)} {np.finfo(dtype).max:g}), "
                f"the first at row {row}, column {column}; rescale X or use a float64 model"
            )
        raise ValueError(
            f"{owner}: X contains {len(bad)} NaN or infinite value(s), the first at row "
            f"{row}, column {column}; drop or impute those rows first"
        )
    return converted


def check_labels(y, n_samples: int, n_classes: int | None, owner: str) -> np.ndarray:
    """Return ``y`` as a 1-D ``intp`` array of class labels in ``[0, n_classes)``."""
    if (type(y) is np.ndarray and y.dtype == np.intp and y.shape == (n_samples,) and n_samples
            and n_classes is not None and y.min() >= 0 and y.max() < n_classes):
        # the common case, a minibatch of labels fit already checked: the same two reductions as below
        # without the general path's conversions, about 1 us of a minibatch step's ~80 us
        return y
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


def require(module: str, extra: str, owner: str) -> ModuleType:
    """Import an optional dependency, or say which extra of tinynet installs it.

    Examples
    --------
    >>> from tinynet._validation import require
    >>> require("no_such_module", "plot", "tinynet.plot")
    Traceback (most recent call last):
    ImportError: tinynet.plot needs no_such_module: pip install 'tinynet-learn[plot]'
    """
    try:
        importlib.import_module(module.partition(".")[0])  # the package too, if the module was imported before
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(f"{owner} needs {module.partition('.')[0]}: pip install 'tinynet-learn[{extra}]'") from None


def nonfinite(arrays: dict[str, np.ndarray]) -> list[str]:
    """The keys of the arrays that hold a NaN or an infinity, in order."""
    return [key for key, value in arrays.items() if not np.isfinite(value).all()]
