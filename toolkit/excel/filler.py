"""Fill a template's input cells in code, as a supplier would in Excel: the rest of the file (formats, formulas,
validation, protection, charts, metadata) is kept byte for byte. Used by the tests and by the demo's simulated
supplier returns. Cells are patched in the sheet XML; values are numbers, text (inline strings), dates or
None (blank).
"""

from __future__ import annotations

import re
import zipfile
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
from xlsxwriter.utility import xl_rowcol_to_cell

from toolkit.excel import contract as C
from toolkit.excel.reader import defined_names, sheet_parts

ROW = re.compile(r'<row r="(\d+)"([^>]*?)(?:/>|>(.*?)</row>)', re.S)
CELL = re.compile(r'<c r="([A-Z]+)(\d+)"([^>]*?)(?:/>|>.*?</c>)', re.S)


TYPE = re.compile(r'\s+t="[^"]*"')


def _cell_xml(col: str, row: int, attrs: str, value: object) -> str:
    attrs = TYPE.sub("", attrs) if 't="' in attrs else attrs
    ref = f"{col}{row}"
    if value is None:
        return f'<c r="{ref}"{attrs}/>'
    if isinstance(value, date):
        value = (value - date(1899, 12, 30)).days
    if isinstance(value, bool):
        return f'<c r="{ref}"{attrs} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | np.integer | np.floating):
        return f'<c r="{ref}"{attrs}><v>{value}</v></c>'
    return f'<c r="{ref}"{attrs} t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def _col_key(col: str) -> tuple[int, str]:
    return len(col), col


def _patch_sheet(xml: str, edits: dict[tuple[int, str], object]) -> str:
    by_row: dict[int, dict[str, object]] = defaultdict(dict)
    for (row, col), value in edits.items():
        by_row[row][col] = value

    def patch_row(m: re.Match) -> str:
        row, attrs, body = int(m.group(1)), m.group(2), m.group(3) or ""
        if row not in by_row:
            return m.group(0)
        wanted = dict(by_row.pop(row))
        cells = []
        for c in CELL.finditer(body):
            col = c.group(1)
            cells.append((col, _cell_xml(col, row, c.group(3), wanted.pop(col)) if col in wanted else c.group(0)))
        if wanted:  # cells the row did not have: in column order among the others
            cells += [(col, _cell_xml(col, row, "", value)) for col, value in wanted.items()]
            cells.sort(key=lambda x: _col_key(x[0]))
        return f'<row r="{row}"{attrs}>' + "".join(x for _, x in cells) + "</row>"

    xml = ROW.sub(patch_row, xml)
    if by_row:
        missing = ", ".join(f"{c}{r}" for r, cols in by_row.items() for c in cols)
        raise ValueError(f"rows of cells {missing} are not in the sheet")
    return xml


MODIFIED = re.compile(r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def fill_cells(src: Path, dst: Path, edits: dict[tuple[str, str], object], saved: datetime | None = None) -> Path:
    """Copy ``src`` to ``dst`` with ``edits`` {(sheet name, "B9"): value} applied; ``saved``: the time the file
    says it was last saved (as Excel records on every save; by default the one ``src`` says)."""
    per_sheet: dict[str, dict[tuple[int, str], object]] = defaultdict(dict)
    for (sheet, ref), value in edits.items():
        m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
        if not m:
            raise ValueError(f"{ref!r} is not a cell reference")
        per_sheet[sheet][(int(m.group(2)), m.group(1))] = value
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + ".part")
    with zipfile.ZipFile(src) as zin:
        parts = sheet_parts(zin)
        unknown = set(per_sheet) - set(parts)
        if unknown:
            raise ValueError(f"no sheet {', '.join(sorted(unknown))} in {src.name}")
        targets = {parts[s]: s for s in per_sheet}
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = zin.read(info.filename)
                if info.filename in targets:
                    data = _patch_sheet(data.decode("utf-8"), per_sheet[targets[info.filename]]).encode("utf-8")
                elif saved is not None and info.filename == "docProps/core.xml":
                    stamp = saved.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                    data = MODIFIED.sub(rf"\g<1>{stamp}\g<2>", data.decode("utf-8")).encode("utf-8")
                zout.writestr(info, data)
    tmp.replace(dst)
    return dst


def fill_plan(src: Path, dst: Path, weekly=None, daily=None, agents=None, fast_feedback=None,
              agent_headers: dict[int, tuple[str, str]] | None = None, uca=None, saved: datetime | None = None) -> Path:
    """Fill the named grids: ``weekly``/``daily``/``agents`` are 2-D arrays shaped like their grid (0 makes the cell
    blank, clearing a figure the template carried over; None leaves the cell as it is; other values are written as
    given), ``fast_feedback`` a list of rows of four values, and ``agent_headers`` {spare column index: (MPID,
    role)} names extra providers; ``saved`` as for ``fill_cells``."""
    names = defined_names(src)
    edits: dict[tuple[str, str], object] = {}

    def put(name: str, grid) -> None:
        area = names.get(name)
        if area is None:
            raise ValueError(f"{src.name} has no {name} grid")
        grid = np.asarray(grid, dtype=object)
        rows, cols = area.bottom - area.top + 1, area.right - area.left + 1
        if grid.shape[0] > rows or (grid.ndim == 2 and grid.shape[1] > cols):
            raise ValueError(f"{name} is {rows} x {cols}; the values given are {grid.shape}")
        for r in range(grid.shape[0]):
            for c in range(grid.shape[1]):
                v = grid[r, c]
                if v is None:
                    continue
                if isinstance(v, int | float | np.integer) and not isinstance(v, bool) and v == 0:
                    edits[(area.sheet, xl_rowcol_to_cell(area.top + r, area.left + c))] = None
                    continue
                edits[(area.sheet, xl_rowcol_to_cell(area.top + r, area.left + c))] = (
                    int(v) if isinstance(v, np.integer) else v)

    if weekly is not None:
        put(C.PLAN_WEEKLY, weekly)
    if daily is not None:
        put(C.PLAN_DAILY, daily)
    if agents is not None:
        put(C.AGENT_FORECAST, agents)
    if fast_feedback:
        put(C.FAST_FEEDBACK, np.array(fast_feedback, dtype=object))
    if uca is not None:
        put(C.UCA_REQUEST, uca)
    if agent_headers:
        area = names[C.AGENT_FORECAST]
        for c, (mpid, role) in agent_headers.items():
            edits[(area.sheet, xl_rowcol_to_cell(area.top - 1, area.left + c))] = mpid
            edits[(area.sheet, xl_rowcol_to_cell(area.top - 2, area.left + c))] = role
    return fill_cells(src, dst, edits, saved)
