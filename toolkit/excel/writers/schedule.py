"""The MCC's consolidated schedule workbook (internal: it holds every group's plan). Draft (accepted plans) or
baseline (plans plus UCA grants): national and per-LDSO load against the limits, daily for the sprint and weekly
to M15, breaches with the groups contributing, the plans behind them, and the groups without a plan.

``build_schedule`` computes the loads, limits and tables into a ``ScheduleBook``; ``write_schedule`` writes that
value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from xlsxwriter.utility import xl_range_abs, xl_rowcol_to_cell

from toolkit.domain.schedule import Breach, Schedule
from toolkit.excel.book import (
    CHART_DAY,
    DAY,
    HEAD_FILL,
    INT,
    RED_FILL,
    RED_FONT,
    STRONG_BLUE,
    STRONG_RED,
    WEEK,
    book,
    print_areas,
    print_first_rows,
    print_setup,
    row_height,
)

LIMITS_NOTE = ("LDSOs with envelopes: ALMT; de minimis LDSOs: threshold minus reserved capacity (ULMT - LRC); "
               "national: CSMT (METHOD 8).")
BREACH_COLUMNS = ["Scope", "Granularity", "Day or week", "Planned", "Limit", "Excess",
                  "Groups contributing (largest first)"]
BREACHES_PRINTED = 90  # breaches printed by default (two pages); the rest on request
LIST_COL = 20  # LDSO chart sheet: the LDSO list, out of the chart's way


@dataclass(frozen=True)
class NationalLoad:
    """The nation's planned load against CSMT, per day or week: arrays of the axis' length."""

    sheet: str
    label: str  # the axis' heading
    weekly: bool
    axis: tuple[date, ...]
    planned: np.ndarray
    limit: np.ndarray
    headroom: np.ndarray


@dataclass(frozen=True)
class LdsoLoad:
    """Each LDSO's planned load against its limit (rounded down to whole migrations): (LDSO, day or week)."""

    sheet: str
    label: str
    weekly: bool
    axis: tuple[date, ...]
    ldsos: tuple[str, ...]
    planned: np.ndarray
    limit: np.ndarray


@dataclass(frozen=True)
class PlanList:
    """Every group x LDSO x day or week planned, as arrays of the same length indexing ``groups`` (and ``names``),
    ``ldsos`` and ``axis``."""

    sheet: str
    label: str
    weekly: bool
    axis: tuple[date, ...]
    groups: tuple[str, ...]
    names: tuple[str, ...]
    ldsos: tuple[str, ...]
    group: np.ndarray
    ldso: np.ndarray
    period: np.ndarray
    planned: np.ndarray


@dataclass(frozen=True)
class ScheduleBook:
    title: str
    summary: tuple[tuple[str, str], ...]
    national: tuple[NationalLoad, NationalLoad]  # daily, weekly
    ldso: tuple[LdsoLoad, LdsoLoad]  # daily, weekly
    breaches: tuple[tuple, ...]  # scope, granularity, day or week, planned, limit, excess, contributors (text)
    plans: tuple[PlanList, PlanList]  # weekly, daily
    without_plan: tuple[tuple[str, str], ...]  # group, name


def write_schedule_workbook(path: Path, s: Schedule, breaches: list[Breach], missing: list[str],
                            names: dict[str, str], title: str, stamp: str) -> Path:
    return write_schedule(path, build_schedule(s, breaches, missing, names, title, stamp))


# -- building -------------------------------------------------------------------------------------------------

def build_schedule(s: Schedule, breaches: list[Breach], missing: list[str], names: dict[str, str], title: str,
                   stamp: str) -> ScheduleBook:
    """Every figure of the workbook; ``stamp`` is the time written as 'Generated'."""
    national = tuple(NationalLoad(sheet, label, weekly, tuple(axis), planned, limit, limit.astype(np.float64)
                                  - planned.astype(np.int64))
                     for sheet, label, weekly, axis, planned, limit in (
                         ("National daily", "Date", False, s.days, s.national_daily, s.national_limit),
                         ("National weekly", "Week commencing", True, s.weeks, s.national_weekly,
                          s.national_weekly_limit)))
    ldso = tuple(LdsoLoad(sheet, label, weekly, tuple(axis), tuple(s.ldsos), planned, np.floor(limit))
                 for sheet, label, weekly, axis, planned, limit in (
                     ("LDSO daily", "Date", False, s.days, s.ldso_daily, s.daily_limit),
                     ("LDSO weekly", "Week commencing", True, s.weeks, s.ldso_weekly, s.weekly_limit)))
    group_names = tuple(names.get(g, "") for g in s.groups)
    plans = (_plan_list("Plans weekly", "week_commencing", True, s.weeks, s, group_names, s.weekly),
             _plan_list("Plans daily", "date", False, s.days, s, group_names, s.daily))
    rows = tuple((b.scope, b.granularity, b.period, b.planned, b.limit, b.planned - b.limit,
                  "; ".join(f"{g} {v:,}" for g, v in b.contributors)) for b in breaches)
    return ScheduleBook(title, _summary(s, breaches, missing, stamp), national, ldso, rows, plans,
                        tuple((g, names.get(g, "")) for g in missing))


