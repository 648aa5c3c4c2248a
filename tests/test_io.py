"""Saving and loading: exact round trips, the layer registry, and files that must be refused."""

import io
import json
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn

BUILTIN_ACTIVATIONS = [tn.Sigmoid, tn.Tanh, tn.ReLU, tn.Softplus,
                       lambda: tn.LeakyReLU(alpha=0.137), lambda: tn.ELU(alpha=0.731)]


@st.composite
def architectures(draw):
    """A random model using every kind of built-in layer, in float32 or float64."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    width = n_in = draw(st.integers(1, 5))
    layers = []
    for _ in range(draw(st.integers(1, 4))):
        n_out = draw(st.integers(1, 6))
        if draw(st.booleans()):
            layers.append(tn.Dense(width, n_out, init=tn.init.Normal(1.0), rng=rng))
            layers[-1].params["b"][:] = rng.normal(size=n_out)
        else:
            layers.append(tn.Maxout(width, n_out, pieces=draw(st.integers(1, 3)), rng=rng))
        layers.append(draw(st.sampled_from(BUILTIN_ACTIVATIONS))())
        width = n_out
    layers.append(tn.Dense(width, draw(st.integers(2, 4)), rng=rng))
    model = tn.Sequential(*layers).astype(draw(st.sampled_from([np.float32, np.float64])))
    return model, n_in, seed


@given(spec=architectures())
@settings(max_examples=40, deadline=None)
def test_round_trip_is_bit_exact(spec, tmp_path_factory):
    model, n_in, seed = spec
    path = tmp_path_factory.mktemp("io") / "model.npz"
    model.save(path)
    again = tn.load(path)
    x = np.random.default_rng(seed).normal(scale=3.0, size=(7, n_in))
    assert np.array_equal(again.predict_proba(x), model.predict_proba(x))
    assert np.array_equal(again.predict(x), model.predict(x))
    assert [type(a) for a in again.layers] == [type(b) for b in model.layers]
    assert [a.get_config() for a in again.layers] == [b.get_config() for b in model.layers]
    assert [repr(a) for a in again.layers] == [repr(b) for b in model.layers]
    assert list(again.parameters()) == list(model.parameters())
    for key, value in model.parameters().items():
        assert again.parameters()[key].dtype == value.dtype
        assert np.array_equal(again.parameters()[key], value)
        assert again.gradients()[key].dtype == value.dtype


def test_loaded_model_trains_and_io_save_equals_model_save(tmp_path):
    X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    model = tn.Sequential(tn.Dense(2, 8, rng=0), tn.ReLU(), tn.Dense(8, 3, rng=1))
    model.fit(X, y, iterations=20)
    model.save(tmp_path / "a.npz")
    tn.io.save(model, str(tmp_path / "b.npz"))
    a, b = tn.load(tmp_path / "a.npz"), tn.load(str(tmp_path / "b.npz"))
    assert np.array_equal(a.predict_proba(X), b.predict_proba(X))
    history = a.fit(X, y, iterations=5)
    assert np.isfinite(history.loss).all()


def test_save_writes_exactly_the_given_path(tmp_path):
    tn.Sequential(tn.Dense(2, 2, rng=0)).save(tmp_path / "model")  # np.savez alone would add .npz
    assert [p.name for p in tmp_path.iterdir()] == ["model"]
    assert tn.load(tmp_path / "model").layers[0].n_in == 2


class Swish(tn.Activation):
    def __init__(self, beta=1.0):
        super().__init__()
        self.beta = beta

    def forward(self, x):
        return x / (1 + np.exp(-self.beta * np.clip(x, -500, 500)))

    def derivative(self, x, out):
        s = 1 / (1 + np.exp(-self.beta * np.clip(x, -500, 500)))
        return s + self.beta * out * (1 - s)


def test_unregistered_layer_is_refused_by_name_and_nothing_is_written(tmp_path):
    class Unknown(tn.Activation):
        def forward(self, x):
            return x

        def derivative(self, x, out):
            return np.ones_like(x)

    path = tmp_path / "model.npz"
    tn.Sequential(tn.Dense(2, 2, rng=0)).save(path)
    before = path.read_bytes()
    with pytest.raises(TypeError, match=r"unknown_0 is a .*Unknown, which is not registered.*register_layer"):
        tn.Sequential(tn.Dense(2, 2, rng=0), Unknown()).save(path)
    assert path.read_bytes() == before  # the older file is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]


def test_registered_layer_round_trips_as_decorator_and_function(tmp_path):
    @tn.register_layer
    class Swish2(Swish):
        def get_config(self):
            return {"beta": self.beta}

    tn.register_layer(Swish, name="test_io.Swish")
    for layer in (Swish2(beta=0.25), Swish()):
        model = tn.Sequential(tn.Dense(2, 3, rng=0), layer, tn.Dense(3, 2, rng=1))
        model.save(tmp_path / "m.npz")
        again = tn.load(tmp_path / "m.npz")
        assert type(again.layers[1]) is type(layer)
        assert again.layers[1].beta == layer.beta
        x = np.linspace(-3, 3, 10).reshape(5, 2)
        assert np.array_equal(again.predict_proba(x), model.predict_proba(x))


def test_get_config_must_give_the_constructor_arguments(tmp_path):
    @tn.register_layer
    class NeedsArgs(tn.Activation):
        def __init__(self, scale):
            super().__init__()
            self.factor = scale  # kept under another name: the base get_config cannot find it

        def forward(self, x):
            return self.factor * x

        def derivative(self, x, out):
            return np.full_like(x, self.factor)

    with pytest.raises(TypeError, match=r"NeedsArgs: its constructor takes 'scale', but the layer has no attribute"):
        tn.Sequential(NeedsArgs(2.0)).save(tmp_path / "m.npz")
    assert not list(tmp_path.iterdir())


class TimesA(tn.Activation):
    """``a * x``, with ``a`` a constructor argument that has a default (#7, defect 9)."""

    def __init__(self, a=2.0):
        super().__init__()
        self.a = a

    def forward(self, x):
        return self.a * x

    def derivative(self, x, out):
        return np.full_like(x, self.a)


def test_arguments_kept_as_attributes_of_the_same_name_round_trip_without_get_config(tmp_path):
    # #7, defect 9: Scaled(0.5) used to save silently and load as Scaled(2.0)
    tn.register_layer(TimesA)
    tn.Sequential(tn.Dense(2, 2, rng=0), TimesA(0.5)).save(tmp_path / "m.npz")
    again = tn.load(tmp_path / "m.npz")
    assert again[1].a == 0.5
    assert repr(again[1]) == "TimesA(a=0.5)"


def test_a_get_config_that_leaves_out_an_argument_with_a_default_is_refused(tmp_path):
    # #7, defect 9: an argument missing from get_config() would come back as its default
    @tn.register_layer
    class Forgetful(TimesA):
        def get_config(self):
            return {}

    with pytest.raises(TypeError, match=r"get_config\(\) leaves out 'a', an argument of .*Forgetful.*default, 2\.0"):
        tn.Sequential(Forgetful(0.5)).save(tmp_path / "m.npz")


def test_register_layer_errors():
    with pytest.raises(TypeError, match=r"subclass of tn\.Layer"):
        tn.register_layer(int)
    with pytest.raises(TypeError, match=r"subclass of tn\.Layer"):
        tn.register_layer(tn.Dense(2, 2, rng=0))

    class Dense(tn.Layer):  # a user's class that happens to share a built-in's name
        pass

    with pytest.raises(ValueError, match=r"'Dense' is taken by tinynet.layers.Dense.*name="):
        tn.register_layer(Dense)
    assert tn.register_layer(tn.Dense) is tn.Dense  # registering a class again is harmless
    assert tn.register_layer(name="test_io.MyDense")(Dense) is Dense


def test_float32_model_stays_float32(tmp_path):
    model = tn.Sequential(tn.Dense(2, 3, rng=0)).astype(np.float32)
    model.save(tmp_path / "m.npz")
    assert tn.load(tmp_path / "m.npz").dtype == np.float32


def test_missing_file_and_bad_path_type(tmp_path):
    with pytest.raises(FileNotFoundError):
        tn.load(tmp_path / "nope.npz")
    with pytest.raises(TypeError, match="path must be a str"):
        tn.load(3)
    with pytest.raises(TypeError, match="Sequential"):
        tn.io.save("not a model", tmp_path / "m.npz")


# -- files that must be refused --------------------------------------------------------------
def small_model_bytes(tmp_path):
    model = tn.Sequential(tn.Dense(2, 3, rng=0), tn.Tanh(), tn.Dense(3, 2, rng=1))
    model.save(tmp_path / "ok.npz")
    return model, (tmp_path / "ok.npz").read_bytes()


def members(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def write_zip(path, entries: dict) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        for name, raw in entries.items():
            zf.writestr(name, raw)


def npy(array, allow_pickle=False) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=allow_pickle)
    return buf.getvalue()


def meta_bytes(meta) -> bytes:
    return npy(np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))


