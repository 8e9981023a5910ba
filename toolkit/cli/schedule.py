"""The schedule: ``mcc consolidate``, ``uca report``, ``uca allocate`` and ``publish``. Each refuses (exit 2, with the
reason and the way forward) where its inputs are missing: no templates issued, no plan accepted, no UCA report."""

from __future__ import annotations

from typing import Annotated

import typer

from toolkit.cli.common import (
    CycleOpt,
    JsonOpt,
    TodayOpt,
    Typer,
    WorkspaceOpt,
    app,
    console,
    context,
    emit_json,
    err_console,
    executing_of,
    more,
    sprint_of,
)
from toolkit.errors import UsageError

uca_app = Typer(help="Unused capacity allocation: the report and request workbooks, then the allocation.",
                      no_args_is_help=True, rich_markup_mode=None)
app.add_typer(uca_app, name="uca")
SHOWN = 10


def _require(ctx, sprint, step: str) -> None:
    from toolkit.services.consolidate import missing_inputs

    why = missing_inputs(ctx, sprint, step)
    if why:
        raise UsageError(why)


@app.command()
def consolidate(cycle: CycleOpt = None, workspace: WorkspaceOpt = None, today: TodayOpt = None) -> None:
    """Consolidate the accepted plans into the draft schedule workbook, with breaches and missing plans."""
    from toolkit.services.consolidate import consolidate_schedule

    ctx = context(workspace, today)
    sprint = sprint_of(ctx, cycle)
    _require(ctx, sprint, "consolidate")
    with console.status("consolidating the accepted plans"):
        result, path = consolidate_schedule(ctx, sprint)
    s = result.schedule
    console.print(f"Draft schedule for sprint {sprint.sprint} ({sprint.cycle}): {len(result.plans)} accepted plans, "
                  f"{len(result.missing)} groups without one, {len(result.breaches)} breaches; "
                  f"{int(s.national_daily.sum()):,} migrations planned in the sprint, "
                  f"{int(s.national_weekly.sum()):,} to M15")
    for b in result.breaches[:SHOWN]:
        who = ", ".join(g for g, _ in b.contributors[:5])
        err_console.print(f"[yellow]breach[/]: {b.scope} {b.granularity} {b.period}: {b.planned:,} planned, limit "
                          f"{b.limit:,.0f} ({who})", highlight=False)
    if cut := more(min(SHOWN, len(result.breaches)), len(result.breaches)):
        err_console.print(f"[yellow]breach[/]: {cut} (every one in the workbook's breaches sheet)")
    console.print(f"Wrote {path}")


@uca_app.command("report")
def report(
    cycle: Annotated[str | None, typer.Option(help="Sprint (S3 or 3); default: the sprint being planned "
                                              "today, or with --adhoc the one executing.")] = None,
    adhoc: Annotated[bool, typer.Option("--adhoc", help="An ad hoc round during execution: hand out the capacity "
                                        "groups ceded, for the days after today.")] = False,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
) -> None:
    """The Unused Capacity report (aggregated) and a UCA request workbook for every eligible group."""
    from toolkit.services.uca import uca_report

    ctx = context(workspace, today)
    sprint = executing_of(ctx, cycle, ctx.clock.today()) if adhoc else sprint_of(ctx, cycle)
    if not adhoc:
        _require(ctx, sprint, "report unused capacity on")
    with console.status("computing unused capacity"):
        made = uca_report(ctx, sprint, adhoc=adhoc)
    folder = ctx.workspace.requests_dir(sprint.cycle, made.round)
    if as_json:
        emit_json({"workspace": str(ctx.workspace.root), "sprint": sprint.cycle, "round": made.round,
                   "report": str(made.report), "snapshot": str(made.snapshot), "eligible": made.eligible,
                   "requests": [{"group": t.group, "file": str(folder / t.file), "version": t.version}
                                for t in made.requests]})
        return
    what = "the unused capacity report" if made.round == 1 else f"the ad hoc report of round {made.round}"
    console.print(f"Wrote {what} {made.report} and {len(made.requests)} request workbooks for the eligible groups "
                  f"in {folder}; return them through the inbox, then run mcc uca allocate")


@uca_app.command("allocate")
def allocate(cycle: CycleOpt = None, workspace: WorkspaceOpt = None, today: TodayOpt = None) -> None:
    """Allocate the accepted UCA requests (METHOD 8), write the allocation and the baseline schedule."""
    from toolkit.services.uca import uca_allocate

    ctx = context(workspace, today)
    alloc, book, base, notices = uca_allocate(ctx, sprint_of(ctx, cycle))
    console.print(f"{int(alloc.requests.sum()):,} migrations requested by {len({g.group for g in alloc.explained})} "
                  f"groups, {int(alloc.grants.sum()):,} granted; {len(alloc.breaches)} breaches in the baseline")
    console.print(f"Wrote {book}, {base} and {len(notices)} grant notices")


@app.command()
def publish(
    stage: Annotated[str, typer.Option(help="draft (accepted plans) or baseline (plans and UCA grants).")] = "draft",
    cycle: CycleOpt = None,
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
) -> None:
    """Publish the schedule in aggregated form: industry, per LDSO, per group (own figures) and per agent."""
    from toolkit.services.publish import publish as publish_set

    ctx = context(workspace, today)
    sprint = sprint_of(ctx, cycle)
    if stage not in ("draft", "baseline"):
        raise UsageError(f"--stage must be draft or baseline, not {stage!r}")
    _require(ctx, sprint, f"publish as the {stage}")
    with console.status(f"writing the {stage} publication"):
        pub = publish_set(ctx, sprint, stage)
    console.print(f"Published the {stage} schedule of {sprint.cycle}, version {pub.version}: {len(pub.files)} "
                  f"workbooks in {pub.folder}")
