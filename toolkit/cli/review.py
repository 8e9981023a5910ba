"""After a sprint and over the whole programme: ``mcc review`` (the sprint review, Foundations 5.4) and
``mcc rehearse`` (every sprint from the first to M15 on a copy of a workspace's configuration)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from toolkit.cli.common import TodayOpt, WorkspaceOpt, app, console, context, header


@app.command("review")
def review(
    sprint: Annotated[str, typer.Argument(help="The sprint reviewed (S3 or 3).")],
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
) -> None:
    """The sprint review after a sprint's execution: plan against actual per LDSO and nationally, use of CSMT and
    ALMT, unused capacity granted against used, deviation levels, late and invalid submissions, the trend."""
    from toolkit.services.success import sprint_review

    ctx = context(workspace, today)
    chosen = ctx.sprint(sprint)
    header(ctx, chosen)
    with console.status(f"reviewing sprint {chosen.cycle}"):
        report = sprint_review(ctx, chosen)
    r = report.review
    f, sub = r.figures, r.figures.submissions
    console.print(f"Sprint {chosen.sprint} ({chosen.cycle}), execution {f.first} to {f.last}"
                  + (" (still executing: to date)" if report.partial else ""))
    console.print(f"  plan against actual: {f.migrated:,} of {f.planned:,} ({f.ratio:.1%}); CSMT used {f.csmt_use:.1%}"
                  f" (busiest day {f.peak_csmt_use:.1%}); busiest LDSO day {float(r.ldso_peak_use.max(initial=0)):.1%}"
                  " of its limit")
    console.print(f"  unused capacity: {f.granted:,} granted, {f.used:,} used; deviation over the sprint: "
                  f"{r.level_counts[1]} pairs at level 1, {r.level_counts[2]} at level 2, {r.level_counts[3]} at "
                  "level 3")
    console.print(f"  submissions: {sub.templates} templates, {sub.returned} returns, {sub.accepted} accepted, "
                  f"{sub.rejected} rejected, {sub.late} late; {sub.without_plan} groups without a plan")
    if len(r.trend) > 1:
        console.print("  trend: " + "; ".join(f"{t.cycle} {t.ratio:.0%}" for t in r.trend), highlight=False)
    console.print(f"Wrote {report.path}")


@app.command("rehearse")
def rehearse(
    out: Annotated[Path, typer.Option("--out", help="A new folder for the rehearsal (its own workspace).")],
    seed: Annotated[int, typer.Option(help="Seed of the simulated suppliers and outturn.")] = 1,
    until: Annotated[str | None, typer.Option(help="The last sprint rehearsed (S3 or 3); default: to M15.")] = None,
    quick: Annotated[bool, typer.Option("--quick", help="Without the MCC's internal workbooks (schedules, "
                                        "allocation, publication, monitoring): the same figures, faster.")] = False,
    sample: Annotated[int, typer.Option(help="At most N groups a sprint exchange workbooks (in turn); the others' "
                                        "plans go by their figures. 0: every group.", min=0)] = 0,
    workspace: WorkspaceOpt = None,
) -> None:
    """Rehearse the whole programme on a copy of the workspace's configuration: every sprint from the first to M15
    (templates, simulated returns, corrections and late returns, consolidation, unused capacity, baseline,
    publication, outturn, monitoring, a shortfall, a lost days claim, the review), each next sprint planned on the
    portfolio left. The workspace's own ledger, inbox and outbox are never touched. Writes OUT/summary.json."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from toolkit.demo.rehearse import STEPS
    from toolkit.demo.rehearse import rehearse as run_rehearsal

    tasks: dict[str, int] = {}
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[what]}"),
               TimeElapsedColumn())
    with Progress(*columns, console=console.real()) as bar:
        def step(sprint, what: str) -> None:
            if sprint.cycle not in tasks:
                tasks[sprint.cycle] = bar.add_task(f"sprint {sprint.sprint} ({sprint.cycle})", total=len(STEPS),
                                                   what="")
            bar.update(tasks[sprint.cycle], advance=1, what=what)

        source = context(workspace, None)
        header(source)
        result = run_rehearsal(source.workspace.root, out.expanduser(), seed, until, step, quick,
                               sample)
    table = Table(title=f"Rehearsal in {result.folder}")
    for head in ("sprint", "templ.", "acc.", "rej.", "late", "infeas.", "breach", "granted", "planned", "migrated",
                 "left"):
        table.add_column(head, justify="left" if head == "sprint" else "right")
    for r in result.sprints:
        table.add_row(r.sprint, str(r.templates), str(r.accepted), str(r.rejected), str(r.late),
                      str(r.infeasible_pairs), str(r.baseline_breaches), f"{r.granted:,}", f"{r.planned:,}",
                      f"{r.migrated:,}", f"{r.remaining:,}")
    console.print(table)
    met = sum(s["status"] == "met" for s in result.success)
    judged = sum(s["status"] in ("met", "missed") for s in result.success)
    a, fc = result.aggregate, result.forecast
    console.print(f"Success: {met} of the {judged} groups whose core window has ended met the participant criterion; "
                  "aggregate "
                  f"{a['migrated']:,} of {a['planned']:,} planned ({a['ratio']:.1%}); {fc['remaining']:,} of "
                  f"{fc['portfolio']:,} MPANs left")
    console.print(f"Wrote {result.summary}")
