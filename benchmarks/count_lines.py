"""Count tinynet's code lines: what a learner reads, without docstrings, comments or blank lines.

A line counts if it holds part of a statement. Not counted: blank lines,
comment-only lines, and every statement that is only a string literal -- the
docstrings of modules, classes and functions, and the strings written right
after an assignment to document it (``RNGLike`` in ``_validation.py``).
Statements come from :mod:`ast`; comments, which ``ast`` drops, are told apart
from code with :mod:`tokenize`.

    python benchmarks/count_lines.py                  # per module and total
    python benchmarks/count_lines.py --functions 10   # also the 10 longest functions
    python benchmarks/count_lines.py path/to/pkg      # another folder of modules
"""

from __future__ import annotations

import argparse
import ast
import io
import tokenize
from pathlib import Path

NOT_CODE = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
            tokenize.ENCODING, tokenize.ENDMARKER}


def code_lines(source: str) -> tuple[set[int], ast.Module]:
    """The numbers of the lines of ``source`` that hold code, and its syntax tree."""
    tree = ast.parse(source)
    lines = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in NOT_CODE:
            lines.update(range(token.start[0], token.end[0] + 1))
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            lines.difference_update(range(node.lineno, node.end_lineno + 1))
    return lines, tree


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=Path(__file__).resolve().parents[1] / "src" / "tinynet")
    parser.add_argument("--functions", type=int, default=0, metavar="N", help="also list the N longest functions")
    args = parser.parse_args(argv)
    total, functions = 0, []
    for path in sorted(args.folder.glob("*.py")):
        lines, tree = code_lines(path.read_text(encoding="utf-8"))
        total += len(lines)
        print(f"{path.name:<20} {len(lines):6,}")
        functions += [(len(lines.intersection(range(node.lineno, node.end_lineno + 1))), f"{path.name}:{node.name}")
                      for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    print(f"{'total':<20} {total:6,}")
    for count, name in sorted(functions, reverse=True)[:args.functions]:
        print(f"  {name:<40} {count:4}")


if __name__ == "__main__":
    main()
