"""Bad input gets a clear error; training never fails silently; the same seed trains the same way."""

import contextlib
import io
import json
import re
import zipfile

import numpy as np
import pytest

import tinynet as tn

X, Y = tn.datasets.spiral(n_per_class=10, rng=0)  # 30 points, 2 features, 3 classes


def small_model():
    return tn.Sequential(tn.Dense(2, 5, rng=0), tn.ReLU(), tn.Dense(5, 3, rng=1))


def snapshot(model):
    return {k: v.copy() for k, v in model.parameters().items()}


def assert_unchanged(model, before):
    after = model.parameters()
    assert all(np.array_equal(after[k], v) for k, v in before.items())


class Spy(tn.Callback):
    """Remembers whether training began, and the parameters after every step."""

    def __init__(self):
        self.began, self.after_step = False, None

    def on_train_begin(self, model):
        self.began, self.model = True, model

    def on_iteration_end(self, i, logs):
        self.after_step = snapshot(self.model)


# -- shapes and values of X -----------------------------------------------------------------
def test_wrong_number_of_features_names_the_layer_and_both_shapes():
    model = small_model()
    with pytest.raises(ValueError, match=re.escape("dense_0: expected input of shape (n_samples, 2), got (4, 3)")):
        model.predict(np.ones((4, 3)))
    with pytest.raises(ValueError, match=re.escape("dense_1: expected input of shape (n_samples, 5), got (4, 7)")):
        model.layers[2](np.ones((4, 7)))


def test_maxout_wrong_number_of_features_names_the_layer():
    model = tn.Sequential(tn.Maxout(2, 4, rng=0), tn.Maxout(4, 3, rng=0))
    with pytest.raises(ValueError, match=re.escape("maxout_1: expected input of shape (n_samples, 4), got (2, 2)")):
        model.layers[1](np.ones((2, 2)))


def test_mismatched_layer_widths_are_caught_when_the_model_is_built():
    with pytest.raises(ValueError, match="dense_1 expects 4 input features, but dense_0 outputs 5"):
        tn.Sequential(tn.Dense(2, 5, rng=0), tn.Sigmoid(), tn.Dense(4, 3, rng=0))


@pytest.mark.parametrize("bad", [np.ones(4), np.ones((2, 2, 2)), np.float64(3.0)])
def test_X_must_be_2d(bad):
    with pytest.raises(ValueError, match=r"fit: X must be 2-D .* got shape"):
        small_model().fit(bad, Y)
    with pytest.raises(ValueError, match=r"predict: X must be 2-D"):
        small_model().predict(bad)


def test_a_single_1d_sample_gets_a_reshape_hint():
    with pytest.raises(ValueError, match=re.escape("got shape (2,) (one sample? use x.reshape(1, -1))")):
        small_model().predict(X[0])


def test_X_must_not_be_empty():
    with pytest.raises(ValueError, match=re.escape("fit: X is empty (shape (0, 2))")):
        small_model().fit(np.zeros((0, 2)), [])


@pytest.mark.parametrize("bad", [[["a", "b"]], [[1 + 2j, 0]], [[True, False]], [[1.0, 2.0], [3.0]], [[None, 1.0]]])
def test_X_must_hold_real_numbers(bad):
    with pytest.raises(TypeError, match="predict: X must"):
        small_model().predict(bad)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_X_must_be_finite_and_the_message_says_where(value):
    bad = X.copy()
    bad[4, 1] = value
    with pytest.raises(ValueError, match=r"fit: X contains 1 NaN or infinite value.*row 4, column 1"):
        small_model().fit(bad, Y)


def test_masked_entries_are_refused_not_silently_replaced_by_the_values_under_them():
    mask = np.zeros(X.shape, dtype=bool)
    mask[4, 1] = True
    X_masked = np.ma.masked_array(X, mask=mask)
    y_masked = np.ma.masked_array(Y, mask=Y == 2)
    model, spy = small_model(), Spy()
    before = snapshot(model)
    for call, prefix, count in [(lambda: model.fit(X_masked, Y, callbacks=[spy]), "fit: X", 1),
                                (lambda: model.fit(X, y_masked, callbacks=[spy]), "fit: y", 10),
                                (lambda: model.predict(X_masked), "predict: X", 1),
                                (lambda: model.layers[1](X_masked), "relu_0: the input", 1),
                                (lambda: tn.SoftmaxCrossEntropy().forward(X_masked, Y % 2),
                                 "SoftmaxCrossEntropy: scores", 1)]:
        with pytest.raises(ValueError, match=rf"{prefix} is a masked array with masked entries \({count}\).*filled"):
            call()
    assert not spy.began
    assert_unchanged(model, before)
    # a masked array whose mask hides nothing is just its data
    model.fit(np.ma.masked_array(X, mask=np.zeros(X.shape, dtype=bool)), np.ma.masked_array(Y), iterations=2)


