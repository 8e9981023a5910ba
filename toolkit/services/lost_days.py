"""Lost Migration Days as the documented claim (Foundations 6.6): claim forms issued to groups with envelopes, returned
through ``inbox/lostdays/`` and judged with the ``claim.*`` rules, the register of claims, the MCC's evaluation and
decision (6.6.2) taken to MCAG for ratification, a central outage applied to every active migrating group with
envelopes, and the 2 and 10 working day deadlines. An approved claim is recorded as ``mcc monitor lost-days`` records
one by hand (``config/lost_days.csv``), once per incident and group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from toolkit.clock import stamp
from toolkit.config import Config, load_config
from toolkit.domain import lost_days as L
from toolkit.domain.envelopes import Category, Envelopes
from toolkit.domain.findings import Finding, RuleId, Severity, finding
from toolkit.domain.rules.claim import check_claim
from toolkit.domain.status import INBOX_FOLDERS, Kind, Status
from toolkit.domain.text import plain_text_problem
from toolkit.errors import UsageError
from toolkit.excel.contract import SHEET_META
from toolkit.excel.writers.lost_days import SHEET, ClaimFormValue, claim_signature_valid, parse_claim, write_claim_form
from toolkit.inbox import safety
from toolkit.inbox.intake import Answer, Receipt, Verdict
from toolkit.inbox.isolate import ReadFailure, read_table_isolated
from toolkit.mail.compose import compose, environment, write_eml
from toolkit.services.context import Context, envelopes
from toolkit.services.outturn import LiveConfig
from toolkit.services.status import open_claims  # noqa: F401 - mcc lost-days list reads it here
from toolkit.store import claims as R
from toolkit.store.archive import safe_stem
from toolkit.store.files import csv_line
from toolkit.store.versions import next_version, versioned
from toolkit.store.workspace import Workspace

LOSTDAYS_FOLDER = INBOX_FOLDERS[Kind.LOST_DAYS_CLAIM]  # inbox/lostdays/


def envelope_ldsos(env: Envelopes, group: str) -> frozenset[str]:
    i = env.groups.index(group)
    return frozenset(env.ldsos[j] for j in range(len(env.ldsos)) if env.category[i, j] == Category.ENVELOPE)


def records(workspace: Workspace, config: Config) -> dict[str, L.ClaimRecord]:
    return L.fold(R.read_events(workspace), config.calendar.add_working_days)


def claimed_incidents(config: Config, recs: dict[str, L.ClaimRecord], group: str) -> dict[str, str]:
    """Incidents already applied to ``group`` or claimed and not rejected, and where."""
    out = {L.incident_key(c.incident): f"recorded in config/lost_days.csv (approved {c.approved_on})"
           for c in config.lost_day_claims if c.supplier_group == group}
    for r in recs.values():
        if r.group == group and r.state != L.ClaimState.REJECTED:
            out.setdefault(L.incident_key(r.incident), f"claimed as {r.claim_id} ({r.state})")
    return out


# -- recording approved days (mcc monitor lost-days, a ratified claim, a central outage) ----------------

LOST_DAYS_HEADER = "supplier_group,days,reason,incident,approved_on\n"


def record_lost_days(ctx: Context, group: str, days: int, reason: str, incident: str,
                     approved_on: date) -> tuple[date | None, date | None]:
    """Record an approved Lost Migration Day claim in ``config/lost_days.csv`` (F6.6): it extends the group's
    core window from the next calculation on (envelopes, templates). Only before M14, only for groups with
    envelopes (not de minimis or small portfolios only). Returns the core window end before and after."""
    config = ctx.config
    group = group.upper()
    if group not in config.industry.group_by_mpid:
        raise UsageError(f"no supplier group {group!r} in config/suppliers.csv")
    if days <= 0:
        raise UsageError("the number of lost migration days must be positive")
    if not reason.strip() or not incident.strip():
        raise UsageError("give the reason and the incident reference of the claim (F6.6.1)")
    for what, text in (("--reason", reason), ("--incident", incident)):
        problem = plain_text_problem(text)
        if problem:
            raise UsageError(f"{what} {problem}: give one line of text")
    recorded = next((c for c in config.lost_day_claims if c.supplier_group == group
                     and L.incident_key(c.incident) == L.incident_key(incident)), None)
    if recorded is not None:
        raise UsageError(f"incident {L.incident_key(incident)} is already recorded for {group} ({recorded.days} day"
                         f"{'s' if recorded.days != 1 else ''}, approved on {recorded.approved_on}): one incident "
                         "extends a group's core window once (F6.6)")
    if approved_on >= config.calendar.m14:
        raise UsageError(f"lost migration days can be approved until M14 ({config.calendar.m14}); after it the days "
                         "are made up with unused capacity")
    env = envelopes(config)
    i = env.groups.index(group)
    if not (env.category[i] == Category.ENVELOPE).any():
        raise UsageError(f"{group} has no LDSO with an envelope (only de minimis or small portfolios): the Lost "
                         "Migration Days process does not apply to it (F6.6)")
    before = env.phases[i].core_end
    path = ctx.workspace.config / "lost_days.csv"
    old = path.read_text(encoding="utf-8") if path.is_file() else None
    line = csv_line([group, days, reason.strip(), incident.strip(), approved_on])  # never a formula in the CSV
    text = (old if old is not None else LOST_DAYS_HEADER)
    path.write_text(text + ("" if text.endswith("\n") else "\n") + line, encoding="utf-8")
    try:
        after_config = load_config(ctx.workspace.root)
    except Exception:
        if old is None:  # leave the configuration as it was
            path.unlink()
        else:
            path.write_text(old, encoding="utf-8")
        raise
    return before, envelopes(after_config).phases[i].core_end



# -- the claim form ---------------------------------------------------------------------------------------------

def issue_claim_form(ctx: Context, group: str) -> Path:
    """A claim form for ``group`` in ``workbooks/lost_days/forms/`` (only for groups with envelopes, before M14)."""
    config, group = ctx.config, group.upper()
    if group not in config.industry.group_by_mpid:
        raise UsageError(f"no supplier group {group!r} in config/suppliers.csv")
    today = ctx.clock.today()
    if today >= config.calendar.m14:
        raise UsageError(f"the Lost Migration Days process is open until M14 ({config.calendar.m14}); after it lost "
                         "days are made up with unused capacity (F6.6)")
    ldsos = envelope_ldsos(envelopes(config), group)
    if not ldsos:
        raise UsageError(f"{group} has no LDSO with an envelope (only de minimis or small portfolios): the Lost "
                         "Migration Days process does not apply to it (F6.6)")
    folder = R.folder(ctx.workspace) / "forms"
    stem = f"MCC-lost-days_{group}"
    version = next_version(folder, stem)
    params = config.parameters
    value = ClaimFormValue(group, config.industry.group_by_mpid[group].name, f"LDF-{group}-v{version:02d}",
                           stamp(ctx.clock.now()), f"{config.calendar.m14:%a %d %b %Y}", params.contact.name,
                           params.contact.email, tuple(sorted(ldsos)))
    return write_claim_form(folder / versioned(stem, version), value, ctx.key)


# -- the judge of inbox/lostdays/ -------------------------------------------------------------------------------

@dataclass
class ClaimVerdict:
    status: Status  # ACCEPTED, REJECTED or QUARANTINED
    findings: list[Finding]
    group: str | None = None
    form_id: str = ""
    claim: L.Claim | None = None
    reason: str = ""


def read_form_sheets(path: Path, limits: safety.Limits, sheets: tuple[str, ...]) -> list | str:
    """The rows of each of ``sheets`` of a returned form (claims, bulk change of agent), read as the inbox reads
    workbooks (inspected first, then in a child process with limits); or why the file is quarantined."""
    inspection = safety.inspect(path, limits)
    if inspection.reason:
        return inspection.reason
    reads = [read_table_isolated(path, sheet, limits.read_seconds, limits.read_memory_mib, limits.max_sheet_cells)
             for sheet in sheets]
    failed = next((r for r in reads if isinstance(r, ReadFailure)), None)
    if failed is None:
        return reads
    where = ", ".join(x for x in (f"sheet '{failed.sheet}'" if failed.sheet else "",
                                  f"cell {failed.cell}" if failed.cell else "") if x)
    return f"{failed.reason}{f' ({where})' if where else ''}"


class ClaimJudge:
    """The judge of ``inbox/lostdays/``: a returned claim form, against the configuration and the register."""

    def __init__(self, workspace: Workspace, live: LiveConfig, key: bytes, clock, limits: safety.Limits):
        self.workspace, self.live, self.key, self.clock, self.limits = workspace, live, key, clock, limits

    def warm(self) -> None:
        pass

    def accepts_folder(self, name: str) -> bool:
        return name.upper() == LOSTDAYS_FOLDER

    def judge(self, path: Path, name: str, received_on: date | None) -> ClaimVerdict:
        self.live.refresh()
        reads = read_form_sheets(path, self.limits, (SHEET, SHEET_META))
        if isinstance(reads, str):
            return ClaimVerdict(Status.QUARANTINED, [], reason=reads)
        try:
            meta, form = parse_claim(name, reads[0][1], reads[1][1])
        except Exception as exc:  # noqa: BLE001 - TemplateReadError names the sheet and cell; anything else is said
            sheet, cell = getattr(exc, "sheet", ""), getattr(exc, "cell", "")
            f = finding(RuleId.CLAIM_FORM, getattr(exc, "message", str(exc)), sheet=sheet, cell=cell)
            return ClaimVerdict(Status.REJECTED, [f])
        return self._check(meta, form, received_on)

    def _check(self, meta: dict[str, str], form: L.ClaimForm, received_on: date | None) -> ClaimVerdict:
        config = self.live.config
        group = meta.get("group", "")
        if not claim_signature_valid(meta, self.key) or group not in config.industry.group_by_mpid:
            _, findings = check_claim(form, None, signed=False, sheet=SHEET_META)
            return ClaimVerdict(Status.REJECTED, findings)
        g = config.industry.group_by_mpid[group]
        env = envelopes(config)
        facts = L.ClaimFacts(group, g.migration_start, config.calendar.m14, envelope_ldsos(env, group),
                             frozenset(config.industry.ldso_by_mpid), config.calendar.is_migration_day,
                             claimed_incidents(config, records(self.workspace, config), group), received_on)
        claim, findings = check_claim(form, facts)
        status = Status.ACCEPTED if claim is not None else Status.REJECTED
        return ClaimVerdict(status, findings, group, meta.get("form_id", ""), claim)

    def assess(self, path: Path, receipt: Receipt, claimed_group: str | None, isolated: bool) -> Verdict:
        return self._verdict(self.judge(path, receipt.name, receipt.received_at.date()))

    def fault(self, reason: str, claimed_group: str | None = None) -> Verdict:
        return self._verdict(ClaimVerdict(Status.QUARANTINED, [], reason=reason))

    def _verdict(self, v: ClaimVerdict) -> Verdict:
        folder = self.workspace.quarantine if v.status == Status.QUARANTINED else R.folder(self.workspace) / "received"
        errors = sum(f.severity == Severity.ERROR for f in v.findings)
        first = next((f for f in v.findings if f.severity == Severity.ERROR), None)
        return Verdict(v.status, Kind.LOST_DAYS_CLAIM, folder, v.group, errors=errors,
                       warnings=len(v.findings) - errors, reason=v.reason, note=first.message if first else "",
                       template_id=v.form_id or None, detail=v)

    def settle(self, verdict: Verdict, receipt: Receipt) -> Answer:
        """Record an accepted claim (its id, its deadlines) and answer: a text report and an email to the group."""
        v: ClaimVerdict = verdict.detail
        config = self.live.config
        lines = [f"Lost Migration Day claim {receipt.name}, received {stamp(receipt.received_at)}: "
                 f"{v.status.upper()}"]
        if v.status == Status.ACCEPTED and v.claim is not None:
            claim_id = f"LD-{receipt.row_id:05d}"
            c = v.claim
            R.append_event(self.workspace, {
                "event": "claimed", "claim": claim_id, "group": c.group, "incident": c.incident,
                "days": c.days_lost, "received_on": receipt.received_at.date().isoformat(), "impact": c.impact,
                "responsible_party": c.responsible_party, "issue_owner": c.issue_owner,
                "resolution": c.resolution, "supporting": c.supporting, "form": v.form_id,
                "impacted": [[d.isoformat(), ldso, n] for d, ldso, n in c.impacted]})
            aware, outcome = L.deadlines(receipt.received_at.date(), config.calendar.add_working_days)
            lines += [f"Your claim is {claim_id}: {c.days_lost} migration day{'s' if c.days_lost != 1 else ''} "
                      f"lost to incident {c.incident}, {c.migrations:,} migrations on "
                      f"{len(c.plan_dates)} plan date{'s' if len(c.plan_dates) != 1 else ''} in "
                      f"{', '.join(c.ldsos)}.",
                      f"The MCC evaluates it (F6.6.2) and takes its decision to MCAG for ratification; you will "
                      f"have the outcome by {outcome:%a %d %b %Y} (acknowledged today, within the 2 working days "
                      f"to {aware:%a %d %b %Y})."]
        elif v.reason:
            lines.append(f"The file could not be read: {v.reason}")
        else:
            lines.append(f"{len(v.findings)} problem{'s' if len(v.findings) != 1 else ''}; the claim is not "
                         "recorded. Correct them and send the form again:")
        lines += [f"- {f.sheet}{'!' + f.cell if f.cell else ''}: {f.message}" for f in v.findings]
        folder = self.workspace.outbox / "lost_days" / (v.group or "unknown")
        stem = f"{receipt.tag}_{v.status}_{safe_stem(receipt.name)}"
        report = folder / f"{stem}.txt"
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text("\n".join(lines) + "\n", encoding="utf-8")
        answer = Answer([report], feedback=report)
        g = config.industry.group_by_mpid.get(v.group or "")
        if g is not None:
            params = config.parameters
            msg = compose(environment(self.workspace.templates), "lost_days",
                          {"group_name": g.name, "lines": lines, "mcc_name": params.contact.name,
                           "mcc_email": params.contact.email}, params.contact.email, list(g.contacts),
                          f"[MCC] Your Lost Migration Day claim {safe_stem(receipt.name)}: {v.status}", self.clock())
            answer.email = write_eml(msg, folder / f"{stem}.eml")
            answer.outputs.append(answer.email)
        return answer


# -- the MCC's evaluation and decision (F6.6.2), MCAG ratification ------------------------------------------------

def _record(ctx: Context, claim_id: str, *states: L.ClaimState) -> L.ClaimRecord:
    recs = records(ctx.workspace, ctx.config)
    rec = recs.get(claim_id.upper())
    if rec is None:
        raise UsageError(f"no claim {claim_id!r} in the register (mcc lost-days list shows them)")
    if rec.state not in states:
        raise UsageError(f"claim {rec.claim_id} is {rec.state}: this step is for a claim that is "
                         f"{' or '.join(states)}")
    return rec


def evaluate(ctx: Context, claim_id: str, answers: dict[str, bool], note: str = "") -> L.ClaimRecord:
    """F6.6.2 1: the MCC's answers to the four questions of the evaluation."""
    rec = _record(ctx, claim_id, L.ClaimState.RECEIVED, L.ClaimState.EVALUATED)
    missing = [k for k, _ in L.EVALUATION if k not in answers]
    if missing:
        raise UsageError(f"answer every question of the evaluation (F6.6.2): {', '.join(missing)}")
    _plain(note, "--note")
    R.append_event(ctx.workspace, {"event": "evaluated", "claim": rec.claim_id, "evaluation": answers,
                                   "note": note.strip(), "at": stamp(ctx.clock.now())})
    return _record(ctx, rec.claim_id, L.ClaimState.EVALUATED)


