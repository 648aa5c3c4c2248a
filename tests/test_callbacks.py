"""Callbacks, checked against a plain-numpy transcription of the notebook's loop."""

import io
from typing import ClassVar

import numpy as np
import pytest

import tinynet as tn


def notebook_loop(nonlinearity, X, y, model, step_size, reg, iterations):
    """The notebook's three_layer_net, transcribed to Python 3; returns losses and plot arrays."""
    W1, W2, W3 = model["W1"], model["W2"], model["W3"]
    b1, b2, b3 = model["b1"], model["b2"], model["b3"]

    def sigmoid(x):
        return 1 / (1 + np.exp(-x))

    def sigmoid_grad(x):
        return x * (1 - x)

    def relu(x):
        return np.maximum(0, x)

    num_examples = X.shape[0]
    losses, plot_array_1, plot_array_2 = [], [], []
    for _ in range(iterations):
        if nonlinearity == "RELU":
            hidden_layer = relu(np.dot(X, W1) + b1)
            hidden_layer2 = relu(np.dot(hidden_layer, W2) + b2)
        else:
            hidden_layer = sigmoid(np.dot(X, W1) + b1)
            hidden_layer2 = sigmoid(np.dot(hidden_layer, W2) + b2)
        scores = np.dot(hidden_layer2, W3) + b3
        exp_scores = np.exp(scores)
        probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
        correct_logprobs = -np.log(probs[range(num_examples), y])
        data_loss = np.sum(correct_logprobs) / num_examples
        reg_loss = 0.5 * reg * np.sum(W1 * W1) + 0.5 * reg * np.sum(W2 * W2) + 0.5 * reg * np.sum(W3 * W3)
        losses.append(data_loss + reg_loss)
        dscores = probs
        dscores[range(num_examples), y] -= 1
        dscores /= num_examples
        dW3 = (hidden_layer2.T).dot(dscores)
        db3 = np.sum(dscores, axis=0, keepdims=True)
        if nonlinearity == "RELU":
            dhidden2 = np.dot(dscores, W3.T)
            dhidden2[hidden_layer2 <= 0] = 0
            dW2 = np.dot(hidden_layer.T, dhidden2)
            plot_array_2.append(np.sum(np.abs(dW2)) / np.sum(np.abs(dW2.shape)))
            db2 = np.sum(dhidden2, axis=0)
            dhidden = np.dot(dhidden2, W2.T)
            dhidden[hidden_layer <= 0] = 0
        else:
            dhidden2 = dscores.dot(W3.T) * sigmoid_grad(hidden_layer2)
            dW2 = (hidden_layer.T).dot(dhidden2)
            plot_array_2.append(np.sum(np.abs(dW2)) / np.sum(np.abs(dW2.shape)))
            db2 = np.sum(dhidden2, axis=0)
            dhidden = dhidden2.dot(W2.T) * sigmoid_grad(hidden_layer)
        dW1 = np.dot(X.T, dhidden)
        plot_array_1.append(np.sum(np.abs(dW1)) / np.sum(np.abs(dW1.shape)))
        db1 = np.sum(dhidden, axis=0)
        dW3 += reg * W3
        dW2 += reg * W2
        dW1 += reg * W1
        W1 += -step_size * dW1
        b1 += -step_size * db1
        W2 += -step_size * dW2
        b2 += -step_size * db2
        W3 += -step_size * dW3
        b3 += -step_size * db3
    return np.array(losses), np.array(plot_array_1), np.array(plot_array_2), (W1, W2, W3, b1, b2, b3)


def notebook_data_and_weights():
    """Spiral data then the weights of two nets, as the notebook draws them with np.random.seed(0)."""
    state = np.random.RandomState(0)  # the same stream as np.random.seed(0); no global state touched
    N, D, K, h = 100, 2, 3, 50
    X = np.zeros((N * K, D))
    y = np.zeros(N * K, dtype="uint8")
    for j in range(K):
        ix = range(N * j, N * (j + 1))
        r = np.linspace(0.0, 1, N)
        t = np.linspace(j * 4, (j + 1) * 4, N) + state.randn(N) * 0.2
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[ix] = j
    nets = [
        {"W1": 0.1 * state.randn(D, h), "b1": np.zeros((1, h)), "W2": 0.1 * state.randn(h, h),
         "b2": np.zeros((1, h)), "W3": 0.1 * state.randn(h, K), "b3": np.zeros((1, K))}
        for _ in range(2)
    ]
    return X, y, nets


