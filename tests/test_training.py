"""The training workflow of ``fit``: epochs, validation, stopping, EarlyStopping and ModelCheckpoint."""

import os

import numpy as np
import pytest

import tinynet as tn


def data(n_per_class=20):
    return tn.datasets.spiral(n_per_class=n_per_class, rng=0)


def mlp(seed=0, width=16):
    rng = np.random.default_rng(seed)
    return tn.Sequential(tn.Dense(2, width, rng=rng), tn.ReLU(), tn.Dense(width, 3, rng=rng))


def mlp_with_modes(seed=0, width=16):
    """A model whose output depends on the mode: BatchNorm (buffers) and Dropout (random masks)."""
    rng = np.random.default_rng(seed)
    return tn.Sequential(tn.Dense(2, width, rng=rng), tn.BatchNorm(width), tn.ReLU(), tn.Dropout(0.2, rng=rng),
                         tn.Dense(width, 3, rng=rng))


def state(model):
    """Copies of every parameter and buffer, keyed "<layer>.<key>"."""
    return {f"{name}.{key}": value.copy() for name, layer in model.named_layers()
            for store in (layer.params, layer.buffers) for key, value in store.items()}


def assert_state_equal(a, b):
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


class Snapshots(tn.Callback):
    """Every epoch's parameters and buffers, and what model.evaluate says on some data, at on_epoch_end."""

    def __init__(self, X_val=None, y_val=None, l2=0.0):
        self.X_val, self.y_val, self.l2 = X_val, y_val, l2
        self.states, self.evaluated, self.logs = {}, {}, {}

    def on_epoch_end(self, epoch, logs):
        self.states[epoch] = state(self.model)
        self.logs[epoch] = dict(logs)
        if self.X_val is not None:
            self.evaluated[epoch] = self.model.evaluate(self.X_val, self.y_val, l2=self.l2)


# -- epochs and iterations -------------------------------------------------------------------------


def test_an_epoch_is_n_over_batch_size_iterations_and_one_in_full_batch():
    X, y = data(10)  # 30 rows: batches of 7 make 4 iterations per epoch, 2 rows left over
    seen = Snapshots()
    history = mlp().fit(X, y, epochs=3, batch_size=7, rng=0, callbacks=[seen])
    assert len(history.loss) == 12
    assert dict(seen.params) == {"iterations": 12, "epochs": 3, "steps_per_epoch": 4}
    assert sorted(seen.logs) == [0, 1, 2]
    history = mlp().fit(X, y, epochs=5)
    assert len(history.loss) == 5
    np.testing.assert_array_equal(history.epoch, np.arange(5))


def test_epochs_train_exactly_as_the_same_number_of_iterations():
    X, y = data(10)
    a, b = mlp(), mlp()
    by_epochs = a.fit(X, y, epochs=3, batch_size=7, rng=0)
    by_iterations = b.fit(X, y, iterations=12, batch_size=7, rng=0)
    np.testing.assert_array_equal(by_epochs.loss, by_iterations.loss)
    assert_state_equal(state(a), state(b))


def test_iterations_or_epochs_not_both_and_1000_iterations_by_default():
    X, y = data(5)
    with pytest.raises(TypeError, match=r"give iterations or epochs, not both .*iterations=10, epochs=2"):
        mlp().fit(X, y, iterations=10, epochs=2)
    with pytest.raises(ValueError, match="epochs"):
        mlp().fit(X, y, epochs=0)
    assert len(mlp().fit(X, y).loss) == 1000


@pytest.mark.parametrize(
    ("iterations", "batch_size", "every", "recorded"),
    [
        (1000, None, None, np.arange(9, 1000, 10)),   # full batch: every 1 % of the run, 100 in all
        (50, None, None, np.arange(50)),              # fewer than 100 iterations: every one
        (250, None, None, np.arange(1, 250, 2)),
        (20, None, 7, [6, 13, 19]),                   # and after the last
        (12, 10, None, [0, 1, 2, 3]),                 # minibatches (3 per epoch): every epoch
        (12, 10, 3, [2, 3]),
    ],
)
def test_which_epochs_are_recorded_and_validated(iterations, batch_size, every, recorded):
    X, y = data(10)
    seen = Snapshots()
    history = mlp().fit(X, y, iterations=iterations, batch_size=batch_size, rng=0, validation_every=every,
                        validation_data=(X[:9], y[:9]), callbacks=[seen])
    np.testing.assert_array_equal(history.epoch, recorded)
    for name in ("train_loss", "train_accuracy", "val_loss", "val_accuracy"):
        assert getattr(history, name).shape == (len(recorded),), name
    assert [e for e, logs in seen.logs.items() if logs] == list(recorded)  # {} at the other epochs
    assert len(seen.logs) == iterations // (1 if batch_size is None else 3)


