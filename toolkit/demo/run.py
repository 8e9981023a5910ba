"""The main job on the demo workspace (``mcc demo``): the whole cycle, from the calendar to the monitoring of
execution, with simulated suppliers. It calls the same services as the commands, in the order the MCC runs them;
it grows as the toolkit grows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import numpy as np

from toolkit.clock import Clock
from toolkit.demo.prelude import play_history
from toolkit.demo.simulate import simulate_outturn, simulate_returns, simulate_uca_requests
from toolkit.domain.sprints import Sprint
from toolkit.domain.status import Status
from toolkit.errors import UsageError
from toolkit.services import exports
from toolkit.services.consolidate import consolidate_schedule
from toolkit.services.context import Context
from toolkit.services.control import write_control_workbook
from toolkit.services.distribute import WHATS, prepare
from toolkit.services.inbox import Inbox, Outcome, make_inbox, process
from toolkit.services.issue import issue_templates
from toolkit.services.mailbox import take_mail
from toolkit.services.monitor import ingest, monitoring_report, notify_shortfall
from toolkit.services.publish import publish
from toolkit.services.uca import current_schedule, uca_allocate, uca_report
from toolkit.store.keys import create_key
from toolkit.store.workspace import workspace_kind


@dataclass
class DemoResult:
    outputs: list[tuple[str, Path]]
    outcomes: list[Outcome] = field(default_factory=list)


def run_demo(ctx: Context) -> DemoResult:
    """The sprints before the one being planned, played quickly from simulated outturn (``demo.prelude``); then the
    sprint being planned today, each step on the day of its phase (Choreography 3.6): templates on the
    envelope issue day, returns before the deadline, the draft and the UCA report on the draft publication day,
    requests inside the UCA window, the allocation on its last day, the baseline on the baseline publication day;
    then ten days into the execution. Never in a live workspace (its marker says ``kind = "live"``): the demo's
    simulated returns would enter its ledger."""
    if workspace_kind(ctx.workspace) == "live":
        raise UsageError(f"{ctx.workspace.root} is a live workspace (config/workspace.toml says kind = \"live\"): "
                         "the demo would put simulated returns into its ledger. Run it in a demo workspace: "
                         "mcc init --demo DIR, then mcc demo -w DIR")
    ctx.workspace.ensure_folders()
    # the demo issues templates, as the MCC's own machine does: it makes the workspace's key if it has none
    made = create_key(ctx.workspace.config, exist_ok=True)
    outputs = ([("signing key (new)", made)] if made else []) + _exports(ctx)
    sprint = ctx.sprint()
    played = play_history(ctx, sprint)
    if played:
        outputs.append((f"sprints {played[0].sprint.sprint} to {played[-1].sprint.sprint} played from simulated "
                        f"outturn, without workbooks: {sum(p.migrated for p in played):,} MPANs migrated before "
                        f"{sprint.cycle}'s envelope issue", ctx.workspace.ledger))
    issuing = ctx.on(Clock(day=sprint.envelope_issue))
    outputs.append(("MCC envelope workbook", exports.write_envelope_workbook(issuing, sprint)))
    issued = issue_templates(issuing, sprint)
    outputs.append((f"{len(issued)} supplier templates", ctx.workspace.templates_dir(sprint.cycle)))
    returning = ctx.on(Clock(day=sprint.submission_deadline - timedelta(days=1)))
    outcomes = _returns(returning, sprint, make_inbox(returning, sprint.cycle), outputs)
    outcomes += _schedule(ctx, sprint, outputs)
    # every message of the cycle composed for Outlook (nothing is sent: that needs mcc distribute --send), and the
    # control workbook for MCC staff working in Excel
    published = ctx.on(Clock(day=sprint.baseline_publication))
    composed = {what: len(prepare(published, sprint, what).messages) for what in WHATS}
    outputs.append(("emails composed, not sent: " + ", ".join(f"{n} {w}" for w, n in composed.items()),
                    ctx.workspace.outbox / sprint.cycle / "mail"))
    control = write_control_workbook(published, ctx.workspace.workbooks)
    outputs.append(("Excel control workbook (xlwings)", control.workbook))
    # execution, fast-forwarded to the sprint's tenth day: simulated outturn through the inbox, a group notifying
    # a shortfall, an ad hoc UCA round for the capacity it cedes, and the daily monitoring report
    outputs += _execution(ctx, sprint)
    return DemoResult(outputs=outputs, outcomes=outcomes)


def _exports(ctx: Context) -> list[tuple[str, Path]]:
    out = ctx.workspace.workbooks
    exports.export_calendar_csv(ctx, out / "calendar.csv")
    exports.export_calendar_ics(ctx, out / "migration_calendar.ics")
    exports.export_sprints_csv(ctx, out / "sprints.csv")
    exports.export_envelopes_csv(ctx, out / "envelopes_daily.csv")
    exports.export_envelopes_csv(ctx, out / "envelopes_weekly.csv", weekly=True)
    return [("migration calendar", out / "calendar.csv"), ("key events for Outlook", out / "migration_calendar.ics"),
            ("sprint cycles", out / "sprints.csv"), ("daily envelopes", out / "envelopes_daily.csv"),
            ("weekly envelopes", out / "envelopes_weekly.csv")]


def _returns(ctx: Context, sprint: Sprint, inbox: Inbox, outputs: list) -> list[Outcome]:
    """Suppliers email their templates (simulated) to the MCC's mailbox (a Maildir, ``mailbox/``); ``mcc mailbox``
    takes each attachment to the inbox, which judges it and answers its sender."""
    returned = simulate_returns(ctx, sprint, by_mail=True)
    outcomes = [o for h in take_mail(ctx, sprint.cycle) for o in h.outcomes]
    more, _ = process(inbox, quiet=0, max_wait=0)  # a return of a group without a contact is dropped in inbox/
    outcomes += more
    counts = {k: sum(o.status == k for o in outcomes) for k in (Status.ACCEPTED, Status.REJECTED,
                                                                Status.QUARANTINED, Status.DUPLICATE)}
    outputs.append((f"{len(returned)} simulated supplier returns emailed to the MCC's mailbox and judged: "
                    + ", ".join(f"{v} {k}" for k, v in counts.items()), ctx.workspace.outbox / sprint.cycle))
    outputs.append(("submission ledger (SQLite)", ctx.workspace.ledger))
    return outcomes


def _schedule(ctx: Context, sprint: Sprint, outputs: list) -> list[Outcome]:
    """The MCC consolidates, reports unused capacity, eligible groups request some, it is allocated, and the draft
    and baseline schedules are published, each on its day."""
    drafting = ctx.on(Clock(day=sprint.draft_publication))
    _, draft = consolidate_schedule(drafting, sprint)
    outputs.append(("draft schedule (MCC)", draft))
    report = uca_report(drafting, sprint)
    outputs.append((f"unused capacity report and {len(report.requests)} request workbooks", report.report))
    pub = publish(drafting, sprint, "draft")
    outputs.append((f"draft publication: {len(pub.files)} aggregated workbooks", pub.folder))
    requesting = ctx.on(Clock(day=sprint.uca_start + timedelta(days=1)))
    requested = simulate_uca_requests(requesting, sprint, report)
    outcomes, _ = process(make_inbox(requesting, sprint.cycle), quiet=0, max_wait=0)
    alloc, book, base, _ = uca_allocate(ctx.on(Clock(day=sprint.uca_end)), sprint)
    outputs.append((f"{len(requested)} UCA requests judged; {int(alloc.grants.sum()):,} of "
                    f"{int(alloc.requests.sum()):,} migrations granted", book))
    outputs.append(("baseline schedule (MCC)", base))
    pub = publish(ctx.on(Clock(day=sprint.baseline_publication)), sprint, "baseline")
    outputs.append((f"baseline publication: {len(pub.files)} aggregated workbooks", pub.folder))
    return outcomes


def _execution(ctx: Context, sprint: Sprint) -> list[tuple[str, Path]]:
    as_of = sprint.execution_start + timedelta(days=9)
    when = datetime.combine(as_of, time(18, 0), tzinfo=UTC)
    ctx = ctx.on(Clock.at(when))  # the fast-forwarded day
    s, _, _ = current_schedule(ctx, sprint)
    days = s.days[:(as_of - s.days[0]).days + 1]
    path = ctx.workspace.workbooks / sprint.cycle / "simulated" / f"outturn_{as_of.isoformat()}.csv"
    planted = simulate_outturn(ctx.config, s, days, as_of, path)
    outcome = ingest(ctx, path)
    out = [(f"outturn of {len(days)} days ({outcome.status}; planted: " + "; ".join(f"{k} {v}" for k, v in
                                                                                 planted.items()) + ")",
            ctx.workspace.outbox / "outturn")]
    tomorrow = next((k for k, d in enumerate(s.days) if d > as_of and s.daily[:, :, k].any()), None)
    if tomorrow is not None:
        i, j = (int(x) for x in np.argwhere(s.daily[:, :, tomorrow] == s.daily[:, :, tomorrow].max())[0])
        ceded = int(s.daily[i, j, tomorrow]) // 4
        notify_shortfall(ctx, sprint, s.groups[i], s.ldsos[j], [s.days[tomorrow]], ceded,
                         "a fault at its data service provider (simulated)")
        adhoc = uca_report(ctx, sprint, adhoc=True)
        out.append((f"{s.groups[i]} ceded {ceded:,} in {s.ldsos[j]} on {s.days[tomorrow]}: ad hoc UCA round "
                    f"{adhoc.round}, {len(adhoc.requests)} request workbooks", adhoc.report))
    report = monitoring_report(ctx, sprint, as_of)
    out.append((f"monitoring as of {as_of}: {len(report.monitoring.escalations)} level-3 escalations, "
                f"{len(report.offsets)} offsets outside MAO, {len(report.spikes)} secondary spikes", report.path))
    return out
