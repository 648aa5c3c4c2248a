"""The flagship example reproduces the notebook's printed output exactly."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = Path(__file__).parent / "data" / "expected_output.txt"


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
    assert pngs == ["boundary_relu.png", "boundary_sigmoid.png", "gradients_overlay.png",
                    "gradients_relu.png", "gradients_sigmoid.png", "loss.png"]
    assert all((tmp_path / name).stat().st_size > 10_000 for name in pngs)


def test_digits_example_reaches_its_held_out_accuracy_and_writes_its_figures(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "digits.py"), "--out", str(tmp_path)],
        capture_output=True, text=True, check=True, timeout=600,
    )
    line = next(line for line in done.stdout.splitlines() if line.startswith("test accuracy: "))
    assert float(line.split()[2]) >= 0.95
    assert "restored epoch" in done.stdout
    pngs = sorted(p.name for p in tmp_path.glob("*.png"))
    assert pngs == ["digits_mistakes.png", "digits_validation_curve.png"]
