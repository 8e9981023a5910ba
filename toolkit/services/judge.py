"""The judge of returned workbooks (plan templates and UCA request forms), handed to the inbox.

A returned workbook is looked at before any parser sees it, read in a child process with limits, and judged
against the envelopes and calendar recalculated from the configuration (never against figures read from the file),
with the rules of METHOD 7 (plans) or METHOD 8 (UCA requests). The verdict is answered with a feedback workbook and
an email in ``outbox/<cycle>/<group>/``; the original bytes are kept in ``workbooks/<cycle>/received/``
(``workbooks/quarantine/`` for a file that cannot be read).
"""

from __future__ import annotations

import stat
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from toolkit.clock import stamp
from toolkit.config.model import Config
from toolkit.domain import rules
from toolkit.domain.allocation import Snapshot
from toolkit.domain.envelopes import Envelopes, calculate
from toolkit.domain.findings import Finding, RuleId, Severity, finding, verdict
from toolkit.domain.programme import GroupBasis
from toolkit.domain.sprints import Sprint, sprint_by_cycle
from toolkit.domain.status import Kind, Status
from toolkit.domain.submission import Submission
from toolkit.domain.template import TemplateContent, template_content
from toolkit.domain.text import display_name
from toolkit.errors import UsageError
from toolkit.excel import contract as C
from toolkit.inbox import safety
from toolkit.inbox.intake import Answer, Receipt, Verdict
from toolkit.inbox.isolate import ReadFailure, read_guarded, read_isolated
from toolkit.services.context import Context
from toolkit.services.outturn import LiveConfig
from toolkit.store.archive import safe_stem
from toolkit.store.ledger import Ledger
from toolkit.store.registers import SNAPSHOT, issued_rounds, latest_issued, read_basis, read_register, read_snapshot
from toolkit.store.workspace import Workspace


@dataclass
class Judged:
    """The verdict on one workbook, before anything is written."""

    status: Status  # ACCEPTED, REJECTED or UNREADABLE
    findings: list[Finding]
    submission: Submission | None = None
    content: TemplateContent | None = None
    reason: str = ""  # why an unreadable file is quarantined
    group: str | None = None
    cycle: str | None = None
    version: int | None = None
    macro_enabled: bool = False
    kind: Kind = Kind.PLAN
    in_doubt: bool = False  # whose plan it is cannot be told: answered to the MCC only, naming the problem only

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


def group_folder(config: Config, name: str) -> bool:
    """``inbox/<name>/`` is a supplier group's folder when ``name`` is a group's MPID (any case)."""
    return name.upper() in config.industry.group_by_mpid


def only_identity(findings: list[Finding], sub: Submission, facts: rules.Identity) -> tuple[list[Finding], bool]:
    """The findings to give, and whether the file's group is in doubt: then only its identity and layout findings
    (issue 17: the others quote the plan's figures, and whose figures they are cannot be told)."""
    if rules.group_in_doubt(sub, facts):
        return [f for f in findings if f.rule in (RuleId.IDENTITY_TEMPLATE, RuleId.STRUCTURE_LAYOUT)], True
    return list(findings), False


def unreadable(reason: str, rule: RuleId = RuleId.IDENTITY_TEMPLATE, sheet: str = "", cell: str = "") -> Judged:
    return Judged(Status.UNREADABLE, [finding(rule, reason, sheet=sheet, cell=cell)], reason=reason)


