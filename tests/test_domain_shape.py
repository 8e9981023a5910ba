"""The domain's shape: no function over 80 lines (from its ``def`` to the end of its body), no module over 600
lines, and the rule package pure: it imports only the domain, the standard library, numpy, pydantic and holidays,
and reads no clock and no file (``tests/test_layering.py`` looks at the modules directly under ``toolkit/domain``
only)."""

from __future__ import annotations

import ast
import sys

from tests.conftest import REPO

DOMAIN = REPO / "toolkit" / "domain"
ALLOWED = {"toolkit", "numpy", "pydantic", "holidays", *sys.stdlib_module_names}


def test_no_function_over_80_lines_and_no_module_over_600():
    too_long = []
    for path in sorted(DOMAIN.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(DOMAIN))
        if len(text.splitlines()) > 600:
            too_long.append((name, "", len(text.splitlines())))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno - node.lineno + 1 > 80:
                too_long.append((name, node.name, node.end_lineno - node.lineno + 1))
    assert too_long == []


def test_the_rule_package_is_pure():
    imports, impure = [], []
    for path in sorted((DOMAIN / "rules").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imports += [(path.name, a.name) for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                imports.append((path.name, node.module or ""))
            elif isinstance(node, ast.Attribute) and node.attr in ("today", "now", "utcnow"):
                impure.append((path.name, node.attr))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open":
                impure.append((path.name, "open"))
    assert impure == []
    assert [(f, m) for f, m in imports if m.split(".")[0] not in ALLOWED
            or (m.startswith("toolkit") and not m.startswith("toolkit.domain"))] == []
    assert ("plan.py", "toolkit.domain.rules.registry") in imports  # the walk saw the package