def test_truncated_files_are_refused(tmp_path):
    _, data = small_model_bytes(tmp_path)
    path = tmp_path / "cut.npz"
    for length in range(0, len(data), 7):
        path.write_bytes(data[:length])
        with pytest.raises(ValueError, match="not a valid tinynet model file"):
            tn.load(path)


def test_corrupted_bytes_are_refused_or_harmless(tmp_path):
    model, data = small_model_bytes(tmp_path)
    path = tmp_path / "bad.npz"
    x = np.linspace(-1, 1, 8).reshape(4, 2)
    refusals = []
    for position in range(0, len(data), 3):
        corrupted = bytearray(data)
        corrupted[position] ^= 0xFF
        path.write_bytes(bytes(corrupted))
        try:
            again = tn.load(path)
        except ValueError as error:
            refusals.append(str(error))
            continue
        # a flip in zip bookkeeping that nothing reads: the model must still be the same
        assert np.array_equal(again.predict_proba(x), model.predict_proba(x))
    assert len(refusals) > len(data) // 6
    assert all("not a valid tinynet model file" in message for message in refusals)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "not a valid"),
        (b"hello, I am a text file\n", "starts with b'hello,'"),
        (npy(np.arange(3.0)), "one .npy array"),
    ],
)
def test_other_formats_are_refused(tmp_path, content, words):
    path = tmp_path / "x.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=words):
        tn.load(path)