def _plan_list(sheet: str, label: str, weekly: bool, axis: list[date], s: Schedule, names: tuple[str, ...],
               values: np.ndarray) -> PlanList:
    g, x, k = np.nonzero(values)
    return PlanList(sheet, label, weekly, tuple(axis), tuple(s.groups), names, tuple(s.ldsos), g, x, k,
                    values[g, x, k])


def _summary(s: Schedule, breaches: list[Breach], missing: list[str], stamp: str) -> tuple[tuple[str, str], ...]:
    counts = (sum(1 for b in breaches if (b.scope == "national") == nat and b.granularity == g)
              for nat, g in ((False, "day"), (False, "week"), (True, "day"), (True, "week")))
    return (("Generated", stamp), ("Groups with an accepted plan", f"{int(s.planned.sum())} of {len(s.groups)}"),
            ("Groups without one", ", ".join(missing) or "none"),
            ("Sprint days", f"{s.days[0]:%d %b %Y} to {s.days[-1]:%d %b %Y}" if s.days else "none"),
            ("Weeks to M15", f"{s.weeks[0]:%d %b %Y} to {s.weeks[-1]:%d %b %Y}"),
            ("Breaches (LDSO days / LDSO weeks / national days / national weeks)", " / ".join(map(str, counts))))


# -- writing --------------------------------------------------------------------------------------------------

def write_schedule(path: Path, value: ScheduleBook) -> Path:
    with book(path, value.title) as wb:
        f = _Formats(wb)
        _summary_sheet(wb, f, value)
        for load in value.national:
            _national_sheet(wb, f, load)
        for load in value.ldso:
            _ldso_sheet(wb, f, load)
        _ldso_chart(wb, f, value.ldso[0])
        _breaches_sheet(wb, f, value.breaches)
        for plans in value.plans:
            _plans_sheet(wb, f, plans)
        ws = wb.add_worksheet("Without a plan")
        ws.write_row(0, 0, ["group", "name"], f.head)
        for r, row in enumerate(value.without_plan, start=1):
            ws.write_row(r, 0, list(row))
        ws.set_column(0, 0, 8)
        ws.set_column(1, 1, 30)
        print_setup(ws, orientation="portrait", repeat_rows=(0,))
    return path


class _Formats:
    def __init__(self, wb):
        add = wb.add_format
        self.title = add({"bold": True, "font_size": 14})
        self.head = add({"bold": True, "bg_color": HEAD_FILL, "border": 1, "text_wrap": True, "valign": "top"})
        self.int = add({"num_format": INT})
        self.day = add({"num_format": DAY})
        self.week = add({"num_format": WEEK})
        self.red = add({"bg_color": RED_FILL, "font_color": RED_FONT})
        self.label = add({"bold": True, "align": "right", "valign": "top", "text_wrap": True})
        self.wrap = add({"text_wrap": True, "valign": "top"})


def _summary_sheet(wb, f: _Formats, value: ScheduleBook) -> None:
    ws = wb.add_worksheet("Summary")
    ws.set_column(0, 0, 40)
    ws.set_column(1, 1, 70)
    ws.write(0, 0, value.title, f.title)
    lines = [*value.summary, ("", ""), ("Limits", LIMITS_NOTE)]
    for r, (k, v) in enumerate(lines, start=2):
        if not k:
            continue
        ws.write(r, 0, k, f.label)
        ws.write_string(r, 1, v, f.wrap)
        ws.set_row(r, max(row_height(v, 70), row_height(k, 40)))
    print_setup(ws, orientation="portrait")