ITERATIONS = 300


@pytest.fixture(scope="module")
def reference():
    X, y, (sigm_init, relu_init) = notebook_data_and_weights()
    return {
        "sigmoid": notebook_loop("SIGM", X, y, sigm_init, 0.1, 1e-3, ITERATIONS),
        "relu": notebook_loop("RELU", X, y, relu_init, 0.1, 1e-3, ITERATIONS),
    }


@pytest.fixture(scope="module")
def tinynet_runs():
    rng = np.random.RandomState(0)
    X, y = tn.datasets.spiral(n_per_class=100, n_classes=3, rng=rng)
    runs = {}
    for name, act in [("sigmoid", tn.Sigmoid), ("relu", tn.ReLU)]:
        model = tn.Sequential(
            tn.Dense(2, 50, init=tn.init.Normal(0.1), rng=rng), act(),
            tn.Dense(50, 50, init=tn.init.Normal(0.1), rng=rng), act(),
            tn.Dense(50, 3, init=tn.init.Normal(0.1), rng=rng),
        )
        grads = tn.GradientRecorder(metric="seed")
        history = model.fit(X, y, loss=tn.SoftmaxCrossEntropy(), optimizer=tn.SGD(lr=0.1), l2=1e-3,
                            iterations=ITERATIONS, callbacks=[grads])
        runs[name] = (history, grads, model)
    return runs


@pytest.mark.parametrize("net", ["sigmoid", "relu"])
def test_recorder_and_loss_equal_the_notebook_loop(reference, tinynet_runs, net):
    losses, plot1, plot2, weights = reference[net]
    history, grads, model = tinynet_runs[net]
    np.testing.assert_allclose(history.loss, losses, rtol=0, atol=1e-12)
    np.testing.assert_allclose(grads.history["dense_0"], plot1, rtol=0, atol=1e-12)
    np.testing.assert_allclose(grads.history["dense_1"], plot2, rtol=0, atol=1e-12)
    ours = [model.layers[i].params["W"] for i in (0, 2, 4)] + [model.layers[i].params["b"] for i in (0, 2, 4)]
    for a, b in zip(ours, weights, strict=False):
        np.testing.assert_allclose(a, b.ravel() if a.ndim == 1 else b, rtol=0, atol=1e-12)


def test_the_reference_really_moves(reference):
    # guard against comparing two constant sequences
    losses, plot1, _, _ = reference["relu"]
    assert losses[-1] < losses[0] - 0.1
    assert np.ptp(plot1) > 1e-3


def test_metrics_and_layer_filter():
    X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    model = tn.Sequential(tn.Dense(2, 4, rng=0), tn.Tanh(), tn.Dense(4, 3, rng=0))
    seen = []
    recorders = {
        "seed": tn.GradientRecorder("seed"),
        "mean_abs": tn.GradientRecorder("mean_abs"),
        "l2": tn.GradientRecorder("l2", layers=["dense_1"]),
        "custom": tn.GradientRecorder(lambda dW: seen.append(dW.shape) or 1.5),
    }
    snapshots = []
    model.layers[2].register_backward_hook(lambda layer, gi, go: snapshots.append(layer.grads["W"].copy()))
    model.fit(X, y, iterations=3, callbacks=list(recorders.values()))
    dW = snapshots[-1]
    assert recorders["seed"].history["dense_1"][-1] == np.abs(dW).sum() / 7
    assert recorders["mean_abs"].history["dense_1"][-1] == pytest.approx(np.abs(dW).mean())
    assert recorders["l2"].history["dense_1"][-1] == pytest.approx(np.sqrt((dW**2).sum()))
    assert list(recorders["l2"].history) == ["dense_1"]
    assert recorders["custom"].history["dense_0"].tolist() == [1.5, 1.5, 1.5]
    assert seen[:2] == [(4, 3), (2, 4)]  # backward order: last layer first


