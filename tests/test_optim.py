"""Optimizers on problems with a known minimum."""

import numpy as np
import pytest

import tinynet as tn

TARGET = np.array([3.0, -2.0, 0.5])


def minimise(optimizer, steps):
    """Minimise f(w) = 0.5 * sum(a * (w - TARGET)**2), an ill-conditioned bowl."""
    a = np.array([1.0, 10.0, 0.1])
    params = {"w": np.zeros(3)}
    for _ in range(steps):
        grads = {"w": a * (params["w"] - TARGET)}
        optimizer.step(params, grads)
    return params["w"]


@pytest.mark.parametrize(
    ("optimizer", "steps"),
    [(tn.SGD(lr=0.15), 2000), (tn.SGD(lr=0.05, momentum=0.9), 1000), (tn.Adam(lr=0.05), 3000)],
)
def test_reaches_the_minimum(optimizer, steps):
    np.testing.assert_allclose(minimise(optimizer, steps), TARGET, atol=1e-6)


def test_momentum_is_faster_than_plain_sgd_on_a_shallow_direction():
    plain = minimise(tn.SGD(lr=0.05), 200)
    heavy = minimise(tn.SGD(lr=0.05, momentum=0.9), 200)
    assert abs(heavy[2] - TARGET[2]) < abs(plain[2] - TARGET[2])


def test_sgd_step_is_exactly_w_minus_lr_g():
    w, g = np.array([0.3, -1.7]), np.array([0.25, 3.0])
    params = {"w": w.copy()}
    tn.SGD(lr=0.1).step(params, {"w": g})
    assert np.array_equal(params["w"], w + -0.1 * g)


def test_step_does_not_touch_gradients():
    g = np.array([1.0, 2.0])
    for opt in (tn.SGD(lr=0.1, momentum=0.5), tn.Adam()):
        opt.step({"w": np.zeros(2)}, {"w": g})
        assert g.tolist() == [1.0, 2.0]


@pytest.mark.parametrize(
    ("make", "words"),
    [(lambda: tn.SGD(lr=0), "lr"), (lambda: tn.SGD(lr=-1), "lr"), (lambda: tn.SGD(lr=0.1, momentum=1.0), "momentum"),
     (lambda: tn.Adam(lr=float("inf")), "lr"), (lambda: tn.Adam(beta1=1.0), "beta1")],
)
def test_bad_hyperparameters(make, words):
    with pytest.raises(ValueError, match=words):
        make()