def test_integer_and_float32_X_are_converted_to_the_model_dtype():
    model = small_model()
    model.fit(X.astype(np.float32), Y, iterations=3)
    model.fit((X * 10).astype(np.int32), Y, iterations=3)
    assert all(p.dtype == np.float64 for p in model.parameters().values())
    assert np.array_equal(model.predict([[0, 1], [2, 3]]), model.predict(np.array([[0.0, 1.0], [2.0, 3.0]])))


def test_huge_X_in_predict_is_an_error_not_a_warning_or_a_silent_answer():
    model = tn.Sequential(tn.Dense(2, 4, rng=0), tn.ReLU(), tn.Dense(4, 3, rng=0))
    model.layers[0].params["W"][:] = 1.0  # 1e308 + 1e308 overflows
    with pytest.raises(ValueError, match=r"predict_proba: the output of dense_0 is not finite.*largest \|X\| is 1e\+308"):
        model.predict_proba(np.full((2, 2), 1e308))
    model.layers[0].params["W"][0, 0] = np.nan
    with pytest.raises(ValueError, match=r"the parameters dense_0\.W are not finite"):
        model.predict(np.ones((2, 2)))


# -- labels y ---------------------------------------------------------------------------------
def test_y_of_the_wrong_length():
    with pytest.raises(ValueError, match="fit: y has 29 labels but X has 30 samples"):
        small_model().fit(X, Y[:-1])


def test_an_empty_batch_is_refused_by_the_loss_without_a_warning():
    with pytest.raises(ValueError, match="SoftmaxCrossEntropy: y is empty"):
        tn.SoftmaxCrossEntropy().forward(np.zeros((0, 3)), np.array([], dtype=int))


def test_float_labels_with_fractions():
    with pytest.raises(ValueError, match="integer class labels, got float values with fractions"):
        small_model().fit(X, Y + 0.5)
    small_model().fit(X, Y.astype(float), iterations=1)  # whole numbers stored as floats are fine


def test_negative_labels():
    with pytest.raises(ValueError, match="fit: y must hold labels >= 0, got -1"):
        small_model().fit(X, Y - 1)


def test_labels_beyond_the_model_output_fail_before_training_starts():
    model, spy = small_model(), Spy()
    before = snapshot(model)
    with pytest.raises(ValueError, match=re.escape("label 3 is out of range: the model outputs 3 classes, so labels must be in [0, 2]")):
        model.fit(X, np.where(Y == 2, 3, Y), callbacks=[spy])
    assert not spy.began
    assert_unchanged(model, before)
    with pytest.raises(ValueError, match="accuracy: label 1e\\+300 is out of range"):
        model.accuracy(X, np.full(30, 1e300))  # no cast warning either


def test_huge_labels_are_refused_without_a_cast_warning_when_the_output_width_is_unknown():
    class Double(tn.Layer):  # a user layer without n_out: the model's output width is unknown
        def forward(self, x):
            return 2 * x

        def backward(self, grad_out):
            return 2 * grad_out

    model = tn.Sequential(tn.Dense(2, 3, rng=0), Double())
    with pytest.raises(ValueError, match=r"accuracy: label 1e\+300 is too large"):
        model.accuracy(X, np.full(30, 1e300))


def test_one_hot_and_non_numeric_labels():
    with pytest.raises(ValueError, match=r"one-hot labels\? pass y.argmax\(axis=1\)"):
        small_model().fit(X, np.eye(3)[Y])
    with pytest.raises(TypeError, match="y must hold integer class labels, got dtype <U"):
        small_model().fit(X, Y.astype(str))