def test_recorder_takes_one_layer_name_as_a_string():
    X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    model = tn.Sequential(tn.Dense(2, 4, rng=0), tn.Tanh(), tn.Dense(4, 3, rng=0))
    grads = tn.GradientRecorder(layers="dense_1")  # not the characters "d", "e", ...
    model.fit(X, y, iterations=2, callbacks=[grads])
    assert list(grads.history) == ["dense_1"]


def test_recorder_detaches_after_training_and_continues_on_refit():
    X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    model = tn.Sequential(tn.Dense(2, 3, rng=0))
    grads = tn.GradientRecorder()
    model.fit(X, y, iterations=2, callbacks=[grads])
    model.backward(model.forward(X))  # not training: nothing recorded
    assert len(grads.history["dense_0"]) == 2
    model.fit(X, y, iterations=3, callbacks=[grads])
    assert len(grads.history["dense_0"]) == 5


def test_unknown_metric_and_layer_names_suggest():
    with pytest.raises(ValueError, match="Did you mean 'mean_abs'"):
        tn.GradientRecorder("mean_ab")
    X, y = tn.datasets.spiral(n_per_class=5, rng=0)
    model = tn.Sequential(tn.Dense(2, 3, rng=0))
    with pytest.raises(ValueError, match="Did you mean 'dense_0'"):
        model.fit(X, y, iterations=1, callbacks=[tn.GradientRecorder(layers=["dense0"])])


def test_print_loss_format_and_cadence():
    X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    model = tn.Sequential(tn.Dense(2, 3, init=tn.init.Normal(0.1), rng=0))
    buffer = io.StringIO()
    history = model.fit(X, y, iterations=5, callbacks=[tn.PrintLoss(every=2, file=buffer)])
    lines = buffer.getvalue().splitlines()
    assert lines == [f"iteration {i}: loss {history.loss[i]:f}" for i in (0, 2, 4)]


def test_custom_callback_sees_every_event_in_order():
    events = []

    class Spy(tn.Callback):
        def on_train_begin(self, model):
            events.append(("begin", self.params["iterations"]))

        def on_iteration_end(self, i, logs):
            events.append((i, sorted(logs)))

        def on_train_end(self, model):
            events.append("end")

    X, y = tn.datasets.spiral(n_per_class=5, rng=0)
    tn.Sequential(tn.Dense(2, 3, rng=0)).fit(X, y, iterations=2, callbacks=[Spy()], track_accuracy=True)
    assert events == [("begin", 2), (0, ["accuracy", "loss"]), (1, ["accuracy", "loss"]), "end"]


def test_progress_bar_runs_silently_off_a_terminal(capsys):
    X, y = tn.datasets.spiral(n_per_class=5, rng=0)
    tn.Sequential(tn.Dense(2, 3, rng=0)).fit(X, y, iterations=250, callbacks=[tn.ProgressBar()])
    assert capsys.readouterr().err == ""


class Fails(tn.Callback):
    """Raises at one of the moments of training."""

    def __init__(self, at):
        self.at, self.ended = at, False

    def on_train_begin(self, model):
        if self.at == "begin":
            raise RuntimeError("failed to begin")

    def on_train_end(self, model):
        self.ended = True
        if self.at == "end":
            raise RuntimeError("failed to end")


def test_a_callback_that_fails_to_begin_still_ends_the_ones_before_it():
    # #7, defect 2: a GradientRecorder's hooks stayed attached and recorded every later fit
    X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    model = tn.Sequential(tn.Dense(2, 3, rng=0))
    grads = tn.GradientRecorder()
    with pytest.raises(RuntimeError, match="failed to begin"):
        model.fit(X, y, iterations=5, callbacks=[grads, Fails("begin")])
    model.fit(X, y, iterations=5)  # without the recorder
    assert len(grads.history["dense_0"]) == 0


def test_every_callback_that_began_ends_and_the_first_error_wins():
    X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    model = tn.Sequential(tn.Dense(2, 3, rng=0))
    first, later = Fails("end"), Fails(None)
    with pytest.raises(RuntimeError, match="failed to end"):
        model.fit(X, y, iterations=2, callbacks=[first, later])
    assert later.ended
    first, later = Fails("end"), Fails(None)
    with pytest.raises(tn.TrainingDiverged):  # the error from training, not the callback's
        model.fit(X, y, optimizer=tn.SGD(lr=10.0), l2=100.0, iterations=1000, callbacks=[first, later])
    assert first.ended
    assert later.ended


