"""Multi-line display math for KaTeX, written as for Sphinx's default renderer.

Sphinx's MathJax renderer lets a ``.. math::`` block hold aligned rows
(``&`` and ``\\\\``) without an environment, and puts equations separated by a
blank line one below the other. sphinxcontrib-katex passes the block to KaTeX
as it is, which rejects a bare ``&``. This extension wraps such blocks before
they are rendered, as Sphinx does for MathJax: an equation with several rows in
``aligned`` (Sphinx uses ``split``, but KaTeX's ``split`` allows only one ``&``
per row), several equations in ``gathered``.
"""

from __future__ import annotations

from docutils import nodes


def wrap(latex: str) -> str:
    """The LaTeX KaTeX gets for the body of one ``.. math::`` block."""
    parts = [part.strip() for part in latex.split("\n\n") if part.strip()]
    parts = [rf"\begin{{aligned}}{part}\end{{aligned}}" if r"\\" in part else part for part in parts]
    if len(parts) == 1:
        return parts[0]
    return r"\begin{gathered}" + r"\\".join(parts) + r"\end{gathered}"


def wrap_display_math(app, doctree) -> None:
    if app.builder.format != "html":
        return
    for node in doctree.findall(nodes.math_block):
        if not node.get("nowrap"):
            node.children = [nodes.Text(wrap(node.astext()))]


def setup(app):
    app.connect("doctree-read", wrap_display_math)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
