"""Studies: the notebook's experiment, for any activations and any depth.

:func:`compare` trains one net per activation on the same data and returns a
:class:`StudyResult` holding, for each net, its loss and every layer's
weight-gradient magnitude at every iteration, the fraction of saturated and
dead units, its training accuracy and the trained model. With its defaults
it *is* the notebook: two hidden layers of 50 units, sigmoid then ReLU,
50,000 full-batch steps of size 0.1, L2 strength 1e-3, the spiral data and
both nets' weights drawn from one ``np.random.RandomState(0)`` stream -- and
it prints the notebook's 102 lines, digit for digit.

The same study runs from a shell (``--help`` lists the options)::

    tinynet-study --activations sigmoid relu leaky_relu --depth 6 --iterations 3000 --out figures
    python -m tinynet.study

Standard output gets only the notebook's lines (the loss every
``--print-every`` iterations, then the training accuracy, for each net);
notes on what is being trained, a summary table and the names of the
figures written go to standard error.

The package has three parts: the experiment (:func:`compare`, its results),
the figures (:func:`save_figures`) and the command line (:func:`main`).
"""

from . import experiment
from .cli import main
from .experiment import Run, StudyResult, Variant, build_nets, compare, variants
from .figures import save_figures

ACTIVATIONS = experiment.ACTIVATIONS
"""The activations :func:`~tinynet.study.compare` and the ``tinynet-study`` command know by name.

A dict from name to layer class: ``"sigmoid"`` (:class:`~tinynet.Sigmoid`),
``"relu"`` (:class:`~tinynet.ReLU`), ``"leaky_relu"``
(:class:`~tinynet.LeakyReLU`), ``"tanh"`` (:class:`~tinynet.Tanh`), ``"elu"``
(:class:`~tinynet.ELU`), ``"softplus"`` (:class:`~tinynet.Softplus`) and
``"maxout"`` (:class:`~tinynet.Maxout`, a layer with its own weights that takes
the place of a hidden ``Dense`` layer and its activation). The names are the
classes' ``kind``; :func:`~tinynet.study.compare` also accepts a class of your own.
"""

INITIALIZERS = experiment.INITIALIZERS
"""The initialisers :func:`~tinynet.study.compare` and ``tinynet-study --init`` know by name.

A dict from name to a function that makes one: ``"normal"`` (the notebook's
``0.1 * randn``, :class:`~tinynet.init.Normal`), ``"standard"`` (Glorot &
Bengio's fan-in uniform, :class:`~tinynet.init.StandardUniform`), ``"glorot"``
(:class:`~tinynet.init.GlorotUniform`) and ``"he"`` (:class:`~tinynet.init.HeNormal`).
"""

NORMS = experiment.NORMS
"""The normalisations :func:`~tinynet.study.compare` and ``tinynet-study --norm`` know by name.

A dict from name to layer class, placed between each hidden ``Dense`` layer
and its activation: ``"none"`` (None), ``"batchnorm"``
(:class:`~tinynet.BatchNorm`) and ``"layernorm"`` (:class:`~tinynet.LayerNorm`).
"""

__all__ = ["ACTIVATIONS", "INITIALIZERS", "NORMS", "Run", "StudyResult", "Variant", "build_nets", "compare", "variants",
           "save_figures", "main"]