def decide(ctx: Context, claim_id: str, approve: bool, days: int | None = None, note: str = "") -> L.ClaimRecord:
    """F6.6.2 2: the MCC's decision, taken to MCAG for ratification (nothing is applied until MCAG ratifies);
    ``days``: fewer days than claimed may be approved."""
    rec = _record(ctx, claim_id, L.ClaimState.EVALUATED)
    if days is not None and not 0 < days <= rec.days:
        raise UsageError(f"approve between 1 and the {rec.days} days claimed")
    if not approve and not note.strip():
        raise UsageError("say why the claim is rejected (--note): the supplier receives feedback (F6.6.2)")
    _plain(note, "--note")
    R.append_event(ctx.workspace, {"event": "decided", "claim": rec.claim_id, "decision": "approve" if approve
                                   else "reject", "days": days or rec.days, "note": note.strip(),
                                   "at": stamp(ctx.clock.now())})
    return _record(ctx, rec.claim_id, L.ClaimState.AWAITING_MCAG)


def ratify(ctx: Context, claim_id: str, ratified: bool, note: str = "") -> tuple[L.ClaimRecord, date | None]:
    """MCAG's ratification of the MCC's decision. An approval ratified is recorded in ``config/lost_days.csv``
    (the core window extended, once per incident and group); returns the claim and the new core window end."""
    rec = _record(ctx, claim_id, L.ClaimState.AWAITING_MCAG)
    _plain(note, "--note")
    today = ctx.clock.today()
    after = None
    if ratified and rec.mcc_decision == "approve":
        _, after = record_lost_days(ctx, rec.group, rec.days, f"Lost Migration Day claim {rec.claim_id}",
                                    rec.incident, today)
    R.append_event(ctx.workspace, {"event": "ratified", "claim": rec.claim_id, "ratified": ratified,
                                   "note": note.strip(), "on": today.isoformat(), "at": stamp(ctx.clock.now())})
    return records(ctx.workspace, ctx.config)[rec.claim_id], after