def test_a_recorder_refuses_a_fit_inside_a_fit_it_is_recording():
    # #7, defect 3: the inner fit removed the outer fit's hooks (3 entries instead of 12)
    X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    model = tn.Sequential(tn.Dense(2, 3, rng=0))
    grads = tn.GradientRecorder()

    class FitsAgain(tn.Callback):
        def on_iteration_end(self, i, logs):
            model.fit(X, y, iterations=1, callbacks=[grads])

    with pytest.raises(RuntimeError, match="GradientRecorder: this recorder is already recording a fit"):
        model.fit(X, y, iterations=4, callbacks=[grads, FitsAgain()])


class Interrupt(tn.Callback):
    """Ctrl-C in the middle of a backward pass: after the output layer's hooks, before the first layer's."""

    def __init__(self, at):
        self.at = at

    def on_train_begin(self, model):
        self.calls = 0

        def hook(layer, grad_in, grad_out):
            self.calls += 1
            if self.calls == self.at:
                raise KeyboardInterrupt

        self.handle = model[0].register_backward_hook(hook)

    def on_train_end(self, model):
        self.handle.remove()


@pytest.mark.parametrize("every", [1, 3])
def test_recorders_stay_aligned_with_the_loss_after_an_interruption(every):
    # #7, defect 4: the layers' series had different lengths (52 vs 51) and gradient_heatmap failed
    X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    model = tn.Sequential(tn.Dense(2, 8, rng=0), tn.Sigmoid(), tn.Dense(8, 8, rng=1), tn.ReLU(), tn.Dense(8, 3, rng=2))
    grads, units = tn.GradientRecorder(every=every), tn.ActivationRecorder(every=every)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y, iterations=100, callbacks=[grads, units, Interrupt(at=8)])
    assert len(model.history.loss) == 7  # the History of the interrupted fit is kept
    expected = len(range(0, 7, every))
    assert [len(v) for v in grads.history.values()] == [expected] * 3
    assert [len(v) for v in units.history.values()] == [expected] * 2
    np.testing.assert_array_equal(grads.iterations, np.arange(0, 7, every))


def test_recorders_stay_aligned_with_the_loss_after_divergence():
    X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    model = tn.Sequential(tn.Dense(2, 8, rng=0), tn.Tanh(), tn.Dense(8, 3, rng=1))
    grads = tn.GradientRecorder()
    with pytest.raises(tn.TrainingDiverged) as error:
        model.fit(X, y, optimizer=tn.SGD(lr=10.0), l2=100.0, iterations=1000, callbacks=[grads])
    loss = error.value.history.loss
    assert len(loss) == error.value.iteration == len(model.history.loss)
    assert [len(v) for v in grads.history.values()] == [len(loss)] * 2


def test_recorders_sample_every_kth_iteration_and_count_on_across_fits():
    # #7, defect 10: recorders grew without bound
    X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    model = tn.Sequential(tn.Dense(2, 4, rng=0), tn.Tanh(), tn.Dense(4, 3, rng=1))
    every, full = tn.GradientRecorder(every=4), tn.GradientRecorder()
    model.fit(X, y, iterations=10, callbacks=[every, full])
    model.fit(X, y, iterations=5, callbacks=[every, full])
    np.testing.assert_array_equal(every.iterations, [0, 4, 8, 12])
    for name in full.history:
        np.testing.assert_array_equal(every.history[name], full.history[name][[0, 4, 8, 12]])


def test_fit_does_not_keep_the_last_batch_alive():
    # #7, defect 10: after fit, every layer kept its last input and output (800 MiB after a 10^6-row batch)
    X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    model = tn.Sequential(tn.Dense(2, 4, rng=0), tn.Tanh(), tn.Dense(4, 3, rng=1))
    model.fit(X, y, iterations=2)
    assert all(layer.input is None and layer.output is None for _, layer in model.named_layers())


