"""Small data sets to train on.

:func:`spiral`, :func:`moons`, :func:`circles` and :func:`xor` draw made-up
problems in the plane from an ``rng``: classes that no straight line can
separate. :func:`digits` loads a real one that ships with tinynet, 8x8
images of handwritten digits. :func:`train_test_split` holds part of a data
set back, to test on.
"""

from __future__ import annotations

import math
import numbers
from importlib import resources

import numpy as np

from ._validation import RNGLike, check_int, check_labels, check_positive, check_real, check_rng

__all__ = ["spiral", "moons", "circles", "xor", "digits", "train_test_split"]


def spiral(
    n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2, rng: RNGLike = None
) -> tuple[np.ndarray, np.ndarray]:
    r"""Points on ``n_classes`` interleaved spiral arms in the plane.

    Arm :math:`j` has radii :math:`r` evenly spaced in :math:`[0, 1]` and
    angles evenly spaced in :math:`[4j, 4(j+1)]` plus Gaussian noise of
    standard deviation ``noise``; a point is :math:`(r \sin t, r \cos t)`.
    The noise is drawn arm by arm with ``rng.standard_normal(n_per_class)``,
    so ``rng=np.random.RandomState(0)`` gives the notebook's data, draw for
    draw, and leaves ``rng`` where the notebook's weight draws start.

    Parameters
    ----------
    n_per_class : int, default 100
    n_classes : int, default 3
    noise : float, default 0.2
    rng : int, Generator or RandomState, optional

    Returns
    -------
    X : ndarray, shape (n_per_class * n_classes, 2)
    y : ndarray of int, shape (n_per_class * n_classes,)
        Class labels ``0 .. n_classes - 1``, in blocks.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> X, y = tn.datasets.spiral(rng=np.random.RandomState(0))
    >>> X.shape, y.shape, np.bincount(y).tolist()
    ((300, 2), (300,), [100, 100, 100])
    """
    n = check_int(n_per_class, "n_per_class", "spiral")
    k = check_int(n_classes, "n_classes", "spiral")
    noise = check_positive(noise, "noise", "spiral", allow_zero=True)
    rng = check_rng(rng)
    X = np.zeros((n * k, 2))
    y = np.zeros(n * k, dtype=np.intp)
    r = np.linspace(0.0, 1, n)
    for j in range(k):
        t = np.linspace(j * 4, (j + 1) * 4, n) + rng.standard_normal(n) * noise
        X[n * j : n * (j + 1)] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[n * j : n * (j + 1)] = j
    return X, y


def _halves(n_samples, noise, shuffle, owner: str) -> tuple[int, int, float]:
    """Check the arguments :func:`moons` and :func:`circles` share; return the two class sizes and the noise."""
    n = check_int(n_samples, "n_samples", owner, minimum=2)
    noise = check_positive(noise, "noise", owner, allow_zero=True)
    if not isinstance(shuffle, bool):
        raise TypeError(f"{owner}: shuffle must be True or False, got {shuffle!r}")
    return n // 2, n - n // 2, noise


def _shuffle_and_blur(X, y, noise: float, shuffle: bool, rng) -> tuple[np.ndarray, np.ndarray]:
    """Shuffle the rows with ``rng.permutation``, then add Gaussian noise with ``rng.normal``."""
    if shuffle:
        order = rng.permutation(len(y))
        X, y = X[order], y[order]
    return X + rng.normal(scale=noise, size=X.shape), y


