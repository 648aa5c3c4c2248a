"""The checker itself: it must catch wrong derivatives and explain them."""

import numpy as np
import pytest

import tinynet as tn


class BrokenSigmoid(tn.Activation):
    """A sigmoid whose derivative forgets a factor: out instead of out * (1 - out)."""

    def forward(self, x):
        return 1 / (1 + np.exp(-x))

    def derivative(self, x, out):
        return out


class WrongShape(tn.Layer):
    def forward(self, x):
        return x

    def backward(self, grad_out):
        return grad_out[:1, :2]


X = np.random.default_rng(0).normal(size=(4, 3))


def test_broken_activation_fails_with_a_report_naming_it():
    result = tn.gradcheck(BrokenSigmoid(), X)
    assert not result
    failure = result.failures[0]
    assert (failure.owner, failure.array) == ("BrokenSigmoid (broken_sigmoid)", "x")
    sig = 1 / (1 + np.exp(-X[failure.index]))
    assert failure.numeric == pytest.approx(sig * (1 - sig) * _projection(X.shape)[failure.index], rel=1e-6)
    assert failure.analytic == pytest.approx(sig * _projection(X.shape)[failure.index], rel=1e-12)
    report = result.report()
    for words in ["FAILED", "BrokenSigmoid", "x (4, 3)", "worst at index", "analytic", "numeric",
                  "relative error"]:
        assert words in report
    with pytest.raises(tn.GradcheckError, match="BrokenSigmoid"):
        result.raise_if_failed()


def _projection(shape):
    return np.random.default_rng(0).standard_normal(shape)


def test_broken_activation_inside_a_model_is_caught():
    model = tn.Sequential(tn.Dense(3, 4, rng=0), BrokenSigmoid(), tn.Dense(4, 2, rng=1))
    result = tn.gradcheck(model, X, np.array([0, 1, 1, 0]))
    assert not result
    assert {c.array for c in result.failures} >= {"x", "dense_0.W", "dense_0.b"}
    assert all(c.passed for c in result.checks if c.array.startswith("dense_1"))


def test_broken_parameter_gradient_is_caught():
    class BadBias(tn.Dense):
        def backward(self, grad_out):
            grad_in = super().backward(grad_out)
            self.grads["b"] = 2 * self.grads["b"]
            return grad_in

    result = tn.gradcheck(BadBias(3, 2, rng=0), X)
    assert [c.array for c in result.failures] == ["b"]


def test_wrong_shape_is_reported_not_crashed():
    result = tn.gradcheck(WrongShape(), X)
    assert not result
    assert "backward returned shape (1, 2), expected (4, 3)" in result.report()


def test_passing_report_and_input_untouched():
    x = X.copy()
    result = tn.gradcheck(tn.Tanh(), x)
    assert result.ok
    assert result.report().startswith("gradient check passed")
    np.testing.assert_array_equal(x, X)


def test_parameters_are_restored_exactly():
    layer = tn.Dense(3, 2, rng=0)
    W = layer.params["W"].copy()
    tn.gradcheck(layer, X)
    np.testing.assert_array_equal(layer.params["W"], W)


def test_float32_is_refused_and_integers_are_converted():
    with pytest.raises(TypeError, match="float64"):
        tn.gradcheck(tn.Tanh(), X.astype(np.float32))
    assert tn.gradcheck(tn.Tanh(), np.array([[1, 2], [-3, 4]]))


def test_non_finite_input_or_parameter_is_refused():
    x = X.copy()
    x[1, 0] = np.nan
    with pytest.raises(ValueError, match=r"x has the non-finite value nan at index \(1, 0\)"):
        tn.gradcheck(tn.Tanh(), x)
    layer = tn.Dense(X.shape[1], 2, rng=0)
    layer.params["b"][1] = np.inf
    with pytest.raises(ValueError, match=r"dense b has the non-finite value inf at index \(1,\)"):
        tn.gradcheck(layer, X)
    with pytest.raises(ValueError, match="non-finite"):
        tn.gradcheck(tn.SoftmaxCrossEntropy(), x, np.zeros(len(x), dtype=int))


