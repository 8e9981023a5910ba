"""The MCC's daily monitoring workbook (internal: it holds every group's figures): the heat map of groups x LDSOs
by level, trends against plan and CSMT, the level-3 escalations, every deviation, activation offsets, secondary MPAN
spikes, progress toward CMWCP, notified shortfalls and lost migration days (issue 8; METHOD 9)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xlsxwriter

from toolkit.domain.monitoring import EXCESS, SHORTFALL, deviation
from toolkit.domain.parameters import Parameters

LEVEL_COLOURS = {0: "#F2F2F2", 1: "#C6EFCE", 2: "#FFEB9C", 3: "#FFC7CE"}
LEVEL_WORDS = {0: "", 1: "level 1", 2: "level 2", 3: "level 3"}


def write_monitoring_workbook(path: Path, report, names: dict[str, str], parameters: Parameters, stamp: str) -> Path:
    mon = report.monitoring
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    wb = xlsxwriter.Workbook(str(part), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False})
    title = f"Sprint execution monitoring, sprint {report.sprint.sprint} ({report.sprint.cycle}), as of " \
            f"{report.as_of:%a %d %b %Y}"
    wb.set_properties({"title": title, "company": "Migration Control Centre"})
    add = wb.add_format
    f = {"title": add({"bold": True, "font_size": 14}), "label": add({"bold": True, "align": "right"}),
         "head": add({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}),
         "int": add({"num_format": "#,##0"}), "pct": add({"num_format": "+0.0%;-0.0%;0.0%"}),
         "day": add({"num_format": "ddd dd mmm yyyy"}), "wrap": add({"text_wrap": True, "valign": "top"})}
    level_fmt = {k: add({"bg_color": c, "border": 1, "border_color": "#BFBFBF", "num_format": "+0%;-0%;0%",
                         "align": "center"}) for k, c in LEVEL_COLOURS.items()}
    level_text = {k: add({"bg_color": c, "border": 1, "border_color": "#BFBFBF", "align": "center"})
                  for k, c in LEVEL_COLOURS.items()}
    last = len(mon.days) - 1

    # -- summary --------------------------------------------------------------------------------------------
    ws = wb.add_worksheet("Summary")
    ws.set_column(0, 0, 46)
    ws.set_column(1, 1, 70)
    ws.write(0, 0, title, f["title"])
    tol = parameters.tolerance
    daily_today = mon.daily_level[:, :, last] if last >= 0 else np.zeros((0, 0))
    cum_today = mon.cumulative_level[:, :, last] if last >= 0 else np.zeros((0, 0))
    rows = [
        ("Generated", stamp),
        ("Days monitored", f"{mon.days[0]:%d %b %Y} to {mon.days[-1]:%d %b %Y} ({len(mon.days)} days)"),
        ("Plan", "the schedule as it stands: accepted plans, unused capacity grants, notified shortfalls taken off"),
        ("Actual", "migrations by initiation day: IF-036 completions (secondary MPANs included) where reported, "
                   "otherwise IF-031 initiations (provisional)"),
        ("Tolerances", f"level 1 within +{tol.emt_l1:.0%} / -{tol.smt_l1:.0%}; level 2 up to +{tol.emt_l2:.0%} / "
                       f"-{tol.smt_l2:.0%}; level 3 beyond, or migrations on a day with no plan"),
        ("Escalated", "level 3 cells, except shortfalls on days whose completions are not all in yet (they may "
                      "still close): those are shown in the heat maps and Deviations, marked provisional"),
        (f"Group x LDSO cells on {mon.days[-1]:%d %b}: level 2 / level 3",
         f"{int((daily_today == 2).sum())} / {int((daily_today == 3).sum())}"),
        ("Sprint to date: level 2 / level 3", f"{int((cum_today == 2).sum())} / {int((cum_today == 3).sum())}"),
        ("Escalations (level 3)", str(len(mon.escalations))),
        ("National: planned / migrated to date", f"{int(report.national_plan.sum()):,} / "
                                                 f"{int(report.national_actual.sum()):,}"),
        ("Days the nation went over CSMT", str(int((report.national_actual > report.csmt).sum()))),
        ("Activation offsets outside MAO", str(len(report.offsets))),
        ("Secondary MPAN spikes", str(len(report.spikes))),
        ("Groups below CMWCP after their core window", ", ".join(p.group for p in report.progress
                                                                 if p.status(report.as_of) == "missed") or "none"),
        ("Groups whose earlier outturn is not held", str(sum(p.status(report.as_of).startswith("outturn incomplete")
                                                             for p in report.progress))),
        ("Shortfalls notified / lost day claims", f"{len(report.shortfalls)} / {len(report.lost_days)}"),
    ]
    for r, (k, v) in enumerate(rows, start=2):
        ws.write_string(r, 0, k, f["label"])
        ws.write_string(r, 1, v, f["wrap"])

    # -- heat maps ------------------------------------------------------------------------------------------
    for sheet, level, actual, plan in (
            ("Heat map sprint to date", mon.cumulative_level, np.cumsum(mon.actual.migrated, axis=2),
             np.cumsum(mon.plan, axis=2)),
            ("Heat map last day", mon.daily_level, mon.actual.migrated, mon.plan)):
        ws = wb.add_worksheet(sheet)
        ws.write(0, 0, f"{sheet.replace('Heat map ', 'Deviation from plan, ')}: {mon.days[-1]:%a %d %b %Y}. "
                       "Green level 1, amber level 2, red level 3; 'unplanned' where nothing was planned.",
                 f["wrap"])
        ws.write_string(2, 0, "Group", f["head"])
        ws.write_string(2, 1, "Name", f["head"])
        for j, x in enumerate(mon.ldsos):
            ws.write_string(2, 2 + j, x, f["head"])
        active = [i for i in range(len(mon.groups)) if plan[i, :, last].any() or actual[i, :, last].any()]
        dev = deviation(actual[:, :, last], plan[:, :, last])
        for r, i in enumerate(active, start=3):
            ws.write_string(r, 0, mon.groups[i])
            ws.write_string(r, 1, names.get(mon.groups[i], ""))
            for j in range(len(mon.ldsos)):
                lv = int(level[i, j, last])
                if lv == 0:
                    ws.write_blank(r, 2 + j, None, level_text[0])
                elif plan[i, j, last] == 0:
                    ws.write_string(r, 2 + j, "unplanned", level_text[3])
                else:
                    ws.write_number(r, 2 + j, float(dev[i, j]), level_fmt[lv])
        ws.set_column(0, 0, 8)
        ws.set_column(1, 1, 26)
        ws.set_column(2, 1 + len(mon.ldsos), 9)
        ws.freeze_panes(3, 2)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)

    # -- trend ----------------------------------------------------------------------------------------------
    ws = wb.add_worksheet("Trend")
    ws.write_row(0, 0, ["Date", "Planned", "Migrated", "CSMT", "Level 2 cells", "Level 3 cells"], f["head"])
    for k, d in enumerate(mon.days, start=1):
        ws.write_datetime(k, 0, d, f["day"])
        ws.write_number(k, 1, int(report.national_plan[k - 1]), f["int"])
        ws.write_number(k, 2, int(report.national_actual[k - 1]), f["int"])
        ws.write_number(k, 3, float(report.csmt[k - 1]), f["int"])
        ws.write_number(k, 4, int((mon.daily_level[:, :, k - 1] == 2).sum()))
        ws.write_number(k, 5, int((mon.daily_level[:, :, k - 1] == 3).sum()))
    n = len(mon.days)
    if n:
        chart = wb.add_chart({"type": "line"})
        for col, name, colour in ((1, "Planned", "#2F5597"), (2, "Migrated", "#C00000"), (3, "CSMT", "#7F7F7F")):
            chart.add_series({"name": name, "categories": ["Trend", 1, 0, n, 0], "values": ["Trend", 1, col, n, col],
                              "line": {"color": colour, "dash_type": "dash" if col == 3 else "solid"}})
        chart.set_title({"name": "National migrations against plan and CSMT"})
        chart.set_y_axis({"num_format": "#,##0", "min": 0})
        chart.set_size({"width": 900, "height": 340})
        ws.insert_chart(1, 7, chart)
        levels = wb.add_chart({"type": "column", "subtype": "stacked"})
        for col, name, colour in ((4, "Level 2", "#FFC000"), (5, "Level 3", "#C00000")):
            levels.add_series({"name": name, "categories": ["Trend", 1, 0, n, 0],
                               "values": ["Trend", 1, col, n, col], "fill": {"color": colour}})
        levels.set_title({"name": "Group x LDSO cells beyond level 1, per day"})
        levels.set_size({"width": 900, "height": 300})
        ws.insert_chart(19, 7, levels)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 5, 12)
    ws.freeze_panes(1, 1)

    # -- escalations, deviations -----------------------------------------------------------------------------
    ws = wb.add_worksheet("Escalations")
    cols = ["Group", "Name", "LDSO", "Scope", "Day", "Plan", "Actual", "Deviation", "Direction", "Unplanned day",
            "Provisional"]
    ws.write_row(0, 0, cols, f["head"])
    for r, e in enumerate(mon.escalations, start=1):
        ws.write_row(r, 0, [e.group, names.get(e.group, ""), e.ldso, e.scope])
        ws.write_datetime(r, 4, e.day, f["day"])
        ws.write_number(r, 5, e.plan, f["int"])
        ws.write_number(r, 6, e.actual, f["int"])
        if e.plan:
            ws.write_number(r, 7, (e.actual - e.plan) / e.plan, f["pct"])
        else:
            ws.write_string(r, 7, "no plan")
        ws.write_row(r, 8, [e.direction, "yes" if e.unplanned else "", "yes" if e.provisional else ""])
    _table(ws, len(mon.escalations), cols)

    ws = wb.add_worksheet("Deviations")
    cols = ["Group", "LDSO", "Day", "Plan", "Actual", "Deviation", "Level", "Direction", "Cumulative plan",
            "Cumulative actual", "Cumulative level", "Provisional"]
    ws.write_row(0, 0, cols, f["head"])
    cum_plan, cum_act = np.cumsum(mon.plan, axis=2), np.cumsum(mon.actual.migrated, axis=2)
    dev = deviation(mon.actual.migrated, mon.plan)
    words = {EXCESS: "excess", SHORTFALL: "shortfall", 0: ""}
    r = 0
    for i, j, k in zip(*np.nonzero((mon.plan > 0) | (mon.actual.migrated > 0)), strict=True):
        r += 1
        ws.write_string(r, 0, mon.groups[i])
        ws.write_string(r, 1, mon.ldsos[j])
        ws.write_datetime(r, 2, mon.days[k], f["day"])
        ws.write_number(r, 3, int(mon.plan[i, j, k]), f["int"])
        ws.write_number(r, 4, int(mon.actual.migrated[i, j, k]), f["int"])
        if np.isnan(dev[i, j, k]):
            ws.write_string(r, 5, "no plan")
        else:
            ws.write_number(r, 5, float(dev[i, j, k]), f["pct"])
        lv = int(mon.daily_level[i, j, k])
        ws.write_string(r, 6, LEVEL_WORDS[lv], level_text[lv])
        ws.write_string(r, 7, words[int(mon.daily_direction[i, j, k])])
        ws.write_number(r, 8, int(cum_plan[i, j, k]), f["int"])
        ws.write_number(r, 9, int(cum_act[i, j, k]), f["int"])
        cl = int(mon.cumulative_level[i, j, k])
        ws.write_string(r, 10, LEVEL_WORDS[cl], level_text[cl])
        ws.write_string(r, 11, "yes" if mon.actual.provisional[i, j, k] else "")
    _table(ws, r, cols)

    # -- offsets, spikes, progress, notices -----------------------------------------------------------------
    ws = wb.add_worksheet("Activation offsets")
    cols = ["Group", "LDSO", "Initiated", "Effective", "Initiations", "Offset (working days)", "Allowed", "Why"]
    ws.write_row(0, 0, cols, f["head"])
    for r, o in enumerate(report.offsets, start=1):
        ws.write_row(r, 0, [o.group, o.ldso])
        ws.write_datetime(r, 2, o.initiated, f["day"])
        ws.write_datetime(r, 3, o.effective, f["day"])
        ws.write_row(r, 4, [o.initiations, o.offset, o.allowed, o.why])
    _table(ws, len(report.offsets), cols)

    ws = wb.add_worksheet("Secondary spikes")
    cols = ["Group", "LDSO", "Effective", "Initiations (IF-031)", "Completions (IF-036)", "Secondary MPANs",
            "Secondary share"]
    ws.write_row(0, 0, cols, f["head"])
    for r, s in enumerate(report.spikes, start=1):
        ws.write_row(r, 0, [s.group, s.ldso])
        ws.write_datetime(r, 2, s.effective, f["day"])
        ws.write_row(r, 3, [s.initiations, s.completions, s.secondary])
        ws.write_number(r, 6, s.secondary / s.initiations if s.initiations else 0.0, f["pct"])
    _table(ws, len(report.spikes), cols)

    ws = wb.add_worksheet("CMWCP progress")
    cols = ["Group", "Name", "Portfolio (envelope LDSOs)", "Migrated to date", "Share", "Target (CMWCP)",
            "Core window end", "Lost days (XCMW)", "Migration days left", "Needed per day", "Status"]
    ws.write_row(0, 0, cols, f["head"])
    for r, p in enumerate(report.progress, start=1):
        ws.write_row(r, 0, [p.group, names.get(p.group, ""), p.portfolio, p.migrated])
        ws.write_number(r, 4, p.share, f["pct"])
        ws.write_number(r, 5, p.target, f["int"])
        if p.core_end:
            ws.write_datetime(r, 6, p.core_end, f["day"])
        ws.write_row(r, 7, [p.lost_days, p.days_left])
        need = p.needed_per_day
        ws.write(r, 9, need if need is not None else "")
        ws.write_string(r, 10, p.status(report.as_of))
    _table(ws, len(report.progress), cols)

    ws = wb.add_worksheet("Notices")
    ws.write_row(0, 0, ["Shortfalls notified (capacity ceded)"], f["title"])
    ws.write_row(1, 0, ["#", "Group", "LDSO", "Day", "Migrations ceded", "Reason", "Recorded"], f["head"])
    for r, (sid, g, x, d, n, why, at) in enumerate(report.shortfalls, start=2):
        ws.write_row(r, 0, [sid, g, x, d, n])
        ws.write_string(r, 5, why)
        ws.write_string(r, 6, at)
    top = len(report.shortfalls) + 4
    ws.write_row(top, 0, ["Lost migration days approved (XCMW)"], f["title"])
    ws.write_row(top + 1, 0, ["Group", "Days", "Reason", "Incident", "Approved"], f["head"])
    for r, claim in enumerate(report.lost_days, start=top + 2):
        ws.write_row(r, 0, [claim.supplier_group, claim.days])
        ws.write_string(r, 2, claim.reason)
        ws.write_string(r, 3, claim.incident)
        ws.write_datetime(r, 4, claim.approved_on, f["day"])
    ws.set_column(0, 6, 16)
    wb.close()
    part.replace(path)
    return path


def _table(ws, rows: int, cols: list[str]) -> None:
    ws.set_column(0, len(cols) - 1, 14)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(rows, 1), len(cols) - 1)
