"""The MCC's daily monitoring workbook (internal: it holds every group's figures): the heat map of groups x LDSOs
by level, trends against plan and CSMT, the level-3 escalations, every deviation, activation offsets, secondary MPAN
spikes, progress toward CMWCP, notified shortfalls and lost migration days (issue 8; METHOD 9).

``build_monitoring`` computes every figure (deviations, cumulative sums, the summary) into a ``MonitoringBook``;
``write_monitoring`` writes that value and nothing else. The report is taken as it comes (duck-typed: the
``Report`` of ``toolkit.monitor``, a layer above this one): ``sprint``, ``as_of``, ``monitoring`` (a
``toolkit.domain.monitoring.Monitoring``), ``national_plan``, ``national_actual``, ``csmt``, ``offsets``,
``spikes``, ``progress``, ``shortfalls`` and ``lost_days``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from toolkit.domain.monitoring import EXCESS, SHORTFALL, deviation
from toolkit.domain.parameters import Parameters
from toolkit.excel.book import (
    AMBER_FILL,
    CHART_DAY,
    DAY,
    GRID_BORDER,
    HEAD_FILL,
    INT,
    MID_GREY,
    NEUTRAL_FILL,
    OK_FILL,
    RED_FILL,
    STRONG_BLUE,
    STRONG_RED,
    book,
    print_first_rows,
    print_setup,
    row_height,
)
from toolkit.excel.feedback_text import friendly_time

PRINT_ROWS = 90  # rows of a table sheet printed by default (two pages): the rest on request
LEVEL_COLOURS = {0: NEUTRAL_FILL, 1: OK_FILL, 2: AMBER_FILL, 3: RED_FILL}
LEVEL_WORDS = {0: "", 1: "level 1", 2: "level 2", 3: "level 3"}
DIRECTION_WORDS = {EXCESS: "excess", SHORTFALL: "shortfall", 0: ""}
PCT = "+0.0%;-0.0%;0.0%"
LEVEL_PCT = "+0%;-0%;0%"  # a heat map cell: the deviation, whole percent
LEVEL_2_SERIES = "#FFC000"  # level 2 in the trend's stacked columns (the heat maps' amber is too pale for a chart)


@dataclass(frozen=True)
class HeatMap:
    """One heat map sheet: a row per group active on the last day, a cell per LDSO as (level, deviation); the
    deviation is None where nothing was planned (the cell says 'unplanned')."""

    sheet: str
    heading: str
    ldsos: tuple[str, ...]
    rows: tuple[tuple[str, str, tuple[tuple[int, float | None], ...]], ...]  # (group, name, cells)


@dataclass(frozen=True)
class Trend:
    """The nation per day: arrays of the days' length."""

    days: tuple[date, ...]
    planned: np.ndarray
    migrated: np.ndarray
    csmt: np.ndarray
    level2: np.ndarray  # group x LDSO cells at level 2 that day
    level3: np.ndarray
    load_limit: np.ndarray  # planned CSMT + the national reserve (RCFC)


@dataclass(frozen=True)
class Deviations:
    """Every group x LDSO x day with a plan or a migration, as arrays of the same length (indexes into
    ``groups``, ``ldsos`` and ``days``); a deviation is NaN where nothing was planned."""

    groups: tuple[str, ...]
    ldsos: tuple[str, ...]
    days: tuple[date, ...]
    group: np.ndarray
    ldso: np.ndarray
    day: np.ndarray
    plan: np.ndarray
    actual: np.ndarray
    deviation: np.ndarray
    level: np.ndarray
    direction: np.ndarray  # EXCESS, SHORTFALL or 0
    cumulative_plan: np.ndarray
    cumulative_actual: np.ndarray
    cumulative_level: np.ndarray
    provisional: np.ndarray


@dataclass(frozen=True)
class MonitoringBook:
    title: str
    summary: tuple[tuple[str, str], ...]
    heat_maps: tuple[HeatMap, ...]
    trend: Trend
    escalations: tuple[tuple, ...]  # group, name, LDSO, scope, day, plan, actual, deviation or None, direction,
    # unplanned, provisional
    deviations: Deviations
    offsets: tuple[tuple, ...]  # group, LDSO, initiated, effective, initiations, offset, allowed, why
    spikes: tuple[tuple, ...]  # group, LDSO, effective, initiations, completions, secondary MPANs, share
    progress: tuple[tuple, ...]  # group, name, portfolio, migrated, share, target, core end or None, lost days,
    # migration days left, needed per day or "", status
    shortfalls: tuple[tuple, ...]  # id, group, LDSO, day, migrations ceded, reason, recorded
    lost_days: tuple[tuple, ...]  # group, days, reason, incident, approved on