def test_epoch_ends_come_after_the_epochs_last_iteration_with_the_epochs_results():
    events = []

    class Spy(tn.Callback):
        def on_train_begin(self, model):
            events.append("begin")

        def on_iteration_end(self, i, logs):
            events.append(i)

        def on_epoch_end(self, epoch, logs):
            events.append((f"epoch {epoch}", sorted(logs)))

        def on_train_end(self, model):
            events.append("end")

    X, y = tn.datasets.spiral(n_per_class=10, rng=0)  # 30 rows: 2 iterations per epoch
    tn.Sequential(tn.Dense(2, 3, rng=0)).fit(X, y, epochs=3, batch_size=15, rng=0, validation_data=(X, y),
                                             validation_every=2, callbacks=[Spy()])
    everything = ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert events == ["begin", 0, 1, ("epoch 0", []), 2, 3, ("epoch 1", everything), 4, 5,
                      ("epoch 2", everything), "end"]


def test_history_keeps_what_the_callbacks_were_told():
    logged = []

    class Logs(tn.Callback):
        def on_iteration_end(self, i, logs):
            logged.append((logs["loss"], logs["accuracy"], self.optimizer.lr))

    X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    history = tn.Sequential(tn.Dense(2, 3, rng=0)).fit(X, y, iterations=6, optimizer=tn.SGD(lr=0.3),
                                                       track_accuracy=True, callbacks=[Logs()])
    loss, accuracy, lr = map(list, zip(*logged, strict=True))
    assert history.loss.tolist() == loss
    assert history.accuracy.tolist() == accuracy
    assert history.lr.tolist() == lr == [0.3] * 6
    assert history.loss is not history.loss  # a new array each time: changing it changes nothing


class FakeBar:
    """Stands in for tqdm.auto.tqdm: remembers what the progress bar was asked to show."""

    made: ClassVar[list] = []

    def __init__(self, total=None, desc=None, disable=None, unit=None):
        self.total, self.desc, self.n, self.postfixes, self.closed = total, desc, 0, [], False
        FakeBar.made.append(self)

    def update(self, n):
        self.n += n

    def set_postfix(self, postfix, refresh=True):
        self.postfixes.append((self.n, dict(postfix)))

    def close(self):
        self.closed = True


@pytest.fixture
def fake_tqdm(monkeypatch):
    pytest.importorskip("tqdm")  # a test dependency: this never skips under the README's command
    FakeBar.made = []
    monkeypatch.setattr("tqdm.auto.tqdm", FakeBar)
    return FakeBar.made


def test_progress_bar_shows_the_latest_loss_and_validation_results(fake_tqdm):
    X, y = tn.datasets.spiral(n_per_class=10, rng=0)  # 3 iterations per epoch with batches of 10
    history = tn.Sequential(tn.Dense(2, 3, rng=0)).fit(
        X, y, epochs=4, batch_size=10, rng=0, validation_data=(X, y),
        callbacks=[tn.ProgressBar(update_every=3, desc="net")])
    [bar] = fake_tqdm
    assert (bar.total, bar.desc, bar.n, bar.closed) == (12, "net", 12, True)

    def shown(i, epoch):
        postfix = {"loss": f"{history.loss[i]:.4f}"}
        if epoch is not None:
            postfix |= {"val_loss": f"{history.val_loss[epoch]:.4f}",
                        "val_accuracy": f"{history.val_accuracy[epoch]:.4f}"}
        return postfix

    # each redraw comes after an epoch's last iteration, before its end: the previous epoch's validation
    assert bar.postfixes == [(3, shown(2, None)), (6, shown(5, 0)), (9, shown(8, 1)), (12, shown(11, 2)),
                             (12, shown(11, 3))]


def test_progress_bar_ends_on_the_last_iteration_done_and_its_loss(fake_tqdm):
    X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    model = tn.Sequential(tn.Dense(2, 3, rng=0))

    class StopAt7(tn.Callback):
        def on_iteration_end(self, i, logs):
            model.stop_training = i == 7

    history = model.fit(X, y, iterations=20, callbacks=[tn.ProgressBar(update_every=5), StopAt7()])
    [bar] = fake_tqdm
    assert (bar.total, bar.n, bar.closed) == (20, 8, True)
    assert bar.postfixes[-1] == (8, {"loss": f"{history.loss[7]:.4f}"})
