"""Saving and loading models: one ``.npz`` file, and nothing is ever unpickled.

A saved model is a zip of ``.npy`` arrays, written by ``numpy.savez``:

``__tinynet__``
    The architecture, as UTF-8 JSON in a ``uint8`` array: for every layer its
    registered class name, its constructor arguments (``layer.get_config()``),
    the names of its parameter and buffer arrays and, for a model inside the
    model (:class:`~tinynet.Residual`, a nested :class:`~tinynet.Sequential`),
    its own layers; for a layer whose weights a built-in initializer drew
    (``Dense``, ``Maxout``), also which one, so that the loaded layer names it
    too. An initializer of your own is not stored: the loaded layer shows the
    default, ``GlorotUniform()``.
``dense_0.W``, ``dense_0.b``, ``batch_norm_0.running_mean``, ...
    Every parameter and buffer, float32 or float64, bit for bit.

Loading reads the JSON, rebuilds each layer as ``cls(**config)`` (a model as
``cls(*its_layers, **config)``) with ``cls`` looked up by name in the *layer
registry*, and puts the saved arrays back. Files are read with
``allow_pickle=False``, so an array that would need unpickling (which could run
code) is refused, never loaded. Anything that is not a well-formed tinynet file
raises ``ValueError``.

The layer registry is the one piece of process-wide state in tinynet: a
dict from name to layer class, holding the built-in layers (:data:`BUILTIN_LAYERS`,
and the two models, which ``tinynet.model`` registers) and whatever
:func:`register_layer` adds. Loading only ever constructs classes it holds.
"""

from __future__ import annotations

import inspect
import io
import json
import math
import os
import secrets
import zipfile

import numpy as np

from . import activations, init, layers, normalization
from ._validation import check_choice
from .layers import Layer

__all__ = ["save", "load", "register_layer", "BUILTIN_LAYERS"]

FORMAT, VERSION = "tinynet.Sequential", 2  # version 1: no buffers and no nested models; still read
_META = "__tinynet__"
BUILTIN_LAYERS: tuple[type[Layer], ...] = (
    layers.Dense, layers.Maxout, layers.Dropout, activations.Sigmoid, activations.ReLU, activations.LeakyReLU,
    activations.Tanh, activations.ELU, activations.Softplus, normalization.BatchNorm,
    normalization.LayerNorm,
)
"""tinynet's own layers (without the two models, ``Sequential`` and ``Residual``), registered under their names."""
_REGISTRY: dict[str, type[Layer]] = {cls.__name__: cls for cls in BUILTIN_LAYERS}
_INITIALIZERS = {name: getattr(init, name) for name in init.__all__ if isinstance(getattr(init, name), type)
                 and name != "Initializer"}
# constructor arguments that only decide the first weights or the names, both of which the file holds
_NOT_STORED = ("rng", "init", "rename")


# numpydoc's PR02 check drops a first parameter named ``cls`` (it takes it for a classmethod's)
# and then calls the documented ``cls`` unknown: a false positive, ignored for this function only.
def register_layer(cls: type[Layer] | None = None, *, name: str | None = None):  # numpydoc ignore=PR02
    """Let :func:`~tinynet.io.save` and :func:`~tinynet.io.load` handle a layer class of your own.

    Use it as a decorator (``@tn.register_layer``) or call it
    (``tn.register_layer(Swish)``). The class must be a :class:`~tinynet.Layer`
    subclass; if its constructor takes arguments, it must also define
    ``get_config()`` returning them. Registering the same class twice is
    harmless, and so is re-running the cell that defines it in a notebook.

    Parameters
    ----------
    cls : type
        The layer class.
    name : str, optional
        The name it is stored under; default ``cls.__name__``. The built-in
        names (``"Dense"``, ``"ReLU"``, ...) are taken.

    Returns
    -------
    type
        ``cls`` itself, so that it works as a decorator.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np, tinynet as tn
    >>> @tn.io.register_layer  # also tn.register_layer
    ... class Scaled(tn.Activation):
    ...     def __init__(self, factor=2.0):
    ...         super().__init__()
    ...         self.factor = factor
    ...     def forward(self, x):
    ...         return self.factor * x
    ...     def derivative(self, x, out):
    ...         return np.full_like(x, self.factor)
    ...     def get_config(self):
    ...         return {"factor": self.factor}
    >>> model = tn.Sequential(tn.Dense(2, 3, rng=0), Scaled(0.5))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     tn.io.save(model, os.path.join(tmp, "model.npz"))
    ...     print(tn.io.load(os.path.join(tmp, "model.npz")).layers[1].factor)
    0.5
    """
    if cls is None:
        return lambda cls: register_layer(cls, name=name)
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise TypeError(f"register_layer: expected a subclass of tn.Layer, got {cls!r}")
    name = cls.__name__ if name is None else name
    if not isinstance(name, str) or not name:
        raise TypeError(f"register_layer: name must be a non-empty str, got {name!r}")
    taken = _REGISTRY.get(name)
    same = taken is not None and (taken.__module__, taken.__qualname__) == (cls.__module__, cls.__qualname__)
    if taken is not None and not same:
        raise ValueError(
            f"register_layer: the name {name!r} is taken by {taken.__module__}.{taken.__qualname__}; "
            f"register {cls.__qualname__} under another one: tn.register_layer({cls.__name__}, name=...)"
        )
    _REGISTRY[name] = cls
    return cls