def moons(
    n_samples: int = 100, noise: float = 0.0, shuffle: bool = True, rng: RNGLike = None
) -> tuple[np.ndarray, np.ndarray]:
    r"""Two interleaving half circles in the plane (scikit-learn's ``make_moons``).

    Class 0 is the upper half of the unit circle, class 1 the same half
    circle flipped and shifted so that it hooks into the first:

    .. math::

        x^{(0)}_i = (\cos t_i,\ \sin t_i), \qquad
        x^{(1)}_j = (1 - \cos t_j,\ \tfrac12 - \sin t_j),

    with angles :math:`t` evenly spaced in :math:`[0, \pi]`; class 0 has
    ``n_samples // 2`` points and class 1 the rest. The rows are then shuffled
    (``rng.permutation``) and every coordinate gets Gaussian noise of standard
    deviation ``noise`` (``rng.normal``), in the order scikit-learn draws them:
    ``rng=np.random.RandomState(s)`` gives exactly the points of
    scikit-learn's ``make_moons(..., random_state=s)``.

    Parameters
    ----------
    n_samples : int, default 100
        Number of points, at least 2.
    noise : float, default 0.0
        Standard deviation of the Gaussian noise added to each coordinate.
    shuffle : bool, default True
        Shuffle the rows; if False, class 0 comes first.
    rng : int, Generator or RandomState, optional

    Returns
    -------
    X : ndarray of float64, shape (n_samples, 2)
    y : ndarray of int, shape (n_samples,)
        Class labels 0 and 1.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> X, y = tn.datasets.moons(n_samples=200, noise=0.1, rng=0)
    >>> X.shape, X.dtype, np.bincount(y).tolist()
    ((200, 2), dtype('float64'), [100, 100])
    """
    n_out, n_in, noise = _halves(n_samples, noise, shuffle, "moons")
    rng = check_rng(rng)
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    # 1 - sin t - 0.5 rather than 0.5 - sin t: scikit-learn's order of operations, so the points are
    # the same to the last bit
    X = np.concatenate([np.c_[np.cos(t_out), np.sin(t_out)], np.c_[1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5]])
    y = np.repeat(np.array([0, 1], dtype=np.intp), [n_out, n_in])
    return _shuffle_and_blur(X, y, noise, shuffle, rng)


def circles(
    n_samples: int = 100, noise: float = 0.0, factor: float = 0.8, shuffle: bool = True, rng: RNGLike = None
) -> tuple[np.ndarray, np.ndarray]:
    r"""A circle inside a larger circle (scikit-learn's ``make_circles``).

    Class 0 lies on the unit circle, class 1 on a circle of radius
    ``factor`` with the same centre:

    .. math::

        x^{(0)}_i = (\cos t_i,\ \sin t_i), \qquad
        x^{(1)}_j = \mathrm{factor} \cdot (\cos t_j,\ \sin t_j),

    with angles :math:`t` evenly spaced in :math:`[0, 2\pi)`; class 0 has
    ``n_samples // 2`` points and class 1 the rest. The rows are then shuffled
    (``rng.permutation``) and every coordinate gets Gaussian noise of standard
    deviation ``noise`` (``rng.normal``), in the order scikit-learn draws them:
    ``rng=np.random.RandomState(s)`` gives exactly the points of
    scikit-learn's ``make_circles(..., random_state=s)``.

    Parameters
    ----------
    n_samples : int, default 100
        Number of points, at least 2.
    noise : float, default 0.0
        Standard deviation of the Gaussian noise added to each coordinate.
    factor : float, default 0.8
        Radius of the inner circle, in ``[0, 1)``.
    shuffle : bool, default True
        Shuffle the rows; if False, class 0 comes first.
    rng : int, Generator or RandomState, optional

    Returns
    -------
    X : ndarray of float64, shape (n_samples, 2)
    y : ndarray of int, shape (n_samples,)
        Class labels: 0 outer circle, 1 inner circle.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> X, y = tn.datasets.circles(n_samples=6, factor=0.5, shuffle=False, rng=0)
    >>> np.hypot(X[:, 0], X[:, 1]).round(6).tolist(), y.tolist()     # radii and classes
    ([1.0, 1.0, 1.0, 0.5, 0.5, 0.5], [0, 0, 0, 1, 1, 1])
    """
    n_out, n_in, noise = _halves(n_samples, noise, shuffle, "circles")
    factor = check_positive(factor, "factor", "circles", allow_zero=True)
    if factor >= 1:
        raise ValueError(f"circles: factor (the inner radius) must be in [0, 1), got {factor!r}")
    rng = check_rng(rng)
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.concatenate([np.c_[np.cos(t_out), np.sin(t_out)], factor * np.c_[np.cos(t_in), np.sin(t_in)]])
    y = np.repeat(np.array([0, 1], dtype=np.intp), [n_out, n_in])
    return _shuffle_and_blur(X, y, noise, shuffle, rng)


