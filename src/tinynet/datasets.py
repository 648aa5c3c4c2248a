"""Datasets: small synthetic problems to train on.

:func:`spiral` is the cs231n / notebook toy problem: classes that wind
around the origin and cannot be separated by a straight line.
"""

from __future__ import annotations

import numpy as np

from ._validation import RNGLike, check_int, check_positive, check_rng

__all__ = ["spiral"]


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
