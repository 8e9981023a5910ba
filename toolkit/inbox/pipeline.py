"""Judge one returned file and answer it, losing nothing (issue 5; shared/design/INBOX.md).

For each file: claim it (atomic rename into ``inbox/.processing/``), hash its bytes, record it in the ledger,
look at it before any parser does, read it in a child process with limits, archive the original bytes under
their hash, judge it against the envelopes and calendar recalculated from the configuration, write the feedback
workbook and email, record the outcome, and only then delete the claimed copy. A crash at any point leaves the
file in ``inbox/`` or ``inbox/.processing/`` and its ledger row unfinished, and the next run takes it up again;
the same bytes twice are recorded as a duplicate and not judged twice.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from toolkit.config import Config
from toolkit.domain import rules
from toolkit.domain.envelopes import Envelopes, calculate
from toolkit.domain.findings import Finding, Severity, Status, finding, verdict
from toolkit.domain.sprints import Sprint, sprint_by_cycle
from toolkit.domain.submission import Submission
from toolkit.domain.template import TemplateContent, template_content
from toolkit.errors import ToolkitError
from toolkit.excel import contract as C
from toolkit.inbox import safety
from toolkit.inbox.isolate import ReadFailure, read_guarded, read_isolated
from toolkit.inbox.ledger import Ledger
from toolkit.templates import current_templates, read_register
from toolkit.workspace import Workspace

PROCESSING = ".processing"
LEDGER = "ledger.sqlite"
OUTTURN_KIND = "outturn"  # files in inbox/outturn/ are execution outturn, not plans (toolkit.monitor)
OUTTURN_GROUP = OUTTURN_KIND.upper()


@dataclass
class Judged:
    """The verdict on one file, before anything is written."""

    status: Status
    findings: list[Finding]
    submission: Submission | None = None
    content: TemplateContent | None = None
    reason: str = ""  # why an unreadable file is quarantined
    group: str | None = None
    cycle: str | None = None
    version: int | None = None
    macro_enabled: bool = False
    kind: str = "plan"  # or "uca-request"

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == Severity.WARNING)

    def as_json(self, file: str) -> dict:
        return {"file": file, "status": self.status.value, "group": self.group, "cycle": self.cycle,
                "version": self.version, "reason": self.reason, "errors": self.errors, "warnings": self.warnings,
                "findings": [f.as_dict() for f in self.findings]}


@dataclass
class Outcome:
    row_id: int
    name: str
    status: str
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
    group: str | None  # the group (or outturn) folder it came from
    row_id: int
    sha: str
    received_at: str


def safe_stem(name: str) -> str:
    """An output-safe version of a supplier's file name: ASCII letters, digits, dot, dash and underscore only,
    no path parts."""
    stem = Path(name.replace("\\", "/")).name
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._") or "file"
    return stem[:60]


class Judge:
    """Judges files against one loaded configuration; caches the envelopes and template contents."""

    def __init__(self, workspace: Workspace, config: Config, planning_cycle: str | None, key: bytes,
                 limits: safety.Limits | None = None):
        self.workspace, self.config, self.planning_cycle, self.key = workspace, config, planning_cycle, key
        self.limits = limits or safety.Limits()
        self.isolated = True  # read each file in a child process; False inside a pool worker (itself isolated)
        self._env: Envelopes | None = None
        self._contents: dict[tuple[str, str], TemplateContent] = {}
        self._digests: dict[tuple[str, str], str] = {}
        self._signature = self._config_signature()

    def _config_signature(self) -> tuple:
        folder = self.workspace.config
        return tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in folder.glob("*")
                            if p.is_file())) if folder.is_dir() else ()

    def refresh(self) -> bool:
        """Reload the configuration when its files changed since it was loaded (a long-running watcher sees the
        MCC's updates without a restart); an invalid new configuration keeps the old one and raises."""
        signature = self._config_signature()
        if signature == self._signature:
            return False
        from toolkit.config import load_config

        self.config = load_config(self.workspace.root)
        self._signature = signature
        self._env = None
        self._contents.clear()
        self._digests.clear()
        return True

    @property
    def env(self) -> Envelopes:
        if self._env is None:
            self._env = calculate(self.config.industry, self.config.calendar, self.config.parameters)
        return self._env

    def content(self, group: str, sprint: Sprint) -> TemplateContent:
        key = (group, sprint.cycle)
        if key not in self._contents:
            self._contents[key] = template_content(self.config.industry, self.config.calendar, self.config.parameters,
                                                   self.env, group, sprint)
        return self._contents[key]

    def digest(self, group: str, sprint: Sprint) -> str:
        """The envelope digest of a group's template content, computed once per content."""
        key = (group, sprint.cycle)
        if key not in self._digests:
            self._digests[key] = self.content(group, sprint).digest()
        return self._digests[key]

    def warm(self) -> None:
        """Compute the envelopes and every group's template content of the cycle being collected now, before
        files arrive (a worker forked afterwards inherits them)."""
        sprint = sprint_by_cycle(self.config.calendar.sprints, self.planning_cycle) if self.planning_cycle else None
        if sprint is not None:
            for g in self.config.industry.groups:
                self.digest(g.mpid, sprint)

    def exemptions(self, group: str) -> frozenset[tuple[str, date]]:
        return self.config.exemptions.get(group, frozenset())

    def judge(self, path: Path, name: str, claimed_group: str | None = None) -> Judged:
        self.refresh()
        inspection = safety.inspect(path, self.limits)
        if inspection.reason:
            return Judged(Status.UNREADABLE, [finding("identity.template", inspection.reason)],
                          reason=inspection.reason)
        read = read_isolated(path, name) if self.isolated else read_guarded(path, name)
        if isinstance(read, ReadFailure):
            return Judged(Status.UNREADABLE, [finding(read.rule if read.rule in ("identity.template",
                                                                                  "structure.layout")
                                                      else "identity.template", read.reason,
                                                      sheet=read.sheet, cell=read.cell)], reason=read.reason)
        sub = read
        meta = sub.meta
        if meta.get("kind") == C.KIND_UCA:
            return self._judge_request(sub, claimed_group, inspection.macro_enabled)
        group, cycle = meta.get("group") or None, meta.get("cycle") or None
        version = int(meta["version"]) if str(meta.get("version", "")).isdigit() else None
        industry = self.config.industry
        sprint = sprint_by_cycle(self.config.calendar.sprints, cycle) if cycle else None
        known_group = bool(group) and group in industry.group_by_mpid
        content = self.content(group, sprint) if known_group and sprint is not None else None
        register = {t.template_id for t in read_register(self.workspace, sprint.cycle)} if sprint else set()
        current = current_templates(self.workspace, sprint.cycle).get(group) if sprint and group else None
        facts = rules.Identity(
            signature_ok=C.signature_valid(meta, self.key), known_group=known_group, known_cycle=sprint is not None,
            registered=meta.get("template_id") in register, current_version=current.version if current else None,
            current_digest=self.digest(group, sprint) if content else None, planning_cycle=self.planning_cycle,
            claimed_group=claimed_group)
        judgement = rules.validate(sub, facts, content, self.config.parameters,
                                   self.exemptions(group) if group else frozenset())
        findings = list(judgement.findings)
        if inspection.macro_enabled:
            findings.insert(0, finding("identity.template", "the workbook was saved macro-enabled (.xlsm); its macros "
                                       "were ignored and never run, only the values were read.", Severity.WARNING,
                                       hint="save as .xlsx next time"))
        return Judged(verdict(findings), findings, sub, content, group=group,
                      cycle=sprint.cycle if sprint else cycle, version=version,
                      macro_enabled=inspection.macro_enabled)


    def _judge_request(self, sub: Submission, claimed_group: str | None, macro: bool) -> Judged:
        """A UCA request workbook: judged against the unused capacity snapshot it was issued with."""
        from toolkit.templates import latest_in, read_register_in
        from toolkit.uca import read_snapshot, requests_dir

        meta = sub.meta
        group, cycle = meta.get("group") or None, meta.get("cycle") or None
        version = int(meta["version"]) if str(meta.get("version", "")).isdigit() else None
        sprint = sprint_by_cycle(self.config.calendar.sprints, cycle) if cycle else None
        known_group = bool(group) and group in self.config.industry.group_by_mpid
        # judged against its own round's snapshot; only the latest round takes requests (an earlier round's form
        # has another digest than the latest snapshot, so it reads as superseded)
        round = int(meta["round"]) if str(meta.get("round", "")).isdigit() else 1
        snap = read_snapshot(self.workspace, sprint.cycle, round) if sprint else None
        latest = read_snapshot(self.workspace, sprint.cycle) if sprint else None
        folder = requests_dir(self.workspace, sprint.cycle, round) if sprint else None
        current = latest_in(folder).get(group) if folder and group else None
        facts = rules.Identity(
            signature_ok=C.signature_valid(meta, self.key), known_group=known_group, known_cycle=sprint is not None,
            registered=bool(folder) and meta.get("template_id") in {t.template_id for t in read_register_in(folder)},
            current_version=current.version if current else None,
            current_digest=latest.digest() if latest else None, planning_cycle=self.planning_cycle,
            claimed_group=claimed_group)
        form = snap.form(self.env, group) if snap is not None and known_group else None
        findings = list(rules.validate_request(sub, facts, form).findings)
        if macro:
            findings.insert(0, finding("identity.template", "the workbook was saved macro-enabled (.xlsm); its macros "
                                       "were ignored and never run.", Severity.WARNING))
        return Judged(verdict(findings), findings, sub, None, group=group, cycle=sprint.cycle if sprint else cycle,
                      version=version, macro_enabled=macro, kind=C.KIND_UCA)


class Inbox:
    """The watched inbox of a workspace: claims, judges, archives, answers and records every file."""

    def __init__(self, workspace: Workspace, judge: Judge, clock: Callable[[], datetime],
                 on_outcome: Callable[[Outcome], None] | None = None):
        self.ws, self.judge, self.clock, self.on_outcome = workspace, judge, clock, on_outcome
        self.ledger = Ledger(workspace.workbooks / LEDGER)
        self.processing = workspace.inbox / PROCESSING

    # -- finding files ------------------------------------------------------------------------------
    def candidates(self) -> list[tuple[Path, str | None]]:
        """Files waiting in the inbox (and one level of group subfolders), oldest first, with the group their
        subfolder names; lock, temporary and hidden files are left alone."""
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
        """Move the file out of the inbox's view, atomically (same filesystem), keeping its name and group."""
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
        if done is not None and done.status in ("accepted", "rejected", "quarantined", "duplicate"):
            claimed.unlink()  # finished before a crash took the process: only the clean-up was left
            return self._done(Outcome(done.id, name, done.status, done.supplier_group, done.cycle, done.errors,
                                      done.warnings, done.reason, done.duplicate_of))
        data = claimed.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        now = self.clock().isoformat(timespec="seconds")
        rows = [r for r in self.ledger.by_sha(sha) if r.claim != claimed.name]
        final = [r for r in rows if r.status in ("accepted", "rejected", "quarantined")]
        # the same bytes being judged right now (by another worker) count as seen; a pending row whose claimed
        # file is gone (a ledger older than claims) is this file's own
        busy = [r for r in rows if r.status in ("received", "validating") and r.claim
                and (self.processing / r.claim).exists()]
        orphan = [r for r in rows if r.status in ("received", "validating") and r not in busy]
        first = (final or busy or [None])[0]
        row_id = done.id if done is not None else (orphan[0].id if orphan else
                                                   self.ledger.receive(sha, name, now, claimed.name))
        if orphan and done is None:
            self.ledger.update(row_id, claim=claimed.name)
        if first is not None:
            self.ledger.update(row_id, status="duplicate", duplicate_of=first.id, supplier_group=first.supplier_group,
                               cycle=first.cycle, version=first.version, template_id=first.template_id,
                               archive_path=first.archive_path, finished_at=now,
                               reason=f"the same bytes as submission {first.id} ({first.original_name}, "
                                      f"{first.status if first in final else 'being judged'})")
            claimed.unlink()
            return self._done(Outcome(row_id, name, "duplicate", first.supplier_group, first.cycle,
                                      duplicate_of=first.id, reason=f"same bytes as submission {first.id}"))
        return Admitted(claimed, name, claimed_group, row_id, sha, now)

    def finish(self, a: Admitted, forced: Judged | None = None) -> Outcome:
        """Judge, archive, answer and record an admitted file (``forced``: the verdict is already known, e.g. the
        worker reading it died)."""
        data = a.claimed.read_bytes()
        if a.group == OUTTURN_GROUP and forced is None:
            return self._done(self._process_outturn(a.claimed, a.name, data, a.sha, a.row_id, a.received_at))
        name, claimed_group, row_id, now, claimed = a.name, a.group, a.row_id, a.received_at, a.claimed
        if forced is not None:
            judged = forced
        else:
            try:
                judged = self.judge.judge(claimed, name, claimed_group)
            except ToolkitError:
                raise  # the MCC's configuration is broken: the file stays claimed and is retried once it is fixed
            except Exception as exc:  # noqa: BLE001 - a fault of ours must not leave the file stuck or lost
                reason = f"the toolkit failed while judging this file ({type(exc).__name__}: {exc}); the MCC will look"
                judged = Judged(Status.UNREADABLE, [finding("identity.template", reason)], reason=reason)
        sha = a.sha
        group = judged.group or claimed_group
        archive = self._archive(data, sha, name, judged)
        outputs = self._answer(row_id, name, now, judged, group)
        status = "quarantined" if judged.status == Status.UNREADABLE else judged.status.value
        # one commit for the outcome: a crash before it leaves the row unfinished and the claimed file is judged
        # again (the archive and the answers are written under the same names)
        self.ledger.update(row_id, status=status, supplier_group=group, cycle=judged.cycle, kind=judged.kind,
                           version=judged.version, archive_path=str(archive.relative_to(self.ws.root)),
                           template_id=(judged.submission.meta.get("template_id") if judged.submission else None),
                           errors=judged.errors, warnings=judged.warnings,
                           reason=judged.reason, finished_at=self.clock().isoformat(timespec="seconds"),
                           feedback_path=str(outputs[0].relative_to(self.ws.root)) if outputs and
                           outputs[0].suffix == ".xlsx" else "",
                           email_path=str(outputs[-1].relative_to(self.ws.root)) if outputs else "")
        claimed.unlink()
        return self._done(Outcome(row_id, name, status, group, judged.cycle, judged.errors, judged.warnings,
                                  judged.reason, outputs=outputs))

    def _process_outturn(self, claimed: Path, name: str, data: bytes, sha: str, row_id: int, now: str) -> Outcome:
        """An outturn file (``inbox/outturn/``): checked, archived, its cohorts stored when it is accepted, and
        answered with a report in ``outbox/outturn/``."""
        from toolkit.monitor import judge_outturn

        self.judge.refresh()
        try:
            verdict = judge_outturn(claimed, name, self.judge.config, date.fromisoformat(now[:10]))
        except ToolkitError:
            raise
        except Exception as exc:  # noqa: BLE001 - a fault of ours must not leave the file stuck or lost
            from toolkit.monitor import OutturnVerdict

            verdict = OutturnVerdict("quarantined", reason=f"the toolkit failed while reading this file "
                                                           f"({type(exc).__name__}: {exc}); the MCC will look")
        archive = self._keep(data, sha, name, self.ws.workbooks / ("quarantine" if verdict.status == "quarantined"
                                                                   else "outturn/received"))
        self.ledger.update(row_id, status="validating", kind=OUTTURN_KIND,
                           archive_path=str(archive.relative_to(self.ws.root)))
        if verdict.status == "accepted":
            self.ledger.store_outturn(verdict.cohorts, row_id)
        lines = [f"Outturn file {name}, received {now}: {verdict.status.upper()}"]
        if verdict.status == "accepted":
            first = min((c.initiated for c in verdict.cohorts), default=None)
            last = max((c.initiated for c in verdict.cohorts), default=None)
            lines.append(f"{len(verdict.cohorts):,} cohorts stored, initiated {first} to {last}; "
                         f"{sum(c.initiations for c in verdict.cohorts):,} initiations, "
                         f"{sum(c.completions or 0 for c in verdict.cohorts):,} completions reported.")
        elif verdict.reason:
            lines.append(verdict.reason)
        else:
            lines.append(f"{len(verdict.problems):,} problems; nothing from this file was stored. Correct them and "
                         "send the whole file again:")
            lines += [f"- {p}" for p in verdict.problems]
        report = self.ws.outbox / OUTTURN_KIND / f"{row_id:05d}_{verdict.status}_{safe_stem(name)}.txt"
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.ledger.update(row_id, status=verdict.status, errors=len(verdict.problems), reason=verdict.reason,
                           finished_at=self.clock().isoformat(timespec="seconds"),
                           feedback_path=str(report.relative_to(self.ws.root)))
        claimed.unlink()
        return Outcome(row_id, name, verdict.status, errors=len(verdict.problems), reason=verdict.reason
                       or (verdict.problems[0] if verdict.problems else ""), outputs=[report])

    def _done(self, outcome: Outcome) -> Outcome:
        if self.on_outcome:
            self.on_outcome(outcome)
        return outcome

    def _archive(self, data: bytes, sha: str, name: str, judged: Judged) -> Path:
        if judged.status == Status.UNREADABLE:
            folder = self.ws.workbooks / "quarantine"
        elif judged.cycle and sprint_by_cycle(self.judge.config.calendar.sprints, judged.cycle):
            folder = self.ws.cycle_dir(judged.cycle) / "received"
        else:
            folder = self.ws.workbooks / "unassigned" / "received"
        return self._keep(data, sha, name, folder)

    @staticmethod
    def _keep(data: bytes, sha: str, name: str, folder: Path) -> Path:
        """The original bytes, kept under their hash (the same bytes are kept once), with a safe extension."""
        ext = Path(name).suffix.lower()
        ext = ext if re.fullmatch(r"\.[a-z0-9]{1,5}", ext) else ".bin"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{sha}{ext}"
        if not path.is_file():
            part = path.with_name(path.name + ".part")
            part.write_bytes(data)
            part.replace(path)
        return path

    def _answer(self, row_id: int, name: str, now: str, judged: Judged, group: str | None) -> list[Path]:
        from toolkit.excel.writers.feedback import marks_cells, write_feedback
        from toolkit.mail.compose import compose, environment, write_eml

        cycle = judged.cycle or "unassigned"
        folder = self.ws.outbox / cycle / (group or "unknown")
        stem = f"{row_id:05d}_{'uca_' if judged.kind == C.KIND_UCA else ''}{judged.status.value}_{safe_stem(name)}"
        outputs: list[Path] = []
        industry = self.judge.config.industry
        g = industry.group_by_mpid.get(group or "")
        params = self.judge.config.parameters
        sprint = sprint_by_cycle(self.judge.config.calendar.sprints, cycle) if judged.cycle else None
        title = f"MCC feedback on {'UCA request ' if judged.kind == C.KIND_UCA else ''}{name}"
        if judged.submission is not None:
            outputs.append(write_feedback(folder / f"{stem}_feedback.xlsx", judged.submission, judged.content,
                                          judged.findings, judged.status, now, title))
        context = {
            "group_name": g.name if g else "supplier", "file": name, "status": judged.status.value,
            "cycle_title": f"sprint {sprint.sprint} ({sprint.cycle})" if sprint else "the planning cycle",
            "deadline": f"{sprint.submission_deadline:%A %d %B %Y}" if sprint else "",
            "received_at": now, "reason": judged.reason, "findings": judged.findings, "errors": judged.errors,
            "warnings": judged.warnings, "limit": 20, "attachment": bool(outputs),
            "marked": marks_cells(judged.findings),
            "template_id": judged.submission.meta.get("template_id", "") if judged.submission else "",
            "mcc_name": params.contact.name, "mcc_email": params.contact.email,
        }
        verdict_word = {Status.ACCEPTED: "accepted", Status.REJECTED: "not accepted",
                        Status.UNREADABLE: "could not be read"}[judged.status]
        subject = f"[MCC] Your plan {name} {verdict_word}" + (f" ({sprint.cycle}, {g.mpid})" if sprint and g else "")
        to = list(g.contacts) if g else [params.contact.email]
        msg = compose(environment(self.ws.templates), "feedback", context, params.contact.email, to, subject,
                      self.clock(), outputs)
        outputs.append(write_eml(msg, folder / f"{stem}.eml"))
        return outputs


def copy_into_inbox(workspace: Workspace, source: Path, name: str | None = None) -> Path:
    """Drop a file into the inbox the way a careful tool does: write under a temporary name, then rename."""
    workspace.inbox.mkdir(parents=True, exist_ok=True)
    target = workspace.inbox / (name or source.name)
    part = workspace.inbox / f".{target.name}.part"
    shutil.copyfile(source, part)
    part.replace(target)
    return target