def xor(n_samples: int = 100, noise: float = 0.0, rng: RNGLike = None) -> tuple[np.ndarray, np.ndarray]:
    r"""Points in the four quadrants, labelled by the exclusive or of their signs.

    Points are drawn uniformly from the square :math:`[-1, 1]^2`
    (``rng.uniform``) and labelled by which quadrant they fall in,

    .. math::

        y = [x_1 > 0] \oplus [x_2 > 0],

    so the first and third quadrants are class 0 and the second and fourth
    class 1; then every coordinate gets Gaussian noise of standard deviation
    ``noise`` (``rng.normal``), which carries some points across the axes.
    The class sizes are random, about ``n_samples / 2`` each.

    Parameters
    ----------
    n_samples : int, default 100
        Number of points, at least 1.
    noise : float, default 0.0
        Standard deviation of the Gaussian noise added to each coordinate.
    rng : int, Generator or RandomState, optional

    Returns
    -------
    X : ndarray of float64, shape (n_samples, 2)
    y : ndarray of int, shape (n_samples,)
        Class labels 0 and 1.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> X, y = tn.datasets.xor(n_samples=4, rng=1)   # one point in each quadrant
    >>> (X > 0).astype(int).tolist(), y.tolist()
    ([[1, 1], [0, 1], [0, 0], [1, 0]], [0, 1, 0, 1])
    """
    n = check_int(n_samples, "n_samples", "xor")
    noise = check_positive(noise, "noise", "xor", allow_zero=True)
    rng = check_rng(rng)
    X = rng.uniform(-1, 1, size=(n, 2))
    y = ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(np.intp)
    return X + rng.normal(scale=noise, size=X.shape), y


def digits() -> tuple[np.ndarray, np.ndarray]:
    r"""The 8x8 handwritten digits: 1,797 images of the digits 0 to 9.

    Each image is an 8x8 grid of counts: the scanned digit was normalised to
    a 32x32 black-and-white bitmap, cut into 4x4 blocks, and each pixel here
    is the number of ink pixels in one block, 0 to 16. The rows of ``X`` are
    those 64 counts divided by 16, read row by row (``X[i].reshape(8, 8)`` is
    the image). The images are the test part (``optdigits.tes``, written by 13
    people) of the UCI "Optical Recognition of Handwritten Digits" data set,
    in the copy scikit-learn ships for ``load_digits``; they are stored inside
    tinynet (about 45 kB), so this works offline.

    Source: E. Alpaydin and C. Kaynak, Bogazici University, 1998; UCI Machine
    Learning Repository, https://archive.ics.uci.edu/dataset/80.
    Licence: Creative Commons Attribution 4.0 International (CC BY 4.0),
    https://creativecommons.org/licenses/by/4.0/. tinynet only changed the
    storage format (``data/NOTICE.txt`` next to the file says so); cite the
    data set if you publish results on it.

    Returns
    -------
    X : ndarray of float64, shape (1797, 64)
        Pixel values in [0, 1], in multiples of 1/16.
    y : ndarray of int, shape (1797,)
        The digit shown, 0 to 9 (between 174 and 183 images of each).

    References
    ----------
    .. [1] E. Alpaydin and C. Kaynak, "Optical Recognition of Handwritten
       Digits" [data set], UCI Machine Learning Repository, 1998.
       https://doi.org/10.24432/C50P49
    .. [2] C. Kaynak, "Methods of Combining Multiple Classifiers and Their
       Applications to Handwritten Digit Recognition", MSc thesis, Bogazici
       University, 1995.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> X, y = tn.datasets.digits()
    >>> X.shape, X.dtype, float(X.min()), float(X.max())
    ((1797, 64), dtype('float64'), 0.0, 1.0)
    >>> np.bincount(y).tolist()
    [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    >>> (X[0].reshape(8, 8) * 16).astype(int)[1]    # the top of a 0
    array([ 0,  0, 13, 15, 10, 15,  5,  0])
    """
    file = resources.files(__package__) / "data" / "digits.npz"
    with file.open("rb") as f, np.load(f, allow_pickle=False) as npz:
        pixels, labels = npz["pixels"], npz["labels"]
    return pixels / 16.0, labels.astype(np.intp)


