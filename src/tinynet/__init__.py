"""tinynet: a small numpy library for learning how neural networks train.

>>> import tinynet as tn
>>> model = tn.Sequential(tn.Dense(2, 50, rng=0), tn.ReLU(), tn.Dense(50, 3, rng=0))

Modules, one idea each: ``layers``, ``activations``, ``normalization``,
``losses``, ``init``, ``model``, ``training``, ``optim``, ``schedules``,
``callbacks``, ``recorders``, ``gradcheck``, ``datasets``, ``plot``, ``io``,
``threads``; ``tinynet.testing`` (hypothesis strategies) and ``tinynet.study``
(the notebook's experiment for any activations and depth; the
``tinynet-study`` command) are imported on first use.
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

from . import datasets, init, io, plot, threads
from .activations import ELU, Activation, LeakyReLU, ReLU, Sigmoid, Softplus, Tanh
from .callbacks import Callback, EarlyStopping, History, ModelCheckpoint, PrintLoss, ProgressBar
from .gradcheck import ArrayCheck, GradcheckError, GradcheckResult, gradcheck
from .io import load, register_layer
from .layers import Dense, Dropout, HookHandle, Layer, Maxout
from .losses import Loss, SoftmaxCrossEntropy
from .model import Residual, Sequential
from .normalization import BatchNorm, LayerNorm
from .optim import SGD, Adam, Optimizer, RMSProp
from .recorders import ActivationRecorder, ActivationStats, GradientRecorder, Recorder
from .schedules import CosineDecay, ExponentialDecay, LearningRateSchedule, StepDecay
from .training import DivergenceWarning, TrainingDiverged

try:
    __version__ = version("tinynet-learn")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "Activation", "ActivationRecorder", "ActivationStats", "Adam", "ArrayCheck", "BatchNorm", "Callback", "CosineDecay", "Dense",
    "DivergenceWarning", "Dropout", "ELU", "EarlyStopping", "ExponentialDecay", "GradcheckError", "GradcheckResult", "GradientRecorder",
    "History", "HookHandle", "Layer", "LayerNorm", "LearningRateSchedule", "LeakyReLU", "Loss", "Maxout", "ModelCheckpoint", "Optimizer",
    "PrintLoss", "ProgressBar", "RMSProp", "ReLU", "Recorder", "Residual", "SGD", "Sequential", "Sigmoid",
    "SoftmaxCrossEntropy", "Softplus", "StepDecay", "Tanh", "TrainingDiverged", "datasets", "gradcheck", "init",
    "io", "load", "plot", "register_layer", "study", "testing", "threads",
]


def __getattr__(name):
    # ``tn.testing`` imports hypothesis, so it is loaded only when asked for.
    # ``tn.study`` is loaded on first use too, so that ``python -m tinynet.study`` runs it fresh.
    if name in ("testing", "study"):
        return import_module(f".{name}", __name__)
    raise AttributeError(f"module 'tinynet' has no attribute {name!r}")