# -- training settings ------------------------------------------------------------------------
@pytest.mark.parametrize("optimizer", [tn.SGD, tn.Adam])
@pytest.mark.parametrize(("lr", "error"), [(0.0, ValueError), (-0.1, ValueError), (np.nan, ValueError),
                                           (np.inf, ValueError), ("0.1", TypeError), (None, TypeError)])
def test_learning_rate_must_be_positive_and_finite(optimizer, lr, error):
    with pytest.raises(error, match=f"{optimizer.__name__}: lr must be"):
        optimizer(lr=lr)


def test_negative_l2():
    with pytest.raises(ValueError, match=r"fit: l2 must be finite and >= 0, got -0\.001"):
        small_model().fit(X, Y, l2=-1e-3)


@pytest.mark.parametrize(("iterations", "error"), [(0, ValueError), (-5, ValueError), (2.5, TypeError), (True, TypeError)])
def test_iterations_at_least_one(iterations, error):
    with pytest.raises(error, match="fit: iterations must be"):
        small_model().fit(X, Y, iterations=iterations)


@pytest.mark.parametrize(("batch_size", "error", "words"), [
    (0, ValueError, "batch_size must be >= 1"), (31, ValueError, r"batch_size must be in \[1, 30\]"),
    (4.0, TypeError, "batch_size must be an integer"),
])
def test_batch_size_in_range(batch_size, error, words):
    model, spy = small_model(), Spy()
    with pytest.raises(error, match=words):
        model.fit(X, Y, batch_size=batch_size, callbacks=[spy])
    assert not spy.began


def test_unknown_metric_lists_the_valid_names_and_guesses():
    with pytest.raises(ValueError, match=re.escape("unknown gradient metric 'sed'; valid names are 'seed', 'mean_abs', 'l2'. Did you mean 'seed'")):
        tn.GradientRecorder(metric="sed")
    with pytest.raises(TypeError, match="gradient metric must be given by name"):
        tn.GradientRecorder(metric=3)


def test_unknown_activation_name_lists_the_valid_names_and_guesses():
    with pytest.raises(ValueError, match=r"unknown activation 'sigmod'; valid names are 'sigmoid', .*Did you mean 'sigmoid'"):
        tn.study.compare(["sigmod", "relu"])


def test_unknown_layer_class_in_a_file_guesses(tmp_path):
    tn.Sequential(tn.Dense(2, 2, rng=0), tn.Sigmoid()).save(tmp_path / "m.npz")
    with zipfile.ZipFile(tmp_path / "m.npz") as zf:
        entries = {name: zf.read(name) for name in zf.namelist()}
    meta = json.loads(bytes(np.load(tmp_path / "m.npz")["__tinynet__"]))
    meta["layers"][1]["class"] = "Sigmod"
    buf = io.BytesIO()
    np.save(buf, np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))
    entries["__tinynet__.npy"] = buf.getvalue()
    with zipfile.ZipFile(tmp_path / "m.npz", "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    with pytest.raises(ValueError, match=r"unknown layer class 'Sigmod'; valid names are .*Did you mean 'Sigmoid'"):
        tn.load(tmp_path / "m.npz")


def test_bad_rng_and_bad_constructor_arguments():
    with pytest.raises(TypeError, match="rng must be None, an int seed, a numpy Generator or a RandomState; got str"):
        tn.Dense(2, 3, rng="seed")
    with pytest.raises(TypeError, match=r"Dense: n_in must be an integer, got 2\.0"):
        tn.Dense(2.0, 3)
    with pytest.raises(TypeError, match="PrintLoss: every must be an integer"):
        tn.PrintLoss(every="10")
    with pytest.raises(TypeError, match="PrintLoss: file must be a file-like object with a write method, got 5"):
        tn.PrintLoss(file=5)  # at construction, not at the first print 1000 iterations later
    with pytest.raises(ValueError, match="rng: an int seed must be >= 0, got -1"):
        tn.Dense(2, 3, rng=-1)


def test_one_callback_not_in_a_list_gets_a_hint():
    with pytest.raises(TypeError, match=r"callbacks must be a list of Callbacks.*callbacks=\[GradientRecorder\(\.\.\.\)\]"):
        small_model().fit(X, Y, iterations=2, callbacks=tn.GradientRecorder())


@pytest.mark.parametrize("layer", [tn.Dense(2, 3, rng=0), tn.Maxout(2, 3, rng=0), tn.Sigmoid(), tn.ReLU(),
                                   tn.Tanh(), tn.LeakyReLU()], ids=repr)
def test_backward_before_forward_or_with_a_misshapen_gradient_names_the_layer(layer):
    with pytest.raises(RuntimeError, match=f"{layer.name}: backward called before the layer was called on an input"):
        layer.backward(np.ones((4, 3)))
    out = layer(np.ones((4, 2)))
    for bad in (np.ones((5, out.shape[1])), np.ones((1, out.shape[1])), np.ones(out.shape[1])):
        expected = re.escape(f"{layer.name}: backward expected grad_out of shape {out.shape}")
        with pytest.raises(ValueError, match=f"{expected}.*got {re.escape(str(bad.shape))}"):
            layer.backward(bad)
    with pytest.raises(TypeError, match=f"{layer.name}: backward expected grad_out as a numpy array .* got list"):
        layer.backward(np.ones_like(out).tolist())
    assert layer.backward(np.ones_like(out)).shape == (4, 2)


def test_a_model_backward_with_the_wrong_gradient_shape_names_the_last_layer():
    model = small_model()
    with pytest.raises(RuntimeError, match="dense_1: backward called before"):
        model.backward(np.ones((4, 3)))
    model.forward(np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"dense_1: backward expected grad_out of shape \(4, 3\).*got \(4, 5\)"):
        model.backward(np.ones((4, 5)))


def test_saving_into_a_missing_folder_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"save: the folder .*missing.* does not exist"):
        small_model().save(tmp_path / "missing" / "m.npz")
    assert not (tmp_path / "missing").exists()


