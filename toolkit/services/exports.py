"""The calendar, sprint and envelope exports: CSV files, the iCalendar file for Outlook, the MCC's envelope
workbook, and the derivation of one envelope figure."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from toolkit.domain import envelopes as env_domain
from toolkit.domain.calendar import CALENDAR_COLUMNS, calendar_table
from toolkit.domain.sprints import SPRINT_COLUMNS, Sprint
from toolkit.errors import UsageError
from toolkit.excel.writers.envelopes import write_envelope_workbook as write_workbook
from toolkit.services.context import Context
from toolkit.store.files import write_csv, write_envelope_csv, write_ics


def export_calendar_csv(ctx: Context, path: Path) -> int:
    return write_csv(path, CALENDAR_COLUMNS, calendar_table(ctx.config.calendar))


def export_calendar_ics(ctx: Context, path: Path) -> int:
    events = ctx.config.calendar.events(supplier_ramp_up_days(ctx.envelopes()))
    write_ics(path, events, ctx.clock.now())
    return len(events)


def supplier_ramp_up_days(env: env_domain.Envelopes) -> list[date]:
    """The days on which some group is in its supplier ramp-up (C5 M-02.04, its daily stand-up)."""
    on = (env.phase == env_domain.Phase.SUPPLIER_RAMP_UP).any(axis=0)
    return [d for d, yes in zip(env.dates, on, strict=True) if yes]


def export_sprints_csv(ctx: Context, path: Path) -> int:
    """One row per sprint, named as every command takes it (``S1``)."""
    return write_csv(path, SPRINT_COLUMNS, ({**s.as_row(), "sprint": s.cycle} for s in ctx.config.calendar.sprints))


def export_envelopes_csv(ctx: Context, path: Path, weekly: bool = False) -> int:
    return write_envelope_csv(ctx.envelopes(), path, weekly=weekly)


def write_envelope_workbook(ctx: Context, sprint: Sprint) -> Path:
    config = ctx.config
    names = {x.mpid: x.name for x in config.industry.ldsos} | ctx.group_names
    path = ctx.workspace.cycle_dir(sprint.cycle) / "envelopes.xlsx"
    return write_workbook(path, ctx.envelopes(), config.parameters, names,
                          title=f"Capacity envelopes for sprint {sprint.sprint} (issued {sprint.envelope_issue})")


def explain_envelope(ctx: Context, group: str, ldso: str, day: date) -> list[tuple[str, str]]:
    env = ctx.envelopes()
    if group not in env.groups:
        raise UsageError(f"no supplier group {group!r} in config/suppliers.csv")
    if ldso not in env.ldsos:
        raise UsageError(f"no LDSO {ldso!r} in config/ldsos.csv")
    if not env.dates[0] <= day <= env.dates[-1]:
        raise UsageError(f"{day} is outside the migration window {env.dates[0]} to {env.dates[-1]}")
    return env_domain.explain(env, ctx.config.parameters, group, ldso, day)
