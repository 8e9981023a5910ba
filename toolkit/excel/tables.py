"""What the programme's report workbooks share (success criteria, sprint review): a summary sheet of labelled lines,
and table sheets whose columns each carry a kind (text, whole number, percentage, date) and a width, printed one
page wide with the header row repeated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from toolkit.excel.book import AMBER_FILL, DAY, HEAD_FILL, INT, OK_FILL, RED_FILL, print_setup

PCT = "0.0%"
CHART_DAY = "dd mmm yy"
STATUS_FILLS = {"met": OK_FILL, "on course": OK_FILL, "missed": RED_FILL, "behind": AMBER_FILL,
                "no agreed plan": AMBER_FILL, "level 1": OK_FILL, "level 2": AMBER_FILL, "level 3": RED_FILL,
                "yes": OK_FILL, "no": RED_FILL, "confirmed": OK_FILL, "not confirmed": RED_FILL,
                "no date": AMBER_FILL}


@dataclass(frozen=True)
class Column:
    head: str
    kind: str = "text"  # text, int, pct, day, status
    width: int = 12


@dataclass(frozen=True)
class Table:
    sheet: str
    heading: str
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]


class Formats:
    def __init__(self, wb):
        add = wb.add_format
        self.title = add({"bold": True, "font_size": 14})
        self.label = add({"bold": True, "align": "right", "valign": "top"})
        self.head = add({"bold": True, "bg_color": HEAD_FILL, "border": 1, "text_wrap": True, "valign": "top"})
        self.wrap = add({"text_wrap": True, "valign": "top"})
        self.kind = {"int": add({"num_format": INT}), "pct": add({"num_format": PCT}), "day": add({"num_format": DAY}),
                     "text": None}
        self.status = {k: add({"bg_color": c, "align": "center"}) for k, c in STATUS_FILLS.items()}


def summary_sheet(wb, f: Formats, title: str, lines: tuple[tuple[str, str], ...]) -> None:
    ws = wb.add_worksheet("Summary")
    ws.set_column(0, 0, 44)
    ws.set_column(1, 1, 84)
    ws.write_string(0, 0, title, f.title)
    for r, (k, v) in enumerate(lines, start=2):
        ws.write_string(r, 0, k, f.label)
        ws.write_string(r, 1, v, f.wrap)
        ws.set_row(r, 15 * _lines(v, 84))  # a wrapped cell's row is not sized by every reader
    print_setup(ws, orientation="portrait")


def table_sheet(wb, f: Formats, table: Table, top: int = 2):
    """The table under its heading (row 0), header on row ``top``; returns the worksheet."""
    ws = wb.add_worksheet(table.sheet)
    # the heading wrapped across the table's width (text running over empty cells would widen the printed page)
    width = sum(c.width for c in table.columns)
    if len(table.columns) > 1:
        ws.merge_range(0, 0, 0, len(table.columns) - 1, table.heading, f.wrap)
    else:
        ws.write_string(0, 0, table.heading, f.wrap)
    ws.set_row(0, 15 * _lines(table.heading, width))
    ws.write_row(top, 0, [c.head for c in table.columns], f.head)
    ws.set_row(top, 15 * max(_lines(c.head, c.width) for c in table.columns))
    for r, row in enumerate(table.rows, start=top + 1):
        for c, (col, value) in enumerate(zip(table.columns, row, strict=True)):
            _cell(ws, f, r, c, col.kind, value)
    for c, col in enumerate(table.columns):
        ws.set_column(c, c, col.width)
    ws.freeze_panes(top + 1, 0)
    if table.rows:
        ws.autofilter(top, 0, top + len(table.rows), len(table.columns) - 1)
    print_setup(ws, repeat_rows=(top, top))
    return ws


def _lines(text: str, width: int) -> int:
    """Lines a wrapped text takes in a column ``width`` characters wide (words kept whole)."""
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) > width - 1:
            lines, used = lines + 1, len(word)
        else:
            used += len(word) + (1 if used else 0)
    return lines


def _cell(ws, f: Formats, r: int, c: int, kind: str, value) -> None:
    if value is None or (isinstance(value, float) and value != value):
        ws.write_blank(r, c, None)
    elif kind == "status":
        ws.write_string(r, c, str(value), f.status.get(str(value)))
    elif kind == "day" and isinstance(value, date):
        ws.write_datetime(r, c, value, f.kind["day"])
    elif kind in ("int", "pct"):
        ws.write_number(r, c, value, f.kind[kind])
    else:
        ws.write_string(r, c, str(value))


def series_chart(wb, sheet: str, kind: str, rows: int, category: int, series: list[tuple[int, str, str]],
                 title: str, y_format: str = INT, dates: bool = False, top: int = 2):
    """A chart of columns ``series`` (column, name, colour) of a table sheet against its ``category`` column."""
    chart = wb.add_chart({"type": kind})
    for col, name, colour in series:
        look = {"line": {"color": colour, "width": 1.5}} if kind == "line" else {"fill": {"color": colour}}
        chart.add_series({"name": name, "categories": [sheet, top + 1, category, top + rows, category],
                          "values": [sheet, top + 1, col, top + rows, col], **look})
    chart.set_title({"name": title, "name_font": {"size": 11}})
    chart.set_y_axis({"num_format": y_format, "min": 0, "major_gridlines": {"visible": True,
                                                                             "line": {"color": "#D9D9D9"}}})
    if dates:
        chart.set_x_axis({"date_axis": True, "num_format": CHART_DAY, "num_font": {"rotation": -45}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 760, "height": 320})
    return chart
