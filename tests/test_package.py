"""Packaging promises: what importing tinynet pulls in, and the README's commands."""

import ast
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

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


def test_the_readme_s_fifteen_lines_run_and_save_their_figure(tmp_path, monkeypatch, capsys):
    # issue 23: the snippet drew a figure and left it unsaved
    pytest.importorskip("matplotlib").use("Agg")
    import matplotlib.pyplot as plt

    readme = (ROOT / "README.md").read_text()
    code = readme.split("## Fifteen lines", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    assert len(code.splitlines()) <= 15
    assert max(len(line) for line in code.splitlines()) <= 88
    assert "iterations=50_000" in code
    snippet = tmp_path / "fifteen_lines.py"
    snippet.write_text(code.replace("iterations=50_000", "iterations=30"))
    monkeypatch.chdir(tmp_path)
    try:
        runpy.run_path(str(snippet))
    finally:
        plt.close("all")
    assert "training accuracy: " in capsys.readouterr().out
    assert (tmp_path / "gradients.png").stat().st_size > 10_000


def test_the_readme_s_digits_snippet_prints_what_the_readme_says(tmp_path, capsys):
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## A real data set, trained properly", 1)[1]
    code, after = section.split("```python\n", 1)[1].split("```", 1)
    assert max(len(line) for line in code.splitlines()) <= 88
    snippet = tmp_path / "digits_snippet.py"
    snippet.write_text("import tinynet as tn\n" + code)  # the snippet follows the fifteen lines' imports
    runpy.run_path(str(snippet))
    epochs, accuracy = capsys.readouterr().out.strip().split(" epochs, test accuracy ")
    assert f"after {epochs} epochs" in after
    assert f"test accuracy is {accuracy}." in after


def _modules() -> dict[str, ast.Module]:
    source = ROOT / "src" / "tinynet"
    return {".".join(path.relative_to(source.parent).with_suffix("").parts).removesuffix(".__init__"):
            ast.parse(path.read_text()) for path in sorted(source.rglob("*.py"))}


def _imports(name: str, tree: ast.Module, modules) -> set[str]:
    """The tinynet modules ``name`` imports, anywhere in it (inside functions too)."""
    package = name if name + ".__init__" in modules or any(m.startswith(name + ".") for m in modules) else (
        name.rpartition(".")[0])
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            target = f"{base}.{node.module}" if node.module else base
            candidates = [target] + [f"{target}.{alias.name}" for alias in node.names]
            found |= {c for c in candidates if c in modules and c != name}
    return found


def test_no_module_imports_one_that_imports_it_back():
    # #8: io and model imported each other
    modules = _modules()
    graph = {name: _imports(name, tree, modules) - {"tinynet"} for name, tree in modules.items()}

    def reaches(start: str, goal: str, seen: set) -> bool:
        return any(nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})) for nxt in graph[start])

    cycles = sorted(name for name in graph if name != "tinynet" and reaches(name, name, {name}))
    assert cycles == []


def test_no_module_reads_or_writes_another_module_s_private_names():
    # #8: the study wrote ActivationRecorder's private fields and read io._BUILTIN, the model read
    # Layer._backward_hooks, ...; what a module needs from another has a public name
    reach_ins = []
    for name, tree in _modules().items():
        for node in ast.walk(tree):
            private = isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
            if private and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
                reach_ins.append(f"{name}:{node.lineno}: .{node.attr}")
            if isinstance(node, ast.ImportFrom):
                reach_ins += [f"{name}:{node.lineno}: import {alias.name}" for alias in node.names
                              if alias.name.startswith("_") and not alias.name.startswith("__")]
    assert reach_ins == []