def _plain(text: str, what: str) -> None:
    problem = plain_text_problem(text)
    if problem:
        raise UsageError(f"{what} {problem}: give one line of text")


# -- a central outage applied by the MCC (F6.6) ------------------------------------------------------------------

@dataclass(frozen=True)
class Applied:
    group: str
    before: date | None
    after: date | None


def apply_outage(ctx: Context, incident: str, day: date, days: int, reason: str) -> tuple[list[Applied], list[str]]:
    """F6.6: "Where deemed appropriate all active Migrating Suppliers will automatically be provided with one or
    more additional Migration days following the end of their Core Migration Window." Every group with an envelope
    that is migrating on ``day`` (its migration started, its core window not yet ended) gets ``days``; a group the
    incident is already recorded for is skipped (one incident once per group). Returns those applied and those
    skipped."""
    config = ctx.config
    if day >= config.calendar.m14:
        raise UsageError(f"the outage day {day} is not before M14 ({config.calendar.m14}): after it lost days are "
                         "made up with unused capacity (F6.6)")
    env = envelopes(config)
    applied: list[Applied] = []
    skipped: list[str] = []
    for i, group in enumerate(env.groups):
        ph = env.phases[i]
        g = config.industry.group_by_mpid[group]
        if not (env.category[i] == Category.ENVELOPE).any() or g.migration_start > day or ph.core_end is None \
                or ph.core_end < day:
            continue
        if L.incident_key(incident) in {L.incident_key(c.incident) for c in ctx.config.lost_day_claims
                                        if c.supplier_group == group}:
            skipped.append(group)
            continue
        before, after = record_lost_days(ctx, group, days, reason, incident, ctx.clock.today())
        R.append_event(ctx.workspace, {"event": "outage", "claim": f"OUT-{L.incident_key(incident)}-{group}",
                                       "group": group, "incident": incident.strip(), "days": days,
                                       "received_on": day.isoformat(), "on": ctx.clock.today().isoformat(),
                                       "reason": reason.strip(), "at": stamp(ctx.clock.now())})
        applied.append(Applied(group, before, after))
    return applied, skipped
