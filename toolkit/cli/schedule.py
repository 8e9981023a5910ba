"""The schedule: ``mcc consolidate``, ``uca report``, ``uca allocate`` and ``publish``."""

from __future__ import annotations

from typing import Annotated

import typer

from toolkit.cli.common import CycleOpt, TodayOpt, WorkspaceOpt, app, console, context, err_console

uca_app = typer.Typer(help="Unused capacity allocation: the report and request workbooks, then the allocation.",
                      no_args_is_help=True)
app.add_typer(uca_app, name="uca")


@app.command()
def consolidate(cycle: CycleOpt = None, workspace: WorkspaceOpt = None, today: TodayOpt = None) -> None:
    """Consolidate the accepted plans into the draft schedule workbook, with breaches and missing plans."""
    from toolkit.services.consolidate import consolidate_schedule

    ctx = context(workspace, today)
    sprint = ctx.sprint(cycle)
    with console.status("consolidating the accepted plans"):
        result, path = consolidate_schedule(ctx, sprint)
    s = result.schedule
    console.print(f"Draft schedule for sprint {sprint.sprint} ({sprint.cycle}): {len(result.plans)} accepted plans, "
                  f"{len(result.missing)} groups without one, {len(result.breaches)} breaches; "
                  f"{int(s.national_daily.sum()):,} migrations planned in the sprint, "
                  f"{int(s.national_weekly.sum()):,} to M15")
    for b in result.breaches[:10]:
        who = ", ".join(g for g, _ in b.contributors[:5])
        err_console.print(f"[yellow]breach[/]: {b.scope} {b.granularity} {b.period}: {b.planned:,} planned, limit "
                          f"{b.limit:,.0f} ({who})")
    console.print(f"Wrote {path}")


@uca_app.command("report")
def report(
    cycle: Annotated[str | None, typer.Option(help="Sprint (S3 or 3); default: the sprint being planned "
                                              "today, or with --adhoc the one executing.")] = None,
    adhoc: Annotated[bool, typer.Option("--adhoc", help="An ad hoc round during execution: hand out the capacity "
                                        "groups ceded, for the days after today.")] = False,
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
) -> None:
    """The Unused Capacity report (aggregated) and a UCA request workbook for every eligible group."""
    from toolkit.services.uca import uca_report

    ctx = context(workspace, today)
    sprint = ctx.executing(cycle, ctx.clock.today()) if adhoc else ctx.sprint(cycle)
    with console.status("computing unused capacity"):
        made = uca_report(ctx, sprint, adhoc=adhoc)
    what = "the unused capacity report" if made.round == 1 else f"the ad hoc report of round {made.round}"
    console.print(f"Wrote {what} {made.report} and {len(made.requests)} request workbooks for the eligible groups "
                  f"in {ctx.workspace.requests_dir(sprint.cycle, made.round)}; return them through the inbox, then "
                  "run mcc uca allocate")


@uca_app.command("allocate")
def allocate(cycle: CycleOpt = None, workspace: WorkspaceOpt = None, today: TodayOpt = None) -> None:
    """Allocate the accepted UCA requests (METHOD 8), write the allocation and the baseline schedule."""
    from toolkit.services.uca import uca_allocate

    ctx = context(workspace, today)
    alloc, book, base, notices = uca_allocate(ctx, ctx.sprint(cycle))
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
    sprint = ctx.sprint(cycle)
    with console.status(f"writing the {stage} publication"):
        pub = publish_set(ctx, sprint, stage)
    console.print(f"Published the {stage} schedule of {sprint.cycle}, version {pub.version}: {len(pub.files)} "
                  f"workbooks in {pub.folder}")
