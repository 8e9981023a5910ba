"""Take in one returned file and see it answered, losing nothing (issue 5; shared/design/INBOX.md).

For each file: claim it (atomic rename into ``inbox/.processing/``), hash its bytes, record it in the ledger (in the
order files landed), then hand it to its judge, keep the original bytes under their hash where the judge says,
let the judge settle it (store what was accepted, write the feedback and the email), record the outcome, and only
then delete the claimed copy. A crash at any point leaves the file in ``inbox/`` or ``inbox/.processing/`` and its
ledger row unfinished, and the next run takes it up again; the same bytes twice are recorded as a duplicate and not
judged twice.

The inbox is handed its judges and knows nothing of what they decide: a file in ``inbox/<FOLDER>/`` goes to the
judge registered under that folder's name (the execution outturn judge under ``OUTTURN``), any other file to the
default judge (plan templates and UCA request forms), which is told the folder's name as the group the file was
delivered for.
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from toolkit.domain.status import FINAL, JUDGED, PENDING, Kind, Status
from toolkit.errors import ToolkitError
from toolkit.inbox import safety
from toolkit.store import archive
from toolkit.store.ledger import Ledger
from toolkit.store.workspace import Workspace

PROCESSING = ".processing"


@dataclass
class Verdict:
    """What a judge decided about one file, in the terms the ledger records; ``detail`` is the judge's own."""

    status: Status  # ACCEPTED, REJECTED or QUARANTINED
    kind: Kind
    archive: Path  # the folder the original bytes are kept in
    group: str | None = None
    cycle: str | None = None
    version: int | None = None
    template_id: str | None = None
    errors: int = 0
    warnings: int = 0
    reason: str = ""  # why a file was quarantined (recorded in the ledger)
    note: str = ""  # shown with the outcome when there is no reason (a rejection's first problem)
    detail: object = None


@dataclass(frozen=True)
class Receipt:
    """How a file arrived: its ledger row, its name as sent and when it was received."""

    row_id: int
    name: str
    received_at: datetime


@dataclass
class Answer:
    """What a judge wrote in answer: the feedback (a workbook or a report) and the email, if any."""

    outputs: list[Path] = field(default_factory=list)
    feedback: Path | None = None
    email: Path | None = None


class Judge(Protocol):
    """What the inbox needs of a judge."""

    def warm(self) -> None:
        """Prepare what judging needs (before worker processes are forked from this one)."""

    def assess(self, path: Path, receipt: Receipt, claimed_group: str | None, isolated: bool) -> Verdict:
        """Judge the file at ``path``; ``claimed_group``: the folder it was delivered in; ``isolated``: read it in
        a child process (False inside a worker, which is itself the isolation boundary). Raises ToolkitError only
        when the MCC's configuration is broken."""

    def fault(self, reason: str) -> Verdict:
        """The verdict on a file the toolkit failed on (its reader crashed or overran): quarantined, with
        ``reason``."""

    def settle(self, verdict: Verdict, receipt: Receipt) -> Answer:
        """Act on the verdict (store what was accepted) and write the answers."""


@dataclass
class Outcome:
    row_id: int
    name: str
    status: Status
    group: str | None = None
    cycle: str | None = None
    errors: int = 0
    warnings: int = 0
    reason: str = ""
    duplicate_of: int | None = None
    outputs: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class Admitted:
    """A claimed file with its ledger row, ready to be judged (possibly in a worker process)."""

    claimed: Path
    name: str
    group: str | None  # the name of the subfolder it came from, upper case
    row_id: int
    sha: str
    received_at: datetime