def test_npz_not_written_by_tinynet_is_refused(tmp_path):
    np.savez(tmp_path / "plain.npz", W=np.ones((2, 2)))
    with pytest.raises(ValueError, match="not written by tinynet"):
        tn.load(tmp_path / "plain.npz")


MARKER_CODE = "import pathlib; pathlib.Path({!r}).write_text('pwned')"


class RunsCodeWhenUnpickled:
    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (exec, (MARKER_CODE.format(self.marker),))


@pytest.mark.parametrize("where", ["extra", "parameter", "meta"])
def test_pickle_bearing_files_are_refused_without_running_code(tmp_path, where):
    marker = tmp_path / "marker"
    evil = np.empty(1, dtype=object)
    evil[0] = RunsCodeWhenUnpickled(marker)
    # sanity: unpickling this array really would run the code
    np.load(io.BytesIO(npy(evil, allow_pickle=True)), allow_pickle=True)
    assert marker.exists()
    marker.unlink()

    _, data = small_model_bytes(tmp_path)
    entries = members(data)
    if where == "extra":
        entries["evil.npy"] = npy(evil, allow_pickle=True)
    elif where == "parameter":
        entries["dense_0.W.npy"] = npy(evil, allow_pickle=True)
    else:
        entries["__tinynet__.npy"] = npy(evil, allow_pickle=True)
    write_zip(tmp_path / "evil.npz", entries)
    with pytest.raises(ValueError, match="not a valid tinynet model file"):
        tn.load(tmp_path / "evil.npz")
    assert not marker.exists()


def test_a_raw_pickle_is_refused_without_running_code(tmp_path):
    import pickle

    marker = tmp_path / "marker"
    (tmp_path / "model.npz").write_bytes(pickle.dumps(RunsCodeWhenUnpickled(marker)))
    with pytest.raises(ValueError, match="looks like a pickle, which tinynet never loads"):
        tn.load(tmp_path / "model.npz")
    assert not marker.exists()


