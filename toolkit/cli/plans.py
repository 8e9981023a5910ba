"""Planning: ``mcc calendar``, ``sprints``, ``envelopes``, ``explain`` and ``templates``."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from toolkit.cli.common import (
    CycleOpt,
    JsonOpt,
    TodayOpt,
    WorkspaceOpt,
    app,
    console,
    context,
    emit_json,
    err_console,
    header,
    more,
    sprint_of,
    table,
    warn,
)

SHOWN = 10  # rows of a long list printed before "and N more"


@app.command()
def calendar(
    csv: Annotated[Path | None, typer.Option("--csv", help="Write one row per date from M11 to M15.")] = None,
    ics: Annotated[Path | None, typer.Option("--ics", help="Write the key events as an iCalendar file.")] = None,
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
) -> None:
    """Export the migration calendar (CSV of days, iCalendar of key events)."""
    from toolkit.services import exports

    if csv is None and ics is None:
        raise typer.BadParameter("give --csv FILE and/or --ics FILE")
    ctx = context(workspace, today)
    header(ctx)
    warn(ctx)
    if csv is not None:
        rows = exports.export_calendar_csv(ctx, csv)
        console.print(f"Wrote {rows} days to {csv}")
    if ics is not None:
        count = exports.export_calendar_ics(ctx, ics)
        console.print(f"Wrote {count} events to {ics}")


@app.command()
def sprints(
    csv: Annotated[Path | None, typer.Option("--csv", help="Write one row per sprint.")] = None,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
) -> None:
    """Show the sprint cycles and their phase dates, or write them as CSV."""
    from toolkit.services import exports

    ctx = context(workspace, today)
    planned = ctx.sprint()
    header(ctx, planned, "being planned")
    warn(ctx)
    if csv is not None:
        rows = exports.export_sprints_csv(ctx, csv)
        console.print(f"Wrote {rows} sprints to {csv}")
        return
    all_sprints = ctx.config.calendar.sprints
    if as_json:
        emit_json({"workspace": str(ctx.workspace.root), "today": ctx.clock.today(), "planning": planned.cycle,
                   "sprints": [{**s.as_row(), "sprint": s.cycle} for s in all_sprints]})
        return
    wide = console.width >= 120
    cols = ("sprint", "plan start", "envelopes", "deadline", "draft/UCA", "UCA end", "baseline", "execution",
            "to", "retro end") if wide else ("sprint", "envelopes", "deadline", "draft/UCA", "baseline", "execution",
                                             "to")
    t = table("Sprint cycles" + ("" if wide else " (every phase date: --json, --csv or a wider terminal)"), *cols,
              dates=cols[1:])
    for s in all_sprints:
        dates = ((s.plan_start, s.envelope_issue, s.submission_deadline, s.draft_publication, s.uca_end,
                  s.baseline_publication, s.execution_start, s.execution_end, s.retro_end) if wide else
                 (s.envelope_issue, s.submission_deadline, s.draft_publication, s.baseline_publication,
                  s.execution_start, s.execution_end))
        t.add_row(s.cycle + (" *" if s == planned else ""), *(str(d) for d in dates))
    console.print(t)
    console.print(f"* being planned on {ctx.clock.today()}")


@app.command()
def envelopes(
    csv: Annotated[Path | None, typer.Option("--csv", help="Write one row per group, LDSO and migration date.")] = None,
    weekly: Annotated[bool, typer.Option("--weekly", help="Weekly envelopes (weeks start Monday).")] = False,
    cycle: Annotated[str | None, typer.Option(help="Sprint (S3 or 3) for the workbook folder; default: the "
                                              "sprint being planned today.")] = None,
    workbook: Annotated[bool, typer.Option(help="Write workbooks/<cycle>/envelopes.xlsx.")] = True,
    summary: Annotated[bool, typer.Option("--summary", help="Only the summary: counts and the pairs short of "
                                          "capacity; no workbook.")] = False,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
) -> None:
    """Calculate the capacity envelopes, warn where capacity is insufficient, optionally write them as CSV."""
    from toolkit.domain import envelopes as env_domain
    from toolkit.services import exports

    ctx = context(workspace, today)
    config = ctx.config
    sprint = sprint_of(ctx, cycle)  # an unknown --cycle is an error even without the workbook
    warn(ctx)
    with console.status("calculating envelopes"):
        env = ctx.envelopes()
    shortfalls = env_domain.sufficiency(env, config.parameters)
    pairs = int((env.category == env_domain.Category.ENVELOPE).sum())
    if as_json:
        emit_json({"workspace": str(ctx.workspace.root), "sprint": sprint.cycle, "groups": len(env.groups),
                   "ldsos": len(env.ldsos), "pairs_with_envelopes": pairs,
                   "insufficient": [{"group": s.group, "ldso": s.ldso, "portfolio": s.portfolio,
                                     "required": s.required, "capacity_to_core_end": s.capacity_to_core_end,
                                     "attainable": round(s.attainable, 4)} for s in shortfalls]})
        if summary:
            return
    for s in shortfalls[:SHOWN]:
        err_console.print(f"[yellow]warning[/]: group {s.group} in LDSO {s.ldso}: envelopes to the end of the core "
                          f"window give {s.capacity_to_core_end:,} of the {s.required:,} MPANs needed for "
                          f"{config.parameters.submission.cmwcp:.0%} of {s.portfolio:,} "
                          f"({s.attainable:.1%} attainable): flex CSMT or change the share basis")
    if cut := more(min(SHOWN, len(shortfalls)), len(shortfalls)):
        err_console.print(f"[yellow]warning[/]: {cut} pairs with insufficient capacity (all of them: --json)")
    if summary:
        console.print(f"{len(env.groups)} groups, {len(env.ldsos)} LDSOs, {pairs} pairs with envelopes, "
                      f"{len(shortfalls)} with insufficient capacity")
        return
    say = err_console.print if as_json else console.print
    if csv is not None:
        rows = exports.export_envelopes_csv(ctx, csv, weekly=weekly)
        say(f"Wrote {rows:,} rows to {csv}")
    if workbook:
        path = exports.write_envelope_workbook(ctx, sprint)
        say(f"Wrote the MCC envelope workbook {path}")
    if not as_json:
        console.print(f"{len(env.groups)} groups, {len(env.ldsos)} LDSOs, {pairs} pairs with envelopes, "
                      f"{len(shortfalls)} with insufficient capacity")


@app.command()
def explain(
    group: Annotated[str, typer.Argument(help="Supplier Group MPID.")],
    ldso: Annotated[str, typer.Argument(help="LDSO MPID.")],
    day: Annotated[str, typer.Argument(metavar="DATE", help="YYYY-MM-DD.")],
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
) -> None:
    """Show how one envelope figure is derived, step by step with the numbers."""
    from toolkit.services import exports

    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise typer.BadParameter(f"{day!r} is not a date (write it as YYYY-MM-DD)") from None
    ctx = context(workspace, today)
    header(ctx)
    for step, text in exports.explain_envelope(ctx, group.upper(), ldso.upper(), when):
        console.print(f"[bold]{step:>8}[/]  {text}", highlight=False, soft_wrap=True)


@app.command()
def templates(
    cycle: CycleOpt = None,
    group: Annotated[list[str] | None, typer.Option("--group", "-g", help="Only this supplier group (repeat for "
                                                    "more); default: every group.")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Processes writing workbooks (default: up to 4).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Issue even after the sprint's return-by date.")] = False,
    reason: Annotated[str | None, typer.Option(help="Why templates already issued are superseded (needed to issue "
                                               "again to a group; recorded in reissues.csv).")] = None,
    every: Annotated[bool, typer.Option("--all", help="Issue again even to groups whose envelopes did not change "
                                        "(default: they keep their template).")] = False,
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
) -> None:
    """Issue the supplier submission templates: one workbook per group in workbooks/<cycle>/templates/. Issuing
    again leaves groups whose envelopes did not change alone (unless --all) and needs --reason for the others."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from toolkit.services.issue import issue, issued_late

    ctx = context(workspace, today)
    sprint = sprint_of(ctx, cycle)
    warn(ctx)
    if issued_late(ctx, sprint) and force:
        err_console.print(f"[yellow]warning[/]: issuing after the return-by date of {sprint.cycle} "
                          f"({sprint.submission_deadline:%a %d %b %Y}): the templates say so, and their returns will "
                          "be marked late")
    ctx.envelopes()
    count = len(group) if group else len(ctx.config.industry.groups)
    with Progress(TextColumn("issuing templates"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console.real(), transient=True) as bar:
        task = bar.add_task("templates", total=count)
        made = issue(ctx, sprint, groups=group, workers=workers, progress=lambda _t: bar.advance(task), force=force,
                     guard=True, every=every, reason=reason)
    issued = made.templates
    folder = ctx.workspace.templates_dir(sprint.cycle)
    for t in issued[:SHOWN]:
        console.print(f"{t.group}: {folder / t.file} (version {t.version})")
    if cut := more(min(SHOWN, len(issued)), len(issued)):
        console.print(f"{cut} (the register: {folder / 'register.csv'})")
    if made.superseded:
        console.print(f"Superseded {len(made.superseded)}: " + "; ".join(str(x) for x in made.superseded[:SHOWN])
                      + (f"; {more(SHOWN, len(made.superseded))}" if len(made.superseded) > SHOWN else "")
                      + f" (recorded with the reason in {folder / 'reissues.csv'})")
    if made.unchanged:
        console.print(f"Left alone: {len(made.unchanged)} group{'s' if len(made.unchanged) != 1 else ''} whose "
                      "envelopes did not change keep their template (--all issues them again)")
    if issued:
        _report_basis(made, sprint)
    console.print(f"Issued {len(issued)} template{'s' if len(issued) != 1 else ''} for sprint {sprint.sprint} "
                  f"({sprint.cycle}) to {folder}; return by {sprint.submission_deadline:%a %d %b %Y}")


def _report_basis(made, sprint) -> None:
    """What the templates were built on: the portfolio left, the days counted from plans, and where the limits to
    M15 cannot hold what is left (capacity sufficiency)."""
    b = made.basis
    console.print(f"Portfolio left on the execution start {b.cutoff:%a %d %b %Y}: {int(b.remaining.sum()):,} of "
                  f"{int((b.initial + b.churn).sum()):,} MPANs ({int(b.outturn.sum()):,} migrated by outturn, "
                  f"{int(b.missing.sum()):,} by plan on past days without outturn, {int(b.forecast.sum()):,} "
                  "forecast from plans for the days still to come)")
    if b.missing_days:
        counted = (f"the accepted plans were counted for them ({int(b.missing.sum()):,} MPANs)" if b.missing.any()
                   else "and no accepted plans for them either: nothing was counted as migrated on them")
        err_console.print(f"[yellow]warning[/]: no outturn for {len(b.missing_days)} past migration days "
                          f"({b.missing_days[0]} to {b.missing_days[-1]}), {counted}; the templates say so. Ingest "
                          "the outturn (mcc monitor ingest) and issue again for figures from outturn", highlight=False)
    if not made.shortages:
        console.print("Every group's limits to M15 can hold what it has left.")
        return
    t = table(f"Short of capacity: limits from {sprint.execution_start} to M15 below the portfolio left", "group",
              "LDSO", "left to migrate", "limits hold", "beyond", right=("left to migrate", "limits hold", "beyond"))
    for s in made.shortages[:SHOWN]:
        t.add_row(s.group, s.ldso, f"{s.remaining:,}", f"{s.fits:,}", f"{s.beyond:,}")
    if cut := more(min(SHOWN, len(made.shortages)), len(made.shortages)):
        t.add_row(cut, "", "", "", "")
    console.print(t)
    groups = len({s.group for s in made.shortages})
    err_console.print(f"[yellow]warning[/]: {len(made.shortages)} group and LDSO pairs ({groups} groups) cannot fit "
                      "what is left by M15; their templates say so and ask them to plan what fits and request "
                      "unused capacity")
