"""Take in one returned file and see it answered, exactly once, losing nothing (issues 5 and 16;
shared/design/INBOX.md).

For each file: claim it (an atomic rename into ``inbox/.processing/`` under a generated name, its record beside it:
``toolkit.inbox.entries``), hash its bytes in blocks, record it in the ledger (in the order files landed), then hand
it to its judge, keep the original bytes under their hash where the judge says, let the judge settle it (store what
was accepted, write the feedback and the email), record the outcome, and only then remove the claimed copy. A crash
at any point leaves the file in ``inbox/`` or ``inbox/.processing/`` and its ledger row unfinished, and the next run
takes it up again; the same bytes twice are recorded as a duplicate and not judged twice.

What can go wrong, and what then happens:

- **Something odd about one file** (its name, its type, its size, its content, a fault of ours while judging or
  answering it): that file is quarantined with the reason, and answered; the inbox goes on. Links, pipes and devices
  are refused unread; a hard link is refused unread; a file over the size limit is refused after reading only its
  first MiB (kept).
- **A fault of the machine** (``toolkit.inbox.faults``: a read-only ledger, a full disk, an unwritable outbox) or a
  broken configuration: ``InboxFault`` (or the ``ToolkitError``) is raised, the file stays where it is with its row
  unfinished, and the watcher pauses and tries again.

The inbox is handed its judges and knows nothing of what they decide: a file in ``inbox/<FOLDER>/`` goes to the
judge registered under that folder's name (the execution outturn judge under ``OUTTURN``), any other file to the
default judge (plan templates and UCA request forms), which is told the folder's name as the group the file was
delivered for, and says which folder names it accepts (``accepts_folder``). A receipt may be judged again
(``rejudge``; or the same bytes delivered again after a verdict that depended on the delivery): the row keeps its
place in the landing order and takes the new decision, the ledger keeps the earlier one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Protocol

from toolkit.clock import stamp
from toolkit.domain.status import FINAL, JUDGED, PENDING, Kind, Status
from toolkit.errors import ToolkitError, UsageError
from toolkit.inbox import entries, faults, safety
from toolkit.inbox.entries import PROCESSING, Arrival, Stray  # noqa: F401 - PROCESSING is the inbox's word
from toolkit.store import archive
from toolkit.store.ledger import Ledger, Row
from toolkit.store.lock import IntakeLock
from toolkit.store.records import MailOrigin
from toolkit.store.workspace import Workspace


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
    delivery_bound: bool = False  # the verdict depends on where the file was delivered, not only on its bytes


@dataclass(frozen=True)
class Receipt:
    """How a file arrived: its ledger row, its name as sent (readable) and when it was received; ``decision``
    counts the decisions on it (1, or more when judged again)."""

    row_id: int
    name: str
    received_at: datetime
    decision: int = 1
    mail: MailOrigin | None = None  # the email it came attached to: answered to its sender

    @property
    def tag(self) -> str:
        """How its answers are named: ``00012``, or ``00012-2`` for a second decision."""
        return f"{self.row_id:05d}" + (f"-{self.decision}" if self.decision > 1 else "")


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

    def accepts_folder(self, name: str) -> bool:
        """Whether ``inbox/<name>/`` names a sender this judge knows (the default judge: a supplier group)."""

    def assess(self, path: Path, receipt: Receipt, claimed_group: str | None, isolated: bool) -> Verdict:
        """Judge the file at ``path``; ``claimed_group``: the folder it was delivered in; ``isolated``: read it in
        a child process (False inside a worker, which is itself the isolation boundary). Raises ToolkitError only
        when the MCC's configuration is broken."""

    def fault(self, reason: str, claimed_group: str | None = None) -> Verdict:
        """The verdict on a file the toolkit refused or failed on: quarantined, with ``reason``; answered to the
        group whose folder it came in, if any."""

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
    decision: int = 1


@dataclass(frozen=True)
class Admitted:
    """A claimed file with its ledger row, ready to be judged (possibly in a worker process)."""

    claimed: Path
    name: str
    group: str | None  # the name of the subfolder it came from, upper case
    row_id: int
    sha: str
    received_at: datetime
    refused: str = ""  # why it is refused unread (a link, a device, too large): quarantined with this reason
    head: bool = False  # refused for its size: keep its first MiB
    decision: int = 1  # > 1: a new decision on an earlier receipt
    why: str = ""  # why it is judged again
    redelivery: int | None = None  # the row of the delivery that made it judged again (recorded as a duplicate)
    keep_source: bool = False  # ``claimed`` is the archived copy (rejudge): never removed
    mail: MailOrigin | None = None  # the email it came attached to


