"""Fuzzing the public boundary: random shapes, dtypes and values must end in a documented error.

Every call here either works or raises ``ValueError``, ``TypeError`` or
``tn.TrainingDiverged`` -- never an ``IndexError`` from deep inside numpy,
never a ``RuntimeWarning`` (warnings are errors in this suite), never a model
left with broken parameters.
"""

import io
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

import tinynet as tn

DOCUMENTED = (ValueError, TypeError, tn.TrainingDiverged)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

junk = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 12), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=3), st.lists(st.integers(-1, 3), max_size=3), st.just(np.float32(0.5)),
    st.just(np.int64(3)), st.just(np.ones(2)), st.just(object()),
)
sizes = st.one_of(st.integers(-2, 6), junk)
rngs = st.one_of(junk, st.just(np.random.default_rng(0)), st.just(np.random.RandomState(0)))
dtypes = st.sampled_from([np.float64, np.float32, np.float16, np.int64, np.int8, np.uint8, np.bool_,
                          np.complex128, np.longdouble, "U3"])


def any_array(max_dims=3, max_side=6):
    return dtypes.flatmap(lambda dt: arrays(dt, array_shapes(min_dims=0, max_dims=max_dims, min_side=0,
                                                             max_side=max_side)))


def raises_only_documented(call):
    try:
        return call()
    except DOCUMENTED:
        return None


# -- constructors -----------------------------------------------------------------------------
@FUZZ
@given(n_in=sizes, n_out=sizes, pieces=sizes, rng=rngs,
       init=st.one_of(st.none(), st.just(tn.init.Normal(0.1)), st.just(tn.init.HeNormal()), junk))
def test_layer_constructors(n_in, n_out, pieces, rng, init):
    raises_only_documented(lambda: tn.Dense(n_in, n_out, init=init, rng=rng))
    raises_only_documented(lambda: tn.Maxout(n_in, n_out, pieces=pieces, init=init, rng=rng))


@FUZZ
@given(alpha=junk)
def test_activation_constructors(alpha):
    for cls in (tn.LeakyReLU, tn.ELU):
        raises_only_documented(lambda cls=cls: cls(alpha))
    for cls in (tn.Sigmoid, tn.Tanh, tn.ReLU, tn.Softplus):
        raises_only_documented(lambda cls=cls: cls(alpha))


@FUZZ
@given(a=junk, b=junk, c=junk, d=junk)
def test_optimizer_and_callback_constructors(a, b, c, d):
    raises_only_documented(lambda: tn.SGD(a, momentum=b))
    raises_only_documented(lambda: tn.SGD(lr=a))
    raises_only_documented(lambda: tn.Adam(a, b, c, d))
    raises_only_documented(lambda: tn.GradientRecorder(metric=a))
    raises_only_documented(lambda: tn.GradientRecorder(layers=a))
    raises_only_documented(lambda: tn.PrintLoss(every=a))


@FUZZ
@given(items=st.lists(st.one_of(junk, st.sampled_from(["dense", "relu"]),
                                st.builds(tn.Dense, st.integers(1, 3), st.integers(1, 3), rng=st.just(0)),
                                st.builds(tn.ReLU), st.just(tn.Sigmoid)), max_size=4))
def test_sequential_constructor(items):
    raises_only_documented(lambda: tn.Sequential(*items))
    raises_only_documented(lambda: tn.Sequential(items))


# -- fit and predict --------------------------------------------------------------------------
ACTIVATIONS = [tn.Sigmoid, tn.Tanh, tn.ReLU, tn.LeakyReLU, tn.ELU, tn.Softplus]


@st.composite
def models(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    n_in, hidden, n_out = draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(2, 3))
    first = (tn.Maxout(n_in, hidden, pieces=2, rng=rng) if draw(st.booleans())
             else tn.Dense(n_in, hidden, init=tn.init.Normal(draw(st.sampled_from([0.1, 10.0, 1e4]))), rng=rng))
    return tn.Sequential(first, draw(st.sampled_from(ACTIVATIONS))(), tn.Dense(hidden, n_out, rng=rng))


def labels_for(n_rows):
    return st.one_of(
        arrays(np.int64, n_rows, elements=st.integers(0, 2)),
        arrays(st.sampled_from([np.int64, np.uint8, np.float64, np.float32, np.bool_]),
               st.one_of(st.just(n_rows), array_shapes(min_dims=0, max_dims=2, max_side=6))),
        junk,
    )


@pytest.mark.filterwarnings("ignore::tinynet.DivergenceWarning")  # hostile learning rates make the loss climb
@FUZZ
@given(model=models(), data=st.data(),
       lr=st.one_of(st.floats(1e-3, 1e300), junk), l2=st.one_of(st.sampled_from([0.0, 1e-3, 10.0]), junk),
       iterations=st.one_of(st.integers(-1, 4), junk), batch_size=st.one_of(st.none(), st.integers(-1, 8), junk),
       rng=rngs, optimizer=st.sampled_from(["sgd", "momentum", "adam"]))