def write_monitoring_workbook(path: Path, report, names: dict[str, str], parameters: Parameters, stamp: str) -> Path:
    return write_monitoring(path, build_monitoring(report, names, parameters, stamp))


# -- building -------------------------------------------------------------------------------------------------

def build_monitoring(report, names: dict[str, str], parameters: Parameters, stamp: str) -> MonitoringBook:
    """Every figure of the workbook, computed from the report; ``stamp`` is the time written as 'Generated'."""
    mon = report.monitoring
    title = f"Sprint execution monitoring, sprint {report.sprint.sprint} ({report.sprint.cycle}), as of " \
            f"{report.as_of:%a %d %b %Y}"
    cum_plan, cum_actual = np.cumsum(mon.plan, axis=2), np.cumsum(mon.actual.migrated, axis=2)
    heat_maps = (_heat_map("Heat map sprint to date", mon, names, mon.cumulative_level, cum_actual, cum_plan),
                 _heat_map("Heat map last day", mon, names, mon.daily_level, mon.actual.migrated, mon.plan))
    if report.rolling is not None:
        heat_maps += (_heat_map("Heat map rolling", mon, names, *report.rolling),)
    load = report.load_limit if report.load_limit is not None else report.csmt
    trend = Trend(tuple(mon.days), report.national_plan, report.national_actual, report.csmt,
                  (mon.daily_level == 2).sum(axis=(0, 1)), (mon.daily_level == 3).sum(axis=(0, 1)), load)
    escalations = tuple((e.group, names.get(e.group, ""), e.ldso, e.scope, e.day, e.plan, e.actual,
                         (e.actual - e.plan) / e.plan if e.plan else None, e.direction,
                         "yes" if e.unplanned else "", "yes" if e.provisional else "") for e in mon.escalations)
    offsets = tuple((o.group, o.ldso, o.initiated, o.effective, o.initiations, o.offset, o.allowed, o.why)
                    for o in report.offsets)
    spikes = tuple((s.group, s.ldso, s.effective, s.initiations, s.completions, s.secondary,
                    s.secondary / s.initiations if s.initiations else 0.0) for s in report.spikes)
    progress = tuple((p.group, names.get(p.group, ""), p.portfolio, p.migrated, p.share, p.target, p.core_end,
                      p.lost_days, p.days_left, _blank_if_none(p.needed_per_day), p.status(report.as_of))
                     for p in report.progress)
    lost_days = tuple((c.supplier_group, c.days, c.reason, c.incident, c.approved_on) for c in report.lost_days)
    return MonitoringBook(title, _summary(report, parameters, stamp), heat_maps, trend, escalations,
                          _deviations(mon, cum_plan, cum_actual), offsets, spikes, progress,
                          tuple((n.id, n.supplier_group, n.ldso, n.day.isoformat(), n.count, n.reason,
                                 n.recorded_at.isoformat(timespec="seconds")) for n in report.shortfalls), lost_days)


def _blank_if_none(value):
    return value if value is not None else ""


def _summary(report, parameters: Parameters, stamp: str) -> tuple[tuple[str, str], ...]:
    mon = report.monitoring
    last = len(mon.days) - 1
    tol = parameters.tolerance
    daily_today = mon.daily_level[:, :, last] if last >= 0 else np.zeros((0, 0))
    cum_today = mon.cumulative_level[:, :, last] if last >= 0 else np.zeros((0, 0))
    return (
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
        ("Days the nation went over its load limit (CSMT and the reserve of RCFC)",
         str(int((report.national_actual > report.load_limit).sum())) if report.load_limit is not None else ""),
        ("LDSO-days over the LDSO's load limit (planned limit + LRC)",
         "; ".join(f"{ldso} {day:%d %b}: {actual:,} > {limit:,.0f}" for ldso, day, actual, limit
                   in report.ldso_over_load[:20]) or "none"),
        ("Activation offsets outside MAO", str(len(report.offsets))),
        ("Secondary MPAN spikes", str(len(report.spikes))),
        ("Groups below CMWCP after their core window", ", ".join(p.group for p in report.progress
                                                                 if p.status(report.as_of) == "missed") or "none"),
        ("Groups whose earlier outturn is not held", str(sum(p.status(report.as_of).startswith("outturn incomplete")
                                                             for p in report.progress))),
        ("Shortfalls notified / lost day claims", f"{len(report.shortfalls)} / {len(report.lost_days)}"),
        *_criteria_rows(report, parameters),
    )


