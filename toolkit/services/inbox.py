"""The watched inbox of a workspace, assembled: returned workbooks go to the workbook judge, ``inbox/outturn/`` to
the outturn judge; the commands and macros process it once or watch it (``toolkit.inbox.watcher``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from toolkit.inbox.intake import Inbox, Outcome
from toolkit.inbox.safety import Limits
from toolkit.inbox.watcher import Stability, run_once, watch
from toolkit.services.bulk_coa import BULKCOA_FOLDER, BulkJudge
from toolkit.services.context import Context
from toolkit.services.judge import make_judge
from toolkit.services.lost_days import LOSTDAYS_FOLDER, ClaimJudge
from toolkit.services.outturn import OUTTURN_FOLDER, LiveConfig, OutturnJudge

OnOutcome = Callable[[Outcome], None]


def make_inbox(ctx: Context, cycle: str | None = None, on_outcome: OnOutcome | None = None) -> Inbox:
    """The inbox collecting plans for the cycle being planned today (or ``cycle``). Without the signing key it stops
    before touching anything (a judge with another key would reject every genuine return)."""
    ctx.key  # noqa: B018 - raises MissingKey, never makes a key
    live = LiveConfig(ctx.workspace, ctx.config)
    judges = {None: make_judge(ctx, cycle, live), OUTTURN_FOLDER: OutturnJudge(ctx.workspace, live),
              LOSTDAYS_FOLDER: ClaimJudge(ctx.workspace, live, ctx.key, ctx.clock,
                                          Limits.of(ctx.config.parameters.inbox)),
              BULKCOA_FOLDER: BulkJudge(ctx.workspace, live, ctx.key, Limits.of(ctx.config.parameters.inbox))}
    return Inbox(ctx.workspace, judges, ctx.clock, on_outcome, Limits.of(ctx.config.parameters.inbox))


def stability(quiet: float) -> Stability:
    """A file is read once unchanged for ``quiet`` seconds (a broken one at most three times that later)."""
    return Stability(quiet_seconds=quiet, settle_seconds=max(3 * quiet, 1.0))


def _settings(inbox: Inbox):
    return inbox.judge.config.parameters.inbox


def process(inbox: Inbox, quiet: float = 2.0, max_wait: float = 30.0,
            workers: int = 1) -> tuple[list[Outcome], list[Path]]:
    """What is in the inbox now, waiting up to ``max_wait`` seconds for files still being written: the outcomes
    and the files left waiting. ``InboxFault`` when it had to stop with files unanswered; ``LockHeld`` when another
    process is taking in the inbox."""
    return run_once(inbox, stability(quiet), max_wait=max_wait, workers=workers,
                    lock_stale_seconds=_settings(inbox).lock_stale_seconds)


def process_inbox(ctx: Context, cycle: str | None = None, quiet: float = 2.0, max_wait: float = 30.0,
                  workers: int = 1, on_outcome: OnOutcome | None = None) -> tuple[list[Outcome], list[Path]]:
    return process(make_inbox(ctx, cycle, on_outcome), quiet, max_wait, workers)


def watch_inbox(ctx: Context, cycle: str | None = None, quiet: float = 2.0, polling: bool = False, workers: int = 1,
                on_outcome: OnOutcome | None = None, log: Callable[[str], None] = print) -> None:
    """Watch until interrupted (SIGTERM or Ctrl+C); a fault pauses it (``[inbox] retry_seconds``)."""
    inbox = make_inbox(ctx, cycle, on_outcome)
    settings = _settings(inbox)
    watch(inbox, stability(quiet), polling=polling, log=log, workers=workers, retry_seconds=settings.retry_seconds,
          lock_stale_seconds=settings.lock_stale_seconds)


def rejudge(ctx: Context, submission: int, why: str, cycle: str | None = None) -> Outcome:
    """Judge a submission again from its kept bytes, as if dropped into inbox/ itself (no group folder claimed): a
    new decision on the same receipt, the earlier one kept in the ledger."""
    return make_inbox(ctx, cycle).rejudge(submission, why)
