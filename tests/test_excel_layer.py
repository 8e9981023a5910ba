"""Every Excel writer opens its workbook through the one book helper (``toolkit/excel/book.py``: a temporary name
renamed into place, the safe options, the palette); nothing else under ``toolkit/excel`` opens a workbook itself.
The layer's imports and sizes are held by ``tests/test_layering.py`` and ``tests/test_sizes.py``."""

from __future__ import annotations

import ast
from pathlib import Path

EXCEL = Path(__file__).resolve().parent.parent / "toolkit" / "excel"


def _modules() -> list[Path]:
    return sorted(EXCEL.rglob("*.py"))


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