def _criteria_rows(report, parameters: Parameters) -> tuple[tuple[str, str], ...]:
    """The rolling period (P EMT/SMT), reduced deltas (F5.2.11), persistent deviation and outages (F6.3)."""
    n = parameters.tolerance.rolling_days
    rows = []
    if report.rolling is not None and report.monitoring.days:
        last = report.rolling[0][:, :, -1]
        rows.append((f"Rolling {n} migration days: level 2 / level 3", f"{int((last == 2).sum())} / "
                                                                       f"{int((last == 3).sum())}"))
    reduced = report.reduced
    rows.append(("Reduced activation offsets this sprint (F5.2.11)",
                 f"{sum(v[1] for v in reduced.values()):,} initiations in {sum(v[0] for v in reduced.values())} "
                 "cohorts" + (": " + ", ".join(f"{g} {v[1]:,}" for g, v in reduced.items()) if reduced else "")))
    m = parameters.monitoring
    rows.append((f"Persistent deviation (F6.3: level 2+ on {m.persistent_days} of the last {m.persistent_window} "
                 "planned days)", "; ".join(f"{p.group} {p.direction} on {', '.join(f'{d:%d %b}' for d in p.days)}"
                                           for p in report.persistent) or "none"))
    rows.append((f"Exception rates above {m.exception_rate:.0%} of initiations this sprint (F6.1)",
                 "; ".join(f"{g} {x}: {e:,} of {n:,} ({e / n:.1%})" for g, x, n, e in report.exceptions) or "none"))
    rows.append(("Exceptional capacity tranches (F5.2.9 stability test)", "; ".join(report.tranches) or "none"))
    rows.append(("Outage days left out of performance (config/outages.csv)",
                 "; ".join(f"{o.day:%d %b} {o.ldso or 'all LDSOs'}: {o.reason}" for o in report.outages) or "none"))
    return tuple(rows)


def _heat_map(sheet: str, mon, names: dict[str, str], level: np.ndarray, actual: np.ndarray,
              plan: np.ndarray) -> HeatMap:
    """The last day's cells of the groups with a plan or a migration that day."""
    last = len(mon.days) - 1
    heading = f"{sheet.replace('Heat map ', 'Deviation from plan, ')}: {mon.days[-1]:%a %d %b %Y}. " \
              "Green level 1, amber level 2, red level 3; 'unplanned' where nothing was planned."
    active = [i for i in range(len(mon.groups)) if plan[i, :, last].any() or actual[i, :, last].any()]
    dev = deviation(actual[:, :, last], plan[:, :, last])
    rows = []
    for i in active:
        cells = tuple((int(level[i, j, last]), None if plan[i, j, last] == 0 else float(dev[i, j]))
                      for j in range(len(mon.ldsos)))
        rows.append((mon.groups[i], names.get(mon.groups[i], ""), cells))
    return HeatMap(sheet, heading, tuple(mon.ldsos), tuple(rows))


def _deviations(mon, cum_plan: np.ndarray, cum_actual: np.ndarray) -> Deviations:
    i, j, k = np.nonzero((mon.plan > 0) | (mon.actual.migrated > 0))
    return Deviations(tuple(mon.groups), tuple(mon.ldsos), tuple(mon.days), i, j, k, mon.plan[i, j, k],
                      mon.actual.migrated[i, j, k], deviation(mon.actual.migrated, mon.plan)[i, j, k],
                      mon.daily_level[i, j, k], mon.daily_direction[i, j, k], cum_plan[i, j, k],
                      cum_actual[i, j, k], mon.cumulative_level[i, j, k], mon.actual.provisional[i, j, k])


# -- writing --------------------------------------------------------------------------------------------------

