"""Bulk Change of Agent (Foundations 5.6): the register (``workbooks/bulk_coa/register.jsonl``, append-only events:
intention, plan, check, approval), plan workbooks issued to groups and returned through ``inbox/bulkcoa/`` (judged
with the ``bulk-coa.*`` rules), the aggregate check of a plan with the migration schedule at LDSO and national level
against the exceptional thresholds (the LDSO threshold LT, and CSMT's hard limit nationally, F5.2.9), the parties
to consult, a re-profile asked where load is too high, and the approval recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from toolkit.clock import stamp
from toolkit.domain import bulk_coa as B
from toolkit.domain.envelopes import ldso_threshold
from toolkit.domain.findings import Finding, RuleId, Severity, finding
from toolkit.domain.rules.bulk_coa import check_bulk_plan
from toolkit.domain.status import INBOX_FOLDERS, Kind, Status
from toolkit.domain.text import plain_text_problem
from toolkit.errors import ToolkitError, UsageError
from toolkit.excel.contract import SHEET_META
from toolkit.excel.writers.bulk_coa import SHEET, BulkFormValue, parse_bulk_plan, write_bulk_form
from toolkit.excel.writers.lost_days import claim_signature_valid
from toolkit.inbox import safety
from toolkit.inbox.intake import Answer, Receipt, Verdict
from toolkit.services.consolidate import consolidation
from toolkit.services.context import Context
from toolkit.services.lost_days import read_form_sheets
from toolkit.services.outturn import LiveConfig
from toolkit.store import claims as R
from toolkit.store.archive import safe_stem
from toolkit.store.versions import next_version, versioned
from toolkit.store.workspace import Workspace

BULKCOA_FOLDER = INBOX_FOLDERS[Kind.BULK_COA_PLAN]  # inbox/bulkcoa/


def folder(workspace: Workspace) -> Path:
    return workspace.workbooks / "bulk_coa"


def _register(workspace: Workspace) -> Path:
    return folder(workspace) / "register.jsonl"


def records(workspace: Workspace) -> dict[str, dict]:
    return B.fold(R.read_events(workspace, _register(workspace)))


def _group(ctx: Context, group: str) -> str:
    group = group.upper()
    if group not in ctx.config.industry.group_by_mpid:
        raise UsageError(f"no supplier group {group!r} in config/suppliers.csv")
    return group


def register_intention(ctx: Context, group: str, first: date, last: date, note: str) -> str:
    """Step 1: "Suppliers to submit BULK COA intentions as soon a requirement identified"."""
    group = _group(ctx, group)
    cal = ctx.config.calendar
    if not cal.m11 <= first <= last <= cal.m15:
        raise UsageError(f"give days between M11 ({cal.m11}) and M15 ({cal.m15}), first before last")
    if plain_text_problem(note) or not note.strip():
        raise UsageError("--note: say in one line what changes (which agents, roughly how many MPANs)")
    ident = f"BC-{group}-{len(records(ctx.workspace)) + 1:03d}"
    R.append_event(ctx.workspace, {"event": "intention", "id": ident, "group": group, "first": first.isoformat(),
                                   "last": last.isoformat(), "note": note.strip(), "at": stamp(ctx.clock.now())},
                   _register(ctx.workspace))
    return ident


def issue_bulk_form(ctx: Context, group: str) -> Path:
    """Step 2's workbook for ``group`` in ``workbooks/bulk_coa/forms/``."""
    group = _group(ctx, group)
    config = ctx.config
    forms = folder(ctx.workspace) / "forms"
    stem = f"MCC-bulk-coa_{group}"
    version = next_version(forms, stem)
    value = BulkFormValue(group, config.industry.group_by_mpid[group].name, f"BCF-{group}-v{version:02d}",
                          stamp(ctx.clock.now()), config.parameters.contact.email,
                          tuple(sorted({ldso for (g, ldso) in config.industry.group_portfolio if g == group})))
    return write_bulk_form(forms / versioned(stem, version), value, ctx.key)


# -- the judge of inbox/bulkcoa/ --------------------------------------------------------------------------------

@dataclass
class BulkVerdict:
    status: Status
    findings: list[Finding]
    group: str | None = None
    form_id: str = ""
    plan: B.BulkPlan | None = None
    reason: str = ""