def train_test_split(
    X, y, test_size: float = 0.2, stratify: bool = True, rng: RNGLike = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    r"""Shuffle the samples and split them into a training part and a test part.

    The test part gets :math:`n_\text{test}` of the :math:`n` samples:
    ``test_size`` itself if it is an int, else ``ceil(test_size * n)``, the
    product first rounded to 9 decimals so that ``0.07 * 100`` counts as 7,
    not 8 (otherwise scikit-learn's rule). The training part gets the rest.

    With ``stratify=True`` each class keeps its share in both parts: class
    :math:`c`, with :math:`n_c` samples, gets :math:`q_c = n_\text{test}
    n_c / n` test places rounded down, and the places still free go, one
    each, to the classes with the largest remainders :math:`n_\text{test} n_c
    \bmod n` (ties: the smaller label first). So every class has
    :math:`\lfloor q_c \rfloor` or :math:`\lceil q_c \rceil` test samples, and
    the test part has exactly :math:`n_\text{test}`. Which samples of a class
    go to the test part, and the order of both parts, come from one
    ``rng.permutation(n)``.

    Parameters
    ----------
    X : array_like, shape (n, ...)
        The samples, one per row.
    y : array_like of int, shape (n,)
        Their class labels.
    test_size : float or int, default 0.2
        The fraction of the samples for the test part, in (0, 1), or their
        number, from 1 to ``n - 1``.
    stratify : bool, default True
        Keep each class's share the same in both parts; needs at least two
        samples of every class.
    rng : int, Generator or RandomState, optional

    Returns
    -------
    X_train : ndarray, shape (n - n_test, ...)
    X_test : ndarray, shape (n_test, ...)
    y_train : ndarray of int, shape (n - n_test,)
    y_test : ndarray of int, shape (n_test,)

    Raises
    ------
    ValueError
        If ``X`` and ``y`` differ in length, ``test_size`` would leave a part
        empty, or (stratifying) a class has a single sample.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> X, y = tn.datasets.digits()
    >>> X_train, X_test, y_train, y_test = tn.datasets.train_test_split(X, y, rng=0)
    >>> X_train.shape, X_test.shape           # ceil(0.2 * 1797) = 360 test samples
    ((1437, 64), (360, 64))
    >>> np.bincount(y_test).tolist()          # 36 of each digit, give or take one
    [36, 37, 35, 37, 36, 36, 36, 36, 35, 36]
    """
    X = check_real(X, "train_test_split")
    if X.ndim == 0:
        raise ValueError("train_test_split: X must have one sample per row, got a scalar")
    n = len(X)
    y = check_labels(y, n, None, "train_test_split")
    if n < 2:
        raise ValueError(f"train_test_split: need at least 2 samples to split, got {n}")
    if not isinstance(stratify, bool):
        raise TypeError(
            "train_test_split: stratify must be True or False (the classes come from y), "
            f"got {type(stratify).__name__}"
        )
    n_test = _test_count(test_size, n)
    order = check_rng(rng).permutation(n)
    is_test = np.zeros(n, dtype=bool)
    if stratify:
        classes, counts = np.unique(y, return_counts=True)
        if counts.min() < 2:
            raise ValueError(
                f"train_test_split: class(es) {classes[counts < 2].tolist()} have a single sample, which "
                "cannot be in both parts; drop them, or pass stratify=False"
            )
        share, remainder = np.divmod(n_test * counts, n)
        share[np.argsort(-remainder, kind="stable")[: n_test - share.sum()]] += 1
        for c, k in zip(classes, share, strict=True):  # the first k samples of class c, in shuffled order
            is_test[order[y[order] == c][:k]] = True
    else:
        is_test[order[:n_test]] = True
    train, test = order[~is_test[order]], order[is_test[order]]
    return X[train], X[test], y[train], y[test]


def _test_count(test_size, n: int) -> int:
    """The number of test samples that ``test_size`` asks for out of ``n`` (see :func:`train_test_split`)."""
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real):
        raise TypeError(f"train_test_split: test_size must be a float or an int, got {test_size!r}")
    if isinstance(test_size, numbers.Integral):
        n_test = int(test_size)
        if not 1 <= n_test <= n - 1:
            raise ValueError(
                f"train_test_split: test_size={n_test} would leave a part empty; "
                f"give a count from 1 to {n - 1} (there are {n} samples)"
            )
        return n_test
    if not 0 < test_size < 1:
        raise ValueError(f"train_test_split: test_size must be a fraction in (0, 1), got {test_size!r}")
    n_test = math.ceil(round(float(test_size) * n, 9))
    if not 1 <= n_test <= n - 1:
        raise ValueError(
            f"train_test_split: test_size={test_size!r} of {n} samples is {n_test} test samples, "
            f"which leaves the {'test' if n_test == 0 else 'training'} part empty"
        )
    return n_test