def write_monitoring(path: Path, value: MonitoringBook) -> Path:
    with book(path, value.title) as wb:
        f = _Formats(wb)
        _summary_sheet(wb, f, value)
        for heat_map in value.heat_maps:
            _heat_map_sheet(wb, f, heat_map)
        _trend_sheet(wb, f, value.trend)
        _escalations_sheet(wb, f, value.escalations)
        _deviations_sheet(wb, f, value.deviations)
        _offsets_sheet(wb, f, value.offsets)
        _spikes_sheet(wb, f, value.spikes)
        _progress_sheet(wb, f, value.progress)
        _notices_sheet(wb, f, value.shortfalls, value.lost_days)
    return path


class _Formats:
    def __init__(self, wb):
        add = wb.add_format
        self.title = add({"bold": True, "font_size": 14})
        self.label = add({"bold": True, "align": "right", "valign": "top", "text_wrap": True})
        self.head = add({"bold": True, "bg_color": HEAD_FILL, "border": 1, "text_wrap": True, "valign": "top"})
        self.int = add({"num_format": INT})
        self.pct = add({"num_format": PCT})
        self.day = add({"num_format": DAY})
        self.wrap = add({"text_wrap": True, "valign": "top"})
        self.level = {k: add({"bg_color": c, "border": 1, "border_color": GRID_BORDER, "num_format": LEVEL_PCT,
                              "align": "center"}) for k, c in LEVEL_COLOURS.items()}
        self.level_text = {k: add({"bg_color": c, "border": 1, "border_color": GRID_BORDER, "align": "center"})
                           for k, c in LEVEL_COLOURS.items()}


def _summary_sheet(wb, f: _Formats, value: MonitoringBook) -> None:
    ws = wb.add_worksheet("Summary")
    ws.set_column(0, 0, 40)
    ws.set_column(1, 1, 64)
    ws.write(0, 0, value.title, f.title)
    for r, (k, v) in enumerate(value.summary, start=2):
        ws.write_string(r, 0, k, f.label)
        ws.write_string(r, 1, v, f.wrap)
        ws.set_row(r, max(row_height(v, 64), row_height(k, 40)))
    print_setup(ws, orientation="portrait")


def _heat_map_sheet(wb, f: _Formats, heat_map: HeatMap) -> None:
    ws = wb.add_worksheet(heat_map.sheet)
    ws.write(0, 0, heat_map.heading, f.wrap)
    ws.write_string(2, 0, "Group", f.head)
    ws.write_string(2, 1, "Name", f.head)
    for j, x in enumerate(heat_map.ldsos):
        ws.write_string(2, 2 + j, x, f.head)
    for r, (group, name, cells) in enumerate(heat_map.rows, start=3):
        ws.write_string(r, 0, group)
        ws.write_string(r, 1, name)
        for j, (lv, dev) in enumerate(cells):
            if lv == 0:
                ws.write_blank(r, 2 + j, None, f.level_text[0])
            elif dev is None:
                ws.write_string(r, 2 + j, "unplanned", f.level_text[3])
            else:
                ws.write_number(r, 2 + j, dev, f.level[lv])
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 26)
    ws.set_column(2, 1 + len(heat_map.ldsos), 9)
    ws.freeze_panes(3, 2)
    ws.set_row(0, row_height(heat_map.heading, 8 + 26 + 9 * len(heat_map.ldsos)))
    print_setup(ws, repeat_rows=(2,), repeat_columns=(0, 1))


