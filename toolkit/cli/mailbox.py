"""Returns by email: ``mcc mailbox`` (issue 21), and what ``mcc status`` shows of the messages taken in."""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Annotated

import typer

from toolkit.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    TodayOpt,
    WorkspaceOpt,
    app,
    console,
    context,
    err_console,
    escape,
    header,
)
from toolkit.clock import stamp

if TYPE_CHECKING:
    from toolkit.services.mailbox import Handled


def _report(h: Handled) -> None:
    """One line per message; the sender and subject are the sender's text, never markup."""
    console.print(f"[bold]{h.status}[/] {escape(h.key)} from {escape(h.sender or '(none)')} "
                  f"\"{escape(h.subject)}\": {escape(h.reason)}", highlight=False, soft_wrap=True)


def _file(o) -> None:
    """One line per attachment judged (as ``mcc watch`` reports a file)."""
    detail = o.reason if o.reason else f"{o.errors} errors, {o.warnings} warnings"
    console.print(f"  #{o.row_id} {o.status} {escape(o.name)}" + (f" ({escape(o.group)})" if o.group else "")
                  + f": {escape(detail)}", highlight=False, soft_wrap=True)


@app.command()
def mailbox(
    once: Annotated[bool, typer.Option("--once", help="Take in what is in the mailbox now and exit.")] = False,
    send: Annotated[bool, typer.Option("--send", help="Send the answers through the [smtp] server (at most once "
                                       "each, as mcc distribute --send).")] = False,
    interval: Annotated[float, typer.Option(help="Without --once: seconds between looks at the mailbox.")] = 60.0,
    cycle: Annotated[str | None, typer.Option(help="The planning cycle being collected (default: the sprint being "
                                              "planned today).")] = None,
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
) -> None:
    """Take returns from the MCC's mailbox ([mailbox] in config/parameters.toml: a Maildir folder, by default
    mailbox/ in the workspace, or IMAP over TLS): each attachment is judged by the inbox and answered to its
    sender; unknown senders are quarantined with a notice to the MCC."""
    from toolkit.services.mailbox import send_answers, take_mail

    ctx = context(workspace, today)
    header(ctx, *((ctx.sprint(cycle), None) if cycle else ()))
    while True:
        handled = take_mail(ctx, cycle, on_message=_report, on_outcome=_file)
        console.print(f"{len(handled)} message{'s' if len(handled) != 1 else ''} taken from the mailbox")
        if send and handled:
            report = send_answers(ctx, handled, cycle, os.environ.get(ctx.config.parameters.smtp.password_env))
            console.print(f"{len(report.sent)} answer{'s' if len(report.sent) != 1 else ''} sent"
                          + (f", {len(report.failed)} failed" if report.failed else ""))
            if report.failed or report.stopped or report.uncertain:
                err_console.print(escape(report.stopped or "; ".join(e for _, e in report.failed)
                                         or "some answers are uncertain"), highlight=False)
                if once:
                    raise typer.Exit(EXIT_INVALID)
        if once:
            raise typer.Exit(EXIT_OK)
        time.sleep(interval)


def mail_table(ctx) -> None:
    """For ``mcc status``: the returns that came by email (message id, sender, subject, received) and the messages
    that were not taken in."""
    from toolkit.services.status import mail_status

    rows, held = mail_status(ctx)
    if not rows and not held:
        return
    from rich.table import Table

    table = Table(title=f"Returns by email ({len(rows)}) and messages not taken in ({len(held)})")
    for col in ("submission", "status", "sender", "subject", "message id", "received"):
        table.add_column(col)
    for r in rows:
        table.add_row(f"#{r.id} {escape(r.original_name)}", r.status.value, escape(r.sender), escape(r.subject),
                      escape(r.message_id), stamp(r.mail_received) if r.mail_received else "")
    for m in held:
        table.add_row(f"message {m.id}: {escape(m.reason)}", m.status.value, escape(m.sender), escape(m.subject),
                      escape(m.key), stamp(m.received_at))
    console.print(table)