@pytest.mark.parametrize(("iterations", "every"), [(12, 1), (12, 2), (7, 3), (8, 1)])
def test_an_epochs_training_means_are_over_all_its_iterations(iterations, every):
    # 30 rows in batches of 10: 3 iterations per epoch; 7 and 8 end in the middle of an epoch
    X, y = data(10)
    history = mlp().fit(X, y, iterations=iterations, batch_size=10, rng=0, validation_every=every,
                        track_accuracy=True)
    assert len(history.epoch) > 0
    for k, epoch in enumerate(history.epoch):
        steps = slice(3 * epoch, 3 * epoch + 3)
        assert history.train_loss[k] == pytest.approx(np.mean(history.loss[steps]), rel=1e-15)
        assert history.train_accuracy[k] == pytest.approx(np.mean(history.accuracy[steps]), rel=1e-15)
    assert history.epoch[-1] == iterations // 3 - 1  # the last complete epoch


def test_history_arrays_without_validation():
    X, y = data(10)
    history = mlp().fit(X, y, epochs=4, batch_size=10, rng=0, optimizer=tn.SGD(lr=0.2))
    assert history.loss.shape == history.lr.shape == (12,)
    assert history.accuracy is None
    assert (history.val_loss, history.val_accuracy) == (None, None)
    np.testing.assert_array_equal(history.lr, np.full(12, 0.2))
    assert history.epoch.dtype == np.intp
    assert repr(history) == f"History(12 iterations, final loss {history.loss[-1]:.6f})"


# -- validation ------------------------------------------------------------------------------------


@pytest.mark.parametrize("batch_size", [None, 15])
def test_val_loss_and_accuracy_are_model_evaluate_at_that_epoch(batch_size):
    X, y = data(15)
    X_val, y_val = tn.datasets.spiral(n_per_class=7, rng=1)
    seen = Snapshots(X_val, y_val, l2=1e-2)
    history = mlp_with_modes().fit(X, y, iterations=12, batch_size=batch_size, rng=0, l2=1e-2,
                                   validation_data=(X_val, y_val), validation_every=2, callbacks=[seen])
    assert len(history.epoch) > 0
    for k, epoch in enumerate(history.epoch):
        assert (history.val_loss[k], history.val_accuracy[k]) == seen.evaluated[epoch]
        assert (seen.logs[epoch]["val_loss"], seen.logs[epoch]["val_accuracy"]) == seen.evaluated[epoch]
    assert repr(history).endswith(f", final val_loss {history.val_loss[-1]:.6f})")


def test_validation_split_holds_out_a_stratified_part_drawn_with_rng():
    X, y = data(20)
    rng = np.random.default_rng(3)
    X_train, X_val, y_train, y_val = tn.datasets.train_test_split(X, y, test_size=0.25, rng=rng)
    assert np.bincount(y_val).tolist() == [5, 5, 5]
    seen = Snapshots(X_val, y_val)
    split = mlp().fit(X, y, epochs=6, batch_size=9, rng=3, validation_split=0.25, callbacks=[seen])
    np.testing.assert_array_equal(split.val_loss, [seen.evaluated[e][0] for e in split.epoch])
    # the same as splitting by hand and going on with the same generator for the shuffling
    given = mlp().fit(X_train, y_train, epochs=6, batch_size=9, rng=rng, validation_data=(X_val, y_val))
    np.testing.assert_array_equal(split.loss, given.loss)
    np.testing.assert_array_equal(split.val_loss, given.val_loss)
    np.testing.assert_array_equal(split.val_accuracy, given.val_accuracy)