def _trend_sheet(wb, f: _Formats, trend: Trend) -> None:
    ws = wb.add_worksheet("Trend")
    ws.write_row(0, 0, ["Date", "Planned", "Migrated", "CSMT", "Level 2 cells", "Level 3 cells",
                        "Load limit (CSMT + reserve)"], f.head)
    for k, d in enumerate(trend.days, start=1):
        ws.write_datetime(k, 0, d, f.day)
        ws.write_number(k, 1, int(trend.planned[k - 1]), f.int)
        ws.write_number(k, 2, int(trend.migrated[k - 1]), f.int)
        if trend.csmt[k - 1]:  # none on a non-migration day: a gap in the chart rather than a drop to 0
            ws.write_number(k, 3, float(trend.csmt[k - 1]), f.int)
        ws.write_number(k, 4, int(trend.level2[k - 1]))
        ws.write_number(k, 5, int(trend.level3[k - 1]))
        ws.write_number(k, 6, float(trend.load_limit[k - 1]), f.int)
    n = len(trend.days)
    axis = {"date_axis": True, "num_format": CHART_DAY, "num_font": {"rotation": -45}}
    if n:
        chart = wb.add_chart({"type": "line"})
        for col, colour in ((1, STRONG_BLUE), (2, STRONG_RED), (3, MID_GREY)):
            chart.add_series({"name": ["Trend", 0, col], "categories": ["Trend", 1, 0, n, 0],
                              "values": ["Trend", 1, col, n, col],
                              "line": {"color": colour, "dash_type": "dash" if col == 3 else "solid"}})
        chart.set_title({"name": "National migrations against plan and CSMT"})
        chart.set_x_axis(axis)
        chart.set_y_axis({"num_format": INT, "min": 0})
        chart.set_legend({"position": "bottom"})
        chart.show_blanks_as("gap")
        chart.set_size({"width": 900, "height": 340})
        ws.insert_chart(1, 8, chart)
        levels = wb.add_chart({"type": "column", "subtype": "stacked"})
        for col, colour in ((4, LEVEL_2_SERIES), (5, STRONG_RED)):
            levels.add_series({"name": ["Trend", 0, col], "categories": ["Trend", 1, 0, n, 0],
                               "values": ["Trend", 1, col, n, col], "fill": {"color": colour}})
        levels.set_title({"name": "Group x LDSO cells beyond level 1, per day"})
        levels.set_x_axis(axis)
        levels.set_legend({"position": "bottom"})
        levels.set_size({"width": 900, "height": 300})
        ws.insert_chart(19, 7, levels)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 5, 12)
    ws.freeze_panes(1, 1)
    print_setup(ws, repeat_rows=(0,))


def _escalations_sheet(wb, f: _Formats, rows: tuple[tuple, ...]) -> None:
    ws = wb.add_worksheet("Escalations")
    cols = ["Group", "Name", "LDSO", "Scope", "Day", "Plan", "Actual", "Deviation", "Direction", "Unplanned day",
            "Provisional"]
    ws.write_row(0, 0, cols, f.head)
    for r, (group, name, ldso, scope, day, plan, actual, dev, direction, unplanned, provisional) in enumerate(
            rows, start=1):
        ws.write_row(r, 0, [group, name, ldso, scope])
        ws.write_datetime(r, 4, day, f.day)
        ws.write_number(r, 5, plan, f.int)
        ws.write_number(r, 6, actual, f.int)
        if dev is not None:
            ws.write_number(r, 7, dev, f.pct)
        else:
            ws.write_string(r, 7, "no plan")
        ws.write_row(r, 8, [direction, unplanned, provisional])
    _table(ws, len(rows), cols)


def _deviations_sheet(wb, f: _Formats, d: Deviations) -> None:
    ws = wb.add_worksheet("Deviations")
    cols = ["Group", "LDSO", "Day", "Plan", "Actual", "Deviation", "Level", "Direction", "Cumulative plan",
            "Cumulative actual", "Cumulative level", "Provisional"]
    ws.write_row(0, 0, cols, f.head)
    for n in range(len(d.group)):
        r = n + 1
        ws.write_string(r, 0, d.groups[d.group[n]])
        ws.write_string(r, 1, d.ldsos[d.ldso[n]])
        ws.write_datetime(r, 2, d.days[d.day[n]], f.day)
        ws.write_number(r, 3, int(d.plan[n]), f.int)
        ws.write_number(r, 4, int(d.actual[n]), f.int)
        if np.isnan(d.deviation[n]):
            ws.write_string(r, 5, "no plan")
        else:
            ws.write_number(r, 5, float(d.deviation[n]), f.pct)
        lv = int(d.level[n])
        ws.write_string(r, 6, LEVEL_WORDS[lv], f.level_text[lv])
        ws.write_string(r, 7, DIRECTION_WORDS[int(d.direction[n])])
        ws.write_number(r, 8, int(d.cumulative_plan[n]), f.int)
        ws.write_number(r, 9, int(d.cumulative_actual[n]), f.int)
        cl = int(d.cumulative_level[n])
        ws.write_string(r, 10, LEVEL_WORDS[cl], f.level_text[cl])
        ws.write_string(r, 11, "yes" if d.provisional[n] else "")
    _table(ws, len(d.group), cols, limit=45)  # raw: a row per group, LDSO and day


