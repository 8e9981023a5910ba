"""Read a returned template through its machine contract: the defined names locate the grids, calamine reads
the values (cached values only: formulas are never evaluated and never trusted), defusedxml parses the few
XML parts read directly. Structure problems raise ``TemplateReadError`` naming the file, sheet and cell.

Before calamine reads a sheet, its XML is looked at for the farthest cell it holds (``sheet_extent``): calamine
builds every sheet as a dense grid from its first to its last cell, and the reader reads from A1, so one value in
A1048576, or in column XFD, would make millions of cells out of a few kilobytes. A sheet spanning more than
``max_cells`` is refused with the cell that makes it so; the declared ``<dimension>`` is never trusted.
"""

from __future__ import annotations

import json
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import defusedxml.ElementTree as SafeET
from python_calamine import CalamineWorkbook

from toolkit.domain.findings import RuleId
from toolkit.domain.submission import Area, Grid, Submission, a1
from toolkit.errors import ToolkitError
from toolkit.excel import contract as C

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
RANGE = re.compile(r"^=?(?:'((?:[^']|'')+)'|([^!'\s]+))!\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")


class TemplateReadError(ToolkitError):
    """The file cannot be read as a template; ``sheet`` and ``cell`` say where when known."""

    def __init__(self, file: str, message: str, sheet: str = "", cell: str = "",
                 rule: RuleId = RuleId.STRUCTURE_LAYOUT):
        self.file, self.sheet, self.cell, self.rule, self.message = file, sheet, cell, rule, message
        where = ", ".join(x for x in (file, f"sheet '{sheet}'" if sheet else "", f"cell {cell}" if cell else "") if x)
        super().__init__(f"{where}: {message}")


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
        return _defined_names(SafeET.fromstring(z.read("xl/workbook.xml")))


def _defined_names(root) -> dict[str, Area | None]:
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


MAX_CELLS = 2_000_000  # a template's sheets span under 100,000 cells ([inbox] max_sheet_cells)
MAX_SHEET_PART = 64 * 2**20  # a template's largest sheet is a few MiB of XML: read no larger one into memory
# a cell or row element, with or without a namespace prefix (``<x:c r="B300000">`` is read as a cell too)
CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c(?=[\s/>])[^>]*>")
ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row(?=[\s/>])[^>]*>")
REF_ATTR = re.compile(rb'\sr\s*=\s*["\']\$?([A-Za-z]{0,3})\$?(\d*)["\']')


def sheet_extent(xml: bytes) -> tuple[int, int, str]:
    """(rows, columns) from A1 to the farthest cell of a sheet's XML, as calamine would place it (cells and rows
    without a reference follow the one before, so each counts as one more row or column at most), and the cell that
    reaches farthest (the largest area from A1)."""
    rows, cols, unplaced_rows, unplaced_cols, far, far_area = 0, 0, 0, 0, "", 0
    for tag in ROW_TAG.findall(xml):
        m = REF_ATTR.search(tag)
        if m and m.group(2):
            rows = max(rows, int(m.group(2)))
        else:
            unplaced_rows += 1
    for tag in CELL_TAG.findall(xml):
        m = REF_ATTR.search(tag)
        if m and m.group(1) and m.group(2):
            col, row = _col_index(m.group(1).upper().decode()) + 1, int(m.group(2))
            cols, rows = max(cols, col), max(rows, row)
            if col * row > far_area:
                far, far_area = a1(row - 1, col - 1), col * row
        else:
            unplaced_cols += 1
    return rows + unplaced_rows, cols + unplaced_cols, far or a1(max(rows - 1, 0), max(cols - 1, 0))