def test_validation_arguments_are_checked_before_training():
    X, y = data(5)
    with pytest.raises(TypeError, match="validation_data or validation_split, not both"):
        mlp().fit(X, y, validation_data=(X, y), validation_split=0.2)
    for bad in (0.0, 1.0, 1.5):
        with pytest.raises(ValueError, match="validation_split"):
            mlp().fit(X, y, validation_split=bad)
    with pytest.raises(TypeError, match=r"validation_data must be a pair \(X_val, y_val\)"):
        mlp().fit(X, y, validation_data=X)
    with pytest.raises(ValueError, match="validation_data has 3 features, the training data 2"):
        mlp().fit(X, y, validation_data=(np.zeros((4, 3)), y[:4]))
    with pytest.raises(ValueError, match="validation_every"):
        mlp().fit(X, y, validation_data=(X, y), validation_every=0)


def test_validation_runs_in_evaluation_mode_and_the_training_mode_is_restored():
    X, y = data(10)
    model = mlp_with_modes()
    batches = []  # (rows, training) at every forward pass through the dropout layer
    model[3].register_forward_hook(lambda layer, x, out: batches.append((len(x), layer.training)))

    class Modes(tn.Callback):
        def on_epoch_end(self, epoch, logs):
            self.after = [layer.training for _, layer in self.model.named_layers()]

    modes = Modes()
    model.fit(X, y, epochs=3, batch_size=10, rng=0, validation_data=(X[:7], y[:7]), callbacks=[modes])
    assert batches == [(10, True)] * 3 + [(7, False)] + [(10, True)] * 3 + [(7, False)] + [(10, True)] * 3 + [
        (7, False)]
    assert modes.after == [True] * 5  # validation gave the training mode back
    model.eval()
    model.fit(X, y, epochs=1, batch_size=10, rng=0, validation_data=(X[:7], y[:7]))
    assert not any(layer.training for _, layer in model.named_layers())  # fit gave back the mode it found


def test_validation_does_not_change_training():
    # no draws from the dropout masks, no BatchNorm statistics, no optimizer state: bit for bit the same run
    X, y = data(10)
    a, b = mlp_with_modes(), mlp_with_modes()
    plain = a.fit(X, y, epochs=4, batch_size=10, rng=0, optimizer=tn.Adam(0.01))
    validated = b.fit(X, y, epochs=4, batch_size=10, rng=0, optimizer=tn.Adam(0.01), validation_data=(X, y))
    np.testing.assert_array_equal(plain.loss, validated.loss)
    assert_state_equal(state(a), state(b))


# -- callbacks: model, optimizer, stop_training ----------------------------------------------------


def test_callbacks_reach_the_model_and_optimizer_before_training_begins():
    X, y = data(5)
    model, optimizer = mlp(), tn.RMSProp()
    seen = []

    class Look(tn.Callback):
        def on_train_begin(self, model):
            seen.append((self.model is model, self.optimizer, dict(self.params)))

    model.fit(X, y, epochs=2, batch_size=5, optimizer=optimizer, rng=0, callbacks=[Look()])
    assert seen == [(True, optimizer, {"iterations": 6, "epochs": 2, "steps_per_epoch": 3})]


class StopAt(tn.Callback):
    """Set model.stop_training at one iteration or one epoch; count the events after it."""

    def __init__(self, iteration=None, epoch=None):
        self.iteration, self.epoch, self.after, self.ended = iteration, epoch, [], False

    def on_iteration_end(self, i, logs):
        if self.model.stop_training:
            self.after.append(i)
        if i == self.iteration:
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs):
        if epoch == self.epoch:
            self.model.stop_training = True

    def on_train_end(self, model):
        self.ended = True


def test_stop_training_ends_after_the_current_iteration_with_the_history_intact():
    X, y = data(10)
    model, stop = mlp(), StopAt(iteration=7)  # in the middle of the third epoch
    history = model.fit(X, y, epochs=10, batch_size=10, rng=0, validation_data=(X, y), callbacks=[stop],
                        track_accuracy=True)
    assert (stop.after, stop.ended) == ([], True)
    assert model.history is history
    assert len(history.loss) == len(history.accuracy) == len(history.lr) == 8
    np.testing.assert_array_equal(history.epoch, [0, 1])
    assert len(history.val_loss) == 2
    same = mlp()  # the step of iteration 7 was taken, and no other
    same.fit(X, y, iterations=8, batch_size=10, rng=0)
    assert_state_equal(state(model), state(same))
    assert len(model.fit(X, y, iterations=5).loss) == 5  # the next fit starts afresh


