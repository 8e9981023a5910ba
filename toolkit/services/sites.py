"""The complex site tracker (Foundations 5.7): each site's planned date from its group's latest accepted plan (the
Sites sheet), confirmed from outturn; ``workbooks/sites/site_tracker_<D>_vNN.xlsx``."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from toolkit.clock import stamp
from toolkit.domain.complex_sites import site_status
from toolkit.domain.rules.values import as_date
from toolkit.domain.status import Kind
from toolkit.errors import UsageError
from toolkit.excel.contract import SHEET_SITES
from toolkit.excel.reader import read_table
from toolkit.excel.writers.sites import SiteRow, write_site_tracker
from toolkit.services.context import Context
from toolkit.store.versions import next_version, versioned

TOP = 5  # the first site row of the Sites sheet (0-based), as toolkit.excel.writers.template.sites writes it


def planned_dates(ctx: Context, group: str) -> tuple[dict[str, date], str]:
    """The sites' dates in the group's latest accepted plan holding a Sites sheet (latest sprint first)."""
    ledger = ctx.ledger
    for sprint in sorted(ctx.config.calendar.sprints, key=lambda s: s.plan_start, reverse=True):
        row = ledger.current_plan(sprint.cycle, group, Kind.PLAN)
        if row is None or not row.archive_path:
            continue
        path = ctx.workspace.root / row.archive_path
        try:
            sheet, rows = read_table(path, SHEET_SITES)
        except Exception:  # noqa: BLE001 - a kept plan that cannot be read again gives no dates
            continue
        if sheet != SHEET_SITES:
            continue
        dates = {str(r[0]).strip(): as_date(r[4]) for r in rows[TOP:] if len(r) > 4 and r[0] not in (None, "")}
        return {k: v for k, v in dates.items() if v is not None}, row.original_name
    return {}, ""


def site_tracker(ctx: Context, as_of: date | None = None) -> tuple[Path, list[SiteRow]]:
    config = ctx.config
    sites = config.industry.sites
    if not sites:
        raise UsageError("no complex sites: config/complex_sites.csv is missing or empty")
    as_of = as_of or ctx.clock.today()
    migrated: dict[tuple[str, str, date], int] = {}
    groups = config.industry.group_of_supplier
    for supplier, ldso, day, n in ctx.ledger.migrations(before=as_of + timedelta(days=1)):
        key = (groups.get(supplier, ""), ldso, day)
        migrated[key] = migrated.get(key, 0) + n
    rows, plans = [], {}
    for s in sites:
        if s.group not in plans:
            plans[s.group] = planned_dates(ctx, s.group)
        dates, file = plans[s.group]
        day = dates.get(s.site)
        done = migrated.get((s.group, s.ldso, day), 0) if day else 0
        rows.append(SiteRow(s.site, s.group, s.ldso, s.mpan_count, " ".join(s.agents), day, file if day else "",
                            done, site_status(day, done, s.mpan_count, as_of)))
    folder = ctx.workspace.workbooks / "sites"
    stem = f"site_tracker_{as_of.isoformat()}"
    path = folder / versioned(stem, next_version(folder, stem))
    return write_site_tracker(path, rows, as_of, stamp(ctx.clock.now())), rows
