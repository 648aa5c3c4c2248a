"""The spiral generator is the notebook's, draw for draw."""

import numpy as np
import pytest

import tinynet as tn


def test_spiral_equals_the_notebook_cell():
    state = np.random.RandomState(0)
    N, D, K = 100, 2, 3
    X = np.zeros((N * K, D))
    y = np.zeros(N * K, dtype="uint8")
    for j in range(K):
        ix = range(N * j, N * (j + 1))
        r = np.linspace(0.0, 1, N)
        t = np.linspace(j * 4, (j + 1) * 4, N) + state.randn(N) * 0.2
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[ix] = j
    rng = np.random.RandomState(0)
    X2, y2 = tn.datasets.spiral(n_per_class=100, n_classes=3, rng=rng)
    assert np.array_equal(X, X2)
    assert np.array_equal(y, y2)
    assert rng.randn() == state.randn()  # the stream is left where the notebook's weights start


def test_shapes_and_seeds():
    X, y = tn.datasets.spiral(n_per_class=7, n_classes=5, noise=0.0, rng=1)
    assert X.shape == (35, 2)
    assert y.tolist() == sorted(y.tolist())
    assert np.array_equal(X, tn.datasets.spiral(7, 5, noise=0.0, rng=99)[0])
    assert np.abs(X).max() <= 1.0


def test_bad_arguments():
    with pytest.raises(ValueError, match="n_per_class"):
        tn.datasets.spiral(n_per_class=0)
    with pytest.raises(ValueError, match="noise"):
        tn.datasets.spiral(noise=-1)