def good_meta():
    return {"format": "tinynet.Sequential", "version": 1, "layers": [
        {"class": "Dense", "config": {"n_in": 2, "n_out": 3}, "arrays": {"W": "dense_0.W", "b": "dense_0.b"}}]}


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (lambda m: m.update(format="keras"), "does not describe"),
        (lambda m: m.update(version=99), "version 99"),
        (lambda m: m.update(layers=[]), "non-empty list"),
        (lambda m: m["layers"][0].update({"class": "Dens"}), r"unknown layer class 'Dens'.*Did you mean 'Dense'"),
        (lambda m: m["layers"][0].update({"class": "os.system"}), "unknown layer class 'os.system'"),
        (lambda m: m["layers"][0].update({"config": {"n_in": 2, "n_out": 3, "bias": "yes"}}), "could not be rebuilt.*bias"),
        (lambda m: m["layers"][0].update({"config": {"n_in": 10**6, "n_out": 10**6}}), "does not match its stored W"),
        (lambda m: m["layers"][0].update({"config": {"n_in": 3, "n_out": 2}}), r"expected a float32/float64 array of shape \(3, 2\)"),
        (lambda m: m["layers"][0]["arrays"].update(W="missing.W"), "missing"),
        (lambda m: m["layers"][0]["arrays"].pop("b"), "has parameters"),
        (lambda m: m["layers"].append("Dense"), "must be"),
    ],
)
def test_bad_architecture_json_is_refused(tmp_path, edit, words):
    meta = good_meta()
    edit(meta)
    write_zip(tmp_path / "m.npz", {"__tinynet__.npy": meta_bytes(meta),
                                   "dense_0.W.npy": npy(np.ones((2, 3))), "dense_0.b.npy": npy(np.zeros(3))})
    with pytest.raises(ValueError, match=words):
        tn.load(tmp_path / "m.npz")


@pytest.mark.parametrize(
    ("W", "words"),
    [
        (np.full((2, 3), np.nan), "NaN or infinity"),
        (np.ones((2, 3), dtype=np.int64), "expected a float32/float64"),
        (np.ones((2, 3), dtype=">f8"), None),  # big-endian floats are fine, and become native
    ],
)
def test_stored_arrays_are_checked(tmp_path, W, words):
    write_zip(tmp_path / "m.npz", {"__tinynet__.npy": meta_bytes(good_meta()),
                                   "dense_0.W.npy": npy(W), "dense_0.b.npy": npy(np.zeros(3))})
    if words is None:
        assert tn.load(tmp_path / "m.npz").dtype == np.float64
    else:
        with pytest.raises(ValueError, match=words):
            tn.load(tmp_path / "m.npz")


def test_a_header_claiming_a_huge_array_is_refused_before_allocating(tmp_path):
    raw = npy(np.zeros(3))
    header_end = raw.index(b"\n") + 1
    header = raw[:header_end].replace(b"(3,)", b"(10000000000000,)")
    header = header[:8] + (header_end - 10).to_bytes(2, "little") + header[10:]  # keep the length field
    forged = header[:header_end] + raw[header_end:]
    write_zip(tmp_path / "m.npz", {"__tinynet__.npy": meta_bytes(good_meta()),
                                   "dense_0.W.npy": npy(np.ones((2, 3))), "dense_0.b.npy": forged})
    with pytest.raises(ValueError, match=r"claims shape \(10000000000000,\) but holds fewer bytes"):
        tn.load(tmp_path / "m.npz")


def test_extra_arrays_are_refused(tmp_path):
    write_zip(tmp_path / "m.npz", {"__tinynet__.npy": meta_bytes(good_meta()), "dense_0.W.npy": npy(np.ones((2, 3))),
                                   "dense_0.b.npy": npy(np.zeros(3)), "sneaky.npy": npy(np.zeros(1))})
    with pytest.raises(ValueError, match=r"does not mention: \['sneaky'\]"):
        tn.load(tmp_path / "m.npz")


def test_deeply_nested_json_is_refused(tmp_path):
    deep = ("[" * 100_000 + "]" * 100_000).encode()
    write_zip(tmp_path / "m.npz", {"__tinynet__.npy": npy(np.frombuffer(deep, dtype=np.uint8))})
    with pytest.raises(ValueError, match="not a valid"):
        tn.load(tmp_path / "m.npz")


def test_a_save_that_fails_midway_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    tn.Sequential(tn.Dense(2, 2, rng=0)).save(path)
    before = path.read_bytes()

    def disk_full(f, **arrays):
        f.write(b"PK\x03\x04 half of a zip")
        raise OSError("No space left on device")

    monkeypatch.setattr(tn.io.np, "savez", disk_full)
    with pytest.raises(OSError, match="No space left"):
        tn.Sequential(tn.Dense(2, 3, rng=1)).save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]


class Ones(tn.init.Initializer):
    def sample(self, shape, rng):
        return np.ones(shape)