class WorkbookJudge:
    """Judges returned workbooks against one configuration (reloaded when its files change); keeps the envelopes,
    the template contents and their digests of the configuration it has."""

    def __init__(self, workspace: Workspace, config: Config | LiveConfig, planning_cycle: str | None, key: bytes,
                 clock: Callable, limits: safety.Limits | None = None):
        self.workspace, self.planning_cycle, self.key, self.clock = workspace, planning_cycle, key, clock
        self.live = config if isinstance(config, LiveConfig) else LiveConfig(workspace, config)
        self.limits = limits or safety.Limits()
        self._generation = -1
        self._env: Envelopes | None = None
        self._contents: dict[tuple[str, str], tuple[GroupBasis | None, TemplateContent]] = {}
        self._digests: dict[tuple[str, str], str] = {}

    @property
    def config(self) -> Config:
        return self.live.config

    def refresh(self) -> bool:
        """Take up the configuration's changes since it was loaded (a long-running watcher sees the MCC's updates
        without a restart); an invalid new configuration keeps the old one and raises."""
        changed = self.live.refresh()
        self._sync()
        return changed

    def _sync(self) -> None:
        """Forget what was computed from an older configuration (the outturn judge may have reloaded it)."""
        if self._generation != self.live.generation:
            self._generation = self.live.generation
            self._env = None
            self._contents, self._digests = {}, {}  # new ones: a context may share the old ones (``seed``)

    def seed(self, env: Envelopes, contents: dict, digests: dict) -> None:
        """Start from the envelopes, template contents and digests a context worked out on the same configuration
        the judge has now (shared: what one computes the other finds); a change of configuration drops them."""
        self._sync()
        self._env, self._contents, self._digests = env, contents, digests

    @property
    def env(self) -> Envelopes:
        self._sync()
        if self._env is None:
            self._env = calculate(self.config.industry, self.config.calendar, self.config.parameters)
        return self._env

    def content(self, group: str, sprint: Sprint, bases: dict | None = None) -> TemplateContent:
        """What the group's latest template of the sprint holds, on the portfolio it was issued on (recorded at
        issue, so outturn arriving meanwhile does not move the figures a return is judged on); ``bases``: that
        record, already read for every group."""
        self._sync()
        bases = bases if bases is not None else read_basis(self.workspace.templates_dir(sprint.cycle))
        basis = bases.get(group)
        key = (group, sprint.cycle)
        if key not in self._contents or self._contents[key][0] != basis:
            self._contents[key] = (basis, template_content(self.config.industry, self.config.calendar,
                                                           self.config.parameters, self.env, group, sprint, basis))
            self._digests.pop(key, None)
        return self._contents[key][1]

    def digest(self, group: str, sprint: Sprint, bases: dict | None = None) -> str:
        """The envelope digest of a group's template content, computed once per content."""
        key = (group, sprint.cycle)
        content = self.content(group, sprint, bases)
        if key not in self._digests:
            self._digests[key] = content.digest()
        return self._digests[key]

    def warm(self) -> None:
        """Compute the envelopes and every group's template content of the cycle being collected now, before
        files arrive (a worker forked afterwards inherits them)."""
        sprint = sprint_by_cycle(self.config.calendar.sprints, self.planning_cycle) if self.planning_cycle else None
        if sprint is not None:
            bases = read_basis(self.workspace.templates_dir(sprint.cycle))  # once, not once a group
            for g in self.config.industry.groups:
                self.digest(g.mpid, sprint, bases)

    def exemptions(self, group: str) -> frozenset[tuple[str, date]]:
        return self.config.exemptions.get(group, frozenset())

    # -- judging ------------------------------------------------------------------------------------------------
    def judge(self, path: Path, name: str, claimed_group: str | None = None, isolated: bool = True,
              received_at: datetime | None = None) -> Judged:
        """The verdict on one file; ``received_at``: when the inbox received it (None, as for ``mcc validate``: its
        timeliness is not judged)."""
        self.refresh()
        inspection = safety.inspect(path, self.limits)
        if inspection.reason:
            return unreadable(inspection.reason)
        limits = self.limits
        read = (read_isolated(path, name, limits.read_seconds, limits.read_memory_mib, limits.max_sheet_cells)
                if isolated else read_guarded(path, name, limits.max_sheet_cells))
        if isinstance(read, ReadFailure):
            rule = read.rule if read.rule in (RuleId.IDENTITY_TEMPLATE, RuleId.STRUCTURE_LAYOUT) \
                else RuleId.IDENTITY_TEMPLATE
            return unreadable(read.reason, rule, read.sheet, read.cell)
        received_on = received_at.date() if received_at is not None else None
        if read.meta.get("kind") == C.KIND_UCA:
            return self._judge_request(read, claimed_group, inspection.macro_enabled, received_on)
        return self._judge_plan(read, claimed_group, inspection.macro_enabled, received_on)

    def _sprint(self, meta: dict) -> tuple[str | None, str | None, int | None, Sprint | None, bool]:
        group, cycle = meta.get("group") or None, meta.get("cycle") or None
        version = int(meta["version"]) if str(meta.get("version", "")).isdigit() else None
        sprint = sprint_by_cycle(self.config.calendar.sprints, cycle) if cycle else None
        known_group = bool(group) and group in self.config.industry.group_by_mpid
        return group, cycle, version, sprint, known_group

    def _judge_plan(self, sub: Submission, claimed_group: str | None, macro: bool,
                    received_on: date | None = None) -> Judged:
        meta = sub.meta
        group, cycle, version, sprint, known_group = self._sprint(meta)
        content = self.content(group, sprint) if known_group and sprint is not None else None
        folder = self.workspace.templates_dir(sprint.cycle) if sprint else None
        register = {t.template_id for t in read_register(folder)} if folder else set()
        current = latest_issued(folder).get(group) if folder and group else None
        facts = rules.Identity(
            signature_ok=C.signature_valid(meta, self.key), known_group=known_group, known_cycle=sprint is not None,
            registered=meta.get("template_id") in register, current_version=current.version if current else None,
            current_digest=self.digest(group, sprint) if content else None, planning_cycle=self.planning_cycle,
            claimed_group=claimed_group)
        judgement = rules.validate(sub, facts, content, self.config.parameters,
                                   self.exemptions(group) if group else frozenset(), received_on)
        findings, in_doubt = only_identity(judgement.findings, sub, facts)
        if macro:
            findings.insert(0, finding(RuleId.IDENTITY_TEMPLATE, "the workbook was saved macro-enabled (.xlsm); its "
                                       "macros were ignored and never run, only the values were read.",
                                       Severity.WARNING, hint="save as .xlsx next time"))
        return Judged(verdict(findings), findings, sub, content, group=group,
                      cycle=sprint.cycle if sprint else cycle, version=version, macro_enabled=macro,
                      in_doubt=in_doubt)

    def _judge_request(self, sub: Submission, claimed_group: str | None, macro: bool,
                       received_on: date | None = None) -> Judged:
        """A UCA request workbook: judged against the unused capacity snapshot it was issued with."""
        meta = sub.meta
        group, cycle, version, sprint, known_group = self._sprint(meta)
        # judged against its own round's snapshot; only the latest round takes requests (an earlier round's form
        # has another digest than the latest snapshot, so it reads as superseded)
        round = int(meta["round"]) if str(meta.get("round", "")).isdigit() else 1
        snap = self._snapshot(sprint.cycle, round) if sprint else None
        latest = self._snapshot(sprint.cycle) if sprint else None
        folder = self.workspace.requests_dir(sprint.cycle, round) if sprint else None
        current = latest_issued(folder).get(group) if folder and group else None
        facts = rules.Identity(
            signature_ok=C.signature_valid(meta, self.key), known_group=known_group, known_cycle=sprint is not None,
            registered=bool(folder) and meta.get("template_id") in {t.template_id for t in read_register(folder)},
            current_version=current.version if current else None,
            current_digest=latest.digest() if latest else None, planning_cycle=self.planning_cycle,
            claimed_group=claimed_group)
        form = snap.form(self.env, group) if snap is not None and known_group else None
        if form is not None:  # the planning round closes at the UCA end, an ad hoc round with the execution
            form = replace(form, closes=sprint.request_deadline(round))
        findings, in_doubt = only_identity(rules.validate_request(sub, facts, form, received_on).findings, sub,
                                           facts)
        if macro:
            findings.insert(0, finding(RuleId.IDENTITY_TEMPLATE, "the workbook was saved macro-enabled (.xlsm); its "
                                       "macros were ignored and never run.", Severity.WARNING))
        return Judged(verdict(findings), findings, sub, None, group=group, cycle=sprint.cycle if sprint else cycle,
                      version=version, macro_enabled=macro, kind=Kind.UCA_REQUEST, in_doubt=in_doubt)

    def _snapshot(self, cycle: str, round: int | None = None) -> Snapshot | None:
        if round is None:
            issued = issued_rounds(self.workspace.uca_dir(cycle))
            if not issued:
                return None
            round = issued[-1]
        return read_snapshot(self.workspace.uca_dir(cycle, round) / SNAPSHOT)

    # -- what the inbox asks of a judge ---------------------------------------------------------------------------
    def accepts_folder(self, name: str) -> bool:
        return group_folder(self.config, name)

    def assess(self, path: Path, receipt: Receipt, claimed_group: str | None, isolated: bool) -> Verdict:
        return self._verdict(self.judge(path, receipt.name, claimed_group, isolated, receipt.received_at),
                             claimed_group)

    def fault(self, reason: str, claimed_group: str | None = None) -> Verdict:
        return self._verdict(unreadable(reason), claimed_group if claimed_group and self.accepts_folder(
            claimed_group) else None)

    def _verdict(self, judged: Judged, claimed_group: str | None) -> Verdict:
        if judged.status == Status.UNREADABLE:
            folder = self.workspace.quarantine
        elif judged.cycle and sprint_by_cycle(self.config.calendar.sprints, judged.cycle):
            folder = self.workspace.cycle_dir(judged.cycle) / "received"
        else:
            folder = self.workspace.workbooks / "unassigned" / "received"
        # rejected as another group's though it is valid otherwise: the same bytes in the right folder deserve a look
        misfiled = (judged.status == Status.REJECTED and bool(claimed_group) and bool(judged.group)
                    and claimed_group != judged.group)
        return Verdict(judged.status.recorded, judged.kind, folder, judged.group or claimed_group, judged.cycle,
                       judged.version, judged.submission.meta.get("template_id") if judged.submission else None,
                       judged.errors, judged.warnings, judged.reason, detail=judged, delivery_bound=misfiled)

    def settle(self, v: Verdict, receipt: Receipt) -> Answer:
        """The feedback workbook (when the file could be read) and the email, in ``outbox/<cycle>/<group>/``."""
        # here, not at the top: mcc validate (which writes no answer) starts without them
        from toolkit.excel.writers.feedback import marks_cells, write_feedback
        from toolkit.mail.compose import as_reply, compose, environment, write_eml
        from toolkit.services.consolidate import plan_figures, request_figures

        judged: Judged = v.detail
        if judged.status == Status.ACCEPTED and judged.submission is not None:  # its figures, for the schedule
            figures = request_figures if judged.kind == Kind.UCA_REQUEST else plan_figures
            Ledger(self.workspace.ledger).store_figures(receipt.row_id, figures(judged.submission))
        group, cycle, name, now = v.group, judged.cycle or "unassigned", receipt.name, stamp(receipt.received_at)
        # a file whose group is in doubt is answered to the MCC alone, never in the folder of the group it names
        folder = self.workspace.outbox / cycle / ("in-doubt" if judged.in_doubt else group or "unknown")
        uca = judged.kind == Kind.UCA_REQUEST
        stem = f"{receipt.tag}_{'uca_' if uca else ''}{judged.status.value}_{safe_stem(name)}"
        answer = Answer()
        g = self.config.industry.group_by_mpid.get(group or "")
        params = self.config.parameters
        sprint = sprint_by_cycle(self.config.calendar.sprints, cycle) if judged.cycle else None
        if judged.submission is not None and not judged.in_doubt:  # the feedback workbook copies the plan
            answer.feedback = write_feedback(folder / f"{stem}_feedback.xlsx", judged.submission, judged.content,
                                             judged.findings, judged.status, now,
                                             f"MCC feedback on {'UCA request ' if uca else ''}{name}")
            answer.outputs.append(answer.feedback)
        if judged.in_doubt:
            g = None  # never addressed to the group the metadata names
        greeting = g.name if g else params.contact.name if judged.in_doubt else "supplier"
        context = {
            "group_name": greeting, "file": name, "status": judged.status.value,
            "cycle_title": f"sprint {sprint.sprint} ({sprint.cycle})" if sprint else "the planning cycle",
            "deadline": f"{sprint.submission_deadline:%A %d %B %Y}" if sprint else "",
            "received_at": now, "reason": judged.reason, "findings": judged.findings, "errors": judged.errors,
            "warnings": judged.warnings, "limit": 20, "attachment": bool(answer.outputs),
            "marked": marks_cells(judged.findings),
            "template_id": judged.submission.meta.get("template_id", "") if judged.submission else "",
            "mcc_name": params.contact.name, "mcc_email": params.contact.email,
        }
        verdict_word = {Status.ACCEPTED: "accepted", Status.REJECTED: "not accepted",
                        Status.UNREADABLE: "could not be read"}[judged.status]
        shown = name if len(name) <= 100 else name[:97] + "..."  # readable already: no line break reaches a header
        subject = f"[MCC] Your plan {shown} {verdict_word}" + (f" ({sprint.cycle}, {g.mpid})" if sprint and g else "")
        if judged.in_doubt:
            subject = f"[MCC] A return whose group is in doubt: {shown} {verdict_word}"
        msg = compose(environment(self.workspace.templates), "feedback", context, params.contact.email,
                      list(g.contacts) if g else [params.contact.email], subject, self.clock(), answer.outputs)
        mail = receipt.mail  # came by email: answered to its sender, if the sender is the group's (issue 21)
        if mail is not None and g is not None and not judged.in_doubt and g.knows_sender(mail.sender):
            as_reply(msg, mail.sender, mail.message_id, mail.subject, g.contacts)
        answer.email = write_eml(msg, folder / f"{stem}.eml")
        answer.outputs.append(answer.email)
        return answer


# -- assembling the inbox --------------------------------------------------------------------------------------

def make_judge(ctx: Context, cycle: str | None = None, live: LiveConfig | None = None) -> WorkbookJudge:
    """A judge of returned workbooks for the cycle being planned today (or ``cycle``), with the ``[inbox]``
    limits."""
    live = live or LiveConfig(ctx.workspace, ctx.config)
    planning = ctx.sprint(cycle)
    judge = WorkbookJudge(ctx.workspace, live, planning.cycle, ctx.key, ctx.clock,
                          safety.Limits.of(ctx.config.parameters.inbox))
    if live.config is ctx.config:  # the context's envelopes and contents are of the judge's configuration
        judge.seed(ctx.envelopes(), ctx.contents, ctx.digests)
    return judge


def validate_file(ctx: Context, path: Path, cycle: str | None = None) -> Judged:
    """Judge one file without touching the inbox, the ledger or the outbox (and never making a signing key)."""
    judge = make_judge(ctx, cycle)
    try:
        st = path.stat()
    except OSError:
        raise UsageError(f"no file {path}") from None
    if not stat.S_ISREG(st.st_mode):
        raise UsageError(f"{path} is not a file")
    return judge.judge(path, display_name(path.name))
