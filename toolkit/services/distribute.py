"""Distribution by email (issue 7): which messages a cycle's step sends, to whom, with which attachments.

``prepare`` composes one ``.eml`` per recipient set into ``outbox/<cycle>/mail/<what>/`` (openable in Outlook) and
records each in the ledger's ``mail`` table under a key saying what it is; ``send`` hands the composed messages
to the mail server (``toolkit.mail.send``), at most once each. Without ``send`` nothing leaves the machine.

A message goes to the primary and secondary contacts of its recipient (``config/suppliers.csv`` for groups,
``config/ldsos.csv`` and ``config/agents.csv`` for LDSOs and agents) and carries that recipient's own files only:
a group's template, feedback, request form and group workbook; an LDSO's or agent's workbook; and the aggregated
reports everyone may see (the UCA report, the industry schedule).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from email import message_from_bytes, policy
from email.utils import getaddresses
from pathlib import Path

from toolkit.clock import stamp
from toolkit.domain.allocation import Sharing
from toolkit.domain.envelopes import Category
from toolkit.domain.sprints import Sprint
from toolkit.domain.status import JUDGED, Kind, Status
from toolkit.domain.template import describe_phase_dates
from toolkit.errors import UsageError
from toolkit.mail.compose import compose, eml_bytes, environment, stable_message_id
from toolkit.mail.send import SendReport, send_all
from toolkit.services.context import Context
from toolkit.services.issue import current_templates, issued_content
from toolkit.services.uca import current_allocation, grant_context, report_stem, rounds, snapshot
from toolkit.store.ledger import MailStatus
from toolkit.store.registers import latest_issued
from toolkit.store.versions import latest_version, versioned

KIND = {Category.ENVELOPE: "capacity envelope", Category.DE_MINIMIS: "de minimis (no envelope)",
        Category.SMALL: "small portfolio (no daily limit)"}
WHATS = ("templates", "feedback", "reminders", "uca", "grants", "publication")
DAY = "%A %d %B %Y"


@dataclass(frozen=True)
class Outgoing:
    key: str  # what the message is, unique: "<cycle>/<what>/<party>/<version or day>"
    party: str  # the group, LDSO or agent MPID it goes to
    to: tuple[str, ...]
    subject: str
    path: Path  # the .eml
    attachments: tuple[str, ...]
    status: MailStatus = MailStatus.COMPOSED  # its send record


@dataclass
class Distribution:
    cycle: str
    what: str
    folder: Path
    messages: list[Outgoing] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (party, why no message)


class _Writer:
    """Compose, write and record the messages of one distribution."""

    def __init__(self, ctx: Context, sprint: Sprint, what: str):
        self.ctx, self.ws, self.config, self.sprint = ctx, ctx.workspace, ctx.config, sprint
        self.stamp = ctx.clock.now()
        self.jinja = environment(self.ws.templates)
        self.ledger = ctx.ledger
        self.out = Distribution(sprint.cycle, what, self.ws.outbox / sprint.cycle / "mail" / what)
        params = self.config.parameters
        self.common = {"mcc_name": params.contact.name, "mcc_email": params.contact.email,
                       "cycle_title": f"sprint {sprint.sprint} ({sprint.cycle})"}

    @property
    def sender(self) -> str:
        return self.config.parameters.contact.email

    def add(self, key: str, party: str, to: tuple[str, ...], name: str, context: dict, subject: str, file: str,
            attachments: list[Path] = ()) -> None:
        if not to:
            self.out.skipped.append((party, "no contact configured"))
            return
        msg = compose(self.jinja, name, {**self.common, **context}, self.sender, list(to), subject, self.stamp,
                      list(attachments), message_id=stable_message_id(key, self.sender))
        self.write(key, party, to, subject, eml_bytes(msg), file, msg["Message-ID"], attachments)

    def write(self, key: str, party: str, to: tuple[str, ...], subject: str, data: bytes, file: str,
              message_id: str, attachments) -> None:
        row = self.ledger.mail(key)
        if row is not None and row.status in (MailStatus.SENT, MailStatus.SENDING):
            # never rewrite what was (or may have been) sent: the .eml on disk is the record of it
            path = self.ws.root / row.eml_path
        else:
            path = self.out.folder / file
            path.parent.mkdir(parents=True, exist_ok=True)
            part = path.with_name(path.name + ".part")
            part.write_bytes(data)
            part.replace(path)
            row = self.ledger.compose_mail(key, self.sprint.cycle, self.out.what, party, ", ".join(to), subject,
                                           str(path.relative_to(self.ws.root)), message_id, self.stamp)
        self.out.messages.append(Outgoing(key, party, to, subject, path, tuple(a.name for a in attachments),
                                          row.status))


def prepare(ctx: Context, sprint: Sprint, what: str, stage: str | None = None) -> Distribution:
    """Compose the messages of ``what`` for the cycle into ``outbox/<cycle>/mail/<what>/``."""
    if what not in WHATS:
        raise UsageError(f"--what must be one of {', '.join(WHATS)}, not {what!r}")
    w = _Writer(ctx, sprint, what)
    today = ctx.clock.today()
    {"templates": _templates, "feedback": _feedback, "reminders": _reminders, "uca": _uca, "grants": _grants,
     "publication": lambda w, today: _publication(w, stage)}[what](w, today)
    return w.out


def send(ctx: Context, dist: Distribution, password: str | None, retry_uncertain: bool = False,
         progress: Callable | None = None, sleep: Callable[[float], None] | None = None) -> SendReport:
    """Send the composed messages of ``dist`` (those not sent before)."""
    return send_all(ctx.ledger, [m.key for m in dist.messages], ctx.workspace.root, ctx.config.parameters.smtp,
                    password, ctx.clock, retry_uncertain=retry_uncertain, sleep=sleep or time.sleep,
                    progress=progress)


# -- what each step sends -------------------------------------------------------------------------------------

def _templates(w: _Writer, today: date) -> None:
    issued = current_templates(w.ws, w.sprint.cycle)
    if not issued:
        raise UsageError(f"no templates issued for {w.sprint.cycle} yet: run mcc templates --cycle {w.sprint.cycle}")
    env = w.ctx.envelopes()
    first = (w.sprint.execution_start - env.dates[0]).days
    last = (w.sprint.execution_end - env.dates[0]).days + 1
    for group, t in sorted(issued.items()):
        g = w.config.industry.group_by_mpid.get(group)
        if g is None:
            w.out.skipped.append((group, "no longer in config/suppliers.csv"))
            continue
        content = issued_content(w.ctx, group, w.sprint)  # on the portfolio left that the template was issued on
        i = env.groups.index(group)
        ldsos = []
        for c in content.ldsos:
            j = env.ldsos.index(c.mpid)
            capacity = (int(env.envelope[i, j, max(first, 0):max(last, 0)].sum())
                        if env.category[i, j] == Category.ENVELOPE else None)
            ldsos.append({"mpid": c.mpid, "name": c.name, "portfolio": c.portfolio, "category": KIND[c.category],
                          "sprint_capacity": capacity, "rule": c.rule_text(w.config.parameters)})
        deadline = f"{w.sprint.submission_deadline:{DAY}}"
        w.add(f"{w.sprint.cycle}/templates/{group}/v{t.version:02d}", group, g.contacts, "template_issue", {
            "group_name": g.name, "file": t.file, "version": t.version, "deadline": deadline,
            "daily_required": content.daily_required, "daily_reason": content.daily_reason,
            "execution": f"{w.sprint.execution_start:%d %b %Y} to {w.sprint.execution_end:%d %b %Y}",
            "phases": describe_phase_dates(content), "ldsos": ldsos},
            f"[MCC] Migration plan template for sprint {w.sprint.sprint} ({w.sprint.cycle}), {group}: return by "
            f"{w.sprint.submission_deadline:%a %d %b %Y}", f"{group}_template_v{t.version:02d}.eml",
            [w.ws.templates_dir(w.sprint.cycle) / t.file])


def _feedback(w: _Writer, today: date) -> None:
    """The feedback the inbox composed for every file it judged in the cycle, one message per file."""
    rows = [r for r in w.ledger.rows(w.sprint.cycle) if r.status in JUDGED]
    for r in rows:
        g = w.config.industry.group_by_mpid.get(r.supplier_group or "")
        party = r.supplier_group or "unknown"
        if not r.email_path or not (w.ws.root / r.email_path).is_file():
            w.out.skipped.append((f"#{r.id} {r.original_name}", "no feedback email was written"))
            continue
        data = (w.ws.root / r.email_path).read_bytes()
        msg = message_from_bytes(data, policy=policy.default)
        # sent to whom the inbox addressed it: a file whose group is in doubt was answered to the MCC alone, never
        # to the group its metadata names (issue 17)
        to = tuple(a for _, a in getaddresses(msg.get_all("To", [])) if a)
        to_mcc = to == (w.sender,)
        if g is None and not to_mcc:
            w.out.skipped.append((f"#{r.id} {r.original_name}", "the sender's group is unknown: answer by hand"))
            continue
        party = "MCC" if to_mcc else party
        attachments = [Path(p.get_filename()) for p in msg.iter_attachments() if p.get_filename()]
        key = f"{w.sprint.cycle}/feedback/{party}/{r.id:05d}"
        w.write(key, party, to or g.contacts, str(msg["Subject"]), data, f"{r.id:05d}_{party}.eml",
                str(msg["Message-ID"]), attachments)


def _recipients(w: _Writer, r) -> tuple[str, ...]:
    """Whom the inbox addressed its answer to a file (empty when it wrote none)."""
    if not r.email_path or not (w.ws.root / r.email_path).is_file():
        return ()
    msg = message_from_bytes((w.ws.root / r.email_path).read_bytes(), policy=policy.default)
    return tuple(a for _, a in getaddresses(msg.get_all("To", [])) if a)


def _answered_to_mcc(w: _Writer, r) -> bool:
    g = w.config.industry.group_by_mpid.get(r.supplier_group or "")
    return _recipients(w, r) == (w.sender,) and (g is None or g.contacts != (w.sender,))


def _reminders(w: _Writer, today: date) -> None:
    """Groups with no accepted plan for the cycle: one reminder a day at most, their template attached again."""
    issued = current_templates(w.ws, w.sprint.cycle)
    rows = [r for r in w.ledger.rows(w.sprint.cycle) if r.kind == Kind.PLAN and r.status != Status.DUPLICATE]
    deadline = w.sprint.submission_deadline
    for g in w.config.industry.groups:
        if w.ledger.current_plan(w.sprint.cycle, g.mpid) is not None:
            continue
        # a file whose group was in doubt was answered to the MCC alone: the group never hears of it (issue 17)
        mine = [r for r in rows if r.supplier_group == g.mpid and not _answered_to_mcc(w, r)]
        last = mine[-1] if mine else None
        t = issued.get(g.mpid)
        attachments = [w.ws.templates_dir(w.sprint.cycle) / t.file] if t else []
        overdue = today > deadline
        w.add(f"{w.sprint.cycle}/reminders/{g.mpid}/{today.isoformat()}", g.mpid, g.contacts, "reminder", {
            "group_name": g.name, "deadline": f"{deadline:{DAY}}", "overdue": overdue,
            "days_left": max((deadline - today).days, 0), "file": t.file if t else "",
            "last": {"name": last.original_name, "received_at": stamp(last.received_at), "status": last.status,
                     "errors": last.errors} if last else None},
            f"[MCC] {'Overdue' if overdue else 'Reminder'}: your migration plan for sprint {w.sprint.sprint} "
            f"({w.sprint.cycle}) {'was due' if overdue else 'is due by'} {deadline:%a %d %b %Y}",
            f"{g.mpid}_reminder_{today.isoformat()}.eml", attachments)


def _uca(w: _Writer, today: date) -> None:
    issued = rounds(w.ws, w.sprint.cycle)
    if not issued:
        raise UsageError(f"no unused capacity report for {w.sprint.cycle} yet: run mcc uca report")
    r = issued[-1]
    folder = w.ws.uca_dir(w.sprint.cycle, r)
    report = folder / versioned(report_stem(r), latest_version(folder, report_stem(r)))
    deadline = w.sprint.request_deadline(r)
    snap = snapshot(w.ws, w.sprint.cycle, r)
    env = w.ctx.envelopes()
    tag = "" if r == 1 else f"r{r:02d}/"
    requests = w.ws.requests_dir(w.sprint.cycle, r)
    for group, t in sorted(latest_issued(requests).items()):
        g = w.config.industry.group_by_mpid.get(group)
        if g is None:
            w.out.skipped.append((group, "no longer in config/suppliers.csv"))
            continue
        w.add(f"{w.sprint.cycle}/uca/{tag}{group}/v{t.version:02d}", group, g.contacts, "uca_report", {
            "group_name": g.name, "report": report.name, "request": t.file, "ldsos": snap.form(env, group).ldsos,
            "deadline": f"{deadline:{DAY}}", "baseline_date": f"{w.sprint.baseline_publication:{DAY}}",
            "sharing": Sharing.of(w.config.parameters.capacity).describe()},
            f"[MCC] Unused capacity you may request, sprint {w.sprint.sprint} ({w.sprint.cycle}), {group}: by "
            f"{deadline:%a %d %b %Y}", f"{group}_uca{'' if r == 1 else f'{r:02d}'}_v{t.version:02d}.eml",
            [report, requests / t.file])


def _grants(w: _Writer, today: date) -> None:
    issued = rounds(w.ws, w.sprint.cycle)
    version = latest_version(w.ws.uca_dir(w.sprint.cycle, issued[-1]), "allocation") if issued else 0
    if version < 1:
        raise UsageError(f"no allocation for {w.sprint.cycle} yet: run mcc uca allocate")
    alloc, _ = current_allocation(w.ctx, w.sprint)
    tag = "" if alloc.round == 1 else f"r{alloc.round:02d}_"
    for group in sorted({g.group for g in alloc.explained}):
        g = w.config.industry.group_by_mpid[group]
        w.add(f"{w.sprint.cycle}/grants/{group}/{tag}allocation_v{version:02d}", group, g.contacts, "grant",
              grant_context(w.ctx, w.sprint, group, alloc.explained),
              f"[MCC] Unused capacity granted ({w.sprint.cycle}, {group})", f"{group}_{tag}grant_v{version:02d}.eml")


def _publication(w: _Writer, stage: str | None) -> None:
    base = w.ws.publication_dir(w.sprint.cycle)
    found = sorted((p for p in base.glob("*_v*") if p.is_dir() and p.name.split("_v")[0] in ("draft", "baseline")
                    and (stage is None or p.name.startswith(stage + "_v"))),
                   key=lambda p: (p.name.startswith("baseline"), int(p.name.rsplit("_v", 1)[1])))
    if not found:
        raise UsageError(f"no {stage or 'draft or baseline'} publication for {w.sprint.cycle} yet: run mcc publish")
    folder = found[-1]
    kind, version = folder.name.rsplit("_v", 1)
    industry = folder / "industry_schedule.xlsx"
    context = {"stage": kind, "version": int(version), "minimum": w.config.parameters.capacity.disclosure_minimum,
               "uca_end": f"{w.sprint.uca_end:{DAY}}", "baseline_date": f"{w.sprint.baseline_publication:{DAY}}",
               "execution_start": f"{w.sprint.execution_start:{DAY}}"}
    subject = f"[MCC] {kind.capitalize()} migration schedule, sprint {w.sprint.sprint} ({w.sprint.cycle})"
    about = "the national and per-LDSO aggregates, weekly to M15 and daily for the sprint"
    key = f"{w.sprint.cycle}/publication/{folder.name}"
    industry_file = (industry.name, about)
    ind = w.config.industry
    for kind_of, parties, source, what in (
            ("group", ind.group_by_mpid, "config/suppliers.csv", "your own plan and grants beside the aggregates "
                                                                 "of your LDSOs"),
            ("ldso", ind.ldso_by_mpid, "config/ldsos.csv", "the aggregate load planned in your network")):
        for path in sorted((folder / kind_of).glob("*.xlsx")):
            party = parties.get(path.stem)
            if party is None:
                w.out.skipped.append((path.stem, f"no longer in {source}"))
                continue
            w.add(f"{key}/{kind_of}/{party.mpid}", party.mpid, party.contacts, "publication", {
                **context, "recipient_name": party.name, "files": [(path.name, what), industry_file]},
                f"{subject}, {party.mpid}", f"{kind_of}_{party.mpid}.eml", [path, industry])
    contacts: dict[str, tuple[str, str]] = {}
    for a in w.config.industry.agents:
        if a.contacts:
            contacts.setdefault(a.mpid, (a.name, a.contacts))
    for path in sorted((folder / "agent").glob("*.xlsx")):
        mpid = path.stem.split("_")[0]
        name, to = contacts.get(mpid, (mpid, ()))
        if not to:
            w.out.skipped.append((path.stem, "an agent named by a supplier, not in config/agents.csv"))
            continue
        w.add(f"{key}/agent/{path.stem}", path.stem, to, "publication", {
            **context, "recipient_name": name,
            "files": [(path.name, "the weekly volumes all supplier groups forecast for you"), industry_file]},
            f"{subject}, {path.stem}", f"agent_{path.stem}.eml", [path, industry])
