"""The Excel layer's shape (STYLE.md, "Our shape"): it imports only what lies below it, every writer opens its
workbook through the one book helper, and no function or module grows past a size one can read in a sitting."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

EXCEL = Path(__file__).resolve().parent.parent / "toolkit" / "excel"
ALLOWED_TOOLKIT = ("toolkit.domain", "toolkit.errors", "toolkit.excel")
ALLOWED_PACKAGES = {"numpy", "xlsxwriter", "openpyxl", "python_calamine", "defusedxml"}
MAX_FUNCTION_LINES = 80
MAX_MODULE_LINES = 600


def _modules() -> list[Path]:
    return sorted(EXCEL.rglob("*.py"))


def forbidden_imports(source: str) -> list[str]:
    """Every module ``source`` imports (at the top or inside a function) that the Excel layer may not import."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if name == "toolkit" or name.startswith("toolkit."):
                if not name.startswith(ALLOWED_TOOLKIT):
                    found.append(name)
            elif top not in ALLOWED_PACKAGES and top not in sys.stdlib_module_names and top != "__future__":
                found.append(name)
    return found


def test_the_check_finds_a_planted_import():
    planted = "import numpy\nfrom toolkit.domain import x\n\ndef f():\n    from toolkit.services import load\n" \
              "    import xlwings\n    from toolkit.xl.actions import ACTIONS\n"
    assert forbidden_imports(planted) == ["toolkit.services", "xlwings", "toolkit.xl.actions"]


def test_the_excel_layer_imports_only_the_domain_the_errors_itself_and_its_libraries():
    found = {str(p.relative_to(EXCEL)): forbidden_imports(p.read_text(encoding="utf-8")) for p in _modules()}
    assert {k: v for k, v in found.items() if v} == {}


def test_every_writer_opens_its_workbook_with_the_book_helper():
    writers = [p for p in (EXCEL / "writers").glob("*.py") if p.name != "__init__.py"]
    writers.append(EXCEL / "writers" / "template" / "__init__.py")
    for path in writers:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {(n.module, a.name) for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
        assert ("toolkit.excel.book", "book") in imported, path.name
    for path in _modules():
        if path.name == "book.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                assert not name.endswith("Workbook"), f"{path.name} opens a workbook itself (line {node.lineno})"


def test_no_function_over_80_lines_and_no_module_over_600_lines():
    long_modules, long_functions = [], []
    for path in _modules():
        source = path.read_text(encoding="utf-8")
        rel = str(path.relative_to(EXCEL))
        if len(source.splitlines()) > MAX_MODULE_LINES:
            long_modules.append(rel)
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1  # from the def line to the body's last line
                if lines > MAX_FUNCTION_LINES:
                    long_functions.append(f"{rel}:{node.name} ({lines} lines)")
    assert long_modules == []
    assert long_functions == []
