"""ActivationRecorder: saturated and dead units, measured by forward hooks during training."""

import numpy as np
import pytest

import tinynet as tn


def fit(model, callbacks, iterations=3):
    X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    model.fit(X, y, optimizer=tn.SGD(lr=0.1), iterations=iterations, callbacks=callbacks)
    return X


def test_fractions_equal_a_hand_count_of_the_outputs():
    model = tn.Sequential(tn.Dense(2, 8, init=tn.init.Normal(3.0), rng=0), tn.Sigmoid(),
                          tn.Dense(8, 8, init=tn.init.Normal(3.0), rng=1), tn.Tanh(),
                          tn.Dense(8, 8, rng=2), tn.ReLU(), tn.Dense(8, 3, rng=3))
    seen = {}
    for layer in model.layers[1::2]:
        layer.register_forward_hook(lambda layer, x, out: seen.setdefault(layer.name, []).append(out.copy()))
    units = tn.ActivationRecorder()
    fit(model, [units])
    s, t, r = (np.array(seen[name]) for name in ("sigmoid_0", "tanh_0", "relu_0"))
    np.testing.assert_allclose(units.saturated["sigmoid_0"], ((s <= 0.01) | (s >= 0.99)).mean(axis=(1, 2)))
    np.testing.assert_allclose(units.saturated["tanh_0"], ((t <= -0.99) | (t >= 0.99)).mean(axis=(1, 2)))
    np.testing.assert_allclose(units.dead["relu_0"], (~(r > 0).any(axis=1)).mean(axis=1))
    assert units.saturated["tanh_0"].max() > 0.3  # weights of std 3 push tanh into its flat ends
    assert list(units.iterations) == [0, 1, 2]


def test_one_value_per_training_iteration_even_when_a_callback_predicts():
    X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    model = tn.Sequential(tn.Dense(2, 8, rng=0), tn.Sigmoid(), tn.Dense(8, 8, rng=1), tn.ReLU(),
                          tn.Dense(8, 3, rng=2))
    trained_on = []
    model.layers[0].register_forward_hook(lambda layer, x, out: trained_on.append(len(x)))

    class CheckOnTenRows(tn.Callback):
        def on_iteration_end(self, i, logs):
            model.accuracy(X[:10], y[:10])

    units = tn.ActivationRecorder()
    model.fit(X, y, iterations=4, callbacks=[CheckOnTenRows(), units])
    assert trained_on == [30, 10] * 4  # the callback's forward passes happened ...
    assert list(units.iterations) == [0, 1, 2, 3]  # ... and were not recorded
    assert len(units.saturated["sigmoid_0"]) == len(units.dead["relu_0"]) == 4


def test_dead_units_are_counted_on_batches_of_any_size_and_dtype():
    # the dead-unit hook sums columns with a vector of ones the size of the batch;
    # here the hooks are driven by hand, with batches of two sizes, in float64 and float32
    X, _ = tn.datasets.spiral(n_per_class=10, rng=0)
    model = tn.Sequential(tn.Dense(2, 8, rng=0), tn.ReLU(), tn.Dense(8, 3, rng=1))
    model.layers[0].params["b"][:4] = -100.0  # units 0-3 output 0 for every sample
    model.layers[0].params["W"][:, 4] = [1.0, 0.0]  # unit 4 outputs max(x_0, 0): 0 for about half
    units, expected = tn.ActivationRecorder(), []
    for dtype in (np.float64, np.float32):
        model.astype(dtype)
        units.on_train_begin(model)
        for n in (30, 7, 30):
            model.forward(X[:n].astype(dtype))
            model.backward(np.zeros((n, 3), dtype))  # the hooks fire here
            out = model.layers[1].output
            assert out.dtype == dtype
            expected.append(np.mean(~(out > 0).any(axis=0)))
            units.on_iteration_end(len(expected) - 1, {})
        units.on_train_end(model)
    assert units.dead["relu_0"].tolist() == expected
    assert expected[0] == 0.5  # units 0-3 dead; unit 4, like 5-7, alive on the full batch


def test_a_relu_layer_pushed_below_zero_is_all_dead():
    model = tn.Sequential(tn.Dense(2, 4, rng=0), tn.ReLU(), tn.Dense(4, 3, rng=1))
    model.layers[0].params["b"][:] = -100.0
    units = tn.ActivationRecorder()
    fit(model, [units])
    assert units.dead["relu_0"].tolist() == [1.0, 1.0, 1.0]
    assert units.saturated == {}


def test_only_sigmoid_tanh_and_relu_are_recorded():
    model = tn.Sequential(tn.Dense(2, 4, rng=0), tn.LeakyReLU(), tn.Dense(4, 4, rng=1), tn.ELU(),
                          tn.Maxout(4, 4, rng=2), tn.Dense(4, 3, rng=3))
    units = tn.ActivationRecorder()
    fit(model, [units])
    assert units.saturated == {}
    assert units.dead == {}


def test_every_and_refits_continue_the_count_and_hooks_come_off():
    model = tn.Sequential(tn.Dense(2, 4, rng=0), tn.Sigmoid(), tn.Dense(4, 3, rng=1))
    units = tn.ActivationRecorder(every=2)
    X = fit(model, [units], iterations=5)
    assert list(units.iterations) == [0, 2, 4]
    assert len(units.saturated["sigmoid_0"]) == 3
    model.forward(X)  # not training: nothing recorded
    assert len(units.saturated["sigmoid_0"]) == 3
    fit(model, [units], iterations=2)
    assert list(units.iterations) == [0, 2, 4, 6]
    assert len(units.saturated["sigmoid_0"]) == 4
    assert repr(units) == "ActivationRecorder(tol=0.01, every=2)"


def test_bad_settings():
    with pytest.raises(ValueError, match="tol"):
        tn.ActivationRecorder(tol=-1)
    with pytest.raises(ValueError, match="every"):
        tn.ActivationRecorder(every=0)
    with pytest.raises(ValueError, match=r"tol must be below 0\.5.*got 0\.5"):
        tn.ActivationRecorder(tol=0.5)  # the bands near 0 and 1 would meet


def test_progress_bar_label_and_uneven_iterations_run_silently(capsys):
    X, y = tn.datasets.spiral(n_per_class=5, rng=0)
    bar = tn.ProgressBar(update_every=100, desc="relu")
    tn.Sequential(tn.Dense(2, 3, rng=0)).fit(X, y, iterations=250, callbacks=[bar])
    assert capsys.readouterr().err == ""
    assert bar.desc == "relu"
