"""tinynet.testing: the public helpers catch broken layers and respect kinks."""

import numpy as np
import pytest
from hypothesis import given, settings

import tinynet as tn
from tinynet.testing import assert_backward_correct, input_shapes, inputs


class Swish(tn.Activation):
    def forward(self, x):
        return x / (1 + np.exp(-x))

    def derivative(self, x, out):
        s = 1 / (1 + np.exp(-x))
        return s + out * (1 - s)


class BrokenSwish(Swish):
    def derivative(self, x, out):
        return 1 / (1 + np.exp(-x))  # forgets the product rule


def test_a_user_activation_in_three_lines():
    assert_backward_correct(Swish)


def test_a_broken_user_activation_fails_with_the_report():
    with pytest.raises(AssertionError, match=r"FAIL BrokenSwish \(broken_swish\) x"):
        assert_backward_correct(BrokenSwish, max_examples=20)


def test_kinks_are_avoided_by_default_for_relu():
    # Without kink avoidance, x == 0 would make ReLU fail (numeric 0.5 vs analytic 0).
    relu = tn.ReLU()
    assert not tn.gradcheck(relu, np.array([[0.0, 1.0]]))
    assert_backward_correct(tn.ReLU)


@given(inputs(input_shapes(n_cols=3), kinks=(0.0, 1.0), margin=0.1))
@settings(max_examples=50)
def test_inputs_respect_bounds_shape_and_margin(x):
    assert x.dtype == np.float64
    assert x.shape[1] == 3
    assert np.all(np.abs(x) <= 5.0)
    assert np.all(np.abs(x) >= 0.1)
    assert np.all(np.abs(x - 1.0) >= 0.1)


def test_layers_with_weights_need_their_width():
    assert_backward_correct(lambda: tn.Dense(4, 2, rng=0), n_features=4, max_examples=10)


@pytest.mark.parametrize("bad", [tn.ReLU(), "relu", lambda: "not a layer"], ids=["instance", "str", "factory of str"])
def test_assert_backward_correct_wants_something_that_builds_a_layer(bad):
    with pytest.raises(TypeError, match=r"assert_backward_correct: (pass the layer's class|layer_factory\(\) must return)"):
        assert_backward_correct(bad)


def test_a_layer_with_a_fixed_input_width_needs_no_n_features():
    # #7, defect 14: assert_backward_correct(Dense-like) failed with a shape error from inside
    assert_backward_correct(lambda: tn.Dense(3, 2, rng=0), max_examples=5)
    assert_backward_correct(lambda: tn.LayerNorm(3), max_examples=5)


class FixedWidth(tn.Activation):
    """Refuses inputs that are not 3 wide, without saying so in an attribute."""

    def forward(self, x):
        if x.shape[1] != 3:
            raise ValueError(f"{self.name}: expected input of shape (n_samples, 3), got {x.shape}")
        return x.copy()

    def derivative(self, x, out):
        return np.ones_like(x)


def test_a_shape_error_suggests_n_features():
    with pytest.raises(ValueError, match=r"if it takes a fixed number of features, pass n_features=\.\.\."):
        assert_backward_correct(FixedWidth, max_examples=20)
    assert_backward_correct(FixedWidth, n_features=3, max_examples=5)