def test_masked_entries_are_refused():
    x = np.ma.masked_array(X, mask=np.zeros(X.shape, dtype=bool))
    assert tn.gradcheck(tn.Tanh(), x)  # nothing hidden: checked as a plain array
    x[1, 0] = np.ma.masked
    with pytest.raises(ValueError, match=r"gradcheck: x is a masked array with masked entries \(1\)"):
        tn.gradcheck(tn.Tanh(), x)


def test_tolerance_is_respected():
    # A 1% error in the derivative passes rtol=0.1 and fails the default rtol=1e-3.
    class Slightly(tn.Activation):
        def forward(self, x):
            return np.tanh(x)

        def derivative(self, x, out):
            return 1.01 * (1 - out * out)

    assert tn.gradcheck(Slightly(), X, rtol=0.1)
    assert not tn.gradcheck(Slightly(), X)


def test_bad_targets_and_arguments():
    with pytest.raises(TypeError, match="Layer, Sequential or Loss"):
        tn.gradcheck(np.tanh, X)
    with pytest.raises(ValueError, match="needs labels"):
        tn.gradcheck(tn.SoftmaxCrossEntropy(), X)
    with pytest.raises(ValueError, match="eps"):
        tn.gradcheck(tn.Tanh(), X, eps=0)


class FailsWhenPerturbed(tn.Activation):
    """The identity, which raises once the weight ``W[0, 0]`` of ``dense`` differs from its first value."""

    def __init__(self, dense, error):
        super().__init__()
        self.dense, self.error, self.first = dense, error, dense.params["W"][0, 0]

    def forward(self, x):
        if self.dense.params["W"][0, 0] != self.first:
            raise self.error
        return x.copy()

    def derivative(self, x, out):
        return np.ones_like(x)


@pytest.mark.parametrize("error", [KeyboardInterrupt, ValueError])
def test_an_interrupted_check_leaves_no_entry_perturbed(error):
    # #7, defect 6: Ctrl-C (or an error) inside a forward pass left one weight changed by eps
    dense = tn.Dense(3, 2, rng=0)
    model = tn.Sequential(dense, FailsWhenPerturbed(dense, error))
    x = np.random.default_rng(0).normal(size=(4, 3))
    before = {key: value.copy() for key, value in model.parameters().items()}
    with pytest.raises(error):
        tn.gradcheck(model, x)
    for key, value in model.parameters().items():
        np.testing.assert_array_equal(value, before[key], err_msg=key)


class RandomMask(tn.Activation):
    """Dropout as people write it first: a new mask from numpy's global generator at every call."""

    def forward(self, x):
        self.mask = np.random.default_rng().random(x.shape) > 0.5
        return x * self.mask

    def derivative(self, x, out):
        return self.mask.astype(float)


def test_a_random_forward_pass_is_named_as_the_reason():
    # #7, defect 13: the check failed with "analytic 0, numeric 8860215" and no hint
    with pytest.raises(ValueError, match=r"two forward passes of RandomMask \(random_mask\) on the same input gave "
                                         r"different results .*draws random numbers at every call.*rng"):
        tn.gradcheck(RandomMask(), np.ones((3, 4)))


def test_a_layer_keeping_its_generator_as_rng_is_checked_with_one_mask():
    layer = tn.Dropout(0.5, rng=0)
    state = layer.rng.bit_generator.state
    assert tn.gradcheck(layer, np.random.default_rng(1).normal(size=(5, 4)))
    assert layer.rng.bit_generator.state == state  # replayed, and left as it was


class Counts(tn.Activation):
    """The identity, counting its calls in a buffer that it updates in place."""

    def __init__(self):
        super().__init__()
        self.buffers = {"calls": np.zeros(1)}

    def forward(self, x):
        self.buffers["calls"] += 1
        return x.copy()

    def derivative(self, x, out):
        return np.ones_like(x)


def test_a_check_leaves_buffers_as_it_found_them_even_when_updated_in_place():
    layer = Counts()
    assert tn.gradcheck(layer, np.ones((2, 2)))
    np.testing.assert_array_equal(layer.buffers["calls"], [0.0])
    model = tn.Sequential(tn.Dense(2, 2, rng=0), Counts(), tn.Dense(2, 2, rng=1))
    tn.recorders.snapshot(model, np.ones((2, 2)), np.array([0, 1]))
    np.testing.assert_array_equal(model[1].buffers["calls"], [0.0])
