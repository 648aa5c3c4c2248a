"""Sequential: whole-model gradient checks on random architectures, naming, fit."""

import itertools

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import tinynet as tn
from tinynet.testing import inputs

ACTIVATIONS = [tn.Sigmoid, tn.Tanh, tn.ReLU, tn.LeakyReLU, tn.ELU, tn.Softplus]
KINK_MARGIN = 1e-4  # pre-activations closer than this to a kink are rejected


@st.composite
def models(draw):
    """A random Sequential: 1-6 hidden layers, random widths and activation mix."""
    n_in, n_classes = draw(st.integers(1, 4)), draw(st.integers(2, 4))
    depth = draw(st.integers(1, 6))
    widths = [n_in] + [draw(st.integers(1, 8)) for _ in range(depth)] + [n_classes]
    acts = [draw(st.sampled_from(ACTIVATIONS)) for _ in range(depth)]
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    layers = []
    for i, (a, b) in enumerate(itertools.pairwise(widths)):
        dense = tn.Dense(a, b, init=tn.init.GlorotNormal(), rng=rng)
        dense.params["b"][:] = rng.normal(scale=0.5, size=b)
        layers.append(dense)
        if i < depth:
            layers.append(acts[i]())
    return tn.Sequential(*layers), n_in, n_classes


def away_from_kinks(model, x):
    """True when no kinked activation sees an input within KINK_MARGIN of its kink."""
    model.forward(x)
    return all(
        np.abs(layer.input - k).min() > KINK_MARGIN
        for layer in model.layers
        for k in getattr(layer, "kinks", ())
    )


@given(spec=models(), l2=st.sampled_from([0.0, 1e-3, 0.5]), data=st.data())
@settings(deadline=None, max_examples=100)
def test_model_loss_gradients_match_finite_differences(spec, l2, data):
    model, n_in, n_classes = spec
    x = data.draw(inputs(st.tuples(st.integers(1, 6), st.just(n_in)), bound=2.0))
    y = data.draw(st.lists(st.integers(0, n_classes - 1), min_size=len(x), max_size=len(x)))
    assume(away_from_kinks(model, x))
    result = tn.gradcheck(model, x, np.array(y), l2=l2)
    assert result, result.report()
    n_arrays = 1 + sum(len(layer.params) for layer in model.layers)
    assert len(result.checks) == n_arrays


@given(spec=models(), data=st.data())
@settings(deadline=None, max_examples=50)
def test_model_projection_gradients_match_finite_differences(spec, data):
    model, n_in, _ = spec
    x = data.draw(inputs(st.tuples(st.integers(1, 6), st.just(n_in)), bound=2.0))
    assume(away_from_kinks(model, x))
    result = tn.gradcheck(model, x)
    assert result, result.report()


def test_l2_enters_loss_and_weight_gradients_but_not_hooks_or_biases():
    rng = np.random.default_rng(0)
    model = tn.Sequential(tn.Dense(2, 3, rng=rng), tn.Tanh(), tn.Dense(3, 2, rng=rng))
    x, y = rng.normal(size=(5, 2)), np.array([0, 1, 1, 0, 1])
    loss = tn.SoftmaxCrossEntropy()
    seen = {}
    model.layers[0].register_backward_hook(lambda layer, gi, go: seen.update(W=layer.grads["W"].copy()))
    plain = model.compute_gradients(x, y, loss, l2=0.0)
    plain_grads = {k: v.copy() for k, v in model.gradients().items()}
    hook_plain = seen["W"]
    value = model.compute_gradients(x, y, loss, l2=0.1)
    W0, W1 = model.layers[0].params["W"], model.layers[2].params["W"]
    assert value == pytest.approx(plain + 0.05 * (np.sum(W0**2) + np.sum(W1**2)), rel=1e-14)
    np.testing.assert_array_equal(seen["W"], hook_plain)  # hooks see the data gradient
    grads = model.gradients()
    np.testing.assert_allclose(grads["dense_0.W"], plain_grads["dense_0.W"] + 0.1 * W0, rtol=1e-14)
    np.testing.assert_array_equal(grads["dense_0.b"], plain_grads["dense_0.b"])


