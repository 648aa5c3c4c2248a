"""How the docs build runs ``examples/`` for the sphinx-gallery gallery.

sphinx-gallery executes every example as a script (``__name__ == "__main__"``)
with ``sys.argv`` set by :func:`reset_argv`. Two command-line options are
understood by convention, and passed only to examples whose source mentions
them:

``--iterations N``
    The gallery runs training scripts with at most N iterations (default
    5,000; set ``TINYNET_GALLERY_ITERATIONS`` to change it). It is passed
    only to a script whose own default (``default=...`` in its
    ``add_argument("--iterations", ...)`` call) is larger, or cannot be
    read; such pages say that they show a shortened run. A script whose
    default is already N or less runs as a reader would run it.
``--out DIR``
    Examples that save their figures as PNG files (and close them, so that a
    long run does not keep them in memory) write them to a scratch folder;
    :func:`png_scraper` then collects every new PNG after each code block.
    Figures left open are captured by sphinx-gallery's matplotlib scraper as
    usual.

Both callables are named in ``conf.py`` by their import path (strings keep
Sphinx's configuration picklable). As a Sphinx extension, this module also
puts a note under the title of every gallery page whose example was run with
fewer iterations (:func:`note_reduced_iterations`).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

DEFAULT_ITERATIONS = 5000


def gallery_iterations() -> int:
    """Iterations per training run in the gallery (``TINYNET_GALLERY_ITERATIONS``)."""
    return int(os.environ.get("TINYNET_GALLERY_ITERATIONS", DEFAULT_ITERATIONS))


# the literal default of an example's --iterations option: add_argument("--iterations", ..., default=3000)
_ITERATIONS_DEFAULT = re.compile(r"""["']--iterations["'][^)]*?\bdefault\s*=\s*([0-9][0-9_]*)\b""")


def reduced_iterations(source: str) -> int | None:
    """The ``--iterations`` value the gallery passes to the example in ``source``, or None.

    None means the example is run with its own default: it has no
    ``--iterations`` option, or its default is no more than :func:`gallery_iterations`.
    """
    if '"--iterations"' not in source and "'--iterations'" not in source:
        return None
    default = _ITERATIONS_DEFAULT.search(source)
    if default is not None and int(default[1]) <= gallery_iterations():
        return None
    return gallery_iterations()


def _scratch_dir(gallery_conf, src_file) -> Path:
    # <docs>/_build/gallery_figures/<example stem>: outside the source tree, git-ignored
    return Path(gallery_conf["src_dir"]) / "_build" / "gallery_figures" / Path(src_file).stem


def reset_argv(gallery_conf, script_vars) -> list[str]:
    """Command-line arguments for one example (see the module docstring)."""
    src_file = script_vars["src_file"]
    source = Path(src_file).read_text(encoding="utf-8")
    argv = []
    iterations = reduced_iterations(source)
    if iterations is not None:
        argv += ["--iterations", str(iterations)]
    if '"--out"' in source or "'--out'" in source:
        out = _scratch_dir(gallery_conf, src_file)
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        # relative to the example's folder, where sphinx-gallery runs it: the path may be
        # printed, and the page should not show the build machine's folders
        argv += ["--out", os.path.relpath(out, Path(src_file).parent)]
    return argv


def png_scraper(block, block_vars, gallery_conf, **kwargs) -> str:
    """Collect PNG files an example wrote to its ``--out`` folder during a code block."""
    from sphinx_gallery.scrapers import figure_rst

    out = _scratch_dir(gallery_conf, block_vars["src_file"])
    if not out.is_absolute():
        out = Path(block_vars["src_file"]).parent / out
    if not out.is_dir():
        return ""
    seen = block_vars.setdefault("tinynet_seen_pngs", set())
    new = sorted(
        (p for p in out.glob("*.png") if p.name not in seen),
        key=lambda p: (p.stat().st_mtime_ns, p.name),
    )
    rst = []
    for png, image_path in zip(new, block_vars["image_path_iterator"], strict=False):
        shutil.copyfile(png, image_path)
        seen.add(png.name)
        # one image per row (they are wide plots), its file name as alt text
        rst.append(figure_rst([image_path], gallery_conf["src_dir"], png.stem.replace("_", " ")))
    return "".join(rst)


_NOTE = """
.. note::

   This page was built by running the script with ``--iterations {n}`` to keep
   the documentation build short, so the output and figures show only the
   beginning of training. Run the script without ``--iterations`` for the full
   result.
"""


def note_reduced_iterations(app, docname, source) -> None:
    """``source-read`` handler: add the reduced-iterations note to gallery pages."""
    if not docname.startswith("auto_examples/") or docname.endswith("/index"):
        return
    text = source[0]  # the generated page, which holds the example's code verbatim
    iterations = reduced_iterations(text)
    if iterations is None:
        return
    # the first section title's underline, right after the example's title
    match = re.search(r"^\S.*\n(=+)\n", text, flags=re.MULTILINE)
    if match:
        note = _NOTE.format(n=iterations)
        source[0] = text[: match.end()] + note + text[match.end() :]


def setup(app):
    app.connect("source-read", note_reduced_iterations)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
