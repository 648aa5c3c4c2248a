"""Run every notebook the gallery offers for download, as a reader would.

Run after the docs build (``.ci/run`` does), from the repository root::

    .venv/bin/python -m pytest docs/checks/test_notebooks.py

Like ``test_browser.py`` it needs the built site, so it lives under ``docs/``,
where the README's test command (run before the docs exist) does not collect
it.

Each ``.ipynb`` in the site's ``_downloads/`` is executed top to bottom in a
fresh Python kernel (nbclient, ipykernel), in an empty folder. A cell that
raises fails the test. Every notebook must show at least one figure inline (an
``image/png`` output).

The notebooks run the examples with their own defaults (see
``NOTEBOOK_FIRST_CELL`` in ``docs/conf.py``), not with the gallery's shorter
runs. The flagship notebook, ``vanishing_gradients.ipynb``, runs so, at full
length, and must print exactly the 102 lines of
``tests/data/expected_output.txt`` -- the lines the classic notebook prints.
The others that have an ``--iterations`` option are run with
``--iterations`` :data:`QUICK_ITERATIONS` added to their first cell, to keep
CI short: the docs build has already run them at full length as scripts, and
here what counts is that they run in a kernel. (An example without the
option, such as ``digits.py``, which counts epochs, runs as it is.)
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
HTML = Path(os.environ.get("TINYNET_DOCS_HTML", ROOT / "docs" / "_build" / "html"))
EXPECTED = ROOT / "tests" / "data" / "expected_output.txt"
FLAGSHIP = "vanishing_gradients.ipynb"
ARGV = 'sys.argv = [sys.argv[0], "--out", "figures"]'  # in every notebook's first cell
QUICK_ITERATIONS = 300

NOTEBOOKS = sorted(HTML.glob("_downloads/*/*.ipynb"), key=lambda path: path.name)


def test_site_offers_notebooks():
    names = [path.name for path in NOTEBOOKS]
    assert FLAGSHIP in names, f"no {FLAGSHIP} in {HTML / '_downloads'}: build the docs first"
    examples = sorted(path.stem for path in (ROOT / "examples").glob("[!_]*.py"))
    assert sorted(Path(name).stem for name in names) == examples


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_runs(path, tmp_path):
    notebook = nbformat.read(path, as_version=4)
    first = next(cell for cell in notebook.cells if cell.cell_type == "code")
    assert ARGV in first.source, f"{path.name}: the first cell does not set sys.argv"
    code = "".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    if path.name != FLAGSHIP and '"--iterations"' in code:
        first.source += f'\nsys.argv += ["--iterations", "{QUICK_ITERATIONS}"]'
    # a cell that raises stops the run with CellExecutionError, which names the cell
    NotebookClient(
        notebook, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()

    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    figures = [output for output in outputs if "image/png" in output.get("data", {})]
    assert figures, f"{path.name} shows no figure inline"
    if path.name == FLAGSHIP:
        printed = "".join(
            output.text for output in outputs if output.output_type == "stream" and output.name == "stdout"
        )
        assert printed == EXPECTED.read_text(), f"{path.name} does not print the notebook's 102 lines"
