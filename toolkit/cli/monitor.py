"""Sprint execution: ``mcc monitor ingest``, ``report``, ``shortfall`` and ``lost-days``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from toolkit.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    JsonOpt,
    TodayOpt,
    Typer,
    WorkspaceOpt,
    app,
    console,
    context,
    day_option,
    emit_json,
    err_console,
    executing_of,
    header,
    more,
)
from toolkit.domain.status import Status

monitor_app = Typer(help="Sprint execution: outturn against the plan, shortfalls, lost migration days.",
                          no_args_is_help=True, rich_markup_mode=None)
app.add_typer(monitor_app, name="monitor")
COLOURS = {Status.ACCEPTED: "green", Status.REJECTED: "red"}
SHOWN = 10


@monitor_app.command("ingest")
def monitor_ingest(
    file: Annotated[Path, typer.Argument(help="Outturn CSV or xlsx: supplier_mpid,ldso_mpid,initiation_date,"
                                         "effective_date,initiations,completions.")],
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
) -> None:
    """Check an outturn file and store it (through the inbox: archived, recorded, answered in outbox/outturn/)."""
    from toolkit.services.monitor import ingest

    ctx = context(workspace, today)
    header(ctx)
    outcome = ingest(ctx, file.expanduser())
    console.print(f"#{outcome.row_id} [{COLOURS.get(outcome.status, 'yellow')}]{outcome.status}[/] {outcome.name}",
                  highlight=False)
    if outcome.outputs:
        for line in outcome.outputs[0].read_text(encoding="utf-8").splitlines()[1:]:
            (console if outcome.status == Status.ACCEPTED else err_console).print(line, highlight=False, markup=False)
    raise typer.Exit(EXIT_OK if outcome.status in (Status.ACCEPTED, Status.DUPLICATE) else
                     EXIT_INVALID if outcome.status == Status.REJECTED else EXIT_USAGE)


@monitor_app.command("report")
def monitor_report(
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD: the last day to monitor (default: "
                                              "today).")] = None,
    cycle: Annotated[str | None, typer.Option(help="Sprint (S3 or 3); default: the one executing.")] = None,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
) -> None:
    """The daily monitoring workbook: heat map by level, trends, level-3 escalations, offsets, CMWCP progress."""
    from toolkit.services.monitor import monitoring_report

    ctx = context(workspace, today)
    day = day_option(as_of, "--as-of") or ctx.clock.today()
    sprint = executing_of(ctx, cycle, day)
    with console.status("comparing the outturn with the plan"):
        report = monitoring_report(ctx, sprint, day)
    mon = report.monitoring
    if as_json:
        emit_json({"workspace": str(ctx.workspace.root), "sprint": sprint.cycle, "first_day": mon.days[0],
                   "last_day": mon.days[-1], "migrated": int(report.national_actual.sum()),
                   "planned": int(report.national_plan.sum()),
                   "escalations": [{"group": e.group, "ldso": e.ldso, "scope": e.scope, "day": e.day,
                                    "actual": int(e.actual), "plan": int(e.plan), "direction": e.direction,
                                    "unplanned": bool(e.unplanned)} for e in mon.escalations],
                   "activation_offsets": len(report.offsets), "secondary_spikes": len(report.spikes),
                   "workbook": str(report.path)})
        return
    console.print(f"Sprint {sprint.sprint} ({sprint.cycle}), {mon.days[0]} to {mon.days[-1]}: "
                  f"{int(report.national_actual.sum()):,} migrated against {int(report.national_plan.sum()):,} "
                  f"planned; {len(mon.escalations)} level-3 escalations, {len(report.offsets)} activation offsets "
                  f"outside MAO, {len(report.spikes)} secondary MPAN spikes")
    for e in mon.escalations[:SHOWN]:
        err_console.print(f"[red]level 3[/] {e.group} {e.ldso} {e.scope} {e.day}: {e.actual:,} against {e.plan:,} "
                          f"planned ({e.direction}{', unplanned day' if e.unplanned else ''})", highlight=False)
    if cut := more(min(SHOWN, len(mon.escalations)), len(mon.escalations)):
        err_console.print(f"[red]level 3[/] {cut} (every one in the workbook, or --json)", highlight=False)
    console.print(f"Wrote {report.path}")


@monitor_app.command("success")
def monitor_success(
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD: the last day measured (default: "
                                              "today; never after M15).")] = None,
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
) -> None:
    """The success criteria (Foundations 7): each group's agreed plan against its outturn by the end of its core
    window, the aggregate share of the period's plan achieved, the forecast of completion against M15."""
    from toolkit.services.success import success_report

    ctx = context(workspace, today)
    header(ctx)
    with console.status("comparing the outturn with the agreed plans"):
        report = success_report(ctx, day_option(as_of, "--as-of"))
    s, p = report.success, ctx.config.parameters.success
    closed = [g for g in s.groups if g.closed]
    console.print(f"As of {s.as_of}: {len(closed)} of {len(s.groups)} groups' core windows have ended: {s.met} met "
                  f"the {p.participant:.0%} criterion, {s.missed} missed it, {len(closed) - s.met - s.missed} had no "
                  "agreed plan to judge")
    from rich.table import Table

    table = Table("group", "core window to", "planned", "migrated", "ratio", "status")
    colours = {"met": "green", "on course": "green", "missed": "red", "behind": "yellow"}
    for g in s.groups:
        table.add_row(g.group, str(g.core_end), f"{g.planned_by_core_end:,}", f"{g.migrated_by_core_end:,}",
                      f"{g.ratio:.1%}" if g.planned_by_core_end else "",
                      f"[{colours.get(g.status, 'default')}]{g.status}[/]")
    console.print(table)
    a, fc = s.aggregate, s.forecast
    console.print(f"Aggregate: {a.migrated:,} of {a.planned:,} planned migrated ({a.ratio:.1%}; criterion "
                  f"{p.aggregate:.0%}: {'met' if a.met else 'not met'})")
    console.print(f"Forecast: {fc.remaining:,} of {fc.portfolio:,} left, {fc.run_rate:,.0f} a migration day over the "
                  f"last {fc.rate_days}; " + (f"complete on {fc.completion}, on target for M15 ({fc.m15})"
                                              if fc.on_target else f"not complete by M15 ({fc.m15}) at that rate"))
    console.print(f"Wrote {report.path}")