def test_loaded_layers_name_their_built_in_initializer(tmp_path):
    model = tn.Sequential(
        tn.Dense(2, 3, init=tn.init.Normal(0.37), rng=0), tn.Tanh(),
        tn.Maxout(3, 4, pieces=2, init=tn.init.HeNormal(), rng=1),
        tn.Dense(4, 4, init=tn.init.GlorotNormal(), rng=2),
        tn.Dense(4, 3, init=Ones()),  # not a built-in: not stored, the default is shown
    )
    model.save(tmp_path / "m.npz")
    again = tn.load(tmp_path / "m.npz")
    assert [repr(layer) for layer in again.layers[:4]] == [repr(layer) for layer in model.layers[:4]]
    assert repr(again.layers[-1]) == "Dense(4, 3, init=GlorotUniform())"
    assert again.layers[0].init.std == 0.37


@pytest.mark.parametrize(
    ("init", "words"),
    [
        ({"class": "Ones", "config": {}}, "'init' must be"),
        ({"class": ["Normal"], "config": {}}, "'init' must be"),
        ({"class": "Normal"}, "'init' must be"),
        ({"class": "Normal", "config": {"std": -1.0}}, "could not be rebuilt.*std"),
        ({"class": "HeNormal", "config": {"gain": 2}}, "could not be rebuilt.*gain"),
    ],
)
def test_a_bad_stored_initializer_is_refused(tmp_path, init, words):
    meta = good_meta()
    meta["layers"][0]["init"] = init
    write_zip(tmp_path / "m.npz", {"__tinynet__.npy": meta_bytes(meta),
                                   "dense_0.W.npy": npy(np.ones((2, 3))), "dense_0.b.npy": npy(np.zeros(3))})
    with pytest.raises(ValueError, match=words):
        tn.load(tmp_path / "m.npz")


def test_an_initializer_for_a_layer_without_one_is_refused(tmp_path):
    meta = {"format": "tinynet.Sequential", "version": 1, "layers": [
        {"class": "Tanh", "config": {}, "arrays": {}, "init": {"class": "Normal", "config": {"std": 0.1}}}]}
    write_zip(tmp_path / "m.npz", {"__tinynet__.npy": meta_bytes(meta)})
    with pytest.raises(ValueError, match=r"layer 0 \(Tanh\) names an initializer, but has none"):
        tn.load(tmp_path / "m.npz")


def test_a_file_without_initializers_still_loads(tmp_path):
    write_zip(tmp_path / "m.npz", {"__tinynet__.npy": meta_bytes(good_meta()),
                                   "dense_0.W.npy": npy(np.ones((2, 3))), "dense_0.b.npy": npy(np.zeros(3))})
    assert repr(tn.load(tmp_path / "m.npz").layers[0]) == "Dense(2, 3, init=GlorotUniform())"


def _save_many(path: str, seed: int, rounds: int) -> None:
    model = tn.Sequential(tn.Dense(8, 64, rng=seed), tn.ReLU(), tn.Dense(64, 3, rng=seed))
    for _ in range(rounds):
        model.save(path)


def test_two_processes_saving_to_one_path_each_leave_a_whole_file(tmp_path):
    # #7, defect 7: both wrote path + ".partial": Bad CRC-32 and FileNotFoundError
    import multiprocessing

    path = str(tmp_path / "model.npz")
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_save_many, args=(path, seed, 40)) for seed in (0, 1)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [worker.exitcode for worker in workers] == [0, 0]
    loaded = tn.load(path)
    assert any(np.array_equal(loaded[0].params["W"], tn.Dense(8, 64, rng=seed).params["W"]) for seed in (0, 1))
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]


def test_a_save_leaves_the_users_own_partial_file_alone(tmp_path):
    (tmp_path / "model.npz.partial").write_text("my own notes")
    tn.Sequential(tn.Dense(2, 2, rng=0)).save(tmp_path / "model.npz")
    assert (tmp_path / "model.npz.partial").read_text() == "my own notes"


def test_a_name_of_254_characters_can_be_saved(tmp_path):
    path = tmp_path / ("m" * 250 + ".npz")
    tn.Sequential(tn.Dense(2, 2, rng=0)).save(path)
    assert tn.load(path)[0].params["W"].shape == (2, 2)


def test_a_symlink_at_the_path_is_replaced_and_its_target_left_alone(tmp_path):
    target = tmp_path / "elsewhere.txt"
    target.write_text("not a model")
    (tmp_path / "model.npz").symlink_to(target)
    tn.Sequential(tn.Dense(2, 2, rng=0)).save(tmp_path / "model.npz")
    assert not (tmp_path / "model.npz").is_symlink()
    assert target.read_text() == "not a model"
    assert tn.load(tmp_path / "model.npz")[0].params["W"].shape == (2, 2)