def save(model: Layer, path: str | os.PathLike) -> None:
    """Write ``model`` to ``path`` (exactly that path; ``.npz`` is the convention).

    Everything is checked before the file is opened. The file is first written
    under a new, unique name in the same folder and then renamed to ``path``
    in one step (``os.replace``), so a failed save never leaves a half-written
    file or destroys an older one, and two processes saving to the same path
    at once each leave a whole file (the last one wins). A symbolic link at
    ``path`` is replaced by the file; the file it pointed to is left alone.

    Parameters
    ----------
    model : Sequential
        Every layer's class must be registered: the built-in layers are;
        see :func:`~tinynet.io.register_layer` for your own.
    path : str or path-like

    Raises
    ------
    TypeError
        If a layer's class is not registered, its ``get_config()`` does not
        give its constructor's arguments as JSON (every argument but ``rng``
        and ``init``, which only decide the first weights), or a parameter is
        not a float array.
    FileNotFoundError
        If the folder that ``path`` names does not exist.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np, tinynet as tn
    >>> model = tn.Sequential(tn.Dense(2, 4, rng=0), tn.LeakyReLU(0.1), tn.Dense(4, 3, rng=1))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "model.npz")
    ...     tn.io.save(model, path)  # the same as model.save(path)
    ...     again = tn.load(path)
    >>> x = np.random.default_rng(0).normal(size=(5, 2))
    >>> bool(np.array_equal(again.predict_proba(x), model.predict_proba(x)))
    True
    """
    if not (isinstance(model, Layer) and isinstance(getattr(model, "layers", None), (list, tuple))):
        raise TypeError(f"save: expected a tn.Sequential, got {model!r}")
    path = _check_path(path, "save")
    names = {cls: name for name, cls in reversed(_REGISTRY.items())}
    arrays: dict[str, np.ndarray] = {}
    top = _describe(model, names, arrays)
    meta = json.dumps({"format": FORMAT, "version": VERSION, "class": top["class"], "config": top["config"],
                       "layers": top["layers"]}, allow_nan=False)
    arrays[_META] = np.frombuffer(meta.encode("utf-8"), dtype=np.uint8)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"save: the folder {folder!r} does not exist; create it first (os.makedirs)")
    # A name of our own, short whatever the length of path's, created only if it does not exist yet.
    partial = os.path.join(folder, f".tinynet-{os.getpid()}-{secrets.token_hex(6)}.tmp")
    try:
        with open(partial, "xb") as f:
            np.savez(f, **arrays)
        os.replace(partial, path)
    except BaseException:
        if os.path.exists(partial):
            os.remove(partial)
        raise


def _describe(layer: Layer, names: dict, arrays: dict) -> dict:
    """The JSON spec of ``layer`` (and of the layers inside it); its arrays go into ``arrays``."""
    cls = type(layer)
    if cls not in names:
        raise TypeError(
            f"save: layer {layer.name} is a {cls.__qualname__}, which is not registered; decorate "
            f"its class with @tn.register_layer (and store its constructor's arguments as attributes "
            f"of the same names, or give it get_config())"
        )
    config = layer.get_config()
    try:
        json.dumps(config, allow_nan=False)
        inspect.signature(cls).bind(*getattr(layer, "layers", ()), **config)  # the constructor's arguments
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"save: {layer.name}.get_config() must return the arguments of {cls.__qualname__}(...) "
            f"as a dict of JSON values (numbers, strings, lists); got {config!r} ({exc})"
        ) from None
    for name, parameter in inspect.signature(cls).parameters.items():
        if name not in config and name not in _NOT_STORED and parameter.default is not parameter.empty:
            raise TypeError(
                f"save: {layer.name}.get_config() leaves out {name!r}, an argument of {cls.__qualname__}(...): "
                f"the loaded layer would get its default, {parameter.default!r}, whatever this one has; "
                f"return it from get_config()"
            )
    spec = {"class": names[cls], "config": config, "arrays": {}, "buffers": {}}
    for kind, store in (("arrays", layer.params), ("buffers", layer.buffers)):
        for key, value in store.items():
            if not (isinstance(value, np.ndarray) and value.dtype in (np.float32, np.float64)):
                raise TypeError(f"save: {layer.name}.{'params' if kind == 'arrays' else 'buffers'}[{key!r}] "
                                "must be a float32/float64 array")
            member = f"{layer.name}.{key}"
            if member in arrays:
                raise TypeError(f"save: {layer.name} has a parameter and a buffer both called {key!r}")
            spec[kind][key], arrays[member] = member, value
    initializer = getattr(layer, "init", None)
    if type(initializer) in _INITIALIZERS.values():  # only the weights' draw used it: kept for the repr
        spec["init"] = {"class": type(initializer).__name__, "config": initializer.get_config()}
    if isinstance(getattr(layer, "layers", None), (list, tuple)):
        spec["layers"] = [_describe(inner, names, arrays) for inner in layer.layers]
    return spec