# -- training never fails silently ------------------------------------------------------------
def test_divergence_names_iteration_layer_and_hint_and_keeps_the_last_finite_parameters():
    model, spy = tn.Sequential(tn.Dense(2, 3, rng=0)), Spy()
    with pytest.raises(tn.TrainingDiverged) as info:
        model.fit(X, Y, optimizer=tn.SGD(lr=10.0), l2=100.0, iterations=1000, callbacks=[spy])
    error = info.value
    assert isinstance(error, ArithmeticError)
    assert error.iteration == 51
    assert error.layer == "dense_0"
    assert "iteration 51" in str(error)
    assert "dense_0" in str(error)
    assert "Lower the learning rate (SGD has lr=10; try 1)" in str(error)
    assert_unchanged(model, spy.after_step)  # the parameters after the last good step, bit for bit


@pytest.mark.parametrize(("dtype", "iteration", "entry"), [(np.float64, 51, "1.01e+155"), (np.float32, 6, "1.05e+20")])
def test_an_overflowing_gradient_is_reported_in_the_model_dtype(dtype, iteration, entry):
    model = tn.Sequential(tn.Dense(2, 3, rng=0)).astype(dtype)  # each step multiplies W by 1 - lr * l2 = -999
    with pytest.raises(tn.TrainingDiverged) as info:
        model.fit(X, Y, optimizer=tn.SGD(lr=10.0), l2=100.0, iterations=1000)
    assert info.value.iteration == iteration
    assert (f"the gradient of dense_0.W overflowed: its sum of squares exceeds the {np.dtype(dtype)} range "
            f"(largest entry {entry})") in str(info.value)


class NaNAfter(tn.Activation):
    """The identity, whose derivative turns NaN from its ``bad``-th call: a finite loss, a NaN gradient."""

    def __init__(self, bad):
        super().__init__()
        self.calls, self.bad = 0, bad

    def forward(self, x):
        return x.copy()

    def derivative(self, x, out):
        self.calls += 1
        return np.full_like(x, np.nan if self.calls >= self.bad else 1.0)


def test_a_non_finite_gradient_with_a_finite_loss_stops_before_the_step():
    model, spy = tn.Sequential(tn.Dense(2, 4, rng=0), NaNAfter(bad=3), tn.Dense(4, 3, rng=1)), Spy()
    with pytest.raises(tn.TrainingDiverged, match=r"iteration 2: the loss is 1\.\d+ and the gradient of dense_0\.W is not finite") as info:
        model.fit(X, Y, iterations=10, callbacks=[spy])
    assert (info.value.iteration, info.value.layer) == (2, "dense_0")
    assert_unchanged(model, spy.after_step)