class Scale(tn.Layer):
    """``out = s * x`` with one learnable ``s``, and no backward_params of its own."""

    def __init__(self):
        super().__init__()
        self.params, self.grads = {"s": np.array([2.0])}, {"s": np.zeros(1)}

    def forward(self, x):
        return self.params["s"] * x

    def backward(self, grad_out):
        self.grads["s"][0] = np.vdot(grad_out, self.input)
        return self.params["s"] * grad_out


@pytest.mark.parametrize("first", [tn.Dense, Scale])
def test_fit_skips_only_the_data_gradient(first):
    rng = np.random.default_rng(1)
    head = [tn.Dense(2, 4, rng=rng), tn.Sigmoid()] if first is tn.Dense else [Scale(), tn.Dense(2, 4, rng=rng)]
    model = tn.Sequential(*head, tn.Dense(4, 3, rng=rng))
    x, y = rng.normal(size=(6, 2)), np.array([0, 1, 2, 2, 1, 0])
    loss = tn.SoftmaxCrossEntropy()
    seen = []
    for layer in model.layers:
        layer.register_backward_hook(lambda layer, gi, go: seen.append((layer.name, gi)))
    loss.forward(model.forward(x), y)
    dx = model.backward(loss.backward())
    full = {k: g.copy() for k, g in model.gradients().items()}
    assert dx.shape == x.shape
    assert seen[-1][1].shape == x.shape
    seen.clear()
    for g in model.gradients().values():
        g.fill(np.nan)
    model.compute_gradients(x, y, loss)  # fit's path: backward(..., input_grad=False)
    assert [name for name, _ in seen] == [layer.name for layer in reversed(model.layers)]
    assert seen[-1][1] is None  # the first layer's hook: no gradient with respect to the data
    assert all(isinstance(gi, np.ndarray) for _, gi in seen[:-1])
    for key, g in model.gradients().items():
        np.testing.assert_array_equal(g, full[key])
    loss.forward(model.forward(x), y)
    assert model.backward(loss.backward(), input_grad=False) is None


@pytest.mark.parametrize("kind", [tn.Dense, tn.Maxout])
def test_backward_params_does_not_compute_the_input_gradient(kind):
    class NoInputGradient(kind):
        def backward(self, grad_out):
            raise AssertionError("backward_params went through backward")

    layer, reference = NoInputGradient(3, 2, rng=0), kind(3, 2, rng=0)
    x, g = np.linspace(-2.0, 3.0, 12).reshape(4, 3), np.linspace(-1.0, 1.0, 8).reshape(4, 2)
    layer(x), reference(x)
    reference.backward(g)
    assert layer.backward_params(g) is None
    for key in ("W", "b"):
        np.testing.assert_array_equal(layer.grads[key], reference.grads[key])


def test_layer_names_are_per_model():
    first = tn.Sequential(tn.Dense(2, 2, rng=0), tn.ReLU(), tn.Dense(2, 2, rng=0), tn.ReLU(), tn.LeakyReLU())
    second = tn.Sequential(tn.Dense(2, 2, rng=0))
    assert [layer.name for layer in first.layers] == ["dense_0", "relu_0", "dense_1", "relu_1", "leaky_relu_0"]
    assert second.layers[0].name == "dense_0"
    assert list(first.parameters()) == ["dense_0.W", "dense_0.b", "dense_1.W", "dense_1.b"]
    assert list(first.gradients()) == list(first.parameters())


def test_constructor_errors_teach():
    with pytest.raises(TypeError, match=r"tn.ReLU\(\)"):
        tn.Sequential(tn.Dense(2, 2, rng=0), tn.ReLU)
    relu = tn.ReLU()
    with pytest.raises(ValueError, match="appears twice"):
        tn.Sequential(relu, relu)
    with pytest.raises(ValueError, match="at least one layer"):
        tn.Sequential()

    class Forgetful(tn.Layer):
        def __init__(self):
            pass

    with pytest.raises(TypeError, match=r"super\(\).__init__\(\)"):
        tn.Sequential(Forgetful())


def test_predict_proba_predict_accuracy():
    X, y = tn.datasets.spiral(n_per_class=20, rng=0)
    model = tn.Sequential(tn.Dense(2, 16, rng=0), tn.ReLU(), tn.Dense(16, 3, rng=0))
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    np.testing.assert_array_equal(model.predict(X), proba.argmax(axis=1))
    assert model.accuracy(X, y) == np.mean(model.predict(X) == y)
    assert model.predict(X.astype(np.float32)).shape == (60,)
    assert model.predict([[0, 1]]).shape == (1,)


