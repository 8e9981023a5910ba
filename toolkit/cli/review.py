"""After a sprint and over the whole programme: ``mcc review`` (the sprint review, Foundations 5.4) and
``mcc rehearse`` (every sprint from the first to M15 on a copy of a workspace's configuration)."""

from __future__ import annotations

from typing import Annotated

import typer

from toolkit.cli.common import TodayOpt, WorkspaceOpt, app, console, context


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