def test_fit(model, data, lr, l2, iterations, batch_size, rng, optimizer):
    X = data.draw(st.one_of(any_array(), arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 3)))))
    y = data.draw(labels_for(X.shape[0] if X.ndim else 1))
    before = {k: v.copy() for k, v in model.parameters().items()}
    make = {"sgd": lambda: tn.SGD(lr), "momentum": lambda: tn.SGD(lr, momentum=0.99), "adam": lambda: tn.Adam(lr)}
    try:
        model.fit(X, y, optimizer=make[optimizer](), l2=l2, iterations=iterations, batch_size=batch_size,
                  rng=rng, callbacks=[tn.GradientRecorder()])
        event("trained")
    except (ValueError, TypeError) as error:  # refused: nothing may have changed
        event(f"refused: {type(error).__name__}")
        after = model.parameters()
        assert all(np.array_equal(after[k], v) for k, v in before.items())
    except tn.TrainingDiverged:
        event("diverged")
    assert all(np.isfinite(p).all() for p in model.parameters().values())


@pytest.mark.filterwarnings("ignore::tinynet.DivergenceWarning")  # hostile learning rates make the loss climb
@FUZZ
@given(model=models(), data=st.data(), lr=st.floats(1e-3, 1e300), l2=st.floats(0, 1e6),
       iterations=st.integers(1, 30), batch_size=st.one_of(st.none(), st.integers(1, 6)),
       optimizer=st.sampled_from(["sgd", "momentum", "adam"]))
def test_fit_with_valid_settings_and_hostile_values(model, data, lr, l2, iterations, batch_size, optimizer):
    n_in = model.layers[0].n_in
    X = data.draw(arrays(np.float64, st.tuples(st.integers(6, 10), st.just(n_in)),
                         elements=st.floats(-1e300, 1e300) | st.floats(-10, 10)))
    y = data.draw(arrays(np.int64, X.shape[0], elements=st.integers(0, model.layers[-1].n_out - 1)))
    make = {"sgd": lambda: tn.SGD(lr), "momentum": lambda: tn.SGD(lr, momentum=0.99), "adam": lambda: tn.Adam(lr)}
    spy = LastFinite()
    try:
        model.fit(X, y, optimizer=make[optimizer](), l2=l2, iterations=iterations, batch_size=batch_size,
                  rng=0, callbacks=[spy])
        event("trained")
    except tn.TrainingDiverged as error:
        event("diverged")
        diverged = error
    else:
        diverged = None
    assert all(np.isfinite(p).all() for p in model.parameters().values())
    if diverged is not None:  # the model holds the last finite parameters, bit for bit
        assert diverged.layer is not None
        assert all(np.array_equal(v, spy.params[k]) for k, v in model.parameters().items())


class LastFinite(tn.Callback):
    """Keeps a copy of the parameters as they were at the start and after each step, while finite."""

    def on_train_begin(self, model):
        self.model = model
        self.on_iteration_end(-1, {})

    def on_iteration_end(self, i, logs):
        params = {k: v.copy() for k, v in self.model.parameters().items()}
        if all(np.isfinite(v).all() for v in params.values()):
            self.params = params


@FUZZ
@given(model=models(), X=st.one_of(any_array(), arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 3)))))
def test_predict(model, X):
    for method in (model.predict, model.predict_proba):
        out = raises_only_documented(lambda method=method: method(X))
        if out is not None:
            assert out.shape[0] == X.shape[0]
            assert np.isfinite(out).all()


# -- gradcheck ----------------------------------------------------------------------------------
TARGETS = [lambda: tn.Dense(3, 2, rng=0), lambda: tn.Maxout(3, 2, rng=0), tn.Sigmoid, tn.Tanh, tn.ReLU,
           tn.Softplus, tn.ELU, tn.LeakyReLU, tn.SoftmaxCrossEntropy,
           lambda: tn.Sequential(tn.Dense(3, 4, rng=0), tn.Tanh(), tn.Dense(4, 3, rng=1))]


@settings(max_examples=60, deadline=None)
@given(target=st.sampled_from(TARGETS), x=any_array(max_dims=3, max_side=4),
       y=st.one_of(st.none(), labels_for(3)), eps=st.one_of(st.just(1e-6), junk))
def test_gradcheck(target, x, y, eps):
    result = raises_only_documented(lambda: tn.gradcheck(target(), x, y, eps=eps))
    if result is not None:
        assert isinstance(result.ok, bool)
        str(result)


# -- load -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "model.npz"
    tn.Sequential(tn.Dense(2, 3, rng=0), tn.ELU(0.5), tn.Maxout(3, 2, rng=1)).save(path)
    return path.read_bytes()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_load_of_damaged_or_random_files(saved, data, tmp_path):
    kind = data.draw(st.sampled_from(["flip", "truncate", "random", "splice"]))
    raw = bytearray(saved)
    if kind == "flip":
        for _ in range(data.draw(st.integers(1, 4))):
            raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    elif kind == "truncate":
        raw = raw[: data.draw(st.integers(0, len(raw) - 1))]
    elif kind == "random":
        raw = bytearray(data.draw(st.binary(max_size=300)))
    else:  # a structurally valid zip whose members are random or swapped
        with zipfile.ZipFile(io.BytesIO(bytes(raw))) as zf:
            entries = {name: zf.read(name) for name in zf.namelist()}
        name = data.draw(st.sampled_from(sorted(entries)))
        entries[name] = data.draw(st.one_of(st.binary(max_size=200), st.sampled_from(list(entries.values()))))
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            for key, value in entries.items():
                zf.writestr(key, value)
        raw = bytearray(buf.getvalue())
    path = tmp_path / "fuzzed.npz"
    path.write_bytes(bytes(raw))
    model = raises_only_documented(lambda: tn.load(path))
    if model is not None:
        assert all(np.isfinite(p).all() for p in model.parameters().values())
