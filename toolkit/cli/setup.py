"""Setting up and trying the toolkit: ``mcc init``, ``generate-industry``, ``check``, ``demo``,
``control-workbook`` and ``version``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from toolkit import __version__
from toolkit.cli.common import TodayOpt, WorkspaceOpt, app, console, context, warn
from toolkit.demo.industry import DEMO_GROUPS, DEMO_LDSOS, DEMO_SEED, DemoSpec


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder to create the workspace in.")],
    force: Annotated[bool, typer.Option(help="Overwrite an existing config/.")] = False,
) -> None:
    """Create a new workspace holding the demo configuration."""
    from toolkit.demo.workspace import init_workspace

    ws = init_workspace(directory, force=force)
    console.print(f"Created workspace {ws.root} with the demo configuration in {ws.config}")


@app.command("generate-industry")
def generate(
    out: Annotated[Path, typer.Option(help="Folder for the configuration files.")],
    groups: Annotated[int, typer.Option(min=1, help="Supplier groups.")] = DEMO_GROUPS,
    ldsos: Annotated[int, typer.Option(min=1, help="LDSOs: the 14 DNOs first, then iDNOs.")] = DEMO_LDSOS,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same files.")] = DEMO_SEED,
) -> None:
    """Generate a realistic demo industry of any size (the demo config/ is the default one)."""
    from toolkit.demo.workspace import generate_industry

    paths = generate_industry(out, DemoSpec(groups=groups, ldsos=ldsos, seed=seed))
    console.print(f"Wrote {len(paths)} files to {out}: {', '.join(p.name for p in paths)}")


@app.command()
def check(workspace: WorkspaceOpt = None, today: TodayOpt = None) -> None:
    """Validate the workspace configuration and summarise the industry."""
    ctx = context(workspace, today)
    config = ctx.config
    warn(ctx)
    ind = config.industry
    table = Table(title=f"Workspace {ctx.workspace.root}", show_header=False)
    table.add_row("LDSOs", f"{len(ind.ldsos)} ({ind.total_mpans:,} MPANs)")
    table.add_row("supplier groups", f"{len(ind.groups)} ({len(ind.group_of_supplier)} supplier MPIDs)")
    table.add_row("window", f"M11 {config.calendar.m11} to M15 {config.calendar.m15} "
                  f"({len(config.calendar.migration_days())} migration days)")
    table.add_row("sprints", str(len(config.calendar.sprints)))
    if config.churn:
        net = sum(c.change for c in config.churn)
        table.add_row("churn", f"{len(config.churn)} dated adjustments in config/churn.csv ({net:+,} MPANs, "
                      f"{config.churn[0].day} to {config.churn[-1].day})")
    console.print(table)
    from toolkit.services.monitor import tranche_stability

    share = config.parameters.capacity.stability_share
    for check in tranche_stability(ctx, ctx.clock.today()):
        console.print(f"exceptional capacity (F5.2.9): {check.describe(share)}")
    console.print("[green]configuration is valid[/]")


@app.command("control-workbook")
def control_workbook(
    out: Annotated[Path | None, typer.Option(help="Folder for mcc_control.xlsm and mcc_control.py (default: the "
                                             "workspace's workbooks/).")] = None,
    interpreter: Annotated[str | None, typer.Option(help="The python.exe RunPython starts (default: this Python "
                                                    "on Windows, else python on the PATH).")] = None,
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
) -> None:
    """Write the Excel control workbook (mcc_control.xlsm, macro-enabled) and the mcc_control.py its Run button
    calls through xlwings."""
    from toolkit.services.control import write_control_workbook

    files = write_control_workbook(context(workspace, today), out, interpreter)
    console.print(f"Wrote {files.workbook} and {files.module} (xlwings {files.xlwings_version}). Open the workbook "
                  "in Excel, choose an action and press Run; docs/excel.md explains the set-up on Windows.")


@app.command()
def demo(workspace: WorkspaceOpt = None, today: TodayOpt = None) -> None:
    """Run the whole cycle on the demo workspace and list what it wrote."""
    from toolkit.demo.run import run_demo

    ctx = context(workspace, today)
    with console.status("running the demo: the sprints so far, calendar, envelopes, templates, simulated returns, "
                        "inbox"):
        result = run_demo(ctx)
    table = Table(title=f"Demo outputs in {ctx.workspace.root}")
    table.add_column("what")
    table.add_column("file")
    for what, path in result.outputs:
        table.add_row(what, str(path.relative_to(ctx.workspace.root)))
    console.print(table)


@app.command()
def version() -> None:
    """Print the toolkit version."""
    console.print(f"mcc {__version__}")
