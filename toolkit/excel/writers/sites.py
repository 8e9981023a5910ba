"""The complex site tracker (Foundations 5.7: "recorded in a tracker"; "Programme in collaboration with Suppliers to
confirm successful migration of each site"): one row per site with its planned date (from the group's latest
accepted plan) and whether outturn confirms it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from toolkit.excel.book import book
from toolkit.excel.tables import Column, Formats, Table, summary_sheet, table_sheet


@dataclass(frozen=True)
class SiteRow:
    site: str
    group: str
    ldso: str
    mpan_count: int
    agents: str
    planned: date | None
    plan_file: str  # the accepted plan the date comes from
    migrated: int  # MPANs the group's suppliers initiated in the LDSO on the planned day (outturn)
    status: str  # no date, planned, confirmed, not confirmed


def write_site_tracker(path: Path, rows: list[SiteRow], as_of: date, stamp: str) -> Path:
    title = f"Complex site tracker as of {as_of:%a %d %b %Y}"
    counts = {s: sum(r.status == s for r in rows) for s in ("confirmed", "not confirmed", "planned", "no date")}
    summary = (("Made", stamp), ("Sites (config/complex_sites.csv)", f"{len(rows):,}"),
               ("Confirmed from outturn", f"{counts['confirmed']:,}"),
               ("Day passed, not confirmed", f"{counts['not confirmed']:,}"),
               ("Planned, day to come", f"{counts['planned']:,}"),
               ("No date in an accepted plan", f"{counts['no date']:,}"),
               ("Rule", "Every MPAN of a site migrates on one day, from M14 (F5.7). A site is confirmed when outturn "
                        "shows at least its MPANs initiated by the group's suppliers in its LDSO on the planned day "
                        "(other migrations that day count too: the MCC confirms with the supplier)."))
    table = Table("Sites", "One row per complex site: its planned migration date from the group's latest accepted "
                  "plan, and outturn on that day.",
                  (Column("Site", width=28), Column("Group", width=8), Column("LDSO", width=8),
                   Column("MPANs", "int", 10), Column("Agents", width=16), Column("Planned date", "day", 16),
                   Column("From plan", width=28), Column("Migrated that day", "int", 12),
                   Column("Status", "status", 14)),
                  tuple((r.site, r.group, r.ldso, r.mpan_count, r.agents, r.planned, r.plan_file, r.migrated,
                         r.status) for r in rows))
    with book(path, title) as wb:
        f = Formats(wb)
        summary_sheet(wb, f, title, summary)
        table_sheet(wb, f, table)
    return path