def check_extent(z: zipfile.ZipFile, part: str, sheet: str, file: str, max_cells: int) -> bytes:
    """The XML of one sheet, once it is known to span at most ``max_cells`` (else ``TemplateReadError`` naming the
    farthest cell)."""
    size = z.getinfo(part).file_size
    if size > MAX_SHEET_PART:
        raise TemplateReadError(file, f"the sheet's XML is {size / 2**20:,.0f} MiB; a template's is a few MiB at most",
                                sheet=sheet, rule=RuleId.IDENTITY_TEMPLATE)
    xml = z.read(part)
    rows, cols, far = sheet_extent(xml)
    if rows * cols > max_cells:
        raise TemplateReadError(file, f"the sheet holds a cell as far as {far}: with it the sheet spans {rows:,} rows "
                                f"by {cols:,} columns from A1, far more than a template has (limit {max_cells:,} "
                                "cells). Delete what is beyond the plan and send it again", sheet=sheet, cell=far,
                                rule=RuleId.IDENTITY_TEMPLATE)
    return xml


REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
CELL_REF = re.compile(r'<c r="([A-Z]{1,3})(\d+)"')


def sheet_parts(z: zipfile.ZipFile, wb=None) -> dict[str, str]:
    """Sheet name -> part name inside the zip (``wb``: the parsed ``xl/workbook.xml``, when it is at hand)."""
    wb = wb if wb is not None else SafeET.fromstring(z.read("xl/workbook.xml"))
    rels = SafeET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target") for r in rels.iter(PKG_REL)}
    out = {}
    for s in wb.iterfind("m:sheets/m:sheet", NS):
        t = target.get(s.get(f"{{{REL_NS}}}id"), "")
        out[s.get("name")] = t.lstrip("/") if t.startswith("/") else f"xl/{t}"
    return out


def formulas_without_value(xml: str, area: Area) -> set[tuple[int, int]]:
    """Cells of ``area`` holding a formula with no saved value (calamine would read them as blank), found from
    the sheet's XML by looking only at its formulas."""
    out: set[tuple[int, int]] = set()
    lo, hi = xml.find("<sheetData"), xml.find("</sheetData>")
    if lo == -1 or hi == -1:
        return out
    xml = xml[lo:hi]  # conditional formats and validations hold <formula> elements too
    pos = xml.find("<f")
    while pos != -1:
        start = xml.rfind("<c ", 0, pos)
        end = xml.find("</c>", pos)
        m = CELL_REF.match(xml, start) if start != -1 else None
        if m and end != -1:
            r, c = int(m.group(2)) - 1, _col_index(m.group(1))
            body = xml[start:end]
            no_value = ("<v>" not in body and "<v " not in body) or "<v></v>" in body or "<v/>" in body
            if area.top <= r <= area.bottom and area.left <= c <= area.right and no_value:
                out.add((r - area.top, c - area.left))
        pos = xml.find("<f", pos + 2)
    return out


