"""The success criteria workbook (Foundations 7; ``mcc monitor success``; internal to the MCC: every group's
figures): the summary with the aggregate criterion and the forecast against M15, every group's agreed plan against
its outturn by the end of its core window, and each sprint's period.

``build_success`` computes the value from a ``toolkit.domain.success.Success``; ``write_success`` writes it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from toolkit.domain.parameters import Parameters
from toolkit.domain.success import Success
from toolkit.excel.book import STRONG_BLUE, STRONG_RED, book
from toolkit.excel.tables import Column, Formats, Table, series_chart, summary_sheet, table_sheet


@dataclass(frozen=True)
class SuccessBook:
    title: str
    summary: tuple[tuple[str, str], ...]
    groups: Table
    periods: Table


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def build_success(s: Success, names: dict[str, str], parameters: Parameters, stamp: str) -> SuccessBook:
    p, fc, agg = parameters.success, s.forecast, s.aggregate
    closed = [g for g in s.groups if g.closed]
    summary = (
        ("Generated", stamp),
        ("As of", f"{s.as_of:%a %d %b %Y}"),
        ("Participant criterion (F7 1)",
         f"{_pct(p.participant)} of the agreed plan migrated by the end of the core window, lost days included "
         f"([success] participant). {len(closed)} of {len(s.groups)} core windows have ended: {s.met} met, "
         f"{s.missed} missed, {len(closed) - s.met - s.missed} without an agreed plan to judge; the others' "
         "figures are to date."),
        ("Aggregate criterion (F7 2)",
         f"{agg.migrated:,} migrated of {agg.planned:,} planned from M11 to {s.as_of:%d %b %Y}: {_pct(agg.ratio)} "
         f"against {_pct(p.aggregate)} ([success] aggregate): {'met' if agg.met else 'not met'}"),
        ("Forecast against M15",
         f"{fc.migrated:,} of the {fc.portfolio:,} MPANs migrated, {fc.remaining:,} left; the last {fc.rate_days} "
         f"migration days with outturn averaged {fc.run_rate:,.0f} a day; {fc.days_left} migration days left to M15 "
         f"({fc.m15:%d %b %Y}); "
         + (f"at that rate complete on {fc.completion:%d %b %Y}: on target" if fc.on_target else
            "at that rate not complete by M15: off target")
         + f". The agreed Migration Schedule plans {fc.planned_left:,} after {s.as_of:%d %b %Y}."),
    )
    groups = Table("Groups", "Each group's agreed plan (the schedule of every sprint it executed: accepted plan, UCA "
                   "grants, notified shortfalls) against its outturn, by the end of its core window (lost days "
                   "included; M15 for a group without one) or to date if the window is still open.",
                   (Column("Group", width=9), Column("Name", width=28), Column("Core window end", "day", 17),
                    Column("Lost days", "int", 8), Column("Planned by core end", "int", 14),
                    Column("Migrated by core end", "int", 14), Column("Ratio", "pct", 9),
                    Column("Status", "status", 16)),
                   tuple((g.group, names.get(g.group, ""), g.core_end, g.lost_days, g.planned_by_core_end,
                          g.migrated_by_core_end, g.ratio if g.planned_by_core_end else None, g.status)
                         for g in s.groups))
    periods = Table("Periods", "The aggregate criterion per sprint executed: planned against migrated nationally.",
                    (Column("Period", width=10), Column("From", "day", 17), Column("To", "day", 17),
                     Column("Planned", "int", 13), Column("Migrated", "int", 13), Column("Ratio", "pct", 9),
                     Column("Met", "status", 8)),
                    tuple((x.name, x.first, x.last, x.planned, x.migrated, x.ratio if x.planned else None,
                           ("yes" if x.met else "no") if x.planned else "")
                          for x in [*s.periods, s.aggregate]))
    return SuccessBook(f"Migration success criteria as of {s.as_of:%a %d %b %Y}", summary, groups, periods)


def write_success(path: Path, value: SuccessBook) -> Path:
    with book(path, value.title) as wb:
        f = Formats(wb)
        summary_sheet(wb, f, value.title, value.summary)
        table_sheet(wb, f, value.groups)
        ws = table_sheet(wb, f, value.periods)
        n = len(value.periods.rows) - 1  # the sprints, not the total
        if n > 0:
            ws.insert_chart(len(value.periods.rows) + 5, 0, series_chart(
                wb, "Periods", "column", n, 0, [(3, "Planned", STRONG_BLUE), (4, "Migrated", STRONG_RED)],
                "Planned and migrated per sprint"))
    return path


def write_success_workbook(path: Path, s: Success, names: dict[str, str], parameters: Parameters, stamp: str) -> Path:
    return write_success(path, build_success(s, names, parameters, stamp))