def test_predict_proba_of_finite_scores_too_far_apart_to_subtract():
    # found by the fuzz test: scores of 1e308 and -1e308 are finite, their difference is not
    model = tn.Sequential(tn.Dense(1, 2, rng=0))
    model.layers[0].params["W"][:] = [[1.0, -1.0]]
    proba = model.predict_proba([[1e308]])  # warnings are errors in the test suite
    assert proba.tolist() == [[1.0, 0.0]]


def test_fit_learns_the_spiral_and_history_records_every_iteration():
    X, y = tn.datasets.spiral(n_per_class=50, rng=0)
    model = tn.Sequential(tn.Dense(2, 32, init=tn.init.HeNormal(), rng=0), tn.ReLU(),
                          tn.Dense(32, 3, init=tn.init.HeNormal(), rng=1))
    history = model.fit(X, y, optimizer=tn.SGD(lr=1.0), iterations=2000, track_accuracy=True)
    assert history.loss.shape == history.accuracy.shape == (2000,)
    assert history.loss[-1] < 0.5 * history.loss[0]
    assert model.accuracy(X, y) > 0.8
    assert history.accuracy[-1] == pytest.approx(model.accuracy(X, y), abs=0.05)
    assert "2000 iterations" in repr(history)


@pytest.mark.parametrize("batch_size", [None, 7])
def test_fit_and_predict_leave_the_users_data_alone(batch_size):
    X, y = tn.datasets.spiral(n_per_class=20, rng=0)
    X_before, y_before = X.copy(), y.copy()
    model = tn.Sequential(tn.Dense(2, 8, rng=0), tn.Sigmoid(), tn.Dense(8, 3, rng=1))
    model.fit(X, y, l2=1e-3, iterations=20, batch_size=batch_size, rng=0, callbacks=[tn.GradientRecorder()])
    model.predict_proba(X)
    model.accuracy(X, y)
    assert np.array_equal(X, X_before)
    assert np.array_equal(y, y_before)


def test_minibatches_are_deterministic_given_rng():
    X, y = tn.datasets.spiral(n_per_class=20, rng=0)

    def run(rng):
        model = tn.Sequential(tn.Dense(2, 8, rng=0), tn.Tanh(), tn.Dense(8, 3, rng=1))
        return model.fit(X, y, iterations=30, batch_size=16, rng=rng).loss

    np.testing.assert_array_equal(run(3), run(3))
    assert not np.array_equal(run(3), run(4))


class Replace(tn.Callback):
    """At iteration 5, give dense_0 new weights: a new array (``rebind``) or the same array rewritten."""

    def __init__(self, rebind):
        self.rebind, self.new = rebind, np.full((2, 8), 0.01)

    def on_train_begin(self, model):
        self.layer = model.layers[0]

    def on_iteration_end(self, i, logs):
        if i == 5:
            if self.rebind:
                self.layer.params["W"] = self.new
            else:
                self.layer.params["W"][...] = self.new


@pytest.mark.parametrize("optimizer", [lambda: tn.SGD(lr=0.5), lambda: tn.SGD(lr=0.5, momentum=0.9)])
def test_a_parameter_replaced_during_fit_is_trained(optimizer):
    X, y = tn.datasets.spiral(n_per_class=20, rng=0)
    trained = {}
    for rebind in (True, False):
        model = tn.Sequential(tn.Dense(2, 8, rng=0), tn.ReLU(), tn.Dense(8, 3, rng=1))
        replace = Replace(rebind)
        history = model.fit(X, y, optimizer=optimizer(), l2=1e-3, iterations=20, callbacks=[replace])
        assert (model.layers[0].params["W"] is replace.new) == rebind
        trained[rebind] = (history.loss, model.parameters())
    assert not np.array_equal(trained[True][1]["dense_0.W"], np.full((2, 8), 0.01))
    np.testing.assert_array_equal(trained[True][0], trained[False][0])
    for key, value in trained[False][1].items():
        np.testing.assert_array_equal(trained[True][1][key], value, err_msg=key)