class BulkJudge:
    """The judge of ``inbox/bulkcoa/``: a returned bulk change of agent plan."""

    def __init__(self, workspace: Workspace, live: LiveConfig, key: bytes, limits: safety.Limits):
        self.workspace, self.live, self.key, self.limits = workspace, live, key, limits

    def warm(self) -> None:
        pass

    def accepts_folder(self, name: str) -> bool:
        return name.upper() == BULKCOA_FOLDER

    def judge(self, path: Path, name: str, received_on: date | None) -> BulkVerdict:
        self.live.refresh()
        reads = read_form_sheets(path, self.limits, (SHEET, SHEET_META))
        if isinstance(reads, str):
            return BulkVerdict(Status.QUARANTINED, [], reason=reads)
        try:
            meta, form = parse_bulk_plan(name, reads[0][1], reads[1][1])
        except ToolkitError as exc:
            return BulkVerdict(Status.REJECTED, [finding(RuleId.BULK_COA_FORM, getattr(exc, "message", str(exc)),
                                                         sheet=getattr(exc, "sheet", ""),
                                                         cell=getattr(exc, "cell", ""))])
        config = self.live.config
        group = meta.get("group", "")
        if not claim_signature_valid(meta, self.key) or group not in config.industry.group_by_mpid:
            return BulkVerdict(Status.REJECTED, check_bulk_plan(form, None, signed=False, sheet=SHEET_META)[1])
        cal = config.calendar
        mine = {ldso: n for (g, ldso), n in config.industry.group_portfolio.items() if g == group}
        facts = B.BulkFacts(group, cal.m11, cal.m15, frozenset(config.industry.ldso_by_mpid), cal.is_working_day,
                            received_on, mine)
        plan, findings = check_bulk_plan(form, facts)
        return BulkVerdict(Status.ACCEPTED if plan else Status.REJECTED, findings, group, meta.get("form_id", ""),
                           plan)

    def assess(self, path: Path, receipt: Receipt, claimed_group: str | None, isolated: bool) -> Verdict:
        return self._verdict(self.judge(path, receipt.name, receipt.received_at.date()))

    def fault(self, reason: str, claimed_group: str | None = None) -> Verdict:
        return self._verdict(BulkVerdict(Status.QUARANTINED, [], reason=reason))

    def _verdict(self, v: BulkVerdict) -> Verdict:
        where = self.workspace.quarantine if v.status == Status.QUARANTINED else folder(self.workspace) / "received"
        errors = sum(f.severity == Severity.ERROR for f in v.findings)
        first = next((f for f in v.findings if f.severity == Severity.ERROR), None)
        return Verdict(v.status, Kind.BULK_COA_PLAN, where, v.group, errors=errors, warnings=len(v.findings) - errors,
                       reason=v.reason, note=first.message if first else "", template_id=v.form_id or None,
                       detail=v)

    def settle(self, verdict: Verdict, receipt: Receipt) -> Answer:
        """Step 2 recorded: an accepted plan goes into the register; a text report answers either way."""
        v: BulkVerdict = verdict.detail
        lines = [f"Bulk change of agent plan {receipt.name}, received {stamp(receipt.received_at)}: "
                 f"{v.status.upper()}"]
        if v.status == Status.ACCEPTED and v.plan is not None:
            p = v.plan
            ident = f"BC-{receipt.row_id:05d}"
            R.append_event(self.workspace, {
                "event": "plan", "id": ident, "group": p.group, "reference": p.reference, "reason": p.reason,
                "owner": p.owner, "received_on": receipt.received_at.date().isoformat(), "form": v.form_id,
                "lines": [[d.isoformat(), ldso, n, old, new] for d, ldso, n, old, new in p.lines]},
                _register(self.workspace))
            lines.append(f"Recorded as {ident}: {sum(n for _, _, n, _, _ in p.lines):,} MPANs on {len(p.days)} days "
                         f"in {', '.join(p.ldsos)}; the MCC checks it with the migration schedule and consults the "
                         "impacted parties (F5.6 steps 3-6).")
        elif v.reason:
            lines.append(f"The file could not be read: {v.reason}")
        lines += [f"- {f.severity}: {f.sheet}{'!' + f.cell if f.cell else ''}: {f.message}" for f in v.findings]
        report = (self.workspace.outbox / "bulk_coa" / (v.group or "unknown")
                  / f"{receipt.tag}_{v.status}_{safe_stem(receipt.name)}.txt")
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return Answer([report], feedback=report)