def test_stop_training_at_an_epoch_end_stops_there():
    X, y = data(10)
    history = mlp().fit(X, y, epochs=10, batch_size=10, rng=0, callbacks=[StopAt(epoch=3)])
    assert len(history.loss) == 12
    np.testing.assert_array_equal(history.epoch, [0, 1, 2, 3])


# -- EarlyStopping ---------------------------------------------------------------------------------


def overfitting_run(*callbacks, monitor_epochs=60, validation_every=1):
    """A wide net on 30 noisy points, validated on other points: the validation loss falls, then rises."""
    X, y = tn.datasets.spiral(n_per_class=10, noise=0.3, rng=0)
    X_val, y_val = tn.datasets.spiral(n_per_class=30, noise=0.3, rng=1)
    rng = np.random.default_rng(0)
    model = tn.Sequential(tn.Dense(2, 64, rng=rng), tn.BatchNorm(64), tn.ReLU(), tn.Dense(64, 64, rng=rng),
                          tn.ReLU(), tn.Dense(64, 3, rng=rng))
    history = model.fit(X, y, epochs=monitor_epochs, batch_size=10, rng=0, optimizer=tn.Adam(0.05),
                        validation_data=(X_val, y_val), validation_every=validation_every,
                        callbacks=list(callbacks))
    return model, history


@pytest.mark.parametrize(("monitor", "best"), [("val_loss", np.argmin), ("val_accuracy", np.argmax)])
@pytest.mark.parametrize("validation_every", [1, 2])
def test_early_stopping_restores_exactly_the_best_epochs_parameters_and_buffers(monitor, best, validation_every):
    snapshots, stop = Snapshots(), tn.EarlyStopping(monitor=monitor, patience=4)
    model, history = overfitting_run(snapshots, stop, validation_every=validation_every)
    values = getattr(history, monitor)
    k = best(values)  # the first best
    assert (stop.best_epoch, stop.best) == (history.epoch[k], values[k])
    assert stop.stopped_epoch == history.epoch[-1] < 59  # it did stop early
    assert len(history.epoch) - 1 - k == 4  # after `patience` results without improvement
    assert_state_equal(state(model), snapshots.states[stop.best_epoch])
    last = snapshots.states[max(snapshots.states)]
    assert not np.array_equal(model[0].params["W"], last["dense_0.W"])  # something was restored
    assert not np.array_equal(model[1].buffers["running_mean"], last["batch_norm_0.running_mean"])


def test_early_stopping_without_restore_keeps_the_last_parameters():
    snapshots, stop = Snapshots(), tn.EarlyStopping(patience=2, restore_best=False)
    model, history = overfitting_run(snapshots, stop)
    assert stop.stopped_epoch is not None
    assert_state_equal(state(model), snapshots.states[history.epoch[-1]])


def scripted(stop, values, monitor="val_loss"):
    """Feed ``values`` to ``stop`` as one epoch each; return the epoch at which it asked to stop."""

    class Model:
        stop_training = False

        def named_layers(self):
            return iter(())

    stop.model = Model()
    stop.on_train_begin(stop.model)
    for epoch, value in enumerate(values):
        stop.on_epoch_end(epoch, {monitor: value})
        if stop.model.stop_training:
            return epoch
    return None


@pytest.mark.parametrize(
    ("values", "patience", "min_delta", "stopped", "best_epoch"),
    [
        ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 3, 0.0, 3, 0),       # Keras' docstring example: 4 epochs run
        ([1.0, 0.9, 0.95, 0.92, 0.91, 0.8], 3, 0.0, 4, 1),    # three in a row without improvement
        ([1.0, 0.9, 0.95, 0.92, 0.85, 0.9, 0.9], 3, 0.0, None, 4),  # improvement resets the count
        ([1.0, 0.9, 0.9, 0.9, 0.9], 3, 0.0, 4, 1),            # equal is not better
        ([1.0, 0.97, 0.96, 0.9, 0.5], 2, 0.05, 2, 0),         # 0.04 < min_delta is not an improvement
        ([1.0, 0.97, 0.96, 0.9, 0.5], 3, 0.05, None, 4),      # 1.0 -> 0.9 is: a new best, count reset
        ([1.0, 1.1], 0, 0.0, 1, 0),                           # 0: the first result that does not improve
        ([1.0, 1.1], 1, 0.0, 1, 0),
    ],
)
def test_early_stopping_patience_and_min_delta(values, patience, min_delta, stopped, best_epoch):
    stop = tn.EarlyStopping(patience=patience, min_delta=min_delta, restore_best=False)
    assert scripted(stop, values) == stopped
    assert stop.stopped_epoch == stopped
    assert (stop.best_epoch, stop.best) == (best_epoch, values[best_epoch])