class ReplaceInHook(Replace):
    """The same new array, put in place by a backward hook during iteration 5."""

    def on_train_begin(self, model):
        super().on_train_begin(model)
        self.calls = 0

        def hook(layer, grad_in, grad_out):
            self.calls += 1
            if self.calls == 6:  # iteration 5
                layer.params["W"] = self.new

        self.handle = self.layer.register_backward_hook(hook)

    def on_iteration_end(self, i, logs):
        pass

    def on_train_end(self, model):
        self.handle.remove()


def test_a_parameter_replaced_by_a_hook_is_trained_from_the_next_iteration():
    X, y = tn.datasets.spiral(n_per_class=20, rng=0)
    trained = []
    for replace in (Replace(rebind=True), ReplaceInHook(rebind=True)):
        model = tn.Sequential(tn.Dense(2, 8, rng=0), tn.ReLU(), tn.Dense(8, 3, rng=1))
        history = model.fit(X, y, optimizer=tn.SGD(lr=0.5), l2=1e-3, iterations=20, callbacks=[replace])
        assert model.layers[0].params["W"] is replace.new
        assert not np.array_equal(replace.new, np.full((2, 8), 0.01))  # trained since
        trained.append((history.loss, model.parameters()))
    # iteration 5's step goes to the old array either way: the hook's replacement trains like the callback's
    np.testing.assert_array_equal(trained[0][0], trained[1][0])
    for key, value in trained[0][1].items():
        np.testing.assert_array_equal(trained[1][1][key], value, err_msg=key)


def test_a_non_finite_replacement_is_reported_not_undone():
    X, y = tn.datasets.spiral(n_per_class=20, rng=0)
    model = tn.Sequential(tn.Dense(2, 8, rng=0), tn.ReLU(), tn.Dense(8, 3, rng=1))
    replace = Replace(rebind=True)
    replace.new[0, 0] = np.nan
    with pytest.raises(tn.TrainingDiverged, match=r"iteration 6: .*the output of dense_0 is the first non-finite"):
        model.fit(X, y, iterations=20, callbacks=[replace])
    assert model.layers[0].params["W"] is replace.new  # no step on it to undo: left as the callback set it
    assert np.isnan(replace.new[0, 0])
    assert np.all(replace.new.flat[1:] == 0.01)


def test_fit_argument_errors_come_before_training():
    X, y = tn.datasets.spiral(n_per_class=5, rng=0)
    model = tn.Sequential(tn.Dense(2, 3, rng=0))
    before = model.layers[0].params["W"].copy()
    for kwargs, words in [({"iterations": 0}, "iterations"), ({"l2": -1.0}, "l2"),
                          ({"batch_size": 100}, "batch_size"), ({"optimizer": "sgd"}, "Optimizer"),
                          ({"callbacks": [print]}, "Callback")]:
        with pytest.raises((ValueError, TypeError), match=words):
            model.fit(X, y, **kwargs)
    with pytest.raises(ValueError, match="out of range"):
        model.fit(X, y + 1)
    np.testing.assert_array_equal(model.layers[0].params["W"], before)


def test_divergence_stops_with_the_iteration_and_keeps_finite_parameters():
    X, y = tn.datasets.spiral(n_per_class=20, rng=0)
    model = tn.Sequential(tn.Dense(2, 50, init=tn.init.Normal(1.0), rng=0), tn.ReLU(),
                          tn.Dense(50, 3, init=tn.init.Normal(1.0), rng=1))
    with pytest.raises(tn.TrainingDiverged, match="iteration") as info:
        model.fit(X, y, optimizer=tn.SGD(lr=1e6), l2=1e-3, iterations=1000)
    assert "learning rate" in str(info.value)
    assert all(np.isfinite(p).all() for p in model.parameters().values())


def test_summary_and_repr():
    model = tn.Sequential(tn.Dense(2, 4, rng=0), tn.ReLU(), tn.Dense(4, 3, rng=0))
    text = model.summary()
    assert "dense_0" in text
    assert "relu_0" in text
    assert "total parameters: 27" in text
    assert "(relu_0): ReLU()" in repr(model)


