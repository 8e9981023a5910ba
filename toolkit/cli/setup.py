"""Setting up and trying the toolkit: ``mcc init``, ``generate-industry``, ``check``, ``demo``,
``control-workbook`` and ``version``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from toolkit import __version__
from toolkit.cli.common import JsonOpt, TodayOpt, WorkspaceOpt, app, console, context, emit_json, header, table, warn

# the demo generator's defaults, repeated here so that --help needs no numpy (tests/test_cli_workspace.py checks them)
DEMO_GROUPS, DEMO_LDSOS, DEMO_SEED = 70, 26, 20251001
LIBRARIES = ("typer", "rich", "pydantic", "numpy", "pandas", "holidays", "xlsxwriter", "openpyxl", "python-calamine",
             "defusedxml", "jinja2", "watchdog", "xlwings")


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder to create the workspace in.")],
    force: Annotated[bool, typer.Option(help="Overwrite an existing config/.")] = False,
    demo: Annotated[bool, typer.Option("--demo", help="A demo workspace, where mcc demo may write simulated "
                                       "returns (default: a live one, which mcc demo refuses).")] = False,
) -> None:
    """Create a new workspace holding the demo configuration and the marker config/workspace.toml: mcc then finds it
    from that folder and every folder below."""
    from toolkit.demo.workspace import init_workspace

    ws = init_workspace(directory, force=force, kind="demo" if demo else "live")
    console.print(f"Created {'a demo' if demo else 'a live'} workspace {ws.root} with the demo configuration in "
                  f"{ws.config}; replace its files with your industry's and run mcc check there")


@app.command("generate-industry")
def generate(
    out: Annotated[Path, typer.Option(help="Folder for the configuration files.")],
    groups: Annotated[int, typer.Option(min=1, help="Supplier groups.")] = DEMO_GROUPS,
    ldsos: Annotated[int, typer.Option(min=1, help="LDSOs: the 14 DNOs first, then iDNOs.")] = DEMO_LDSOS,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same files.")] = DEMO_SEED,
) -> None:
    """Generate a realistic demo industry of any size (the demo config/ is the default one)."""
    from toolkit.demo.industry import DemoSpec
    from toolkit.demo.workspace import generate_industry

    paths = generate_industry(out, DemoSpec(groups=groups, ldsos=ldsos, seed=seed))
    console.print(f"Wrote {len(paths)} files to {out}: {', '.join(p.name for p in paths)}")


@app.command()
def check(workspace: WorkspaceOpt = None, today: TodayOpt = None, as_json: JsonOpt = False) -> None:
    """Validate the workspace configuration (every problem at once) and summarise the industry."""
    from toolkit.errors import ConfigError

    ctx = context(workspace, today)
    header(ctx)
    try:
        config = ctx.config
    except ConfigError as exc:
        if not as_json:
            raise
        emit_json({"workspace": str(ctx.workspace.root), "valid": False,
                   "problems": [p.as_json() for p in exc.problems], "warnings": []})
        raise typer.Exit(2) from None
    ind = config.industry
    summary = {
        "workspace": str(ctx.workspace.root), "valid": True, "problems": [],
        "warnings": [w.as_json() for w in config.warnings],
        "ldsos": len(ind.ldsos), "mpans": ind.total_mpans, "groups": len(ind.groups),
        "supplier_mpids": len(ind.group_of_supplier), "m11": config.calendar.m11, "m15": config.calendar.m15,
        "migration_days": len(config.calendar.migration_days()), "sprints": [s.cycle for s in config.calendar.sprints],
        "churn_rows": len(config.churn)}
    if as_json:
        emit_json(summary)
        return
    warn(ctx)
    t = table(None, "what", "how many")
    t.show_header = False
    t.add_row("LDSOs", f"{len(ind.ldsos)} ({ind.total_mpans:,} MPANs)")
    t.add_row("supplier groups", f"{len(ind.groups)} ({len(ind.group_of_supplier)} supplier MPIDs)")
    t.add_row("window", f"M11 {config.calendar.m11} to M15 {config.calendar.m15} "
              f"({summary['migration_days']} migration days)")
    t.add_row("sprints", f"{len(config.calendar.sprints)} (S1 to S{len(config.calendar.sprints)})")
    if config.churn:
        net = sum(c.change for c in config.churn)
        t.add_row("churn", f"{len(config.churn)} dated adjustments in config/churn.csv ({net:+,} MPANs, "
                  f"{config.churn[0].day} to {config.churn[-1].day})")
    console.print(t)
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

    ctx = context(workspace, today)
    header(ctx)
    files = write_control_workbook(ctx, out, interpreter)
    console.print(f"Wrote {files.workbook} and {files.module} (xlwings {files.xlwings_version}). Open the workbook "
                  "in Excel, choose an action and press Run; docs/excel.md explains the set-up on Windows.")


@app.command()
def demo(workspace: WorkspaceOpt = None, today: TodayOpt = None) -> None:
    """Run the whole cycle on the demo workspace and list what it wrote."""
    from rich.table import Table

    from toolkit.demo.run import run_demo

    ctx = context(workspace, today)
    header(ctx, ctx.sprint(), "being planned")
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
def version(as_json: JsonOpt = False) -> None:
    """Print the toolkit, Python and library versions (to quote in a report of a problem)."""
    import platform
    from importlib import metadata

    libs = {}
    for name in LIBRARIES:
        try:
            libs[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            libs[name] = None
    if as_json:
        emit_json({"mcc": __version__, "python": platform.python_version(), "platform": platform.platform(),
                   "libraries": libs})
        return
    console.print(f"mcc {__version__}", highlight=False)
    console.print(f"Python {platform.python_version()} ({sys.executable}) on {platform.platform()}", highlight=False)
    console.print(", ".join(f"{k} {v or 'missing'}" for k, v in libs.items()), highlight=False)
