"""Dense, initializers and hooks."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn
from tinynet.testing import assert_backward_correct, inputs


@given(n_in=st.integers(1, 5), n_out=st.integers(1, 5), seed=st.integers(0, 2**32 - 1), data=st.data())
@settings(deadline=None, max_examples=50)
def test_dense_backward_matches_finite_differences(n_in, n_out, seed, data):
    x = data.draw(inputs(st.tuples(st.integers(1, 6), st.just(n_in))))
    layer = tn.Dense(n_in, n_out, init=tn.init.Normal(1.0), rng=seed)
    layer.params["b"][:] = np.random.default_rng(seed).normal(size=n_out)
    result = tn.gradcheck(layer, x)
    assert result, result.report()
    assert [c.array for c in result.checks] == ["x", "W", "b"]


def test_dense_with_public_helper():
    assert_backward_correct(lambda: tn.Dense(3, 2, rng=0), n_features=3, max_examples=20)


def test_dense_forward_and_backward_formulas():
    rng = np.random.default_rng(1)
    layer = tn.Dense(3, 2, rng=rng)
    x, g = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    W, b = layer.params["W"], layer.params["b"]
    np.testing.assert_allclose(layer(x), x @ W + b)
    np.testing.assert_allclose(layer.backward(g), g @ W.T)
    np.testing.assert_allclose(layer.grads["W"], x.T @ g)
    np.testing.assert_allclose(layer.grads["b"], g.sum(axis=0))


def test_dense_draws_weights_like_the_notebook():
    rng = np.random.RandomState(0)
    a = tn.Dense(2, 50, init=tn.init.Normal(0.1), rng=rng)
    b = tn.Dense(50, 3, init=tn.init.Normal(0.1), rng=rng)
    notebook = np.random.RandomState(0)  # the stream np.random.seed(0) starts
    assert np.array_equal(a.params["W"], 0.1 * notebook.randn(2, 50))
    assert np.array_equal(b.params["W"], 0.1 * notebook.randn(50, 3))
    assert not a.params["b"].any()


@pytest.mark.parametrize("rng", [0, np.random.default_rng(0), np.random.RandomState(0)])
def test_rng_kinds_are_accepted(rng):
    assert tn.Dense(2, 3, rng=rng).params["W"].shape == (2, 3)


def test_int_seed_is_reproducible_and_generator_continues_its_stream():
    assert np.array_equal(tn.Dense(2, 3, rng=7).params["W"], tn.Dense(2, 3, rng=7).params["W"])
    g = np.random.default_rng(7)
    assert not np.array_equal(tn.Dense(2, 3, rng=g).params["W"], tn.Dense(2, 3, rng=g).params["W"])


@pytest.mark.parametrize(
    ("init", "std"),
    [(tn.init.GlorotNormal(), np.sqrt(2 / 700)), (tn.init.HeNormal(), np.sqrt(2 / 300)),
     (tn.init.GlorotUniform(), np.sqrt(6 / 700) / np.sqrt(3)), (tn.init.Normal(0.3), 0.3)],
)
def test_initializer_scales(init, std):
    W = init((300, 400), np.random.default_rng(0))
    assert W.shape == (300, 400)
    assert abs(W.std() / std - 1) < 0.01
    assert abs(W.mean()) < 0.01 * std


def test_wrong_input_width_names_layer_and_shapes():
    model = tn.Sequential(tn.Dense(2, 4, rng=0), tn.ReLU(), tn.Dense(4, 3, rng=0))
    with pytest.raises(ValueError, match=r"dense_1: expected input of shape \(n_samples, 4\), got \(5, 2\)"):
        model.layers[2](np.ones((5, 2)))


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="n_out"):
        tn.Dense(2, 0)
    with pytest.raises(TypeError, match="n_in"):
        tn.Dense(2.5, 3)
    with pytest.raises(TypeError, match="Initializer"):
        tn.Dense(2, 3, init=0.1)
    with pytest.raises(TypeError, match="rng"):
        tn.Dense(2, 3, rng="seed")


def test_hooks_see_output_and_gradients_and_can_be_removed():
    model = tn.Sequential(tn.Dense(2, 3, rng=0), tn.Tanh(), tn.Dense(3, 2, rng=1))
    calls = []
    fwd = model.layers[1].register_forward_hook(lambda layer, x, out: calls.append(("f", layer.name, out.shape)))
    bwd = model.layers[2].register_backward_hook(
        lambda layer, gin, gout: calls.append(("b", layer.name, gin.shape, layer.grads["W"].copy())))
    x = np.ones((4, 2))
    model.backward(model.forward(x))
    assert calls[0] == ("f", "tanh_0", (4, 3))
    assert calls[1][:3] == ("b", "dense_1", (4, 3))
    np.testing.assert_array_equal(calls[1][3], model.layers[2].grads["W"])
    fwd.remove()
    bwd.remove()
    bwd.remove()  # harmless
    model.backward(model.forward(x))
    assert len(calls) == 2


def test_hook_must_be_callable():
    with pytest.raises(TypeError, match="callable"):
        tn.Dense(2, 2, rng=0).register_forward_hook(3)


def test_a_hook_that_cannot_take_three_arguments_is_refused_when_registered():
    layer = tn.Dense(2, 2, rng=0)
    with pytest.raises(TypeError, match=r"dense: this hook is called as fn\(layer, x, out\), but .* cannot take"):
        layer.register_forward_hook(lambda out: None)
    with pytest.raises(TypeError, match=r"called as fn\(layer, grad_in, grad_out\)"):
        layer.register_backward_hook(lambda layer, grad_in: None)
    assert not layer._forward_hooks
    assert not layer._backward_hooks
    layer.register_forward_hook(lambda *args: None)  # these fit
    layer.register_backward_hook(print)  # no signature to inspect: accepted


def test_repr_is_readable():
    assert repr(tn.Dense(2, 5, init=tn.init.Normal(0.1), rng=0)) == "Dense(2, 5, init=Normal(std=0.1))"
    assert repr(tn.LeakyReLU()) == "LeakyReLU(alpha=0.01)"


BUILT_IN_LAYERS = {
    "Dense": lambda n: tn.Dense(n, 3, rng=0),
    "Maxout": lambda n: tn.Maxout(n, 3, pieces=2, rng=0),
    **{cls.__name__: lambda n, cls=cls: cls()
       for cls in (tn.Sigmoid, tn.Tanh, tn.ReLU, tn.LeakyReLU, tn.ELU, tn.Softplus)},
}


@pytest.mark.parametrize("make", BUILT_IN_LAYERS.values(), ids=BUILT_IN_LAYERS.keys())
@given(data=st.data())
@settings(deadline=None, max_examples=25)
def test_no_layer_writes_into_its_inputs_or_into_arrays_it_returned(make, data):
    n = data.draw(st.integers(1, 4))
    x1, x2 = (data.draw(inputs(st.just((data.draw(st.integers(1, 5)), n)))) for _ in range(2))
    layer = make(n)
    x1_before = x1.copy()
    out1 = layer(x1)
    out1_before = out1.copy()
    g = np.random.default_rng(0).normal(size=out1.shape)
    g_before = g.copy()
    grad_in1 = layer.backward(g)
    grad_in1_before = grad_in1.copy()
    layer.backward(np.ones_like(out1))  # a second backward pass must not overwrite the first one's result
    out2 = layer(x2)  # nor must a second forward pass overwrite the first one's output
    layer.backward(np.ones_like(out2))
    assert np.array_equal(x1, x1_before)
    assert np.array_equal(g, g_before)
    assert np.array_equal(out1, out1_before)
    assert np.array_equal(grad_in1, grad_in1_before)
    assert not np.shares_memory(out1, x1)
    assert not np.shares_memory(grad_in1, g)


@pytest.mark.parametrize("make", BUILT_IN_LAYERS.values(), ids=BUILT_IN_LAYERS.keys())
def test_a_list_or_an_integer_array_is_taken_as_float64(make):
    x = np.array([[1.0, -2.0], [0.0, 3.0], [-1.0, 2.0]])
    layer = make(2)
    expected = layer(x)
    expected_grad = layer.backward(np.ones_like(expected))
    for x_like in (x.tolist(), x.astype(np.int64)):
        layer = make(2)
        out = layer(x_like)
        grad = layer.backward(np.ones_like(out))
        assert out.dtype == grad.dtype == np.float64
        assert np.array_equal(out, expected)
        assert np.array_equal(grad, expected_grad)


def test_a_model_takes_a_list_like_an_array():
    model = tn.Sequential(tn.Dense(2, 4, rng=0), tn.Sigmoid(), tn.Dense(4, 3, rng=1))
    x = [[1, -2], [0, 3]]
    assert np.array_equal(model.forward(x), model.forward(np.array(x, dtype=float)))


@pytest.mark.parametrize(
    ("x_like", "says"),
    [
        (np.array([[True, False]]), "got dtype bool"),
        ([["a", "b"]], "got dtype <U1"),
        (np.array([[1j, 0]]), "got dtype complex128"),
        ([[1.0], [1.0, 2.0]], "must be array-like of numbers"),
    ],
)
def test_an_input_of_anything_but_real_numbers_is_refused_naming_the_layer(x_like, says):
    with pytest.raises(TypeError, match=f"relu: the input .*{re.escape(says)}"):
        tn.ReLU()(x_like)


def test_an_array_subclass_is_taken_as_a_plain_array():
    # np.matrix makes * a matrix product: kept as it is, ReLU's backward gave a wrong gradient
    x = np.array([[1.0, -2.0], [3.0, 4.0]])
    g = np.array([[1.0, 2.0], [3.0, 4.0]])
    with pytest.warns(PendingDeprecationWarning):
        matrix = np.matrix(x)
    for x_like in (matrix, np.ma.masked_array(x, mask=np.zeros_like(x, dtype=bool)), x.astype(np.float32).view(np.matrix)):
        layer = tn.ReLU()
        out = layer(x_like)
        assert type(out) is np.ndarray
        assert out.dtype == x_like.dtype  # float32 stays float32
        assert np.array_equal(layer.backward(g.astype(out.dtype)), g * (x > 0))


# -- Dropout ---------------------------------------------------------------------------------


@given(p=st.sampled_from([0.0, 0.2, 0.5, 0.9]), seed=st.integers(0, 2**32 - 1), training=st.booleans(),
       data=st.data())
@settings(deadline=None, max_examples=60)
def test_dropout_backward_matches_finite_differences_in_both_modes(p, seed, training, data):
    layer = tn.Dropout(p, rng=seed).train(training)
    result = tn.gradcheck(layer, data.draw(inputs()))
    assert result, result.report()


def test_dropout_keeps_with_probability_one_minus_p_and_scales_what_it_keeps():
    layer = tn.Dropout(0.3, rng=0)
    out = layer(np.ones((200, 100)))
    assert set(np.unique(out)) == {0.0, 1 / 0.7}
    assert abs((out == 0).mean() - 0.3) < 0.01
    np.testing.assert_array_equal(layer.backward(np.full((200, 100), 2.0)), 2.0 * out)
    layer.eval()
    x = np.random.default_rng(0).normal(size=(3, 4))
    np.testing.assert_array_equal(layer(x), x)
    assert layer(x) is not x  # a new array, as every forward returns


def test_dropout_p_zero_is_the_identity_and_draws_nothing_and_p_one_is_refused():
    layer = tn.Dropout(0.0, rng=0)
    state = layer.rng.bit_generator.state
    x = np.random.default_rng(0).normal(size=(3, 4))
    np.testing.assert_array_equal(layer(x), x)
    assert layer.rng.bit_generator.state == state
    for p in (1.0, 1.5, -0.1):
        with pytest.raises(ValueError, match="Dropout: p must"):
            tn.Dropout(p)


def test_dropout_equals_torch_with_the_same_mask():
    torch = pytest.importorskip("torch")
    layer = tn.Dropout(0.4, rng=3)
    x, g = np.random.default_rng(0).normal(size=(5, 6)), np.random.default_rng(1).normal(size=(5, 6))
    out = layer(x)
    keep = torch.from_numpy(layer.mask != 0)
    xt = torch.from_numpy(x).requires_grad_()
    out_t = torch.where(keep, xt / (1 - 0.4), torch.zeros_like(xt))  # inverted dropout with this mask
    out_t.backward(torch.from_numpy(g))
    np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(layer.backward(g), xt.grad.numpy(), rtol=0, atol=1e-10)


def test_the_repr_of_a_layer_shows_its_constructor_arguments():
    class Scaled(tn.Activation):
        def __init__(self, factor=2.0):
            super().__init__()
            self.factor = factor

        def forward(self, x):
            return self.factor * x

        def derivative(self, x, out):
            return np.full_like(x, self.factor)

    assert repr(Scaled(0.5)) == "Scaled(factor=0.5)"
    assert repr(tn.Dropout(0.25, rng=0)) == "Dropout(p=0.25)"
    assert repr(tn.BatchNorm(4)) == "BatchNorm(4, momentum=0.1, eps=1e-05)"
