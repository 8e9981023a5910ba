"""The chart sheet (Foundations appendix 9.1, figures 4 and 5): an LDSO chosen from a list, and charts of its limit
and the group's plan, read from the plan grids with INDEX/MATCH so they follow the choice and the typing."""

from __future__ import annotations

from datetime import date

import numpy as np
from xlsxwriter.utility import xl_range_abs, xl_rowcol_to_cell

from toolkit.domain.template import TemplateContent
from toolkit.excel.book import CHART_DAY, STRONG_BLUE, STRONG_RED, print_setup
from toolkit.excel.writers.template.formats import Formats
from toolkit.excel.writers.template.plan import Grid

LIST_COL = 30  # chart sheet: the LDSO list and the chart data start here, out of the charts' way
TOP = 5  # first row of the chart data (0-based)
SELECTED = "$B$3"  # the chosen LDSO
LIMIT_AREA = "#9DC3E6"  # the weekly limit, drawn as an area behind the planned columns


def chart_sheet(wb, ws, f: Formats, content: TemplateContent, wk: Grid, dy: Grid | None) -> None:
    ws.write(0, 0, "Envelope against plan (Foundations appendix 9.1, figures 4 and 5)", f.title)
    ws.write(2, 0, "LDSO", f.label)
    mpids = content.ldso_mpids
    first = mpids[0] if mpids else ""
    ws.write_string(2, 1, first, f.input_text)
    if mpids:
        ws.data_validation(2, 1, 2, 1, {"validate": "list",
                                        "source": "=" + xl_range_abs(1, LIST_COL, len(mpids), LIST_COL),
                                        "input_title": "Choose an LDSO", "input_message": "The charts follow it."})
        ws.write(0, LIST_COL, "Your LDSOs", f.head)
        for k, m in enumerate(mpids):
            ws.write_string(1 + k, LIST_COL, m)
    ws.merge_range(2, 2, 2, 13, "Choose one of your LDSOs: the charts show its limit (blue) and your plan (red).",
                   f.note)
    if mpids:
        r0, r1 = _table(ws, f, wk, content.weeks, content.week_open_days > 0, content.weekly_limit, LIST_COL + 2,
                        "Week commencing", f.week, content.prefilled())
        _combo_chart(wb, ws, "Weekly limit and plan", LIST_COL + 2, r0, r1, area=True, anchor=(4, 0))
        if dy is not None and content.days:
            d0, d1 = _table(ws, f, dy, content.days, content.day_open, content.daily_limit, LIST_COL + 6, "Date",
                            f.day)
            _combo_chart(wb, ws, "Daily limit and sprint plan", LIST_COL + 6, d0, d1, area=False, anchor=(26, 0))
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 10)
    ws.set_column(LIST_COL, LIST_COL + 9, 15)
    print_setup(ws, fit=(1, 1), area=(0, 0, 46, 14))
    ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True, "format_columns": True})


def _table(ws, f: Formats, grid: Grid, dates: list[date], opens: np.ndarray, limits: np.ndarray, col0: int,
           label: str, fmt, planned: np.ndarray | None = None) -> tuple[int, int]:
    """The chart data: per date, the chosen LDSO's plan and limit; returns the first and last row."""
    ws.write_row(TOP - 1, col0, [label, "Planned", "Limit"], f.head)
    for k, d in enumerate(dates):
        r = TOP + k
        ws.write_datetime(r, col0, d, fmt)
        plan_rng = f"'{grid.sheet}'!" + xl_range_abs(grid.top, grid.first_col, grid.bottom,
                                                      grid.first_col + grid.n_cols - 1)
        lim_rng = grid.limits_ref()
        match = f"MATCH({SELECTED},{grid.header_ref()},0)"
        first_plan = int(planned[k, 0]) if planned is not None and planned.shape[1] else 0
        ws.write_formula(r, col0 + 1, f"=IFERROR(N(INDEX({plan_rng},{k + 1},{match})),0)", f.int, first_plan)
        first_limit = int(limits[k, 0]) if limits.shape[1] else 0
        # no limit on a closed week (day): #N/A, a gap in the chart rather than a drop to 0 (out of print)
        opened = f"'{grid.sheet}'!{xl_rowcol_to_cell(grid.top + k, grid.open_col, col_abs=True)}"
        closed = not opens[k]
        ws.write_formula(r, col0 + 2, f"=IF({opened}=0,NA(),IFERROR(N(INDEX({lim_rng},{k + 1},{match})),0))",
                         f.int, "#N/A" if closed else max(first_limit, 0))
    return TOP, TOP + len(dates) - 1


def _combo_chart(wb, ws, title: str, col0: int, r0: int, r1: int, area: bool, anchor: tuple[int, int]) -> None:
    name = ws.name
    plan = wb.add_chart({"type": "column"})
    plan.add_series({"name": "Planned", "categories": [name, r0, col0, r1, col0],
                     "values": [name, r0, col0 + 1, r1, col0 + 1], "fill": {"color": STRONG_RED}, "gap": 40})
    limit = wb.add_chart({"type": "area" if area else "line"})
    style = {"fill": {"color": LIMIT_AREA}, "border": {"none": True}} if area else \
        {"line": {"color": STRONG_BLUE, "width": 1.75}}
    limit.add_series({"name": "Limit", "categories": [name, r0, col0, r1, col0],
                      "values": [name, r0, col0 + 2, r1, col0 + 2], **style})
    limit.combine(plan)
    limit.set_title({"name": title})
    # a text axis: one slot per week (day), so weekly columns are as wide as a week, not hairlines on a day scale
    limit.set_x_axis({"num_format": CHART_DAY, "text_axis": True, "num_font": {"rotation": -45}})
    limit.set_y_axis({"num_format": "#,##0", "min": 0})
    limit.set_legend({"position": "bottom"})
    limit.show_blanks_as("gap")
    limit.set_size({"width": 900, "height": 360})
    ws.insert_chart(anchor[0], anchor[1], limit)
