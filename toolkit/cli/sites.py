"""Complex sites (Foundations 5.7): ``mcc sites tracker``."""

from __future__ import annotations

from typing import Annotated

import typer

from toolkit.cli.common import TodayOpt, Typer, WorkspaceOpt, announced, app, console, day_option

sites_app = Typer(help="Complex sites, SVA shared metering and private networks (F5.7).", no_args_is_help=True,
                        rich_markup_mode=None)
app.add_typer(sites_app, name="sites")


@sites_app.command("tracker")
def sites_tracker(
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD (default: today).")] = None,
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
) -> None:
    """The site tracker: each site's planned date from its group's latest accepted plan, confirmed from outturn."""
    from toolkit.services.sites import site_tracker

    path, rows = site_tracker(announced(workspace, today), day_option(as_of, "--as-of"))
    counts = {s: sum(r.status == s for r in rows) for s in ("confirmed", "not confirmed", "planned", "no date")}
    console.print(f"Wrote {path}: {len(rows)} sites, " + ", ".join(f"{n} {s}" for s, n in counts.items()),
                  highlight=False, soft_wrap=True)
