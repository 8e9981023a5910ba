"""Lost Migration Days (Foundations 6.6): ``mcc lost-days form``, ``list``, ``evaluate``, ``decide``, ``ratify`` and
``outage``. (``mcc monitor lost-days`` stays the way the MCC records a decision by hand.)"""

from __future__ import annotations

from typing import Annotated

import typer

from toolkit.cli.common import TodayOpt, Typer, WorkspaceOpt, announced, app, console, day_option

lost_days_app = Typer(help="Lost Migration Day claims (F6.6): forms, evaluation, decision, MCAG ratification, "
                            "central outages.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(lost_days_app, name="lost-days")
YesNo = Annotated[bool, typer.Option()]


@lost_days_app.command("form")
def lost_days_form(
    group: Annotated[str, typer.Argument(help="Supplier Group MPID (a group with envelopes).")],
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
) -> None:
    """A claim form (F6.6.1) for the group in workbooks/lost_days/forms/; it returns through inbox/lostdays/."""
    from toolkit.services.lost_days import issue_claim_form

    path = issue_claim_form(announced(workspace, today), group)
    console.print(f"Wrote {path}", highlight=False)


@lost_days_app.command("list")
def lost_days_list(workspace: WorkspaceOpt = None, today: TodayOpt = None) -> None:
    """Every claim and outage in the register, with its state and its 2 and 10 working day deadlines."""
    from toolkit.services.lost_days import records

    ctx = announced(workspace, today)
    recs = records(ctx.workspace, ctx.config)
    if not recs:
        console.print("No Lost Migration Day claims.")
    for line in claim_lines(list(recs.values()), ctx.clock.today()):
        console.print(line, highlight=False, markup=False, soft_wrap=True)


def claim_lines(recs, today) -> list[str]:
    out = []
    for r in recs:
        late = " OVERDUE" if r.overdue(today) else ""
        out.append(f"{r.claim_id} {r.group} incident {r.incident}, {r.days} day{'s' if r.days != 1 else ''}: "
                   f"{r.state}; aware by {r.aware_by}, outcome by {r.outcome_by}{late}"
                   + (f" (outcome {r.outcome_on})" if r.outcome_on else ""))
    return out


@lost_days_app.command("evaluate")
def lost_days_evaluate(
    claim: Annotated[str, typer.Argument(help="Claim id (LD-00012).")],
    incident_covers: YesNo = False,
    evidence: YesNo = False,
    material: YesNo = False,
    integration: YesNo = False,
    note: Annotated[str, typer.Option(help="What the MCC found.")] = "",
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
) -> None:
    """F6.6.2 1: whether an existing incident covers the issue, sufficient evidence supports it, the impact is
    material, and the integration of the schedule can be maintained (--X or --no-X each)."""
    from toolkit.services.lost_days import evaluate

    rec = evaluate(announced(workspace, today), claim, {"incident_covers": incident_covers, "evidence": evidence,
                                                      "material": material, "integration": integration}, note)
    console.print(f"{rec.claim_id} evaluated: {sum(rec.evaluation.values())} of 4 in favour. Decide with mcc "
                  "lost-days decide.", highlight=False)


@lost_days_app.command("decide")
def lost_days_decide(
    claim: Annotated[str, typer.Argument(help="Claim id.")],
    approve: Annotated[bool, typer.Option("--approve/--reject")],
    days: Annotated[int | None, typer.Option(help="Days approved (default: those claimed).")] = None,
    note: Annotated[str, typer.Option(help="The reason (required to reject: the supplier's feedback).")] = "",
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
) -> None:
    """F6.6.2 2: the MCC's decision, taken to MCAG for ratification."""
    from toolkit.services.lost_days import decide

    rec = decide(announced(workspace, today), claim, approve, days, note)
    console.print(f"{rec.claim_id}: the MCC {'approves' if approve else 'rejects'} ({rec.days} days); awaiting MCAG "
                  f"ratification (outcome due by {rec.outcome_by}).", highlight=False)


@lost_days_app.command("ratify")
def lost_days_ratify(
    claim: Annotated[str, typer.Argument(help="Claim id.")],
    ratified: Annotated[bool, typer.Option("--ratified/--not-ratified")] = True,
    note: Annotated[str, typer.Option(help="MCAG's word.")] = "",
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
) -> None:
    """MCAG's ratification: an approval ratified is recorded (config/lost_days.csv), extending the core window."""
    from toolkit.services.lost_days import ratify

    rec, after = ratify(announced(workspace, today), claim, ratified, note)
    console.print(f"{rec.claim_id} {rec.state}" + (f": {rec.group}'s core window now ends {after}" if after else "")
                  + ".", highlight=False)


@lost_days_app.command("outage")
def lost_days_outage(
    incident: Annotated[str, typer.Argument(help="The incident number of the central outage.")],
    day: Annotated[str, typer.Option("--day", help="YYYY-MM-DD the outage cost (before M14).")],
    days: Annotated[int, typer.Option(help="Migration days to give each group.")] = 1,
    reason: Annotated[str, typer.Option(help="The outage, e.g. 'DIP outage'.")] = "Central service outage",
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
) -> None:
    """A central outage applied to every active migrating group with envelopes (F6.6), once per group."""
    from toolkit.services.lost_days import apply_outage

    applied, skipped = apply_outage(announced(workspace, today), incident, day_option(day, "--day"), days, reason)
    console.print(f"Applied {days} day{'s' if days != 1 else ''} to {len(applied)} group"
                  f"{'s' if len(applied) != 1 else ''}" + (f"; {len(skipped)} already had incident {incident}: "
                                                          f"{', '.join(skipped)}" if skipped else "") + ".",
                  highlight=False)
    for a in applied:
        console.print(f"  {a.group}: core window now ends {a.after} (was {a.before})", highlight=False)