def _national_sheet(wb, f: _Formats, load: NationalLoad) -> None:
    name = load.sheet
    ws = wb.add_worksheet(name)
    ws.write_row(0, 0, [load.label, "Planned", "CSMT", "Headroom"], f.head)
    fmt = f.week if load.weekly else f.day
    for r, d in enumerate(load.axis, start=1):
        ws.write_datetime(r, 0, d, fmt)
        ws.write_number(r, 1, int(load.planned[r - 1]), f.int)
        if not load.limit[r - 1] and not load.planned[r - 1]:
            continue  # not a migration day: no CSMT, a gap in the chart rather than a drop to 0
        ws.write_number(r, 2, float(load.limit[r - 1]), f.int)
        ws.write_formula(r, 3, f"={xl_rowcol_to_cell(r, 2)}-{xl_rowcol_to_cell(r, 1)}", f.int,
                         float(load.headroom[r - 1]))
    last = len(load.axis)
    if last:
        ws.conditional_format(1, 1, last, 1, {"type": "formula", "criteria": "=AND(ISNUMBER($C2),$B2>$C2)",
                                               "format": f.red})
        ws.insert_chart(1, 5, _load_chart(wb, name, last, f"{name}: planned against CSMT", load.weekly))
    ws.set_column(0, 0, 16)
    ws.set_column(1, 3, 12)
    ws.freeze_panes(1, 1)
    print_setup(ws, repeat_rows=(0,))


def _load_chart(wb, sheet: str, last: int, title: str, weekly: bool, top: int = 1, col0: int = 0):
    """Planned (columns) against the limit (a line) per day or week, read from a table of date, planned, limit
    starting at row ``top`` and column ``col0``, series named by the table's header row: dates on the axis, a
    non-migration day a gap in the line."""
    cats = [sheet, top, col0, top + last - 1, col0]
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"name": [sheet, top - 1, col0 + 1], "categories": cats,
                      "values": [sheet, top, col0 + 1, top + last - 1, col0 + 1], "fill": {"color": STRONG_RED},
                      "gap": 50})
    line = wb.add_chart({"type": "line"})
    line.add_series({"name": [sheet, top - 1, col0 + 2], "categories": cats,
                     "values": [sheet, top, col0 + 2, top + last - 1, col0 + 2], "line": {"color": STRONG_BLUE}})
    chart.combine(line)
    chart.set_title({"name": title})
    # weeks on a text axis (a slot a week: no hairline columns), days on a date axis
    chart.set_x_axis({"num_format": CHART_DAY, "num_font": {"rotation": -45},
                      **({"text_axis": True} if weekly else {"date_axis": True})})
    chart.set_y_axis({"num_format": INT, "min": 0})
    chart.set_legend({"position": "bottom"})
    chart.show_blanks_as("gap")
    chart.set_size({"width": 900, "height": 360})
    return chart


def _ldso_sheet(wb, f: _Formats, load: LdsoLoad) -> None:
    """Planned per LDSO (dates down, LDSOs across) with the limits beside; over-limit cells red."""
    name = load.sheet
    ws = wb.add_worksheet(name)
    n = len(load.ldsos)
    lim0 = n + 2
    fmt = f.week if load.weekly else f.day
    ws.write(0, 1, "Planned", f.label)
    ws.write(0, lim0, "Limit", f.label)
    ws.write(1, 0, load.label, f.head)
    for j, x in enumerate(load.ldsos):
        ws.write_string(1, 1 + j, x, f.head)
        ws.write_string(1, lim0 + j, x, f.head)
    for r, d in enumerate(load.axis):
        ws.write_datetime(2 + r, 0, d, fmt)
        for j in range(n):
            ws.write_number(2 + r, 1 + j, int(load.planned[j, r]), f.int)
            ws.write_number(2 + r, lim0 + j, float(load.limit[j, r]), f.int)
    if load.axis:
        top, bottom = 2, 1 + len(load.axis)
        ws.conditional_format(top, 1, bottom, n, {
            "type": "formula", "format": f.red,
            "criteria": f"={xl_rowcol_to_cell(top, 1)}>{xl_rowcol_to_cell(top, lim0)}"})
        wb.define_name(name.replace(" ", ""), f"='{name}'!" + xl_range_abs(top, 1, bottom, n))
    ws.set_column(0, 0, 16)
    ws.set_column(1, 2 * n + 2, 9)
    ws.freeze_panes(2, 1)
    # printed: the planned block, then the limits on pages of their own, the dates and LDSOs on every page
    print_setup(ws, repeat_rows=(0, 1), repeat_columns=0)
    bottom = 1 + max(len(load.axis), 1)
    print_areas(ws, [(0, 0, bottom, n), (0, lim0, bottom, lim0 + n - 1)] if n else [(0, 0, bottom, 0)])