class Inbox:
    """The watched inbox of a workspace: claims, records and archives every file, has it judged and answered."""

    def __init__(self, workspace: Workspace, judges: Mapping[str | None, Judge], clock: Callable[[], datetime],
                 on_outcome: Callable[[Outcome], None] | None = None):
        self.ws, self.judges, self.clock, self.on_outcome = workspace, dict(judges), clock, on_outcome
        self.ledger = Ledger(workspace.ledger)
        self.processing = workspace.inbox / PROCESSING
        self.isolated = True  # judges read each file in a child process; False inside a pool worker

    @property
    def judge(self) -> Judge:
        """The default judge (files not in a folder with a judge of its own)."""
        return self.judges[None]

    def judge_for(self, folder: str | None) -> Judge:
        return self.judges.get(folder, self.judges[None]) if folder else self.judges[None]

    def warm(self) -> None:
        for judge in self.judges.values():
            judge.warm()

    # -- finding files ------------------------------------------------------------------------------
    def candidates(self) -> list[tuple[Path, str | None]]:
        """Files waiting in the inbox (and one level of subfolders), oldest first, with the name of the subfolder
        they are in; lock, temporary and hidden files are left alone."""
        out = []
        if not self.ws.inbox.is_dir():
            return out
        for entry in self.ws.inbox.iterdir():
            if entry.name == PROCESSING or safety.ignored_name(entry.name):
                continue
            if entry.is_file():
                out.append((entry, None))
            elif entry.is_dir():
                group = entry.name.upper()
                out += [(f, group) for f in entry.iterdir() if f.is_file() and not safety.ignored_name(f.name)]
        return sorted(out, key=lambda x: (x[0].stat().st_mtime, x[0].name))

    def claim(self, path: Path, group: str | None) -> Path:
        """Move the file out of the inbox's view, atomically (same filesystem), keeping its name and folder."""
        self.processing.mkdir(parents=True, exist_ok=True)
        target = self.processing / f"{uuid.uuid4().hex[:12]}.{group or '-'}.{path.name}"
        path.rename(target)
        return target

    @staticmethod
    def unclaimed(path: Path) -> tuple[str, str | None]:
        _, group, name = path.name.split(".", 2)
        return name, None if group == "-" else group

    # -- processing --------------------------------------------------------------------------------
    def recover(self) -> list[Outcome]:
        """Files claimed by a run that stopped before it finished: process them again."""
        if not self.processing.is_dir():
            return []
        return [self.process_claimed(p) for p in sorted(self.processing.iterdir(), key=lambda p: p.stat().st_mtime)
                if p.is_file() and p.name.count(".") >= 2 and not p.name.endswith(".part")]

    def run_once(self, ready: Callable[[Path], bool] | None = None) -> list[Outcome]:
        """Recover, then process every file in the inbox that ``ready`` accepts (default: all)."""
        outcomes = self.recover()
        for path, group in self.candidates():
            if ready is not None and not ready(path):
                continue
            outcomes.append(self.process_claimed(self.claim(path, group)))
        return outcomes

    def process_claimed(self, claimed: Path) -> Outcome:
        admitted = self.admit(claimed)
        return admitted if isinstance(admitted, Outcome) else self.finish(admitted)

    def admit(self, claimed: Path) -> Admitted | Outcome:
        """The quick, ordered part: hash the claimed file and give it its ledger row (files are admitted in the
        order they landed, so a group's later version has the later row), or settle it at once as a duplicate or
        as finished before a crash. Judging and answering (``finish``) may then run in another process."""
        name, claimed_group = self.unclaimed(claimed)
        done = self.ledger.by_claim(claimed.name)
        if done is not None and done.status in FINAL:
            claimed.unlink()  # finished before a crash took the process: only the clean-up was left
            return self._done(Outcome(done.id, name, done.status, done.supplier_group, done.cycle, done.errors,
                                      done.warnings, done.reason, done.duplicate_of))
        sha = hashlib.sha256(claimed.read_bytes()).hexdigest()
        now = self.clock()
        rows = [r for r in self.ledger.by_sha(sha) if r.claim != claimed.name]
        final = [r for r in rows if r.status in JUDGED]
        # the same bytes being judged right now (by another worker) count as seen; a pending row whose claimed
        # file is gone (a ledger older than claims) is this file's own
        busy = [r for r in rows if r.status in PENDING and r.claim and (self.processing / r.claim).exists()]
        orphan = [r for r in rows if r.status in PENDING and r not in busy]
        first = (final or busy or [None])[0]
        row_id = done.id if done is not None else (orphan[0].id if orphan else
                                                   self.ledger.receive(sha, name, now, claimed.name))
        if orphan and done is None:
            self.ledger.update(row_id, claim=claimed.name)
        if first is not None:
            self.ledger.update(row_id, status=Status.DUPLICATE, duplicate_of=first.id,
                               supplier_group=first.supplier_group, cycle=first.cycle, version=first.version,
                               template_id=first.template_id, archive_path=first.archive_path, finished_at=now,
                               reason=f"the same bytes as submission {first.id} ({first.original_name}, "
                                      f"{first.status if first in final else 'being judged'})")
            claimed.unlink()
            return self._done(Outcome(row_id, name, Status.DUPLICATE, first.supplier_group, first.cycle,
                                      duplicate_of=first.id, reason=f"same bytes as submission {first.id}"))
        return Admitted(claimed, name, claimed_group, row_id, sha, now)

    def finish(self, a: Admitted, forced: str | None = None) -> Outcome:
        """Judge, archive, settle and record an admitted file (``forced``: the reason the toolkit failed on it,
        e.g. the worker reading it died; it is quarantined with that reason)."""
        judge = self.judge_for(a.group)
        receipt = Receipt(a.row_id, a.name, a.received_at)
        if forced is not None:
            verdict = judge.fault(forced)
        else:
            try:
                verdict = judge.assess(a.claimed, receipt, a.group, self.isolated)
            except ToolkitError:
                raise  # the MCC's configuration is broken: the file stays claimed and is retried once it is fixed
            except Exception as exc:  # noqa: BLE001 - a fault of ours must not leave the file stuck or lost
                verdict = judge.fault(f"the toolkit failed while judging this file ({type(exc).__name__}: {exc}); "
                                      "the MCC will look")
        kept = archive.keep(a.claimed.read_bytes(), a.sha, a.name, verdict.archive)
        answer = judge.settle(verdict, receipt)
        # one commit for the outcome: a crash before it leaves the row unfinished and the claimed file is judged
        # again (the archive and the answers are written under the same names)
        self.ledger.update(a.row_id, status=verdict.status, supplier_group=verdict.group, cycle=verdict.cycle,
                           kind=verdict.kind, version=verdict.version, archive_path=self._relative(kept),
                           template_id=verdict.template_id, errors=verdict.errors, warnings=verdict.warnings,
                           reason=verdict.reason, finished_at=self.clock(),
                           feedback_path=self._relative(answer.feedback) if answer.feedback else "",
                           email_path=self._relative(answer.email) if answer.email else "")
        a.claimed.unlink()
        return self._done(Outcome(a.row_id, a.name, verdict.status, verdict.group, verdict.cycle, verdict.errors,
                                  verdict.warnings, verdict.reason or verdict.note, outputs=answer.outputs))

    def _relative(self, path: Path) -> str:
        return str(path.relative_to(self.ws.root))

    def _done(self, outcome: Outcome) -> Outcome:
        if self.on_outcome:
            self.on_outcome(outcome)
        return outcome


def copy_into_inbox(workspace: Workspace, source: Path, name: str | None = None) -> Path:
    """Drop a file into the inbox the way a careful tool does: write under a temporary name, then rename."""
    workspace.inbox.mkdir(parents=True, exist_ok=True)
    target = workspace.inbox / (name or source.name)
    part = workspace.inbox / f".{target.name}.part"
    shutil.copyfile(source, part)
    part.replace(target)
    return target
