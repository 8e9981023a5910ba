"""Data flows one way: the domain imports no adapter (Excel, inbox, mail, CLI, services), reads no files and no
clock (STYLE.md, "Our shape")."""

from __future__ import annotations

import ast
from pathlib import Path

DOMAIN = Path(__file__).resolve().parent.parent / "toolkit" / "domain"
ADAPTERS = ("toolkit.excel", "toolkit.inbox", "toolkit.mail", "toolkit.cli", "toolkit.services", "toolkit.config",
            "toolkit.templates", "toolkit.workspace", "xlsxwriter", "openpyxl", "python_calamine", "watchdog",
            "sqlite3", "jinja2")


def test_domain_imports_no_adapter_and_reads_no_clock_or_files():
    for path in DOMAIN.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                for name in names:
                    assert not name.startswith(ADAPTERS), f"{path.name} imports {name}"
            if isinstance(node, ast.Attribute) and node.attr in ("today", "now", "utcnow"):
                assert not (isinstance(node.value, ast.Name) and node.value.id in ("date", "datetime")), (
                    f"{path.name} reads the clock")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open":
                raise AssertionError(f"{path.name} opens a file")