# -- steps 3 to 7 ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Check:
    ident: str
    breaches: list[B.Breach]
    consult: dict[str, list[str]]  # LDSOs, agents, suppliers, central service providers
    unscheduled: list[date]  # days no schedule covers yet


def _plan_of(rec: dict) -> B.BulkPlan:
    return B.BulkPlan(rec["group"], rec.get("reference", ""), rec.get("reason", ""), rec.get("owner", ""),
                      tuple((date.fromisoformat(d), ldso, int(n), old, new) for d, ldso, n, old, new in rec["lines"]))


def scheduled_load(ctx: Context, days: list[date]) -> tuple[dict[tuple[date, str], int], dict[date, int], list[date]]:
    """The migration schedule on ``days``: the daily schedule of the sprint executing the day where it has accepted
    plans; else nothing known (the day is listed)."""
    per, national, unknown = {}, {}, []
    cache = {}
    for d in days:
        sprint = next((s for s in ctx.config.calendar.sprints if s.execution_start <= d <= s.execution_end), None)
        if sprint is None:
            unknown.append(d)
            continue
        if sprint.cycle not in cache:
            cache[sprint.cycle] = consolidation(ctx, sprint)
        c = cache[sprint.cycle]
        s = c.schedule
        if not c.plans or d not in s.days:
            unknown.append(d)
            continue
        k = s.days.index(d)
        for j, ldso in enumerate(s.ldsos):
            per[(d, ldso)] = int(s.ldso_daily[j, k])
        national[d] = int(np.asarray(s.national_daily)[k])
    return per, national, unknown


def check_plan(ctx: Context, ident: str) -> Check:
    """Steps 3 to 5: the aggregate at LDSO and national level against the exceptional thresholds, the parties to
    consult; recorded (a re-profile is asked where anything exceeds)."""
    rec = records(ctx.workspace).get(ident.upper())
    if rec is None or "lines" not in rec:
        raise UsageError(f"no bulk change of agent plan {ident!r} in the register (mcc bulk-coa list)")
    plan = _plan_of(rec)
    per, national, unknown = scheduled_load(ctx, plan.days)
    config = ctx.config
    lt = {ldso.mpid: ldso_threshold(ldso.mpan_count, config.parameters) for ldso in config.industry.ldsos}
    breaches = B.aggregate_breaches(plan, lambda d, ldso: per.get((d, ldso), 0), lambda d: national.get(d, 0),
                                    lambda ldso: lt.get(ldso, 0), config.parameters.capacity.csmt_hard_limit)
    consult = {"LDSOs": plan.ldsos, "agents": plan.agents, "suppliers": [plan.group],
               "central service providers": ["DIP", "Registration service"]}
    R.append_event(ctx.workspace, {"event": "checked", "id": rec["id"], "group": rec["group"],
                                   "breaches": [[b.day.isoformat(), b.ldso, b.scheduled, b.bulk, b.threshold]
                                                for b in breaches], "unscheduled": [d.isoformat() for d in unknown],
                                   "consult": consult, "at": stamp(ctx.clock.now())}, _register(ctx.workspace))
    return Check(rec["id"], breaches, consult, unknown)


def approve(ctx: Context, ident: str, note: str) -> dict:
    """Step 7: the MCC's approval, for a plan checked without a breach (re-profiled plans come back as new plans)."""
    rec = records(ctx.workspace).get(ident.upper())
    if rec is None or rec["state"] != B.BulkState.CHECKED:
        state = rec["state"] if rec else "not in the register"
        raise UsageError(f"{ident}: {state}; only a plan checked without a breach can be approved (mcc bulk-coa "
                         "check first)")
    if plain_text_problem(note):
        raise UsageError("--note: one line of text")
    R.append_event(ctx.workspace, {"event": "approved", "id": rec["id"], "group": rec["group"], "note": note.strip(),
                                   "on": ctx.clock.today().isoformat(), "at": stamp(ctx.clock.now())},
                   _register(ctx.workspace))
    return records(ctx.workspace)[rec["id"]]


