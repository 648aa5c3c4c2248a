"""ActivationStats and snapshot: what the papers measure, layer by layer."""

import numpy as np
import pytest

import tinynet as tn


def test_activation_stats_are_the_mean_std_and_percentiles_of_each_activation_layer():
    X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    model = tn.Sequential(tn.Dense(2, 8, rng=0), tn.Tanh(), tn.Dense(8, 8, rng=1), tn.Sigmoid(), tn.Dense(8, 3, rng=2))
    seen = []
    model[3].register_forward_hook(lambda layer, x, out: seen.append(out.copy()))
    stats = tn.ActivationStats(percentiles=(5, 95), every=2)
    model.fit(X, y, iterations=5, callbacks=[stats])
    outs = np.array(seen)[[0, 2, 4]]
    np.testing.assert_allclose(stats.mean["sigmoid_0"], outs.mean(axis=(1, 2)))
    np.testing.assert_allclose(stats.std["sigmoid_0"], outs.std(axis=(1, 2)))
    np.testing.assert_allclose(stats.low["sigmoid_0"], np.percentile(outs, 5, axis=(1, 2)))
    np.testing.assert_allclose(stats.high["sigmoid_0"], np.percentile(outs, 95, axis=(1, 2)))
    assert list(stats.mean) == ["tanh_0", "sigmoid_0"]
    with pytest.raises(ValueError, match="percentiles must be"):
        tn.ActivationStats(percentiles=(98, 2))


def test_snapshot_gives_each_layer_s_output_and_gradient_and_changes_nothing():
    X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    model = tn.Sequential(tn.Dense(2, 6, rng=0), tn.BatchNorm(6), tn.ReLU(), tn.Dense(6, 3, rng=1)).eval()
    running = model[1].buffers["running_mean"].copy()
    signals = tn.recorders.snapshot(model, X, y)
    np.testing.assert_array_equal(model[1].buffers["running_mean"], running)  # put back
    assert not model.training
    assert all(layer.output is None for _, layer in model.named_layers())
    assert [s.role for s in signals.values()] == ["weights", "other", "activation", "weights"]
    np.testing.assert_array_equal(signals["relu_0"].output, np.maximum(signals["batch_norm_0"].output, 0))
    loss = tn.SoftmaxCrossEntropy()
    with tn.layers.mode(model, training=True):
        loss.forward(model.forward(X), y)
    np.testing.assert_allclose(signals["dense_1"].grad_out, loss.backward())
