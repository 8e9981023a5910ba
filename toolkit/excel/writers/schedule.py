"""The MCC's consolidated schedule workbook (internal: it holds every group's plan). Draft (accepted plans) or
baseline (plans plus UCA grants): national and per-LDSO load against the limits, daily for the sprint and weekly
to M15, breaches with the groups contributing, the plans behind them, and the groups without a plan."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xlsxwriter
from xlsxwriter.utility import xl_range_abs, xl_rowcol_to_cell

from toolkit.domain.schedule import Breach, Schedule


def write_schedule_workbook(path: Path, s: Schedule, breaches: list[Breach], missing: list[str],
                            names: dict[str, str], title: str, stamp: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    wb = xlsxwriter.Workbook(str(part), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False})
    wb.set_properties({"title": title, "company": "Migration Control Centre"})
    f = {
        "title": wb.add_format({"bold": True, "font_size": 14}),
        "head": wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}),
        "int": wb.add_format({"num_format": "#,##0"}),
        "day": wb.add_format({"num_format": "ddd dd mmm yyyy"}),
        "week": wb.add_format({"num_format": "dd mmm yyyy"}),
        "red": wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"}),
        "label": wb.add_format({"bold": True, "align": "right"}),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
    }

    ws = wb.add_worksheet("Summary")
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 90)
    ws.write(0, 0, title, f["title"])
    rows = [("Generated", stamp), ("Groups with an accepted plan", f"{int(s.planned.sum())} of {len(s.groups)}"),
            ("Groups without one", ", ".join(missing) or "none"),
            ("Sprint days", f"{s.days[0]:%d %b %Y} to {s.days[-1]:%d %b %Y}" if s.days else "none"),
            ("Weeks to M15", f"{s.weeks[0]:%d %b %Y} to {s.weeks[-1]:%d %b %Y}"),
            ("Breaches (LDSO days / LDSO weeks / national days / national weeks)",
             " / ".join(str(sum(1 for b in breaches if (b.scope == "national") == nat and b.granularity == g))
                        for nat, g in ((False, "day"), (False, "week"), (True, "day"), (True, "week"))))]
    for r, (k, v) in enumerate(rows, start=2):
        ws.write(r, 0, k, f["label"])
        ws.write_string(r, 1, v, f["wrap"])
    ws.write(len(rows) + 3, 0, "Limits", f["label"])
    ws.write_string(len(rows) + 3, 1, "LDSOs with envelopes: ALMT; de minimis LDSOs: threshold minus reserved "
                                      "capacity (ULMT - LRC); national: CSMT (METHOD 8).", f["wrap"])

    _national(wb, f, "National daily", s.days, s.national_daily, s.national_limit, "Date", f["day"])
    _national(wb, f, "National weekly", s.weeks, s.national_weekly, s.national_weekly_limit, "Week commencing",
              f["week"])
    _ldso_grid(wb, f, "LDSO daily", s.days, s.ldsos, s.ldso_daily, s.daily_limit, "Date", f["day"])
    _ldso_grid(wb, f, "LDSO weekly", s.weeks, s.ldsos, s.ldso_weekly, s.weekly_limit, "Week commencing", f["week"])
    _ldso_chart(wb, f, s)

    ws = wb.add_worksheet("Breaches")
    cols = ["Scope", "Granularity", "Day or week", "Planned", "Limit", "Excess", "Groups contributing (largest "
                                                                                "first)"]
    ws.write_row(0, 0, cols, f["head"])
    for r, b in enumerate(breaches, start=1):
        ws.write_row(r, 0, [b.scope, b.granularity])
        ws.write_datetime(r, 2, b.period, f["day"])
        ws.write_number(r, 3, b.planned, f["int"])
        ws.write_number(r, 4, b.limit, f["int"])
        ws.write_number(r, 5, b.planned - b.limit, f["int"])
        ws.write_string(r, 6, "; ".join(f"{g} {v:,}" for g, v in b.contributors))
    ws.set_column(0, 5, 14)
    ws.set_column(6, 6, 100)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(breaches), 1), len(cols) - 1)

    for sheet, axis, values, label, fmt in (("Plans weekly", s.weeks, s.weekly, "week_commencing", f["week"]),
                                            ("Plans daily", s.days, s.daily, "date", f["day"])):
        ws = wb.add_worksheet(sheet)
        ws.write_row(0, 0, ["group", "name", "ldso", label, "planned"], f["head"])
        gi, li, ki = np.nonzero(values)
        for r, (g, j, k) in enumerate(zip(gi, li, ki, strict=True), start=1):
            ws.write_string(r, 0, s.groups[g])
            ws.write_string(r, 1, names.get(s.groups[g], ""))
            ws.write_string(r, 2, s.ldsos[j])
            ws.write_datetime(r, 3, axis[k], fmt)
            ws.write_number(r, 4, int(values[g, j, k]), f["int"])
        ws.set_column(0, 0, 8)
        ws.set_column(1, 1, 28)
        ws.set_column(2, 4, 14)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(gi), 1), 4)

    ws = wb.add_worksheet("Without a plan")
    ws.write_row(0, 0, ["group", "name"], f["head"])
    for r, g in enumerate(missing, start=1):
        ws.write_row(r, 0, [g, names.get(g, "")])
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 30)
    wb.close()
    part.replace(path)
    return path


def _national(wb, f, name: str, axis, planned, limit, label: str, fmt) -> None:
    ws = wb.add_worksheet(name)
    ws.write_row(0, 0, [label, "Planned", "CSMT", "Headroom"], f["head"])
    for r, d in enumerate(axis, start=1):
        ws.write_datetime(r, 0, d, fmt)
        ws.write_number(r, 1, int(planned[r - 1]), f["int"])
        ws.write_number(r, 2, float(limit[r - 1]), f["int"])
        ws.write_formula(r, 3, f"={xl_rowcol_to_cell(r, 2)}-{xl_rowcol_to_cell(r, 1)}", f["int"],
                         float(limit[r - 1]) - int(planned[r - 1]))
    last = len(axis)
    if last:
        ws.conditional_format(1, 1, last, 1, {"type": "formula", "criteria": "=$B2>$C2", "format": f["red"]})
        chart = wb.add_chart({"type": "column"})
        chart.add_series({"name": "Planned", "categories": [name, 1, 0, last, 0], "values": [name, 1, 1, last, 1],
                          "fill": {"color": "#C00000"}})
        line = wb.add_chart({"type": "line"})
        line.add_series({"name": "CSMT", "categories": [name, 1, 0, last, 0], "values": [name, 1, 2, last, 2],
                         "line": {"color": "#2F5597"}})
        chart.combine(line)
        chart.set_title({"name": f"{name}: planned against CSMT"})
        chart.set_y_axis({"num_format": "#,##0", "min": 0})
        chart.set_size({"width": 900, "height": 360})
        ws.insert_chart(1, 5, chart)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 3, 12)
    ws.freeze_panes(1, 1)


def _ldso_grid(wb, f, name: str, axis, ldsos, planned, limit, label: str, fmt) -> None:
    """Planned per LDSO (dates down, LDSOs across) with the limits beside; over-limit cells red."""
    ws = wb.add_worksheet(name)
    n = len(ldsos)
    lim0 = n + 2
    ws.write(0, 1, "Planned", f["label"])
    ws.write(0, lim0, "Limit", f["label"])
    ws.write(1, 0, label, f["head"])
    for j, x in enumerate(ldsos):
        ws.write_string(1, 1 + j, x, f["head"])
        ws.write_string(1, lim0 + j, x, f["head"])
    for r, d in enumerate(axis):
        ws.write_datetime(2 + r, 0, d, fmt)
        for j in range(n):
            ws.write_number(2 + r, 1 + j, int(planned[j, r]), f["int"])
            ws.write_number(2 + r, lim0 + j, float(np.floor(limit[j, r])), f["int"])
    if axis:
        top, bottom = 2, 1 + len(axis)
        ws.conditional_format(top, 1, bottom, n, {
            "type": "formula", "format": f["red"],
            "criteria": f"={xl_rowcol_to_cell(top, 1)}>{xl_rowcol_to_cell(top, lim0)}"})
        wb.define_name(name.replace(" ", ""), f"='{name}'!" + xl_range_abs(top, 1, bottom, n))
    ws.set_column(0, 0, 16)
    ws.set_column(1, 2 * n + 2, 9)
    ws.freeze_panes(2, 1)


def _ldso_chart(wb, f, s: Schedule) -> None:
    """One chart of an LDSO's daily load against its limit, the LDSO chosen in a drop-down (INDEX/MATCH)."""
    if not s.days or not s.ldsos:
        return
    ws = wb.add_worksheet("LDSO chart")
    ws.write(0, 0, "LDSO", f["label"])
    ws.write_string(0, 1, s.ldsos[0])
    list_col = 20
    for k, x in enumerate(s.ldsos):
        ws.write_string(1 + k, list_col, x)
    ws.data_validation(0, 1, 0, 1, {"validate": "list",
                                    "source": "=" + xl_range_abs(1, list_col, len(s.ldsos), list_col)})
    n = len(s.ldsos)
    header = "'LDSO daily'!" + xl_range_abs(1, 1, 1, n)
    planned = "'LDSO daily'!" + xl_range_abs(2, 1, 1 + len(s.days), n)
    limits = "'LDSO daily'!" + xl_range_abs(2, n + 2, 1 + len(s.days), 2 * n + 1)
    col0 = list_col + 2
    ws.write_row(2, col0, ["Date", "Planned", "Limit"], f["head"])
    for k, d in enumerate(s.days):
        r = 3 + k
        match = f"MATCH($B$1,{header},0)"
        ws.write_datetime(r, col0, d, f["day"])
        ws.write_formula(r, col0 + 1, f"=INDEX({planned},{k + 1},{match})", f["int"], int(s.ldso_daily[0, k]))
        ws.write_formula(r, col0 + 2, f"=INDEX({limits},{k + 1},{match})", f["int"],
                         float(np.floor(s.daily_limit[0, k])))
    last = 2 + len(s.days)
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"name": "Planned", "categories": ["LDSO chart", 3, col0, last, col0],
                      "values": ["LDSO chart", 3, col0 + 1, last, col0 + 1], "fill": {"color": "#C00000"}})
    line = wb.add_chart({"type": "line"})
    line.add_series({"name": "Limit", "categories": ["LDSO chart", 3, col0, last, col0],
                     "values": ["LDSO chart", 3, col0 + 2, last, col0 + 2], "line": {"color": "#2F5597"}})
    chart.combine(line)
    chart.set_title({"name": "Daily load of the chosen LDSO against its limit"})
    chart.set_y_axis({"num_format": "#,##0", "min": 0})
    chart.set_size({"width": 900, "height": 380})
    ws.insert_chart(2, 0, chart)
    ws.set_column(col0, col0, 16)