def read_template(path: Path, display_name: str | None = None, max_cells: int = MAX_CELLS) -> Submission:
    """Read metadata and every grid the contract names. Raises TemplateReadError on structural problems, and on a
    sheet to read that spans more than ``max_cells`` from A1."""
    path = Path(path)
    name = display_name or path.name
    try:
        with zipfile.ZipFile(path) as z:  # the package is opened once: names, parts, then the sheets needed
            workbook_xml = SafeET.fromstring(z.read("xl/workbook.xml"))
            names = _defined_names(workbook_xml)
            parts = sheet_parts(z, workbook_xml)
            wanted = {a.sheet for n, a in names.items() if n in C.GRID_NAMES and a is not None}
            members = set(z.namelist())
            xml_cache = {}
            for sheet in sorted((wanted | {C.SHEET_META}) & set(parts)):  # every sheet calamine will be asked for
                if parts[sheet] not in members:
                    raise TemplateReadError(name, "the workbook lists this sheet but holds no part for it", sheet=sheet,
                                            rule=RuleId.IDENTITY_TEMPLATE)
                xml_cache[sheet] = check_extent(z, parts[sheet], sheet, name, max_cells).decode("utf-8", "replace")
        book = CalamineWorkbook.from_path(str(path))
    except TemplateReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure means "not a readable workbook"
        raise TemplateReadError(name, f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})",
                                rule=RuleId.IDENTITY_TEMPLATE) from exc
    sheets = list(book.sheet_names)
    cache: dict[str, list[list[object]]] = {}

    def xml_of(sheet: str) -> str:
        return xml_cache.get(sheet, "")

    def rows_of(sheet: str) -> list[list[object]]:
        if sheet not in cache:
            cache[sheet] = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        return cache[sheet]

    meta: dict[str, str] = {}
    if C.SHEET_META in sheets:
        for row in rows_of(C.SHEET_META)[1:]:
            if len(row) >= 2 and row[0] != "":
                meta[str(row[0])] = "" if row[1] is None else str(row[1])
    out = Submission(file=name, meta=meta, sheet_names=sheets, names=names)
    out.locked_digest = _locked_digest(meta.get("locked", ""), xml_cache, rows_of, max_cells)
    for grid_name in C.GRID_NAMES:
        if grid_name not in names:
            continue
        area = names[grid_name]
        if area is None or area.sheet not in sheets:
            continue  # the layout rules report it: a deleted range, or a renamed or deleted sheet
        rows = rows_of(area.sheet)

        def at(r: int, c: int, rows=rows) -> object:
            return _value(rows[r][c]) if 0 <= r < len(rows) and 0 <= c < len(rows[r]) else None

        width = area.right - area.left + 1
        pad = [None] * width
        values = [([_value(v) for v in rows[r][area.left:area.right + 1]] + pad)[:width] if 0 <= r < len(rows)
                  else list(pad) for r in range(area.top, area.bottom + 1)]
        keys = ["" if at(area.top - 1, area.left + c) is None else str(at(area.top - 1, area.left + c)).strip()
                for c in range(width)] if area.top > 0 else []
        roles = (["" if at(area.top - 2, area.left + c) is None else str(at(area.top - 2, area.left + c)).strip()
                  for c in range(width)] if grid_name == C.AGENT_FORECAST and area.top > 1 else [])
        dates = [at(r, area.left - 1) for r in range(area.top, area.bottom + 1)] if area.left > 0 else []
        out.grids[grid_name] = Grid(grid_name, area, keys, roles, dates, values,
                                    formulas_without_value(xml_of(area.sheet), area))
    return out


MAX_LOCKED_RANGES = 64  # a template names a dozen


def _locked_digest(text: str, xml_cache: dict[str, str], rows_of, max_cells: int) -> str | None:
    """The digest of the values at the locked ranges the metadata names (issue 17), on sheets whose extent was
    checked; None when there are none, or a range is no plain range or is on another sheet."""
    try:
        refs = json.loads(text) if text else []
    except ValueError:
        return None
    if not isinstance(refs, list) or not refs or len(refs) > MAX_LOCKED_RANGES:
        return None
    blocks, cells = [], 0
    for ref in refs:
        area = parse_area(ref) if isinstance(ref, str) else None
        if area is None or area.sheet not in xml_cache:
            return None
        cells += area.rows * area.cols
        if cells > max_cells:
            return None
        rows = rows_of(area.sheet)
        blocks.append([[_value(rows[r][c]) if r < len(rows) and c < len(rows[r]) else None
                        for c in range(area.left, area.right + 1)] for r in range(area.top, area.bottom + 1)])
    return C.content_digest(blocks)


def read_table(path: Path, sheet: str, max_cells: int = MAX_CELLS) -> tuple[str, list[list]]:
    """The cell values of one sheet (``sheet`` if the workbook has it, else the first) from A1: (sheet name, rows);
    a sheet spanning more than ``max_cells`` is refused (``TemplateReadError``) before it is read."""
    path = Path(path)
    book = CalamineWorkbook.from_path(str(path))
    chosen = sheet if sheet in book.sheet_names else book.sheet_names[0]
    with zipfile.ZipFile(path) as z:
        part = sheet_parts(z).get(chosen)
        if part is None or part not in set(z.namelist()):
            raise TemplateReadError(path.name, "the workbook lists this sheet but holds no part for it", sheet=chosen,
                                    rule=RuleId.IDENTITY_TEMPLATE)
        check_extent(z, part, chosen, path.name, max_cells)
    return chosen, book.get_sheet_by_name(chosen).to_python(skip_empty_area=False)


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
                                        cell=grid.cell(r, c), rule=RuleId.VALUE_INTEGER)
        out.append(line)
    return out


def is_date(v: object) -> bool:
    return isinstance(v, date) and not isinstance(v, datetime)