def _ldso_chart(wb, f: _Formats, daily: LdsoLoad) -> None:
    """One chart of an LDSO's daily load against its limit, the LDSO chosen in a drop-down (INDEX/MATCH) on the
    'LDSO daily' sheet; the cached figures are the first LDSO's."""
    if not daily.axis or not daily.ldsos:
        return
    ws = wb.add_worksheet("LDSO chart")
    ws.write(0, 0, "LDSO", f.label)
    ws.write_string(0, 1, daily.ldsos[0])
    for k, x in enumerate(daily.ldsos):
        ws.write_string(1 + k, LIST_COL, x)
    ws.data_validation(0, 1, 0, 1, {"validate": "list",
                                    "source": "=" + xl_range_abs(1, LIST_COL, len(daily.ldsos), LIST_COL)})
    n = len(daily.ldsos)
    header = f"'{daily.sheet}'!" + xl_range_abs(1, 1, 1, n)
    planned = f"'{daily.sheet}'!" + xl_range_abs(2, 1, 1 + len(daily.axis), n)
    limits = f"'{daily.sheet}'!" + xl_range_abs(2, n + 2, 1 + len(daily.axis), 2 * n + 1)
    col0 = LIST_COL + 2
    ws.write_row(2, col0, ["Date", "Planned", "Limit"], f.head)
    for k, d in enumerate(daily.axis):
        r = 3 + k
        match = f"MATCH($B$1,{header},0)"
        ws.write_datetime(r, col0, d, f.day)
        ws.write_formula(r, col0 + 1, f"=INDEX({planned},{k + 1},{match})", f.int, int(daily.planned[0, k]))
        ws.write_formula(r, col0 + 2, f"=INDEX({limits},{k + 1},{match})", f.int, float(daily.limit[0, k]))
    ws.insert_chart(2, 0, _load_chart(wb, "LDSO chart", len(daily.axis),
                                      "Daily load of the chosen LDSO against its limit", False, top=3, col0=col0))
    ws.set_column(col0, col0, 16)
    print_setup(ws, area=(0, 0, 24, 14))


def _breaches_sheet(wb, f: _Formats, rows: tuple[tuple, ...]) -> None:
    ws = wb.add_worksheet("Breaches")
    ws.write_row(0, 0, BREACH_COLUMNS, f.head)
    for r, (scope, granularity, period, planned, limit, excess, contributors) in enumerate(rows, start=1):
        ws.write_row(r, 0, [scope, granularity])
        ws.write_datetime(r, 2, period, f.day)
        ws.write_number(r, 3, planned, f.int)
        ws.write_number(r, 4, limit, f.int)
        ws.write_number(r, 5, excess, f.int)
        ws.write_string(r, 6, contributors)
    ws.set_column(0, 5, 14)
    ws.set_column(6, 6, 100)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(rows), 1), len(BREACH_COLUMNS) - 1)
    print_first_rows(ws, len(rows), 0, len(BREACH_COLUMNS) - 1, limit=BREACHES_PRINTED)


def _plans_sheet(wb, f: _Formats, p: PlanList) -> None:
    ws = wb.add_worksheet(p.sheet)
    ws.write_row(0, 0, ["group", "name", "ldso", p.label, "planned"], f.head)
    fmt = f.week if p.weekly else f.day
    for n in range(len(p.group)):
        r, g = n + 1, p.group[n]
        ws.write_string(r, 0, p.groups[g])
        ws.write_string(r, 1, p.names[g])
        ws.write_string(r, 2, p.ldsos[p.ldso[n]])
        ws.write_datetime(r, 3, p.axis[p.period[n]], fmt)
        ws.write_number(r, 4, int(p.planned[n]), f.int)
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 28)
    ws.set_column(2, 4, 14)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(p.group), 1), 4)
    print_first_rows(ws, len(p.group), 0, 4, orientation="portrait")
