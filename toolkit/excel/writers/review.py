"""The sprint review workbook (Foundations 5.4; ``mcc review``; internal to the MCC): plan against actual per LDSO
and nationally, the use of CSMT and ALMT, unused capacity granted against used, deviation levels, late and invalid
submissions, and the trend across the sprints reviewed so far.

``build_review`` computes the value from the report (duck-typed: ``review``, a ``toolkit.domain.review.Review``,
``partial`` and ``names``); ``write_review`` writes it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from toolkit.domain.parameters import Parameters
from toolkit.domain.review import Review
from toolkit.excel.book import MID_GREY, STRONG_BLUE, STRONG_RED, book
from toolkit.excel.tables import Column, Formats, Table, series_chart, summary_sheet, table_sheet

LEVEL_WORDS = {0: "", 1: "level 1", 2: "level 2", 3: "level 3"}


@dataclass(frozen=True)
class ReviewBook:
    title: str
    summary: tuple[tuple[str, str], ...]
    ldsos: Table
    national: Table
    uca: Table
    deviations: Table
    trend: Table


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _summary(r: Review, partial: bool, parameters: Parameters, stamp: str) -> tuple[tuple[str, str], ...]:
    f, sub = r.figures, r.figures.submissions
    t = parameters.tolerance
    return (
        ("Generated", stamp),
        ("Execution reviewed", f"{f.first:%a %d %b %Y} to {f.last:%a %d %b %Y}"
         + (" (the sprint is still executing: its figures to date)" if partial else "")),
        ("Plan against actual (national)", f"{f.migrated:,} migrated of {f.planned:,} planned: {_pct(f.ratio)}"),
        ("Use of CSMT", f"{_pct(f.csmt_use)} of the sprint's CSMT ({f.csmt:,}); the busiest day "
         f"{_pct(f.peak_csmt_use)}"),
        ("Use of ALMT", "per LDSO on the LDSOs sheet: outturn over the sum of its daily limits, and its busiest day"),
        ("Unused capacity", f"{f.granted:,} granted, {f.used:,} used ({_pct(f.used_share)})"),
        ("Deviation levels (sprint)",
         f"group x LDSO pairs over the sprint: {r.level_counts[1]} at level 1, {r.level_counts[2]} at level 2, "
         f"{r.level_counts[3]} at level 3 (EMT {_pct(t.emt_l1)}/{_pct(t.emt_l2)}, SMT {_pct(t.smt_l1)}/"
         f"{_pct(t.smt_l2)})"),
        ("Submissions", f"{sub.templates} templates issued; {sub.returned} returns judged: {sub.accepted} accepted, "
         f"{sub.rejected} rejected (invalid), {sub.late} late; {sub.without_plan} groups without an accepted plan"),
        ("Trend", f"{len(r.trend)} sprints reviewed so far: see the Trend sheet"),
    )


def build_review(report, parameters: Parameters, stamp: str) -> ReviewBook:
    r, names = report.review, report.names
    f = r.figures
    ldso_rows = [(x, int(p), int(a), (a - p) / p if p else None, int(lim), a / lim if lim else None, float(peak))
                 for x, p, a, lim, peak in zip(r.ldsos, r.ldso_planned, r.ldso_migrated, r.ldso_almt, r.ldso_peak_use,
                                               strict=True) if p or a]
    ldso_rows.append(("National", f.planned, f.migrated, (f.migrated - f.planned) / f.planned if f.planned else None,
                      f.csmt, f.csmt_use, f.peak_csmt_use))
    ldsos = Table("LDSOs", "Plan against actual per LDSO and nationally; the use of ALMT (ULMT - LRC for de minimis "
                  "LDSOs) and, on the national row, of CSMT.",
                  (Column("LDSO", width=10), Column("Planned", "int", 13), Column("Migrated", "int", 13),
                   Column("Deviation", "pct", 10), Column("Limit (sum)", "int", 13), Column("Use", "pct", 9),
                   Column("Busiest day", "pct", 10)), tuple(ldso_rows))
    national = Table("National", "Each day of the sprint: the schedule as it stood, the outturn and CSMT.",
                     (Column("Date", "day", 17), Column("Planned", "int", 12), Column("Migrated", "int", 12),
                      Column("CSMT", "int", 12), Column("Use of CSMT", "pct", 10)),
                     tuple((d, int(p), int(a), int(c), a / c if c else None) for d, p, a, c in
                           zip(r.days, r.national_planned, r.national_migrated, r.csmt, strict=True)))
    uca = Table("UCA", "Unused capacity granted and used per group: outturn above the plan without the grant, up to "
                "the grant, day by day.",
                (Column("Group", width=9), Column("Name", width=28), Column("Granted", "int", 12),
                 Column("Used", "int", 12), Column("Share used", "pct", 10)),
                tuple((g, names.get(g, ""), int(gr), int(u), u / gr) for g, gr, u in
                      zip(r.groups, r.group_granted, r.group_used, strict=True) if gr))
    deviations = Table("Deviations", "The group x LDSO pairs beyond level 1 over the sprint (the Summary counts "
                       "every level).",
                       (Column("Group", width=9), Column("Name", width=28), Column("LDSO", width=9),
                        Column("Planned", "int", 12), Column("Migrated", "int", 12), Column("Deviation", "pct", 10),
                        Column("Level", "status", 9)),
                       tuple((g, names.get(g, ""), x, p, a, None if dev != dev else dev, LEVEL_WORDS[lv])
                             for g, x, p, a, lv, dev in sorted(r.pair_levels, key=lambda t: (-t[4], t[0], t[1]))
                             if lv > 1))
    trend = Table("Trend", "Every sprint reviewed so far, this one last.",
                  (Column("Sprint", width=8), Column("Planned", "int", 12), Column("Migrated", "int", 12),
                   Column("Ratio", "pct", 8), Column("Use of CSMT", "pct", 9), Column("Granted", "int", 11),
                   Column("Used", "int", 11), Column("Level 3 pairs", "int", 9), Column("Returns", "int", 8),
                   Column("Rejected", "int", 9), Column("Late", "int", 7)),
                  tuple((t.cycle, t.planned, t.migrated, t.ratio, t.csmt_use, t.granted, t.used, t.level3,
                         t.submissions.returned, t.submissions.rejected, t.submissions.late) for t in r.trend))
    title = f"Sprint review {f.cycle}: execution {f.first:%d %b %Y} to {f.last:%d %b %Y}"
    return ReviewBook(title, _summary(r, report.partial, parameters, stamp), ldsos, national, uca, deviations, trend)


def write_review(path: Path, value: ReviewBook) -> Path:
    with book(path, value.title) as wb:
        f = Formats(wb)
        summary_sheet(wb, f, value.title, value.summary)
        table_sheet(wb, f, value.ldsos)
        ws = table_sheet(wb, f, value.national)
        if value.national.rows:
            ws.insert_chart(2, 6, series_chart(
                wb, "National", "line", len(value.national.rows), 0,
                [(1, "Planned", STRONG_BLUE), (2, "Migrated", STRONG_RED), (3, "CSMT", MID_GREY)],
                "National migrations against plan and CSMT", dates=True))
        table_sheet(wb, f, value.uca)
        table_sheet(wb, f, value.deviations)
        ws = table_sheet(wb, f, value.trend)
        if value.trend.rows:
            ws.insert_chart(len(value.trend.rows) + 5, 0, series_chart(
                wb, "Trend", "column", len(value.trend.rows), 0,
                [(1, "Planned", STRONG_BLUE), (2, "Migrated", STRONG_RED)], "Planned and migrated per sprint"))
    return path


def write_review_workbook(path: Path, report, parameters: Parameters, stamp: str) -> Path:
    return write_review(path, build_review(report, parameters, stamp))