def test_float32_training_stays_float32_and_tracks_float64():
    X, y = tn.datasets.spiral(n_per_class=20, rng=0)

    def trained(dtype):
        rng = np.random.RandomState(0)
        model = tn.Sequential(tn.Dense(2, 16, init=tn.init.Normal(0.1), rng=rng), tn.Sigmoid(),
                              tn.Dense(16, 3, init=tn.init.Normal(0.1), rng=rng)).astype(dtype)
        return model, model.fit(X, y, l2=1e-3, iterations=200).loss

    model32, loss32 = trained(np.float32)
    _, loss64 = trained(np.float64)
    assert all(p.dtype == np.float32 for p in model32.parameters().values())
    assert all(g.dtype == np.float32 for g in model32.gradients().values())
    np.testing.assert_allclose(loss32, loss64, rtol=1e-5)
    with pytest.raises(TypeError, match="float32 or float64"):
        model32.astype(np.int64)
    with pytest.raises(TypeError, match="float64"):
        tn.gradcheck(model32, X[:3], y[:3])


class ReplaceAtTheEnd(tn.Callback):
    """Puts an array holding a NaN in place of dense_0.W at the last iteration."""

    def on_iteration_end(self, i, logs):
        if i == self.params["iterations"] - 1:
            self.old = self.model[0].params["W"]
            self.new = np.full_like(self.old, 0.25)
            self.new[0, 0] = np.nan
            self.model[0].params["W"] = self.new
            self.trained = self.old.copy()


def test_a_non_finite_replacement_at_the_last_iteration_is_reported_and_nothing_is_undone():
    # #7, defect 5: the post-loop check "undid" a step by copying an uninitialised buffer into W
    X, y = tn.datasets.spiral(n_per_class=20, rng=0)
    model = tn.Sequential(tn.Dense(2, 8, rng=0), tn.ReLU(), tn.Dense(8, 3, rng=1))
    replace = ReplaceAtTheEnd()
    with pytest.raises(tn.TrainingDiverged, match=r"dense_0\.W is not finite \(a callback or hook put it in place\)"):
        model.fit(X, y, iterations=10, callbacks=[replace])
    assert model[0].params["W"] is replace.new
    assert np.isnan(replace.new[0, 0])
    assert np.all(replace.new.flat[1:] == 0.25)
    np.testing.assert_array_equal(replace.old, replace.trained)  # the stepped array: as its last step left it


def test_a_rising_loss_is_warned_about_with_the_learning_rate():
    # #7, defect 12: lr=100 took the loss from 1.1 to 11.3 without a word
    X, y = tn.datasets.spiral(n_per_class=20, rng=0)
    model = tn.Sequential(tn.Dense(2, 16, init=tn.init.Normal(0.1), rng=0), tn.ReLU(), tn.Dense(16, 3, rng=1))
    with pytest.warns(tn.DivergenceWarning, match=r"the training loss rose from 1\.\d+ .* the learning rate may be "
                                                  r"too large \(SGD has lr=100\)"):
        model.fit(X, y, optimizer=tn.SGD(lr=100.0), iterations=50)


def test_a_falling_or_noisy_loss_is_not_warned_about():
    X, y = tn.datasets.spiral(n_per_class=20, rng=0)
    model = tn.Sequential(tn.Dense(2, 16, rng=0), tn.ReLU(), tn.Dense(16, 3, rng=1))
    model.fit(X, y, optimizer=tn.SGD(lr=0.5), iterations=300)
    model.fit(X, y, optimizer=tn.SGD(lr=0.5), epochs=30, batch_size=1, rng=0)  # warnings are errors here


# -- nesting, Residual, modes, buffers (#9) ---------------------------------------------------