def load(path: str | os.PathLike) -> Layer:
    """Read a model written by :func:`~tinynet.io.save` (or :meth:`~tinynet.Sequential.save`).

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    Sequential
        The same layers, with the same parameters and buffers bit for bit (and
        the same dtype), so it predicts exactly what the saved model did.
        Optimizer state, hooks and the layers' modes are not saved: the loaded
        model is in training mode.

    Raises
    ------
    FileNotFoundError
        If there is no file at ``path``.
    ValueError
        If the file is not a tinynet model: truncated, corrupted, another
        format, holding arrays that would need unpickling, or naming a layer
        class that is not registered. Nothing in the file is ever executed.

    Examples
    --------
    >>> import os, tempfile
    >>> import tinynet as tn
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "model.npz")
    ...     tn.Sequential(tn.Dense(2, 3, rng=0), tn.Tanh()).save(path)
    ...     print(tn.load(path).summary())
    layer      type                                  output  params
    dense_0    Dense(2, 3, init=GlorotUniform())          3       9
    tanh_0     Tanh()                                     3       0
    total parameters: 9
    """
    path = _check_path(path, "load")
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        start = f.read(6)
        f.seek(0)
        try:
            if not start.startswith(b"PK"):
                raise ValueError(_not_a_zip(start))
            with np.load(f, allow_pickle=False) as data:
                return _rebuild(data, size)
        except _FileProblem as exc:
            raise ValueError(
                f"load: {path} is not a valid tinynet model file ({type(exc).__name__}: {exc})"
            ) from None


def _not_a_zip(start: bytes) -> str:
    if start.startswith(b"\x93NUMPY"):
        return "it holds one .npy array, not a .npz archive"
    if start[:1] == b"\x80":
        return "it looks like a pickle, which tinynet never loads: unpickling can run any code"
    return f"a .npz file is a zip archive, starting with b'PK'; this one starts with {start!r}"


# What a broken or hostile file can make numpy, zipfile, json or a constructor raise.
_FileProblem = (ValueError, TypeError, KeyError, EOFError, OSError, zipfile.BadZipFile,
                UnicodeDecodeError, RecursionError, OverflowError, NotImplementedError)


def _rebuild(data, file_size: int) -> Layer:
    members = {name[:-4] for name in data.zip.namelist() if name.endswith(".npy")}
    if _META not in members:
        raise ValueError(f"no {_META} entry: this .npz was not written by tinynet")
    meta = _read(data, _META, file_size)
    if meta.dtype != np.uint8 or meta.ndim != 1:
        raise ValueError(f"{_META} must be a 1-D uint8 array")
    meta = json.loads(meta.tobytes().decode("utf-8"))
    if not (isinstance(meta, dict) and meta.get("format") == FORMAT):
        raise ValueError(f"the {_META} entry does not describe a {FORMAT}")
    if meta.get("version") not in (1, VERSION):
        raise ValueError(f"format version {meta.get('version')!r}; this tinynet reads versions 1 and {VERSION}")
    top = {"class": meta.get("class", "Sequential"), "config": meta.get("config", {}), "arrays": {},
           "layers": meta.get("layers")}
    used = {_META}
    model = _build(top, "the model", data, members, used, file_size)
    extra = sorted(members - used)
    if extra:
        raise ValueError(f"it holds arrays the architecture does not mention: {extra}")
    return model


