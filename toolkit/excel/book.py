"""The one way every writer opens and finishes a workbook, and what the workbooks share.

``book`` opens an XlsxWriter workbook on a temporary name beside the target and renames it into place only once
it is complete: a reader (the inbox, a supplier's mail client, Excel) never sees a half-written file under the
real name, and a failed write leaves nothing behind. Every workbook is opened with the safe options: text is
written as text, never turned into a formula, a link or a number (names and file names come from suppliers).

The palette and the number formats are defined here once, so the same header blue or input yellow means the
same thing in every workbook the MCC sends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import xlsxwriter

COMPANY = "Migration Control Centre"
SAFE_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}

# -- palette ----------------------------------------------------------------------------------------------
HEAD_FILL = "#DDEBF7"  # column headers
INPUT_FILL = "#FFF9E6"  # cells the supplier types into
CLOSED_FILL = "#D9D9D9"  # cells closed to input (no migration day open)
GRID_BORDER = "#BFBFBF"  # thin border around input, closed and level cells
RED_FILL = "#FFC7CE"  # a problem: over a limit, level 3, an error finding
RED_FONT = "#9C0006"
OK_FILL = "#C6EFCE"  # all is well: a check passed, level 1
OK_FONT = "#006100"
AMBER_FILL = "#FFEB9C"  # worth a look: level 2, a warning finding
AMBER_FONT = "#9C5700"
NEUTRAL_FILL = "#F2F2F2"  # nothing to judge (level 0), or a cell the toolkit fills in
NOTE_FONT = "#595959"  # explanatory notes
CLOSED_FONT = "#808080"  # dates that are not migration days
MUTED_FONT = "#A6A6A6"  # figures that do not apply, or are suppressed
STRONG_RED = "#C00000"  # planned migrations in charts; the 'rejected' status
STRONG_BLUE = "#2F5597"  # limits in charts
MID_GREY = "#7F7F7F"  # a reference line in charts (CSMT, the sum of ALMT)

# -- number formats ---------------------------------------------------------------------------------------
INT = "#,##0"
DAY = "ddd dd mmm yyyy"
WEEK = "dd mmm yyyy"
CHART_DAY = "dd mmm yy"  # date axes of charts

A4 = 9  # XlsxWriter's paper size index
FOOTER = "&L&A&RPage &P of &N"  # every printed page: the sheet's name, the page of the sheet's pages
PRINT_ROWS = 45  # rows a raw data sheet prints by default (its first page): the rest on request


@contextmanager
def book(path: Path, title: str, *, company: str = COMPANY, workbook_class: type[xlsxwriter.Workbook] | None = None,
         in_memory: bool = False, **properties: str) -> Iterator[xlsxwriter.Workbook]:
    """An XlsxWriter workbook that becomes ``path`` when the ``with`` block ends without an error.

    ``properties`` are further document properties (subject, author, comments). ``in_memory`` keeps XlsxWriter's
    working files in memory (for writers on the inbox's hot path)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    options = {**SAFE_OPTIONS, "in_memory": True} if in_memory else dict(SAFE_OPTIONS)
    wb = (workbook_class or xlsxwriter.Workbook)(str(part), options)
    wb.set_properties({"title": title, **properties, "company": company})
    try:
        yield wb
        wb.close()
        part.replace(path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def print_setup(ws, *, orientation: str | None = "landscape", fit: tuple[int, int] = (1, 0),
                repeat_rows: tuple[int, ...] = (), repeat_columns: int | tuple[int, int] | None = None,
                area: tuple[int, int, int, int] | None = None, paper: int | None = A4,
                header: str | None = None, footer: str | None = FOOTER) -> None:
    """A sheet's print settings: ``orientation`` "landscape", "portrait" or None (Excel's default, not set);
    ``paper`` A4 unless told; ``fit`` pages wide and tall (0: as many as needed); ``repeat_rows`` the first (and
    last) row printed on every page; ``area`` (first row, first column, last row, last column); the footer names
    the sheet and the page unless told otherwise."""
    if orientation == "landscape":
        ws.set_landscape()
    elif orientation == "portrait":
        ws.set_portrait()
    if paper is not None:
        ws.set_paper(paper)
    ws.fit_to_pages(*fit)
    if repeat_rows:
        ws.repeat_rows(*repeat_rows)
    if repeat_columns is not None:
        ws.repeat_columns(*(repeat_columns if isinstance(repeat_columns, tuple) else (repeat_columns,)))
    if area is not None:
        ws.print_area(*area)
    if header is not None:
        ws.set_header(header)
    if footer is not None:
        ws.set_footer(footer)


def print_areas(ws, areas: list[tuple[int, int, int, int]]) -> None:
    """Several print areas on one sheet, each (first row, first column, last row, last column): each prints on
    pages of its own, at the sheet's one scale, with the repeated rows and columns. Excel and LibreOffice read
    them from the sheet's ``_xlnm.Print_Area`` name, which XlsxWriter's ``print_area`` writes for one range only:
    the ranges are joined in the attribute it writes that name from."""
    ws.print_area_range = ",".join(ws._convert_name_area(*a) for a in areas)


def print_first_rows(ws, rows: int, head: int, last_col: int, *, orientation: str | None = "landscape",
                     limit: int = PRINT_ROWS) -> None:
    """Print set-up of a raw data sheet (a row per group, LDSO and day): printed, it shows its header row ``head``
    and the first ``limit`` rows only, and says so in the page header; the whole sheet prints on request
    (Page Layout > Print Area > Clear Print Area in Excel, Format > Print Ranges > Clear in LibreOffice)."""
    last = head + min(rows, limit)
    note = (f"&LFirst {limit:,} of {rows:,} rows: clear the print area to print them all"
            if rows > limit else None)
    print_setup(ws, orientation=orientation, repeat_rows=(head,), area=(0, 0, max(last, head), last_col),
                header=note)


def text_lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in cells ``width`` characters wide (words kept whole, line breaks kept; a character
    per unit of width, the unit being a digit's width: ordinary text is narrower): for row heights, which not every
    reader sizes itself."""
    usable = max(1.0, width - 1.0)
    total = 0
    for paragraph in text.split("\n"):
        lines, used = 1, 0
        for word in paragraph.split():
            if used and used + 1 + len(word) > usable:
                lines, used = lines + 1, len(word)
            else:
                used += len(word) + (1 if used else 0)
        total += lines
    return max(total, 1)


def row_height(text: str, width: float, line: float = 15.0) -> float:
    """The height of a row showing ``text`` wrapped in cells ``width`` characters wide."""
    return line * text_lines(text, width) + 3