@st.composite
def nested_models(draw):
    """A random model of Dense layers, activations, LayerNorm, Residual blocks and inner Sequentials."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n_in, width, n_classes = draw(st.integers(1, 3)), draw(st.integers(1, 5)), draw(st.integers(2, 3))
    layers = [tn.Dense(n_in, width, init=tn.init.GlorotNormal(), rng=rng)]
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["residual", "sequential", "layer_norm", "activation"]))
        act = draw(st.sampled_from([tn.Tanh, tn.Sigmoid, tn.Softplus, tn.ELU]))
        if kind == "residual":
            layers.append(tn.Residual(tn.Dense(width, width, init=tn.init.GlorotNormal(), rng=rng), act()))
        elif kind == "sequential":
            layers.append(tn.Sequential(act(), tn.Dense(width, width, init=tn.init.GlorotNormal(), rng=rng)))
        elif kind == "layer_norm":
            layers.append(tn.LayerNorm(width))
        else:
            layers.append(act())
    layers.append(tn.Dense(width, n_classes, rng=rng))
    model = tn.Sequential(*layers)
    for _, layer in model.named_layers():  # biases apart: no LayerNorm sees equal features (zero variance)
        if isinstance(layer, tn.Dense):
            layer.params["b"][:] = rng.normal(scale=0.5, size=layer.n_out)
    return model, n_in, n_classes


@given(spec=nested_models(), l2=st.sampled_from([0.0, 0.1]), data=st.data())
@settings(deadline=None, max_examples=60)
def test_nested_model_gradients_match_finite_differences(spec, l2, data):
    model, n_in, n_classes = spec
    x = data.draw(inputs(st.tuples(st.integers(1, 5), st.just(n_in)), bound=2.0))
    y = np.array(data.draw(st.lists(st.integers(0, n_classes - 1), min_size=len(x), max_size=len(x))))
    result = tn.gradcheck(model, x, y, l2=l2)
    assert result, result.report()
    assert [c.array for c in result.checks][1:] == list(model.parameters())


@given(width=st.integers(1, 5), seed=st.integers(0, 2**32 - 1), data=st.data())
@settings(deadline=None, max_examples=40)
def test_a_residual_block_is_checked_like_any_layer(width, seed, data):
    rng = np.random.default_rng(seed)
    block = tn.Residual(tn.Dense(width, width, rng=rng), tn.Tanh(), tn.Dense(width, width, rng=rng))
    result = tn.gradcheck(block, data.draw(inputs(st.tuples(st.integers(1, 5), st.just(width)))))
    assert result, result.report()
    assert [c.array for c in result.checks] == ["x", "dense_0.W", "dense_0.b", "dense_1.W", "dense_1.b"]


def test_residual_computes_x_plus_f_x_and_refuses_a_change_of_width():
    block = tn.Residual(tn.Dense(3, 3, rng=0), tn.ReLU())
    x = np.random.default_rng(0).normal(size=(4, 3))
    np.testing.assert_allclose(block(x), x + np.maximum(x @ block[0].params["W"], 0))
    with pytest.raises(ValueError, match=r"Residual: its layers take 3 features and output 2; x \+ f\(x\) needs"):
        tn.Residual(tn.Dense(3, 2, rng=0))
    with pytest.raises(ValueError, match="dense_1 expects 3 input features, but dense_0 outputs 4"):
        tn.Sequential(tn.Dense(2, 4, rng=0), tn.Residual(tn.Dense(4, 4, rng=0)), tn.Dense(3, 2, rng=0))


def test_a_model_is_a_list_of_its_layers():
    layers = [tn.Dense(2, 4, rng=0), tn.ReLU(), tn.Dense(4, 4, rng=1), tn.Tanh(), tn.Dense(4, 3, rng=2)]
    model = tn.Sequential(*layers)
    assert len(model) == 5
    assert model[0] is layers[0]
    assert model[-1] is layers[-1]
    assert list(model) == layers
    part = model[1:3]
    assert isinstance(part, tn.Sequential)
    assert list(part) == layers[1:3]
    assert [layer.name for layer in part] == ["relu_0", "dense_1"]  # the layers keep their names
    assert [layer.name for layer in model] == ["dense_0", "relu_0", "dense_1", "tanh_0", "dense_2"]
    x = np.ones((2, 4))
    np.testing.assert_array_equal(part.forward(x), layers[2](np.maximum(x, 0)))
    with pytest.raises(IndexError):
        model[7]


def test_names_are_paths_and_key_everything():
    model = tn.Sequential(tn.Dense(2, 4, rng=0), tn.Residual(tn.Dense(4, 4, rng=1), tn.ReLU(), tn.Dense(4, 4, rng=2)),
                          tn.Sequential(tn.Tanh(), tn.Dense(4, 3, rng=3)))
    assert [name for name, _ in model.named_layers()] == [
        "dense_0", "residual_0", "residual_0.dense_0", "residual_0.relu_0", "residual_0.dense_1",
        "sequential_0", "sequential_0.tanh_0", "sequential_0.dense_0"]
    assert all(layer.name == name for name, layer in model.named_layers())
    assert list(model.parameters()) == list(model.gradients()) == [
        "dense_0.W", "dense_0.b", "residual_0.dense_0.W", "residual_0.dense_0.b", "residual_0.dense_1.W",
        "residual_0.dense_1.b", "sequential_0.dense_0.W", "sequential_0.dense_0.b"]
    rows = [line.split()[0] for line in model.summary().splitlines()[1:-1]]
    assert rows == [name for name, _ in model.named_layers()]
    with pytest.raises(ValueError, match="the same Dense instance appears twice"):
        tn.Sequential(model[1], tn.Residual(model[1][0]))


def test_train_and_eval_set_every_layer_and_return_the_model():
    model = tn.Sequential(tn.Dense(2, 4, rng=0), tn.Dropout(0.5, rng=0),
                          tn.Residual(tn.BatchNorm(4), tn.Dropout(0.5, rng=1)), tn.Dense(4, 3, rng=1))
    assert model.eval() is model
    assert not any(layer.training for _, layer in model.named_layers())
    assert not model.training
    assert model.train() is model
    assert all(layer.training for _, layer in model.named_layers())
    assert model.training


def test_fit_trains_in_training_mode_and_predict_evaluates_and_both_restore_the_mode():
    X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    model = tn.Sequential(tn.Dense(2, 8, rng=0), tn.Dropout(0.5, rng=0), tn.Dense(8, 3, rng=1))
    seen = []
    model[1].register_forward_hook(lambda layer, x, out: seen.append(layer.training))
    model[1].eval()  # one layer in evaluation mode, the others in training mode
    model.fit(X, y, iterations=2)
    assert seen == [True, True]
    assert [layer.training for layer in model] == [True, False, True]
    model.eval().fit(X, y, iterations=1)  # the model's own flag comes back too
    assert not model.training
    assert not any(layer.training for layer in model)
    model.train()
    for use in (lambda: model.predict(X), lambda: model.predict_proba(X), lambda: model.accuracy(X, y),
                lambda: model.evaluate(X, y)):
        seen.clear()
        use()
        assert seen == [False]
        assert all(layer.training for layer in model)
    assert model.predict_proba(X).tolist() == model.predict_proba(X).tolist()  # no dropout: the same answer


def test_the_model_of_issue_9_trains_records_saves_loads_and_predicts_bit_identically(tmp_path):
    X, y = tn.datasets.spiral(n_per_class=30, rng=0)
    rng = np.random.default_rng(0)
    model = tn.Sequential(tn.Dense(2, 16, rng=rng), tn.BatchNorm(16), tn.Sigmoid(), tn.Dropout(0.1, rng=rng),
                          tn.Residual(tn.Dense(16, 16, rng=rng), tn.ReLU(), tn.Dense(16, 16, rng=rng)),
                          tn.Dense(16, 3, rng=rng))
    grads = tn.GradientRecorder()
    history = model.fit(X, y, optimizer=tn.SGD(lr=0.3, momentum=0.9), iterations=300, batch_size=45, rng=0,
                        callbacks=[grads])
    assert history.loss[-20:].mean() < history.loss[:20].mean()
    assert list(grads.history) == ["dense_0", "residual_0.dense_0", "residual_0.dense_1", "dense_1"]
    assert model.accuracy(X, y) > 0.6
    model.save(tmp_path / "model.npz")
    again = tn.load(tmp_path / "model.npz")
    assert repr(again) == repr(model)
    for key in ("running_mean", "running_var"):
        np.testing.assert_array_equal(again[1].buffers[key], model[1].buffers[key])
    assert not np.array_equal(model[1].buffers["running_mean"], np.zeros(16))  # they were trained
    np.testing.assert_array_equal(again.eval().predict_proba(X), model.eval().predict_proba(X))


def test_buffers_follow_astype_and_are_counted_apart_from_parameters():
    model = tn.Sequential(tn.Dense(2, 4, rng=0), tn.BatchNorm(4), tn.Dense(4, 3, rng=1))
    assert model.summary().splitlines()[-1] == "total parameters: 35, buffers: 8"
    model.astype(np.float32)
    assert {b.dtype for b in model[1].buffers.values()} == {np.dtype(np.float32)}
    X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    model.fit(X, y, iterations=3)
    assert {b.dtype for b in model[1].buffers.values()} == {np.dtype(np.float32)}
    assert not any(key.startswith("batch_norm_0.running") for key in model.parameters())