def test_an_optimizer_that_writes_non_finite_parameters_is_reported():
    class Broken(tn.Optimizer):
        def step(self, params, grads):
            for p in params.values():
                p[...] = np.inf

    for iterations in (1, 5):  # caught after the loop, or at the next iteration
        model = small_model()
        before = snapshot(model)
        with pytest.raises(tn.TrainingDiverged, match=r"Broken's step made dense_0\.W non-finite.*step was undone") as info:
            model.fit(X, Y, optimizer=Broken(), iterations=iterations)
        assert info.value.iteration == 0
        assert_unchanged(model, before)


def test_a_step_that_overflows_is_undone_without_warnings():
    model = tn.Sequential(tn.Dense(2, 3, rng=0))
    before = snapshot(model)  # gradients ~ l2 * W ~ 1e10 are finite; lr * gradient is not
    with pytest.raises(tn.TrainingDiverged, match=r"iteration 0: .*SGD's step made dense_0\.W non-finite"):
        model.fit(X, Y, optimizer=tn.SGD(lr=1e300), l2=1e10, iterations=3)
    assert_unchanged(model, before)


def test_a_model_with_non_finite_parameters_is_refused_before_training():
    model = small_model()
    model.layers[2].params["b"][1] = np.nan
    with pytest.raises(ValueError, match=r"fit: the parameter dense_1\.b contains NaN"):
        model.fit(X, Y)


ALL_LAYERS = [tn.Sigmoid, tn.Tanh, tn.ReLU, tn.LeakyReLU, tn.ELU, tn.Softplus]


@pytest.mark.filterwarnings("ignore::tinynet.DivergenceWarning")  # a hostile learning rate, on purpose
@pytest.mark.parametrize("activation", ALL_LAYERS)
@pytest.mark.parametrize("lr", [10.0, 1e6])
def test_extreme_pre_activations_and_large_steps_raise_no_warnings(activation, lr):
    # weights ~1e4 put pre-activations near +-1e4; -W error turns any RuntimeWarning into a failure
    model = tn.Sequential(tn.Dense(2, 16, init=tn.init.Normal(1e4), rng=0), activation(),
                          tn.Dense(16, 16, init=tn.init.Normal(1e4), rng=1), activation(),
                          tn.Dense(16, 3, init=tn.init.Normal(1e4), rng=2))
    with contextlib.suppress(tn.TrainingDiverged):
        model.fit(X, Y, optimizer=tn.SGD(lr=lr), iterations=50)
    assert all(np.isfinite(p).all() for p in model.parameters().values())
    try:  # finite but huge parameters may overflow: an error that says so, never a warning
        model.predict(X)
    except ValueError as error:
        message = str(error)
    else:
        message = "values this large overflow"
    assert "values this large overflow" in message


@pytest.mark.filterwarnings("ignore::tinynet.DivergenceWarning")  # a hostile learning rate, on purpose
def test_maxout_with_extreme_inputs_and_adam():
    model = tn.Sequential(tn.Maxout(2, 8, pieces=3, init=tn.init.Normal(1e4), rng=0), tn.Dense(8, 3, rng=1))
    with contextlib.suppress(tn.TrainingDiverged):
        model.fit(X * 1e4, Y, optimizer=tn.Adam(lr=1e3), iterations=30)
    assert all(np.isfinite(p).all() for p in model.parameters().values())


# -- determinism ----------------------------------------------------------------------------
def trained(rng_factory):
    """Build, initialise and minibatch-train a model drawing every random number from rng_factory()."""
    data, labels = tn.datasets.spiral(n_per_class=20, rng=rng_factory())
    rng = rng_factory()
    model = tn.Sequential(tn.Dense(2, 8, rng=rng), tn.Tanh(), tn.Maxout(8, 6, rng=rng), tn.Dense(6, 3, rng=rng))
    history = model.fit(data, labels, optimizer=tn.Adam(lr=0.01), iterations=40, batch_size=7,
                        rng=rng_factory())
    return history.loss, model.parameters()


