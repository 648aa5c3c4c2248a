"""BatchNorm and LayerNorm: gradients in both modes, running statistics, and PyTorch's numbers."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn
from tinynet.testing import assert_backward_correct, inputs


def spread_inputs(n_features):
    """Batches of 2-6 rows whose columns are not all alike (a constant column has no spread to divide by)."""
    return inputs(st.tuples(st.integers(2, 6), st.just(n_features)), bound=3.0).filter(
        lambda x: np.ptp(x, axis=0).min() > 0.1)


@given(n=st.integers(1, 5), seed=st.integers(0, 2**32 - 1), training=st.booleans(), data=st.data())
@settings(deadline=None, max_examples=60)
def test_batch_norm_backward_matches_finite_differences_in_both_modes(n, seed, training, data):
    rng = np.random.default_rng(seed)
    layer = tn.BatchNorm(n, momentum=0.3)
    layer.params["gamma"][:] = rng.normal(size=n)
    layer.params["beta"][:] = rng.normal(size=n)
    layer.buffers["running_mean"][:] = rng.normal(size=n)
    layer.buffers["running_var"][:] = rng.uniform(0.5, 2.0, size=n)
    layer.train(training)
    x = data.draw(spread_inputs(n))
    result = tn.gradcheck(layer, x)
    assert result, result.report()


@given(n=st.integers(1, 5), seed=st.integers(0, 2**32 - 1), training=st.booleans(), data=st.data())
@settings(deadline=None, max_examples=60)
def test_layer_norm_backward_matches_finite_differences_in_both_modes(n, seed, training, data):
    rng = np.random.default_rng(seed)
    layer = tn.LayerNorm(n).train(training)
    layer.params["gamma"][:] = rng.normal(size=n)
    layer.params["beta"][:] = rng.normal(size=n)
    x = data.draw(inputs(st.tuples(st.integers(1, 6), st.just(n)), bound=3.0))
    result = tn.gradcheck(layer, x)
    assert result, result.report()


def test_the_public_checker_passes_both():
    assert_backward_correct(lambda: tn.BatchNorm(3), min_rows=2, max_examples=10)
    assert_backward_correct(lambda: tn.LayerNorm(4), max_examples=10)


def test_batch_norm_normalises_over_the_batch_and_updates_its_running_statistics():
    x = np.array([[1.0, 10.0], [3.0, 30.0], [5.0, 20.0]])
    layer = tn.BatchNorm(2, momentum=0.25)
    out = layer(x)
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=0), x.var(axis=0) / (x.var(axis=0) + 1e-5))
    np.testing.assert_allclose(layer.buffers["running_mean"], 0.25 * x.mean(axis=0))
    np.testing.assert_allclose(layer.buffers["running_var"], 0.75 + 0.25 * x.var(axis=0, ddof=1))  # unbiased
    layer.eval()
    np.testing.assert_allclose(layer(x), (x - layer.buffers["running_mean"]) / np.sqrt(
        layer.buffers["running_var"] + 1e-5))
    running = layer.buffers["running_mean"].copy()
    layer(x * 7)
    np.testing.assert_array_equal(layer.buffers["running_mean"], running)  # evaluation mode leaves them


def test_a_batch_of_one_in_training_mode_is_refused_but_not_in_evaluation_mode():
    layer = tn.BatchNorm(3)
    with pytest.raises(ValueError, match="batch_norm: a batch of 1 sample in training mode has no variance"):
        layer(np.ones((1, 3)))
    assert layer.eval()(np.ones((1, 3))).shape == (1, 3)
    with pytest.raises(ValueError, match=r"expected input of shape \(n_samples, 3\), got \(2, 4\)"):
        layer(np.ones((2, 4)))


def test_normalisation_parameters_are_not_weights():
    X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    model = tn.Sequential(tn.Dense(2, 4, rng=0), tn.BatchNorm(4), tn.LayerNorm(4), tn.Dense(4, 3, rng=1))
    grads = tn.GradientRecorder()
    model.fit(X, y, iterations=2, l2=1.0, callbacks=[grads])
    assert list(grads.history) == ["dense_0", "dense_1"]
    assert model.l2_penalty(1.0) == pytest.approx(0.5 * (np.sum(model[0].params["W"] ** 2)
                                                         + np.sum(model[3].params["W"] ** 2)))


# -- PyTorch, float64 autograd --------------------------------------------------------------


def _same_affine_start(torch, ours, theirs, rng):
    """Give our layer and torch's the same random gamma (torch's weight) and beta (its bias)."""
    gamma, beta = rng.normal(size=ours.n_features), rng.normal(size=ours.n_features)
    ours.params["gamma"][:], ours.params["beta"][:] = gamma, beta
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(gamma))
        theirs.bias.copy_(torch.from_numpy(beta))


def _assert_same_step(torch, ours, theirs, x, g):
    """One forward and backward pass of each: outputs, input gradients and parameter gradients to 1e-10."""
    xt = torch.from_numpy(x).requires_grad_()
    theirs.weight.grad = theirs.bias.grad = None
    out_t = theirs(xt)
    out_t.backward(torch.from_numpy(g))
    np.testing.assert_allclose(ours(x), out_t.detach().numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours.backward(g), xt.grad.numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours.grads["gamma"], theirs.weight.grad.numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours.grads["beta"], theirs.bias.grad.numpy(), rtol=0, atol=1e-10)


def test_batch_norm_equals_torch_batchnorm1d_in_both_modes():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    ours, theirs = tn.BatchNorm(5, momentum=0.3, eps=1e-4), torch.nn.BatchNorm1d(5, momentum=0.3, eps=1e-4).double()
    _same_affine_start(torch, ours, theirs, rng)
    for step, training in enumerate([True, True, True, False]):
        ours.train(training)
        theirs.train(training)
        x, g = rng.normal(size=(7, 5)) * (step + 1), rng.normal(size=(7, 5))
        _assert_same_step(torch, ours, theirs, x, g)
        np.testing.assert_allclose(ours.buffers["running_mean"], theirs.running_mean.numpy(), rtol=0, atol=1e-10)
        np.testing.assert_allclose(ours.buffers["running_var"], theirs.running_var.numpy(), rtol=0, atol=1e-10)


def test_layer_norm_equals_torch_layernorm():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    ours, theirs = tn.LayerNorm(6, eps=1e-3), torch.nn.LayerNorm(6, eps=1e-3).double()
    _same_affine_start(torch, ours, theirs, rng)
    x, g = rng.normal(size=(4, 6)) * 3, rng.normal(size=(4, 6))
    _assert_same_step(torch, ours, theirs, x, g)
