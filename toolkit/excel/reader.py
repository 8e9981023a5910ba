"""Read a returned template through its machine contract: the defined names locate the grids, calamine reads
the values (cached values only: formulas are never evaluated and never trusted), defusedxml parses the few
XML parts read directly. Structure problems raise ``TemplateReadError`` naming the file, sheet and cell.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import defusedxml.ElementTree as SafeET
from python_calamine import CalamineWorkbook
from xlsxwriter.utility import xl_rowcol_to_cell

from toolkit.errors import ToolkitError
from toolkit.excel import contract as C

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
RANGE = re.compile(r"^=?(?:'((?:[^']|'')+)'|([^!'\s]+))!\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")


class TemplateReadError(ToolkitError):
    """The file cannot be read as a template; ``sheet`` and ``cell`` say where when known."""

    def __init__(self, file: str, message: str, sheet: str = "", cell: str = "", rule: str = "structure.layout"):
        self.file, self.sheet, self.cell, self.rule, self.message = file, sheet, cell, rule, message
        where = ", ".join(x for x in (file, f"sheet '{sheet}'" if sheet else "", f"cell {cell}" if cell else "") if x)
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Area:
    sheet: str
    top: int  # 0-based
    left: int
    bottom: int
    right: int

    @property
    def ref(self) -> str:
        return f"{xl_rowcol_to_cell(self.top, self.left)}:{xl_rowcol_to_cell(self.bottom, self.right)}"

    @property
    def qualified(self) -> str:
        from xlsxwriter.utility import xl_range_abs
        return f"'{self.sheet}'!" + xl_range_abs(self.top, self.left, self.bottom, self.right)


@dataclass
class Grid:
    """One input grid: raw cell values (float, str, date, bool or None for blank) with its row and column keys."""

    name: str
    area: Area
    keys: list[str]  # the row directly above the grid (LDSO or agent MPIDs)
    roles: list[str]  # agents: the row above the keys; else empty
    dates: list[object]  # the column directly left (date, or whatever was found there)
    values: list[list[object]]

    def cell(self, r: int, c: int) -> str:
        return xl_rowcol_to_cell(self.area.top + r, self.area.left + c)


@dataclass
class TemplateFile:
    path: Path
    meta: dict[str, str]
    sheet_names: list[str]
    names: dict[str, Area]
    grids: dict[str, Grid] = field(default_factory=dict)


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def parse_area(text: str) -> Area | None:
    m = RANGE.match(text.strip())
    if not m:
        return None
    sheet = (m.group(1) or "").replace("''", "'") or m.group(2)
    top, left = int(m.group(4)) - 1, _col_index(m.group(3))
    bottom = int(m.group(6)) - 1 if m.group(6) else top
    right = _col_index(m.group(5)) if m.group(5) else left
    return Area(sheet, top, left, bottom, right)


def defined_names(path: Path) -> dict[str, Area | None]:
    """Workbook-level defined names -> area (None when a name is not a plain range, e.g. ``#REF!``)."""
    with zipfile.ZipFile(path) as z:
        root = SafeET.fromstring(z.read("xl/workbook.xml"))
    out: dict[str, Area | None] = {}
    for node in root.iterfind("m:definedNames/m:definedName", NS):
        if node.get("localSheetId") is not None or (node.get("name") or "").startswith("_xlnm."):
            continue
        out[node.get("name") or ""] = parse_area(node.text or "")
    return out


def _value(v: object) -> object:
    if v == "":
        return None
    if isinstance(v, datetime):
        return v.date() if v.time() == datetime.min.time() else v
    return v


def read_template(path: Path, display_name: str | None = None) -> TemplateFile:
    """Read metadata and every grid the contract names. Raises TemplateReadError on structural problems."""
    path = Path(path)
    name = display_name or path.name
    try:
        names = defined_names(path)
        book = CalamineWorkbook.from_path(str(path))
    except TemplateReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure means "not a readable workbook"
        raise TemplateReadError(name, f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})",
                                rule="identity.template") from exc
    sheets = list(book.sheet_names)
    cache: dict[str, list[list[object]]] = {}

    def rows_of(sheet: str) -> list[list[object]]:
        if sheet not in cache:
            cache[sheet] = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        return cache[sheet]

    meta: dict[str, str] = {}
    if C.SHEET_META in sheets:
        for row in rows_of(C.SHEET_META)[1:]:
            if len(row) >= 2 and row[0] != "":
                meta[str(row[0])] = "" if row[1] is None else str(row[1])
    out = TemplateFile(path=path, meta=meta, sheet_names=sheets,
                       names={k: v for k, v in names.items() if v is not None})
    for grid_name in C.GRID_NAMES:
        if grid_name not in names:
            continue
        area = names[grid_name]
        if area is None:
            raise TemplateReadError(name, f"the defined name {grid_name} no longer points at a range (a sheet, row "
                                          "or column it used was deleted)")
        if area.sheet not in sheets:
            raise TemplateReadError(name, f"sheet '{area.sheet}' of {grid_name} is missing (renamed or deleted)",
                                    sheet=area.sheet)
        rows = rows_of(area.sheet)

        def at(r: int, c: int, rows=rows) -> object:
            return _value(rows[r][c]) if 0 <= r < len(rows) and 0 <= c < len(rows[r]) else None

        width = area.right - area.left + 1
        values = [[at(r, area.left + c) for c in range(width)] for r in range(area.top, area.bottom + 1)]
        keys = ["" if at(area.top - 1, area.left + c) is None else str(at(area.top - 1, area.left + c)).strip()
                for c in range(width)] if area.top > 0 else []
        roles = (["" if at(area.top - 2, area.left + c) is None else str(at(area.top - 2, area.left + c)).strip()
                  for c in range(width)] if grid_name == C.AGENT_FORECAST and area.top > 1 else [])
        dates = [at(r, area.left - 1) for r in range(area.top, area.bottom + 1)] if area.left > 0 else []
        out.grids[grid_name] = Grid(grid_name, area, keys, roles, dates, values)
    return out


def to_int_grid(grid: Grid) -> list[list[int]]:
    """Whole numbers of a grid, blanks as 0; raises TemplateReadError at the first other value (for tools that
    need a clean plan; the inbox reports every bad cell as a finding instead)."""
    out = []
    for r, row in enumerate(grid.values):
        line = []
        for c, v in enumerate(row):
            if v is None:
                line.append(0)
            elif isinstance(v, int | float) and not isinstance(v, bool) and float(v).is_integer() and v >= 0:
                line.append(int(v))
            else:
                raise TemplateReadError("", f"{v!r} is not a whole number of 0 or more", sheet=grid.area.sheet,
                                        cell=grid.cell(r, c), rule="value.integer")
        out.append(line)
    return out


def is_date(v: object) -> bool:
    return isinstance(v, date) and not isinstance(v, datetime)
