"""Bulk Change of Agent (Foundations 5.6): ``mcc bulk-coa intention``, ``form``, ``list``, ``check``, ``approve``."""

from __future__ import annotations

from typing import Annotated

import typer

from toolkit.cli.common import TodayOpt, Typer, WorkspaceOpt, announced, app, console, day_option

bulk_app = Typer(help="Bulk change of agent (F5.6): intentions, plans, the aggregate check, approval.",
                       no_args_is_help=True, rich_markup_mode=None)
app.add_typer(bulk_app, name="bulk-coa")


@bulk_app.command("intention")
def bulk_intention(
    group: Annotated[str, typer.Argument(help="Supplier Group MPID.")],
    first: Annotated[str, typer.Option("--from", help="YYYY-MM-DD, the first day intended.")],
    last: Annotated[str, typer.Option("--to", help="YYYY-MM-DD, the last day intended.")],
    note: Annotated[str, typer.Option(help="What changes, in one line.")],
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
) -> None:
    """Step 1: record a group's intention, as soon as it is known (little detail needed)."""
    from toolkit.services.bulk_coa import register_intention

    ident = register_intention(announced(workspace, today), group, day_option(first, "--from"),
                               day_option(last, "--to"), note)
    console.print(f"Recorded intention {ident}. Send the group its plan workbook: mcc bulk-coa form {group.upper()}",
                  highlight=False)


@bulk_app.command("form")
def bulk_form(group: Annotated[str, typer.Argument(help="Supplier Group MPID.")], workspace: WorkspaceOpt = None,
              today: TodayOpt = None) -> None:
    """Step 2's plan workbook for the group (returned through inbox/bulkcoa/)."""
    from toolkit.services.bulk_coa import issue_bulk_form

    console.print(f"Wrote {issue_bulk_form(announced(workspace, today), group)}", highlight=False)


@bulk_app.command("list")
def bulk_list(workspace: WorkspaceOpt = None, today: TodayOpt = None) -> None:
    """Every intention and plan in the register with its state."""
    from toolkit.services.bulk_coa import records

    recs = records(announced(workspace, today).workspace)
    if not recs:
        console.print("No bulk change of agent in the register.")
    for r in recs.values():
        console.print(f"{r['id']} {r['group']}: {r['state']}", highlight=False, markup=False, soft_wrap=True)


@bulk_app.command("check")
def bulk_check(ident: Annotated[str, typer.Argument(help="Plan id (BC-00012).")], workspace: WorkspaceOpt = None,
               today: TodayOpt = None) -> None:
    """Steps 3 to 5: the plan with the migration schedule at LDSO and national level against the exceptional
    thresholds; the parties to consult; a re-profile asked where the load is too high (exit 1)."""
    from toolkit.services.bulk_coa import check_plan

    c = check_plan(announced(workspace, today), ident)
    for b in c.breaches:
        console.print(f"{b.day} {b.ldso or 'national'}: schedule {b.scheduled:,} + bulk {b.bulk:,} = "
                      f"{b.scheduled + b.bulk:,} > {b.threshold:,}", highlight=False, soft_wrap=True)
    for who, names in c.consult.items():
        console.print(f"Consult {who}: {', '.join(names)}", highlight=False, soft_wrap=True)
    if c.unscheduled:
        console.print(f"{len(c.unscheduled)} days have no schedule yet (first {c.unscheduled[0]}): check again when "
                      "they have", highlight=False, soft_wrap=True)
    console.print(f"{c.ident}: " + ("re-profile requested (F5.6 step 5)" if c.breaches else
                                    "within the exceptional thresholds; approve after consulting (mcc bulk-coa "
                                    "approve)"), highlight=False, soft_wrap=True)
    raise typer.Exit(1 if c.breaches else 0)


@bulk_app.command("approve")
def bulk_approve(ident: Annotated[str, typer.Argument(help="Plan id.")],
                 note: Annotated[str, typer.Option(help="Representations considered (step 6).")] = "",
                 workspace: WorkspaceOpt = None, today: TodayOpt = None) -> None:
    """Step 7: the MCC's approval that the bulk change may be undertaken."""
    from toolkit.services.bulk_coa import approve

    rec = approve(announced(workspace, today), ident, note)
    console.print(f"{rec['id']} approved on {rec['on']}.", highlight=False)