def _build(spec, where: str, data, members: set, used: set, file_size: int) -> Layer:
    """The layer ``spec`` describes (``where`` names it in errors), with its arrays read from ``data``."""
    stores = ("arrays", "buffers")
    if not (isinstance(spec, dict) and isinstance(spec.get("class"), str) and isinstance(spec.get("config"), dict)
            and all(isinstance(spec.get(kind, {}), dict) for kind in stores)
            and all(isinstance(v, str) for kind in stores for v in spec.get(kind, {}).values())):
        raise ValueError(f"{where} must be {{'class': str, 'config': dict, 'arrays': {{str: str}}}}")
    name = spec["class"]
    try:
        cls = _REGISTRY[check_choice(name, tuple(_REGISTRY), "layer class")]
    except ValueError as exc:
        raise ValueError(f"{exc} If {name} is your own layer, register it (@tn.register_layer) "
                         "before loading.") from None
    where = f"{where} ({name})"
    stored = {kind: {} for kind in stores}
    for kind in stores:
        for key, member in spec.get(kind, {}).items():
            if member not in members:
                raise ValueError(f"{where} needs the array {member!r}, which is missing")
            stored[kind][key] = _read(data, member, file_size)
            used.add(member)
    params = stored["arrays"]
    if cls in BUILTIN_LAYERS and params:  # refuse a config that would allocate more than the file holds
        sizes = [v for v in spec["config"].values() if isinstance(v, int) and not isinstance(v, bool)]
        if ("W" in params and math.prod(sizes) != params["W"].size) or max(sizes, default=0) > max(
                p.size for p in params.values()):
            shapes = ", ".join(f"{key} {value.shape}" for key, value in params.items())
            raise ValueError(f"{where}: config {spec['config']} does not match its stored {shapes}")
    inner = []
    if "layers" in spec:
        if not isinstance(spec["layers"], list) or not spec["layers"]:
            raise ValueError("'layers' must be a non-empty list")
        inner = [_build(item, f"layer {position}" if where.startswith("the model") else f"{where}, layer {position}",
                        data, members, used, file_size) for position, item in enumerate(spec["layers"])]
    try:
        layer = cls(*inner, **spec["config"])
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as exc:
        raise ValueError(f"{where} could not be rebuilt from config {spec['config']}: {exc}") from None
    if "init" in spec:
        if not isinstance(getattr(layer, "init", None), init.Initializer):
            raise ValueError(f"{where} names an initializer, but has none")
        layer.init = _initializer(spec["init"], where)
    for kind, store in (("arrays", layer.params), ("buffers", layer.buffers)):
        if set(stored[kind]) != set(store):
            what = "parameters" if kind == "arrays" else "buffers"
            raise ValueError(f"{where} has {what} {sorted(store)}, the file has {sorted(stored[kind])}")
        for key, value in stored[kind].items():
            expected = store[key].shape
            if value.dtype.kind != "f" or value.dtype.itemsize not in (4, 8) or value.shape != expected:
                raise ValueError(f"{where} {key}: expected a float32/float64 array "
                                 f"of shape {expected}, got {value.dtype} {value.shape}")
            if not np.isfinite(value).all():
                raise ValueError(f"{where} {key} contains NaN or infinity")
            store[key] = value.astype(value.dtype.newbyteorder("="), copy=False)
            if kind == "arrays":
                layer.grads[key] = np.zeros_like(store[key])
    return layer


def _initializer(spec, where: str) -> init.Initializer:
    """A built-in initializer from its stored ``{"class": name, "config": {...}}``."""
    if not (isinstance(spec, dict) and isinstance(spec.get("config"), dict)
            and isinstance(spec.get("class"), str) and spec["class"] in _INITIALIZERS):
        raise ValueError(f"{where}: 'init' must be {{'class': one of {sorted(_INITIALIZERS)}, 'config': dict}}, "
                         f"got {spec!r}")
    try:
        return _INITIALIZERS[spec["class"]](**spec["config"])
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{where}: the initializer could not be rebuilt from {spec!r}: {exc}") from None


def _read(data, key: str, file_size: int) -> np.ndarray:
    """One member as an array; the header's claimed size is checked before anything is allocated."""
    info = data.zip.getinfo(key + ".npy")
    if info.file_size > 1100 * file_size:  # deflate cannot compress more than about 1000:1
        raise ValueError(f"{key} claims {info.file_size} bytes in a file of {file_size}")
    raw = data.zip.read(info)
    f = io.BytesIO(raw)
    version = np.lib.format.read_magic(f)
    read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    shape, _, dtype = read_header(f)
    if dtype.hasobject:
        raise ValueError(f"{key} is an object array, which only unpickling could load; refused")
    if math.prod(shape) * dtype.itemsize > len(raw) - f.tell():
        raise ValueError(f"{key} claims shape {shape} but holds fewer bytes")
    return np.load(io.BytesIO(raw), allow_pickle=False)


def _check_path(path, owner: str) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{owner}: path must be a str or os.PathLike, got {path!r}")
    return os.fspath(path)
