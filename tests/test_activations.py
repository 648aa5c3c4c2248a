"""Activations: forward values, extreme inputs, and hypothesis gradient checks."""

import numpy as np
import pytest

import tinynet as tn
from tinynet.testing import assert_backward_correct

ACTIVATIONS = [tn.Sigmoid, tn.Tanh, tn.ReLU, tn.LeakyReLU, lambda: tn.LeakyReLU(alpha=0.3),
               tn.ELU, lambda: tn.ELU(alpha=0.5), tn.Softplus]


@pytest.mark.parametrize("factory", ACTIVATIONS)
def test_backward_matches_finite_differences(factory):
    assert_backward_correct(factory)


@pytest.mark.parametrize(
    ("layer", "f"),
    [
        (tn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
        (tn.Tanh(), np.tanh),
        (tn.ReLU(), lambda x: np.maximum(0, x)),
        (tn.LeakyReLU(0.1), lambda x: np.where(x > 0, x, 0.1 * x)),
        (tn.ELU(2.0), lambda x: np.where(x > 0, x, 2.0 * (np.exp(x) - 1))),
        (tn.Softplus(), lambda x: np.log1p(np.exp(x))),
    ],
)
def test_forward_matches_textbook_formula(layer, f):
    x = np.linspace(-6, 6, 25).reshape(5, 5)
    np.testing.assert_allclose(layer(x), f(x), rtol=1e-14, atol=1e-15)


def test_sigmoid_is_the_notebook_formula_bit_for_bit():
    x = np.random.default_rng(0).normal(scale=10, size=(50, 40))
    assert np.array_equal(tn.Sigmoid()(x), 1 / (1 + np.exp(-x)))


@pytest.mark.parametrize("factory", ACTIVATIONS)
def test_extreme_inputs_stay_finite_and_silent(factory):
    # filterwarnings=error turns any overflow/invalid RuntimeWarning into a failure
    layer = factory()
    x = np.array([[-1e4, -1000.0, -50.0, 0.5, 50.0, 1000.0, 1e4]])
    out = layer(x)
    grad = layer.backward(np.ones_like(x))
    assert np.isfinite(out).all()
    assert np.isfinite(grad).all()


def test_sigmoid_limits():
    # where exp(-x) overflows, the output is 0 (true value below 1e-308), without a warning
    x = np.array([[-1e4, -1000.0, -745.0, -709.0, -700.0, 1000.0]])
    out = tn.Sigmoid()(x)
    assert out.tolist()[0][:3] == [0.0, 0.0, 0.0]
    assert out[0, 3] == pytest.approx(np.exp(-709.0), rel=1e-12)
    assert out[0, 4] == pytest.approx(np.exp(-700.0), rel=1e-12)
    assert out[0, 5] == 1.0
    with np.errstate(over="ignore"):
        assert np.array_equal(out, 1 / (1 + np.exp(-x)))  # the notebook's formula, bit for bit
    out32 = tn.Sigmoid()(np.array([[-1000.0, -80.0, 1000.0]], dtype=np.float32))
    assert out32.dtype == np.float32
    assert out32[0, 0] == 0.0
    assert out32[0, 1] == pytest.approx(np.exp(-80.0), rel=1e-6)
    assert out32[0, 2] == 1.0


def test_relu_reused_on_batches_of_other_shapes_and_dtypes():
    # ReLU keeps an array of zeros shaped like the last batch; a new shape or dtype must renew it
    relu, rng = tn.ReLU(), np.random.default_rng(0)
    for shape, dtype in [((4, 3), np.float64), ((2, 3), np.float64), ((2, 5), np.float64),
                         ((2, 5), np.float32), ((4, 3), np.float64)]:
        x = rng.normal(size=shape).astype(dtype)
        out = relu(x)
        assert out.dtype == dtype
        assert np.array_equal(out, np.maximum(x, 0))


def test_relu_derivative_at_kink_is_zero():
    relu = tn.ReLU()
    relu(np.array([[0.0, 1.0]]))
    assert relu.backward(np.array([[5.0, 5.0]])).tolist() == [[0.0, 5.0]]


def test_backward_does_not_modify_incoming_gradient():
    for factory in ACTIVATIONS:
        layer = factory()
        layer(np.array([[-1.0, 2.0]]))
        grad = np.array([[3.0, 4.0]])
        layer.backward(grad)
        assert grad.tolist() == [[3.0, 4.0]]


def test_backward_before_call_explains():
    with pytest.raises(RuntimeError, match="before the layer was called"):
        tn.Sigmoid().backward(np.ones((1, 1)))


def test_kind_names_derive_from_class_names():
    class MySwish(tn.Activation):
        pass

    assert (tn.LeakyReLU.kind, tn.ReLU.kind, tn.ELU.kind, MySwish.kind) == (
        "leaky_relu", "relu", "elu", "my_swish")


@pytest.mark.parametrize("bad", [-0.1, float("nan"), "0.1"])
def test_bad_alpha_is_refused(bad):
    with pytest.raises((ValueError, TypeError), match="alpha"):
        tn.LeakyReLU(alpha=bad)
