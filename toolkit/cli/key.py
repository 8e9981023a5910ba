"""The signing key: ``mcc key new``, ``mcc key import FILE`` and ``mcc key show``.

The machine that issues templates makes the key once (``mcc init`` does it for a new workspace); a second machine
judging the returns imports that same key, or sets ``MCC_SIGNING_KEY`` to it. Judging never makes a key."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from toolkit.cli.common import Typer, WorkspaceOpt, app, console, context, err_console, escape, header

key_app = Typer(help="The key that signs templates: make it once, import it on a second machine.",
                      no_args_is_help=True, rich_markup_mode=None)
app.add_typer(key_app, name="key")


def _show(info, said: str) -> None:
    console.print(f"{said} {escape(info.source)}; fingerprint [bold]{info.fingerprint}[/] (compare it between "
                  "machines: the same fingerprint is the same key)", highlight=False, soft_wrap=True)
    if info.shared_with_others:
        err_console.print(f"[yellow]warning[/]: {escape(info.source)} can be read by other users of this machine; "
                          "make it readable by its owner only (chmod 600)")


@key_app.command("new")
def key_new(workspace: WorkspaceOpt = None) -> None:
    """Make the workspace's signing key (the machine that issues templates, once)."""
    from toolkit.services.keys import new_key

    ctx = context(workspace, None)
    header(ctx)
    _show(new_key(ctx.workspace), "Made a new signing key in")
    console.print("Keep a copy somewhere safe: templates issued with it can only be judged with it. A second machine "
                  "judging returns needs this same key: `mcc key import FILE` there (or MCC_SIGNING_KEY).",
                  soft_wrap=True)


@key_app.command("import")
def key_import(
    file: Annotated[Path, typer.Argument(help="The signing.key file of the machine that issued the templates.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Install the key of the machine that issued the templates (a second machine judging their returns)."""
    from toolkit.services.keys import import_key_file

    ctx = context(workspace, None)
    header(ctx)
    _show(import_key_file(ctx.workspace, file), "Imported the signing key into")


@key_app.command("show")
def key_show(workspace: WorkspaceOpt = None) -> None:
    """Say which signing key is in use, by fingerprint (never the key itself)."""
    from toolkit.services.keys import current_key

    ctx = context(workspace, None)
    header(ctx)
    _show(current_key(ctx.workspace), "The signing key comes from")