@pytest.mark.parametrize("make", [lambda: 7, lambda: np.random.default_rng(7), lambda: np.random.RandomState(7)],
                         ids=["int", "Generator", "RandomState"])
def test_the_same_seed_trains_bit_identically(make):
    loss_a, params_a = trained(make)
    loss_b, params_b = trained(make)
    assert np.array_equal(loss_a, loss_b)
    assert all(np.array_equal(params_a[k], params_b[k]) for k in params_a)


@pytest.mark.parametrize("rng", [3, np.random.default_rng(3), np.random.RandomState(3)],
                         ids=["int", "Generator", "RandomState"])
def test_every_rng_argument_accepts_int_generator_and_randomstate(rng):
    data, labels = tn.datasets.spiral(n_per_class=5, rng=rng)
    tn.init.Normal(0.1)((2, 2), rng)
    tn.init.GlorotUniform()((2, 2), rng)
    model = tn.Sequential(tn.Dense(2, 3, rng=rng), tn.Tanh(), tn.Maxout(3, 3, rng=rng))
    model.fit(data, labels, iterations=2, batch_size=4, rng=rng)
    assert tn.gradcheck(model, data[:2], rng=rng)


# -- a learner's own layer, written wrong ------------------------------------------------------
class ReturnsList(tn.Layer):
    def forward(self, x):
        return x.tolist()

    def backward(self, grad_out):
        return grad_out


class DropsColumn(tn.Layer):
    def forward(self, x):
        return x.copy()

    def backward(self, grad_out):
        return grad_out[:, :1]


class ForgetsItsGrads(tn.Layer):
    def __init__(self):
        super().__init__()
        self.params = {"s": np.ones(3)}

    def forward(self, x):
        return x * self.params["s"]

    def backward(self, grad_out):
        return grad_out * self.params["s"]


def test_a_forward_that_returns_no_array_is_named():
    with pytest.raises(TypeError, match="returns_list_0: forward must return a numpy array, got list"):
        tn.Sequential(tn.Dense(2, 3, rng=0), ReturnsList(), tn.Dense(3, 3, rng=1)).fit(X, Y, iterations=1)


def test_a_backward_that_returns_the_wrong_shape_is_named_not_the_layer_below():
    model = tn.Sequential(tn.Dense(2, 3, rng=0), tn.ReLU(), DropsColumn(), tn.Dense(3, 3, rng=1))
    with pytest.raises(ValueError, match=r"drops_column_0: backward returned a gradient of shape \(30, 1\); "
                                         r"it must have the shape of the layer's input, \(30, 3\)"):
        model.fit(X, Y, iterations=1)


def test_a_model_refuses_a_layer_whose_grads_lack_a_params_key_or_that_skipped_super_init():
    with pytest.raises(TypeError, match=r"Sequential: forgets_its_grads has params \['s'\] but grads \[\]"):
        tn.Sequential(tn.Dense(2, 3, rng=0), ForgetsItsGrads())

    class NoSuperInit(tn.Layer):
        def __init__(self):
            self.params = {"w": np.ones(2)}

    with pytest.raises(TypeError, match=r"Sequential: NoSuperInit has params \['w'\] but grads \[\].*super"):
        tn.Sequential(NoSuperInit())


def test_gradcheck_names_a_layer_whose_grads_lack_a_params_key():
    with pytest.raises(TypeError, match=r"gradcheck: forgets_its_grads has params \['s'\] but grads \[\]"):
        tn.gradcheck(ForgetsItsGrads(), np.ones((2, 3)))


def test_values_beyond_float32_are_not_called_nan_or_infinite():
    # #7, defect 11: a float32 model given finite X = 1e39 said "X contains 2 NaN or infinite value(s)"
    model = tn.Sequential(tn.Dense(2, 3, rng=0)).astype(np.float32)
    X = np.array([[1e39, 0.0], [0.0, -1e39], [1.0, 1.0]])
    with pytest.raises(ValueError, match=r"X holds values beyond the range of float32, the model's dtype \(largest "
                                         r"\|X\| 1e\+39, largest float32 3\.40282e\+38\), the first at row 0, column 0"):
        model.fit(X, np.array([0, 1, 2]), iterations=1)
    with pytest.raises(ValueError, match="contains 1 NaN or infinite"):
        model.predict(np.array([[np.inf, 0.0]]))
