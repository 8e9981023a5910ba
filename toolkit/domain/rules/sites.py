"""Complex sites (Foundations 5.7), for groups whose template has a Sites sheet: "The Migration of all MPANs within
a Complex Site arrangement must be undertaken at the same time; and No migration of Complex Sites may be undertaken
prior to M14." ``sites.date``: each site's one migration date is a migration day open to the group, from M14, in
the plan's window (blank: a warning, the date is not agreed yet); ``sites.in-plan``: the sites of an LDSO on a day
fit in the group's plan there (the daily plan for the sprint's days, the weekly plan after them)."""

from __future__ import annotations

from datetime import date, timedelta

from toolkit.domain.findings import Finding, RuleId, Severity, finding
from toolkit.domain.rules.case import PlanCase
from toolkit.domain.rules.layout import signed_layout
from toolkit.domain.rules.registry import family
from toolkit.domain.rules.sheets import SITE_PLAN, SITES_SHEET
from toolkit.domain.rules.values import DAY, as_date


@family(
    "complex sites",
    emits=(RuleId.STRUCTURE_LAYOUT, RuleId.SITES_DATE, RuleId.SITES_IN_PLAN),
    when=lambda case: case.content is not None and bool(case.content.sites) and case.weekly is not None,
)
def complex_sites(case: PlanCase) -> list[Finding]:
    content, grid = case.content, case.sub.grids.get(SITE_PLAN)
    recorded = signed_layout(case.sub).get(SITE_PLAN)
    if grid is None or len(grid.values) != len(content.sites) or (recorded and recorded != grid.area.qualified):
        return [
            finding(
                RuleId.STRUCTURE_LAYOUT,
                f"the Sites sheet's date column is not as issued (one row for each "
                f"of your {len(content.sites)} complex sites).",
                sheet=SITES_SHEET,
                hint="return the template with its sheets as issued",
            )
        ]
    out: list[Finding] = []
    dated: list[tuple[int, date]] = []
    for r, site in enumerate(content.sites):
        cell, raw = grid.cell(r, 0), grid.values[r][0] if grid.values[r] else None
        day = as_date(raw)
        if raw in (None, ""):
            out.append(
                finding(
                    RuleId.SITES_DATE,
                    f"site {site.site} ({site.mpan_count:,} MPANs in {site.ldso}) has no migration date yet.",
                    Severity.WARNING,
                    sheet=SITES_SHEET,
                    cell=cell,
                    ldso=site.ldso,
                    hint="give the date agreed with its agents",
                )
            )
        elif day is None:
            out.append(
                finding(
                    RuleId.SITES_DATE,
                    f"site {site.site}: {raw!s} is not a date.",
                    sheet=SITES_SHEET,
                    cell=cell,
                    ldso=site.ldso,
                    value=str(raw),
                )
            )
        elif content.m14 is not None and day < content.m14:
            out.append(
                finding(
                    RuleId.SITES_DATE,
                    f"site {site.site} is planned on {day:{DAY}}, before M14 "
                    f"({content.m14:{DAY}}): no complex site migrates before M14 (F5.7).",
                    sheet=SITES_SHEET,
                    cell=cell,
                    ldso=site.ldso,
                    date=day,
                )
            )
        elif not _open(content, day):
            out.append(
                finding(
                    RuleId.SITES_DATE,
                    f"site {site.site} is planned on {day:{DAY}}, which is not a "
                    "migration day open to you in this plan.",
                    sheet=SITES_SHEET,
                    cell=cell,
                    ldso=site.ldso,
                    date=day,
                )
            )
        else:
            dated.append((r, day))
    return out + _in_plan(case, grid, dated)


def _open(content, day: date) -> bool:
    if day not in content.window_days:
        return False
    return bool(content.window_open[content.window_days.index(day)])


def _in_plan(case: PlanCase, grid, dated: list[tuple[int, date]]) -> list[Finding]:
    """The sites of an LDSO on a day add up to no more than the plan there: that day's daily plan where the sprint
    has one, else the week's weekly plan (all sites of the week together)."""
    content = case.content
    daily = case.daily if case.daily is not None and case.daily.any() else None
    need: dict[tuple[str, str, date], list[int]] = {}
    for r, day in dated:
        site = content.sites[r]
        if daily is not None and day in content.days:
            key = (site.ldso, "day", day)
        else:
            key = (site.ldso, "week", day - timedelta(days=day.weekday()))
        need.setdefault(key, []).append(r)
    out = []
    for (ldso, span, when), rows in need.items():
        c = content.ldso_mpids.index(ldso) if ldso in content.ldso_mpids else None
        if c is None:
            continue
        if span == "day":
            planned = int(daily[content.days.index(when), c])
        else:
            planned = int(case.weekly[content.weeks.index(when), c]) if when in content.weeks else 0
        total = sum(content.sites[r].mpan_count for r in rows)
        if total > planned:
            names = ", ".join(content.sites[r].site for r in rows)
            what = f"on {when:{DAY}}" if span == "day" else f"in the week of {when:{DAY}}"
            out.append(
                finding(
                    RuleId.SITES_IN_PLAN,
                    f"site{'s' if len(rows) > 1 else ''} {names} need{'' if len(rows) > 1 else 's'} "
                    f"{total:,} MPANs migrated in {ldso} {what}, but your plan there has {planned:,}.",
                    sheet=SITES_SHEET,
                    cell=grid.cell(rows[0], 0),
                    ldso=ldso,
                    date=when,
                    hint=f"plan at least {total:,} in {ldso} {what}, or move the site",
                )
            )
    return out