def _offsets_sheet(wb, f: _Formats, rows: tuple[tuple, ...]) -> None:
    ws = wb.add_worksheet("Activation offsets")
    cols = ["Group", "LDSO", "Initiated", "Effective", "Initiations", "Offset (working days)", "Allowed", "Why"]
    ws.write_row(0, 0, cols, f.head)
    for r, (group, ldso, initiated, effective, *rest) in enumerate(rows, start=1):
        ws.write_row(r, 0, [group, ldso])
        ws.write_datetime(r, 2, initiated, f.day)
        ws.write_datetime(r, 3, effective, f.day)
        ws.write_row(r, 4, rest)
    _table(ws, len(rows), cols)


def _spikes_sheet(wb, f: _Formats, rows: tuple[tuple, ...]) -> None:
    ws = wb.add_worksheet("Secondary spikes")
    cols = ["Group", "LDSO", "Effective", "Initiations (IF-031)", "Completions (IF-036)", "Secondary MPANs",
            "Secondary share"]
    ws.write_row(0, 0, cols, f.head)
    for r, (group, ldso, effective, initiations, completions, secondary, share) in enumerate(rows, start=1):
        ws.write_row(r, 0, [group, ldso])
        ws.write_datetime(r, 2, effective, f.day)
        ws.write_row(r, 3, [initiations, completions, secondary])
        ws.write_number(r, 6, share, f.pct)
    _table(ws, len(rows), cols)


def _progress_sheet(wb, f: _Formats, rows: tuple[tuple, ...]) -> None:
    ws = wb.add_worksheet("CMWCP progress")
    cols = ["Group", "Name", "Portfolio (envelope LDSOs)", "Migrated to date", "Share", "Target (CMWCP)",
            "Core window end", "Lost days (XCMW)", "Migration days left", "Needed per day", "Status"]
    ws.write_row(0, 0, cols, f.head)
    for r, (group, name, portfolio, migrated, share, target, core_end, lost, left, need, status) in enumerate(
            rows, start=1):
        ws.write_row(r, 0, [group, name, portfolio, migrated])
        ws.write_number(r, 4, share, f.pct)
        ws.write_number(r, 5, target, f.int)
        if core_end:
            ws.write_datetime(r, 6, core_end, f.day)
        ws.write_row(r, 7, [lost, left])
        ws.write(r, 9, need)
        ws.write_string(r, 10, status)
    _table(ws, len(rows), cols, limit=len(rows))  # a row per group: printed whole


def _notices_sheet(wb, f: _Formats, shortfalls: tuple[tuple, ...], lost_days: tuple[tuple, ...]) -> None:
    ws = wb.add_worksheet("Notices")
    ws.write_row(0, 0, ["Shortfalls notified (capacity ceded)"], f.title)
    ws.write_row(1, 0, ["#", "Group", "LDSO", "Day", "Migrations ceded", "Reason", "Recorded"], f.head)
    for r, (sid, g, x, d, n, why, at) in enumerate(shortfalls, start=2):
        ws.write_row(r, 0, [sid, g, x])
        _write_day(ws, r, 3, d, f.day)
        ws.write_number(r, 4, n, f.int)
        ws.write_string(r, 5, why, f.wrap)
        ws.write_string(r, 6, friendly_time(at))
    top = len(shortfalls) + 4
    ws.write_row(top, 0, ["Lost migration days approved (XCMW)"], f.title)
    ws.write_row(top + 1, 0, ["Group", "Days", "Reason", "Incident", "Approved"], f.head)
    for r, (group, days, reason, incident, approved_on) in enumerate(lost_days, start=top + 2):
        ws.write_row(r, 0, [group, days])
        ws.write_string(r, 2, reason, f.wrap)
        ws.write_string(r, 3, incident)
        ws.write_datetime(r, 4, approved_on, f.day)
    ws.set_column(0, 6, 16)
    ws.set_column(5, 5, 40)
    ws.set_column(6, 6, 24)
    print_setup(ws)


def _write_day(ws, r: int, c: int, day: date | str, fmt) -> None:
    """A day as a date (one recorded as ISO text too); other text as it is."""
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day)
        except ValueError:
            ws.write_string(r, c, day)
            return
    ws.write_datetime(r, c, day, fmt)


def _table(ws, rows: int, cols: list[str], limit: int = PRINT_ROWS) -> None:
    """Column widths, the header frozen and filtered; printed, the first ``limit`` rows (the rest on request)."""
    ws.set_column(0, len(cols) - 1, 14)
    ws.set_row(0, 30)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(rows, 1), len(cols) - 1)
    print_first_rows(ws, rows, 0, len(cols) - 1, limit=limit)