@monitor_app.command("shortfall")
def monitor_shortfall(
    group: Annotated[str, typer.Argument(help="Supplier Group MPID.")],
    ldso: Annotated[str, typer.Argument(help="LDSO MPID.")],
    count: Annotated[int, typer.Option(help="Migrations fewer than planned, each day.")],
    reason: Annotated[str, typer.Option(help="What the group told the MCC.")],
    day: Annotated[str, typer.Option("--day", help="YYYY-MM-DD, the (first) day.")],
    to: Annotated[str | None, typer.Option("--to", help="YYYY-MM-DD: every migration day up to this one.")] = None,
    cycle: Annotated[str | None, typer.Option(help="Sprint; default: the one executing on --day.")] = None,
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
) -> None:
    """Record a shortfall a group notified: the capacity it cedes goes to the next ad hoc UCA round."""
    from toolkit.services.monitor import notify_shortfall

    ctx = context(workspace, today)
    first = day_option(day, "--day")
    last = day_option(to, "--to") or first
    sprint = executing_of(ctx, cycle, first)
    days = list(ctx.config.calendar.migration_days(first, last)) if last > first else [first]
    ids = notify_shortfall(ctx, sprint, group, ldso, days, count, reason)
    console.print(f"Recorded {len(ids)} day{'s' if len(ids) != 1 else ''}: {group.upper()} cedes {count:,} a day in "
                  f"{ldso.upper()} ({days[0]} to {days[-1]}). Hand it out with mcc uca report --adhoc.")


@monitor_app.command("lost-days")
def monitor_lost_days(
    group: Annotated[str, typer.Argument(help="Supplier Group MPID.")],
    days: Annotated[int, typer.Argument(help="Migration days lost.")],
    reason: Annotated[str, typer.Option(help="The circumstance beyond the group's control (F6.6).")],
    incident: Annotated[str, typer.Option(help="The related incident reference.")],
    approved: Annotated[str | None, typer.Option(help="YYYY-MM-DD the MCC approved it (default: today); before "
                                                 "M14.")] = None,
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
) -> None:
    """Record an approved Lost Migration Day claim: it extends the group's core window (XCMW) in
    config/lost_days.csv, from the next envelopes and templates on."""
    from toolkit.services.monitor import record_lost_days

    ctx = context(workspace, today)
    header(ctx)
    before, after = record_lost_days(ctx, group, days, reason, incident, day_option(approved, "--approved")
                                     or ctx.clock.today())
    console.print(f"Recorded {days} lost migration day{'s' if days != 1 else ''} for {group.upper()} in "
                  f"config/lost_days.csv: its core window now ends {after} (was {before}). Issue its next "
                  "templates to show it.")
