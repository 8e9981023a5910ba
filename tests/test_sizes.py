"""A house a new engineer can find their way in (docs/architecture.md): no function over 80 lines, no module over
600 (counted from the ``def`` line to the last line of the body; docstrings and comments count)."""

from __future__ import annotations

import ast
from pathlib import Path

TOOLKIT = Path(__file__).resolve().parent.parent / "toolkit"
MAX_FUNCTION, MAX_MODULE = 80, 600


def _too_long(root: Path) -> list[str]:
    out = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(root.parent)
        if len(text.splitlines()) > MAX_MODULE:
            out.append(f"{name}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION:
                    out.append(f"{name}:{node.lineno} {node.name}: {length} lines")
    return out


def test_no_function_over_80_lines_and_no_module_over_600():
    assert _too_long(TOOLKIT) == []


def test_the_check_finds_a_long_function(tmp_path):
    pkg = tmp_path / "toolkit"
    pkg.mkdir()
    (pkg / "long.py").write_text("def f():\n" + "    x = 1\n" * 80, encoding="utf-8")
    assert _too_long(pkg) == ["toolkit/long.py:1 f: 81 lines"]