def test_early_stopping_on_an_accuracy_looks_upward_and_ignores_epochs_without_it():
    stop = tn.EarlyStopping(monitor="val_accuracy", patience=2, restore_best=False)
    assert scripted(stop, [0.5, 0.7, 0.6, 0.7, 0.65], monitor="val_accuracy") == 3
    assert (stop.best_epoch, stop.best) == (1, 0.7)
    stop = tn.EarlyStopping(monitor="val_accuracy", patience=2, restore_best=False)
    assert scripted(stop, [0.1, 0.2], monitor="val_loss") is None  # no val_accuracy in these logs
    assert stop.best is None


def test_early_stopping_is_reset_for_a_second_fit_and_checks_its_arguments():
    stop = tn.EarlyStopping(patience=1, restore_best=False)
    assert scripted(stop, [1.0, 2.0]) == 1
    assert scripted(stop, [3.0, 2.0, 1.0]) is None
    assert (stop.best, stop.best_epoch, stop.stopped_epoch) == (1.0, 2, None)
    with pytest.raises(ValueError, match="monitor"):
        tn.EarlyStopping(monitor="val_acc")
    with pytest.raises(ValueError, match="min_delta"):
        tn.EarlyStopping(min_delta=-0.1)
    with pytest.raises(ValueError, match="patience"):
        tn.EarlyStopping(patience=-1)


# -- ModelCheckpoint -------------------------------------------------------------------------------


@pytest.mark.parametrize(("monitor", "best"), [("val_loss", np.argmin), ("val_accuracy", np.argmax)])
def test_model_checkpoint_holds_the_best_epochs_model(tmp_path, monitor, best):
    snapshots, keep = Snapshots(), tn.ModelCheckpoint(tmp_path / "best.npz", monitor=monitor)
    _, history = overfitting_run(snapshots, keep, monitor_epochs=22)
    k = best(getattr(history, monitor))
    assert (keep.best_epoch, keep.best) == (history.epoch[k], getattr(history, monitor)[k])
    assert k < len(history.epoch) - 1  # the best is not simply the last
    assert_state_equal(state(tn.load(tmp_path / "best.npz")), snapshots.states[keep.best_epoch])
    assert os.listdir(tmp_path) == ["best.npz"]  # nothing half-written left behind


def test_model_checkpoint_never_leaves_a_half_written_file(tmp_path, monkeypatch):
    # the third save fails half-way through writing: the file still holds the model of the second
    snapshots, keep = Snapshots(), tn.ModelCheckpoint(tmp_path / "best.npz", monitor="loss")
    savez, saves = np.savez, []

    def failing_savez(file, **arrays):
        saves.append(keep.best_epoch)
        if len(saves) == 3:
            file.write(b"PK\x03\x04 half a file")
            raise OSError("disk full")
        savez(file, **arrays)

    monkeypatch.setattr(tn.io.np, "savez", failing_savez)
    with pytest.raises(OSError, match="disk full"):
        overfitting_run(snapshots, keep)
    assert len(saves) == 3
    assert_state_equal(state(tn.load(tmp_path / "best.npz")), snapshots.states[saves[1]])
    assert os.listdir(tmp_path) == ["best.npz"]


def test_model_checkpoint_needs_its_folder_before_training(tmp_path):
    X, y = data(5)
    model = mlp()
    before = state(model)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        model.fit(X, y, iterations=5, callbacks=[tn.ModelCheckpoint(tmp_path / "nowhere" / "best.npz")])
    assert_state_equal(state(model), before)