class Inbox:
    """The watched inbox of a workspace: claims, records and archives every file, has it judged and answered."""

    def __init__(self, workspace: Workspace, judges: Mapping[str | None, Judge], clock: Callable[[], datetime],
                 on_outcome: Callable[[Outcome], None] | None = None, limits: safety.Limits | None = None):
        self.ws, self.judges, self.clock, self.on_outcome = workspace, dict(judges), clock, on_outcome
        self.limits = limits or safety.Limits()
        self.ledger = Ledger(workspace.ledger)
        self.processing = workspace.inbox / PROCESSING
        self.isolated = True  # judges read each file in a child process; False inside a pool worker
        self.inflight: set[str] = set()  # claims handed to workers: never taken up again while they are there
        self.stuck: dict[str, str] = {}  # claims that failed even the last resort: left claimed, reported
        self.untaken: dict[str, str] = {}  # entries that cannot be moved out of the inbox: left there, reported

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
    def accepts(self, folder: str) -> bool:
        """Whether ``inbox/<folder>/`` is a folder files are taken from: a judge's own, or one the default judge
        accepts as a sender."""
        return folder.upper() in self.judges or self.judge.accepts_folder(folder)

    def look(self) -> tuple[list[Arrival], list[Stray]]:
        """What waits in the inbox to be claimed (oldest first), and what is left there and reported."""
        return entries.look(self.ws.inbox, self.accepts)

    def candidates(self) -> list[Arrival]:
        return self.look()[0]

    def claim(self, arrival: Arrival) -> Path:
        """Move the entry out of the inbox's view (``entries.claim``). FileNotFoundError: gone meanwhile;
        ``entries.CannotTake``: this entry cannot be moved (left, noted in ``untaken``); ``InboxFault``: a fault of
        the machine (``.processing`` not a folder, a full disk...)."""
        try:
            return entries.claim(arrival, self.processing)
        except entries.CannotTake as exc:
            self.untaken[str(arrival.path)] = str(exc)
            raise
        except FileNotFoundError:
            raise
        except OSError as exc:
            faults.reraise(exc)
            raise

    # -- processing --------------------------------------------------------------------------------
    def recover(self) -> list[Outcome]:
        """Files claimed and not finished (by a run that stopped, or set aside by a fault), except those in a
        worker's hands: process them again. A file that fails for its own reasons is quarantined; a fault of the
        machine stops the recovery (``InboxFault``) with the files left where they are."""
        out = []
        try:
            found = entries.claimed(self.processing, self.inflight)
        except OSError as exc:
            faults.reraise(exc)
            raise
        for path in found:
            try:
                out.append(self.process_claimed(path))
            except ToolkitError:
                raise
            except Exception as exc:  # noqa: BLE001 - one file must not stop the others, nor a restart
                self.stuck[path.name] = f"{type(exc).__name__}: {exc}"
        return out

    def locked(self, command: str, stale_seconds: float = 120.0) -> IntakeLock:
        """The workspace's intake lock (``with inbox.locked(...)``): one intake process per workspace."""
        return IntakeLock(self.ws.intake_lock, command, stamp(self.clock()), stale_seconds)

    def run_once(self, ready: Callable[[Path], bool] | None = None, command: str = "mcc") -> list[Outcome]:
        """Recover, then process every file in the inbox that ``ready`` accepts (default: all), holding the intake
        lock."""
        with self.locked(command):
            outcomes = self.recover()
            for arrival in self.candidates():
                if ready is not None and not ready(arrival.path):
                    continue
                try:
                    claimed = self.claim(arrival)
                except (FileNotFoundError, entries.CannotTake):
                    continue  # gone meanwhile, or left where it is and reported
                outcomes.append(self.process_claimed(claimed))
        return outcomes

    def process_claimed(self, claimed: Path) -> Outcome:
        admitted = self.admit(claimed)
        return admitted if isinstance(admitted, Outcome) else self.finish(admitted)

    def admit(self, claimed: Path) -> Admitted | Outcome:
        """The quick, ordered part: hash the claimed file and give it its ledger row (files are admitted in the
        order they landed, so a group's later version has the later row), or settle it at once as a duplicate or
        as finished before a crash. Judging and answering (``finish``) may then run in another process."""
        try:
            return self._admit(claimed)
        except ToolkitError:
            raise
        except Exception as exc:  # noqa: BLE001 - a fault of ours must not leave the file stuck or lost
            faults.reraise(exc)
            return self._admit_broken(claimed, exc)

    def _admit(self, claimed: Path) -> Admitted | Outcome:
        c = entries.read_claim(claimed)
        group = c.folder.upper() if c.folder else None
        done = self.ledger.by_claim(claimed.name)
        if done is not None and done.status in FINAL:
            entries.release(claimed)  # finished before a crash took the process: only the clean-up was left
            return self._done(Outcome(done.id, c.name, done.status, done.supplier_group, done.cycle, done.errors,
                                      done.warnings, done.reason, done.duplicate_of, decision=done.decision))
        now = self.clock()
        refused, sha, size = self._hash(claimed, c.refused)

        def receive(sha: str) -> int:
            if done is not None:
                return done.id
            return self.ledger.receive(sha, c.name, now, claimed.name, c.name_bytes, c.folder or "", c.mail)

        if refused:
            return Admitted(claimed, c.name, group, receive(sha), sha, now, refused=refused,
                            head=size > self.limits.max_file_bytes, mail=c.mail)
        return replace(out, mail=c.mail) if isinstance(out := self._place(claimed, c.name, group, sha, now, done,
                                                                          receive), Admitted) else out

    def _hash(self, claimed: Path, refused: str) -> tuple[str, str, int]:
        """(why it is refused unread or "", its SHA-256 or "", its size), reading at most the size limit, without
        following a link or opening a pipe or device."""
        if refused:
            return refused, "", 0
        st = claimed.lstat()
        refused = entries.refusal(st, claimed)
        if refused:
            return refused, "", 0
        if st.st_size > self.limits.max_file_bytes:
            return (f"the file is {st.st_size / 2**20:,.1f} MiB; templates are far smaller (limit "
                    f"{self.limits.max_file_bytes / 2**20:,.0f} MiB): refused unread, its first MiB kept"), "", \
                st.st_size
        try:
            fd = os.open(claimed, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except PermissionError:
            return "the file cannot be read (its permissions do not allow it): refused unread", "", 0
        with os.fdopen(fd, "rb") as handle:
            st = os.fstat(handle.fileno())
            refused = entries.refusal(st, claimed)  # replaced between the look and the open
            if refused:
                return refused, "", 0
            sha, size = archive.hash_file(handle, self.limits.max_file_bytes + 1)
        if size > self.limits.max_file_bytes:
            return f"the file grew past the size limit ({self.limits.max_file_bytes / 2**20:,.0f} MiB) while it " \
                   "was read: refused, its first MiB kept", "", size
        return "", sha, size

    def _place(self, claimed: Path, name: str, group: str | None, sha: str, now: datetime, done: Row | None,
               receive: Callable[[str], int]) -> Admitted | Outcome:
        """A readable file's row: its own, or a duplicate of the same bytes seen before (or being judged), or a
        new decision on an earlier receipt whose verdict depended on where it was delivered."""
        rows = [r for r in self.ledger.by_sha(sha) if r.claim != claimed.name and r.status != Status.DUPLICATE]
        final = [r for r in rows if r.status in JUDGED]
        # the same bytes being judged right now (by another worker) count as seen; a pending row whose claimed
        # file is gone (a ledger older than claims) is this file's own
        busy = [r for r in rows if r.status in PENDING and r.claim and (self.processing / r.claim).exists()]
        orphan = [r for r in rows if r.status in PENDING and r not in busy]
        first = (final or busy or [None])[0]
        row_id = done.id if done is not None else (orphan[0].id if orphan else receive(sha))
        if orphan and done is None:
            self.ledger.update(row_id, claim=claimed.name)
        if first is not None and not busy and first.delivery_bound and (group or "") != first.folder.upper():
            return Admitted(claimed, first.original_name, group, first.id, sha, first.received_at,
                            decision=first.decision + 1, redelivery=row_id,
                            why=f"delivered again as submission {row_id} ({name}) "
                                f"{f'into inbox/{group}/' if group else 'into inbox/'}")
        if first is not None:
            self.ledger.update(row_id, status=Status.DUPLICATE, duplicate_of=first.id,
                               supplier_group=first.supplier_group, cycle=first.cycle, version=first.version,
                               template_id=first.template_id, archive_path=first.archive_path, finished_at=now,
                               reason=f"the same bytes as submission {first.id} ({first.original_name}, "
                                      f"{first.status if first in final else 'being judged'})")
            entries.release(claimed)
            return self._done(Outcome(row_id, name, Status.DUPLICATE, first.supplier_group, first.cycle,
                                      duplicate_of=first.id, reason=f"same bytes as submission {first.id}"))
        return Admitted(claimed, name, group, row_id, sha, now)

    def _admit_broken(self, claimed: Path, exc: Exception) -> Outcome:
        """The last resort for a file the admission itself failed on: quarantined with the reason, bytes kept."""
        c = entries.read_claim(claimed)
        reason = f"the toolkit failed while taking in this file ({type(exc).__name__}: {exc}); the MCC will look"
        done = self.ledger.by_claim(claimed.name)
        now = self.clock()
        row_id = done.id if done is not None else self.ledger.receive("", c.name, now, claimed.name, c.name_bytes,
                                                                      c.folder or "", c.mail)
        return self.finish(Admitted(claimed, c.name, c.folder.upper() if c.folder else None, row_id, "", now,
                                    refused=reason, head=True, mail=c.mail))

    def finish(self, a: Admitted, forced: str | None = None) -> Outcome:
        """Judge, archive, settle and record an admitted file (``forced``: the reason the toolkit failed on it,
        e.g. the worker reading it died; it is quarantined with that reason). Raises ``InboxFault`` (the file stays
        claimed, its row unfinished) on a fault of the machine, and ``ToolkitError`` on a broken configuration."""
        judge = self.judge_for(a.group)
        receipt = Receipt(a.row_id, a.name, a.received_at, a.decision, a.mail)
        try:
            verdict = self._verdict(judge, a, receipt, forced or a.refused)
            try:
                kept = self._keep(a, verdict)
            except archive.Replaced as exc:  # swapped (for a link, say) after it was hashed: nothing of it kept
                verdict = judge.fault(f"{exc}: it was replaced while it was judged, and nothing of it was kept. "
                                      "Send the file again", a.group)
                kept = None
            verdict, answer, kept = self._answer(judge, a, verdict, receipt, kept)
            self._record(a, verdict, kept, answer)
        except ToolkitError:
            raise
        except Exception as exc:  # noqa: BLE001 - only a fault of the machine gets here
            faults.reraise(exc)
            raise
        if not a.keep_source:
            entries.release(a.claimed)
        return self._done(Outcome(a.row_id, a.name, verdict.status, verdict.group, verdict.cycle, verdict.errors,
                                  verdict.warnings, verdict.reason or verdict.note, outputs=answer.outputs,
                                  decision=a.decision))

    def _verdict(self, judge: Judge, a: Admitted, receipt: Receipt, refused: str) -> Verdict:
        if refused:
            return judge.fault(refused, a.group)
        try:
            return judge.assess(a.claimed, receipt, a.group, self.isolated)
        except ToolkitError:
            raise  # the MCC's configuration is broken: the file stays claimed and is retried once it is fixed
        except Exception as exc:  # noqa: BLE001 - a fault of ours must not leave the file stuck or lost
            faults.reraise(exc)
            return judge.fault(f"the toolkit failed while judging this file ({type(exc).__name__}: {exc}); the MCC "
                               "will look", a.group)

    def _keep(self, a: Admitted, verdict: Verdict) -> Path | None:
        """The original bytes, kept where the verdict says (a file refused for its size: its first MiB; one refused
        unread for its type: nothing)."""
        if a.sha:
            return archive.keep_file(a.claimed, a.sha, a.name, verdict.archive)
        if a.head and a.claimed.is_file() and not a.claimed.is_symlink():
            return archive.keep_head(a.claimed, a.name, verdict.archive)
        return None

    def _answer(self, judge: Judge, a: Admitted, verdict: Verdict, receipt: Receipt,
                kept: Path | None) -> tuple[Verdict, Answer, Path | None]:
        """The judge's answer; if writing it fails for this file's sake, the file is quarantined with that reason
        and answered as such (or, if even that fails, recorded with the reason and no answer)."""
        try:
            return verdict, judge.settle(verdict, receipt), kept
        except ToolkitError:
            raise
        except Exception as exc:  # noqa: BLE001 - a fault of ours must not leave the file stuck or lost
            faults.reraise(exc)
            reason = f"the toolkit failed while answering this file ({type(exc).__name__}: {exc}); the MCC will look"
        fallback = judge.fault(reason, a.group)
        try:
            kept = self._keep(a, fallback)
        except archive.Replaced:
            kept = None
        try:
            return fallback, judge.settle(fallback, receipt), kept
        except ToolkitError:
            raise
        except Exception as exc:  # noqa: BLE001 - recorded without an answer: mcc status lists it
            faults.reraise(exc)
            return replace(fallback, reason=f"{reason}; no answer could be written ({type(exc).__name__})"), \
                Answer(), kept

    def _record(self, a: Admitted, verdict: Verdict, kept: Path | None, answer: Answer) -> None:
        """One commit for the outcome: a crash before it leaves the row unfinished and the claimed file is judged
        again (the archive and the answers are written under the same names)."""
        values = dict(status=verdict.status, supplier_group=verdict.group, cycle=verdict.cycle, kind=verdict.kind,
                      version=verdict.version, archive_path=self._relative(kept) if kept else "",
                      template_id=verdict.template_id, errors=verdict.errors, warnings=verdict.warnings,
                      reason=verdict.reason, finished_at=self.clock(), delivery_bound=int(verdict.delivery_bound),
                      feedback_path=self._relative(answer.feedback) if answer.feedback else "",
                      email_path=self._relative(answer.email) if answer.email else "")
        if a.decision == 1:
            self.ledger.update(a.row_id, **values)
            return
        if a.redelivery is not None:
            values["folder"] = a.group or ""  # the delivery this decision was made for
        if not self.ledger.redecide(a.row_id, a.decision - 1, a.why, self.clock(), **values):
            raise UsageError(f"submission {a.row_id} was decided again meanwhile (by another process); look at it "
                             "with mcc status and try again")
        if a.redelivery is not None:
            self.ledger.update(a.redelivery, status=Status.DUPLICATE, duplicate_of=a.row_id, finished_at=self.clock(),
                               supplier_group=verdict.group, cycle=verdict.cycle, version=verdict.version,
                               template_id=verdict.template_id, archive_path=self._relative(kept) if kept else "",
                               reason=f"the same bytes as submission {a.row_id}, judged again for this delivery")

    # -- judging a receipt again -----------------------------------------------------------------------------
    def rejudge(self, row_id: int, why: str) -> Outcome:
        """Judge submission ``row_id`` again from its kept bytes, as delivered to ``inbox/`` (no group folder
        claimed): a new decision on the same receipt, which keeps its place in the landing order. Holds the intake
        lock: with a watcher running, it refuses (exit 2, naming the holder) rather than answer twice."""
        try:
            row = self.ledger.get(row_id)
        except KeyError:
            raise UsageError(f"no submission {row_id} in the ledger") from None
        if row.status == Status.DUPLICATE:
            raise UsageError(f"submission {row_id} is a duplicate of submission {row.duplicate_of}: judge that one "
                             "again")
        if row.status not in JUDGED:
            raise UsageError(f"submission {row_id} is {row.status}: it has not been decided yet")
        kept = self.ws.root / row.archive_path if row.archive_path else None
        if kept is None or not kept.is_file() or not row.sha256 or ".head" in kept.name:
            raise UsageError(f"submission {row_id} has no kept copy to judge again ({row.reason or 'refused unread'})")
        folder = row.folder.upper() if row.folder.upper() in self.judges else None
        admitted = Admitted(kept, row.original_name, folder, row.id, row.sha256, row.received_at,
                            decision=row.decision + 1, why=why, keep_source=True, mail=row.mail)
        with self.locked("mcc rejudge"):  # never beside a watcher, which may be judging the same bytes redelivered
            return self.finish(admitted)

    def _relative(self, path: Path) -> str:
        return str(path.relative_to(self.ws.root))

    def _done(self, outcome: Outcome) -> Outcome:
        if self.on_outcome:
            with contextlib.suppress(Exception):  # reporting is for people; the ledger holds the outcome
                self.on_outcome(outcome)
        return outcome


def copy_into_inbox(workspace: Workspace, source: Path, name: str | None = None) -> Path:
    """Drop a file into the inbox the way a careful tool does: write under a temporary name, then rename."""
    workspace.inbox.mkdir(parents=True, exist_ok=True)
    target = workspace.inbox / (name or source.name)
    part = target.with_name(f".{target.name}.part")
    shutil.copyfile(source, part)
    part.replace(target)
    return target
