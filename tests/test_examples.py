"""The examples: the flagship reproduces the notebook's printed output exactly, and every figure fits."""

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import tinynet as tn

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = Path(__file__).parent / "data" / "expected_output.txt"
# the figures of the notebook's study: tinynet-study's default command writes the same
FIGURES = ["decision_boundaries.png", "gradient_flow.png", "gradient_heatmap.png", "gradients.png",
           "gradients_first_layer.png", "gradients_overlay.png", "loss.png", "units.png"]


def example(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_vanishing_gradients_example_prints_the_notebook_lines_exactly(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "vanishing_gradients.py"), "--out", str(tmp_path)],
        capture_output=True, text=True, check=True, timeout=900,
    )
    expected = EXPECTED.read_text()
    assert len(expected.splitlines()) == 102
    assert done.stdout == expected
    pngs = sorted(p.name for p in tmp_path.glob("*.png"))
    assert pngs == FIGURES
    assert all((tmp_path / name).stat().st_size > 10_000 for name in pngs)


def test_the_example_and_the_command_write_the_same_figures(tmp_path, capsys):
    # issue 23: one figure set for "the notebook, exactly", under the same names
    pytest.importorskip("matplotlib")
    example("vanishing_gradients").main(["--iterations", "40", "--out", str(tmp_path / "example")])
    assert tn.study.main(["--iterations", "40", "--jobs", "1", "--out", str(tmp_path / "command")]) == 0
    capsys.readouterr()
    written = sorted(p.name for p in (tmp_path / "example").iterdir())
    assert written == sorted(p.name for p in (tmp_path / "command").iterdir()) == FIGURES
    different = [name for name in written
                 if (tmp_path / "example" / name).read_bytes() != (tmp_path / "command" / name).read_bytes()]
    assert different == []


@pytest.mark.parametrize("name", ["vanishing_gradients", "deeper_nets", "activation_zoo", "custom_activation"])
def test_no_example_figure_cuts_off_a_label_or_title(name, tmp_path, saved_figures, sticking_out, capsys):
    example(name).main(["--iterations", "20", "--out", str(tmp_path)])
    capsys.readouterr()
    assert sorted(saved_figures) == sorted(p.name for p in tmp_path.iterdir())
    assert {name: sticking_out(fig) for name, fig in saved_figures.items()} == {name: [] for name in saved_figures}


def test_digits_example_reaches_its_held_out_accuracy_and_writes_its_figures(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "digits.py"), "--out", str(tmp_path)],
        capture_output=True, text=True, check=True, timeout=600,
    )
    # the numbers the example's docstring quotes are the ones it prints (one BLAS thread: the same everywhere)
    doc = " ".join(example("digits").__doc__.split())
    assert "test accuracy: 0.9750 (351 of 360 held-out images)" in done.stdout
    assert "held-out test accuracy is 0.975 (351 of 360 images)" in doc
    assert "stopped after epoch 77:" in done.stdout
    assert "restored epoch 67:" in done.stdout
    assert "ends it after 77 epochs and restores epoch 67" in doc
    pngs = sorted(p.name for p in tmp_path.glob("*.png"))
    assert pngs == ["digits_mistakes.png", "digits_validation_curve.png"]


def _text_blocks(rst: str) -> list[str]:
    """The contents of the ``.. code-block:: text`` blocks of a reST page, dedented."""
    blocks = []
    for part in rst.split(".. code-block:: text\n\n")[1:]:
        lines = []
        for line in part.splitlines():
            if line and not line.startswith("   "):
                break
            lines.append(line[3:])
        blocks.append(textwrap.dedent("\n".join(lines)).strip("\n"))
    return blocks


@pytest.mark.parametrize(("name", "first"), [
    ("glorot_saturation", "iteration  layer 1"),
    ("initialisation_at_start", "net                    layers"),
    pytest.param("curing_depth10", "net                  final loss", marks=pytest.mark.slow),
])
def test_the_curing_chapter_quotes_what_its_examples_print(name, first):
    # issue 18: numbers quoted in the docs are the ones the code prints (one BLAS thread: on any machine)
    done = subprocess.run([sys.executable, str(ROOT / "examples" / f"{name}.py")],
                          capture_output=True, text=True, check=True, timeout=600)
    quoted = [block for block in _text_blocks((ROOT / "docs" / "tutorial" / "curing.rst").read_text())
              if block.startswith(first)]
    assert quoted
    printed = "\n".join(line.rstrip() for line in done.stdout.splitlines())
    for block in quoted:
        assert "\n".join(line.rstrip() for line in block.splitlines()) in printed

