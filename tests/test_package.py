"""Packaging promises: what importing tinynet pulls in, and the README's commands."""

import subprocess
import sys
from pathlib import Path

import tinynet as tn

ROOT = Path(__file__).resolve().parents[1]


def test_import_does_not_pull_in_optional_dependencies():
    code = "import sys, tinynet; print(sorted(m for m in ('hypothesis', 'matplotlib', 'tqdm') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_testing_module_is_reachable_as_an_attribute():
    assert tn.testing.assert_backward_correct.__module__ == "tinynet.testing"


def test_public_names_exist():
    missing = [name for name in tn.__all__ if not hasattr(tn, name)]
    assert missing == []


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    marker = readme.index("<!-- test-command -->")
    command = readme[marker:].split("```bash\n", 1)[1].split("\n", 1)[0]
    assert "pytest" in command
    assert "README.md" in (ROOT / ".ci" / "run").read_text()
