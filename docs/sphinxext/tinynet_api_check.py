"""Fail the docs build when a public tinynet name is missing from the API reference.

Public means: listed in ``tinynet.__all__``, or in the ``__all__`` of a
submodule whose name does not start with an underscore. A name counts as
documented when the Python domain holds it under ``tinynet.<name>`` or
``tinynet.<module>.<name>`` (the API pages in ``docs/api/`` list names where
users import them). A missing name is a warning, which ``-W`` turns into an
error naming the page to edit.
"""

from __future__ import annotations

import importlib
import pkgutil

from sphinx.util import logging

logger = logging.getLogger(__name__)


def public_names() -> dict[str, set[str]]:
    """``{qualified name: acceptable documented names}`` for every public name."""
    import tinynet

    wanted: dict[str, set[str]] = {}
    for name in tinynet.__all__:
        wanted[f"tinynet.{name}"] = {f"tinynet.{name}"}
    for info in pkgutil.iter_modules(tinynet.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"tinynet.{info.name}")
        for name in getattr(module, "__all__", ()):
            wanted.setdefault(
                f"tinynet.{info.name}.{name}", {f"tinynet.{name}", f"tinynet.{info.name}.{name}"}
            )
    return wanted


def check_api_coverage(app, env) -> None:
    if app.builder.name != "html":
        return
    documented = set(env.get_domain("py").objects)
    missing = sorted(name for name, accepted in public_names().items() if not accepted & documented)
    for name in missing:
        logger.warning(
            "public name %s is not in the API reference: add it to a list in docs/api/index.rst",
            name,
            type="tinynet",
            subtype="api",
        )


def setup(app):
    app.connect("env-check-consistency", check_api_coverage)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
