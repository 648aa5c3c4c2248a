"""Maxout: forward, the gradient check (away from argmax ties), tie-breaking, weight draws."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import tinynet as tn
from tinynet.testing import inputs

MARGIN = 1e-3  # top two pieces at least this far apart: far beyond gradcheck's eps (1e-6) times |W|, |x|


def pieces_of(layer, x):
    return x @ layer.params["W"] + layer.params["b"][:, None, :]  # (pieces, N, n_out)


def top_two_gap(z):
    ordered = np.sort(z, axis=0)
    return (ordered[-1] - ordered[-2]).min()


@given(n_in=st.integers(1, 4), n_out=st.integers(1, 4), pieces=st.integers(1, 4),
       seed=st.integers(0, 2**32 - 1), data=st.data())
@settings(deadline=None, max_examples=60)
def test_maxout_backward_matches_finite_differences(n_in, n_out, pieces, seed, data):
    x = data.draw(inputs(st.tuples(st.integers(1, 5), st.just(n_in)), bound=3.0))
    layer = tn.Maxout(n_in, n_out, pieces=pieces, init=tn.init.Normal(1.0), rng=seed)
    layer.params["b"][:] = np.random.default_rng(seed).normal(size=(pieces, n_out))
    if pieces > 1:
        assume(top_two_gap(pieces_of(layer, x)) > MARGIN)  # the kink: where two pieces tie
    result = tn.gradcheck(layer, x)
    assert result, result.report()
    assert [c.array for c in result.checks] == ["x", "W", "b"]


def test_forward_is_the_max_of_dense_pieces():
    rng = np.random.default_rng(0)
    layer = tn.Maxout(3, 4, pieces=3, rng=1)
    layer.params["b"][:] = rng.normal(size=(3, 4))
    x = rng.normal(size=(5, 3))
    expected = np.max([x @ layer.params["W"][k] + layer.params["b"][k] for k in range(3)], axis=0)
    np.testing.assert_allclose(layer(x), expected)


def test_ties_send_the_whole_gradient_to_the_first_piece():
    layer = tn.Maxout(2, 3, pieces=2, rng=0)
    layer.params["W"][1] = layer.params["W"][0]  # both pieces equal everywhere
    x, g = np.ones((4, 2)), np.ones((4, 3))
    layer(x)
    grad_in = layer.backward(g)
    np.testing.assert_allclose(layer.grads["W"][0], x.T @ g)
    assert not layer.grads["W"][1].any()
    assert not layer.grads["b"][1].any()
    np.testing.assert_allclose(grad_in, g @ layer.params["W"][0].T)


def test_backward_leaves_grad_out_alone():
    layer = tn.Maxout(3, 2, pieces=2, rng=0)
    g = np.random.default_rng(0).normal(size=(4, 2))
    before = g.copy()
    layer(np.random.default_rng(1).normal(size=(4, 3)))
    layer.backward(g)
    assert np.array_equal(g, before)


def test_each_piece_draws_like_a_dense_layer_in_turn():
    rng = np.random.RandomState(0)
    layer = tn.Maxout(2, 5, pieces=3, init=tn.init.Normal(0.1), rng=rng)
    notebook = np.random.RandomState(0)
    for k in range(3):
        assert np.array_equal(layer.params["W"][k], 0.1 * notebook.randn(2, 5))
    assert layer.params["b"].shape == (3, 5)
    assert not layer.params["b"].any()
    assert layer.weight_keys == ("W",)


def test_in_a_model_it_trains_is_recorded_and_penalised():
    X, y = tn.datasets.spiral(n_per_class=20, rng=0)
    model = tn.Sequential(tn.Maxout(2, 16, rng=0), tn.Maxout(16, 16, rng=1), tn.Dense(16, 3, rng=2))
    assert [layer.name for layer in model.layers] == ["maxout_0", "maxout_1", "dense_0"]
    grads = tn.GradientRecorder()
    history = model.fit(X, y, optimizer=tn.SGD(lr=0.5), l2=1e-3, iterations=300, callbacks=[grads])
    assert history.loss[-1] < history.loss[0] - 0.2
    assert list(grads.history) == ["maxout_0", "maxout_1", "dense_0"]
    result = tn.gradcheck(model, X[:8], y[:8])
    assert result, result.report()


def test_bad_arguments_name_the_layer():
    with pytest.raises(ValueError, match="pieces"):
        tn.Maxout(2, 3, pieces=0)
    with pytest.raises(TypeError, match="Maxout: init"):
        tn.Maxout(2, 3, init="normal")
    with pytest.raises(ValueError, match=r"maxout: expected input of shape \(n_samples, 2\), got \(4, 3\)"):
        tn.Maxout(2, 3, rng=0)(np.ones((4, 3)))


def test_repr_and_float32():
    layer = tn.Maxout(2, 3, pieces=4, rng=0)
    assert repr(layer) == "Maxout(2, 3, pieces=4, init=GlorotUniform())"
    model = tn.Sequential(layer, tn.Dense(3, 2, rng=0)).astype(np.float32)
    assert model.predict_proba(np.ones((2, 2))).dtype == np.float32
