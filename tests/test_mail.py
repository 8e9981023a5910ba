"""Distribution by email against a real SMTP server on loopback (aiosmtpd): what arrives is what was composed,
each recipient gets only its own files, nothing leaves without --send, and a run that fails part-way resumes
without sending anything twice."""

from __future__ import annotations

import shutil
import socket
from email import message_from_bytes, policy
from email.utils import getaddresses
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.conftest import REPO, make_workspace
from tests.inbox_helpers import TODAY, Returns, context
from tests.test_uca_publication import STAMP
from toolkit.cli import main
from toolkit.mail.compose import DEFAULTS
from toolkit.services.context import envelopes, load
from toolkit.services.distribute import prepare, send
from toolkit.services.issue import current_templates, issue_templates
from toolkit.services.uca import snapshot, uca_allocate, uca_report
from toolkit.store.ledger import Ledger
from toolkit.store.registers import latest_issued

GROUPS = ["JONV", "AAUC", "AFCF"]


class Mailbox:
    """What the server received; ``refuse`` makes it answer with an error from the n-th message on."""

    def __init__(self):
        self.received: list[tuple[str, list[str], bytes]] = []
        self.refuse_from: int | None = None
        self.refuse_code = "451 4.3.0 Mail server temporarily unavailable"
        self.refuse_rcpt: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse_rcpt:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_from is not None and len(self.received) >= self.refuse_from:
            return self.refuse_code
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield box, controller.port
    controller.stop()


def _point_at(ws, port: int, extra: str = "") -> None:
    params = ws.config / "parameters.toml"
    text = params.read_text()
    text = text.replace('host = ""', 'host = "127.0.0.1"').replace("port = 587", f"port = {port}")
    text = text.replace('security = "starttls"', 'security = "none"').replace("retry_wait_seconds = 5.0",
                                                                              "retry_wait_seconds = 0.0")
    params.write_text(text + extra)


@pytest.fixture
def issued(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    r = Returns(ws, GROUPS)
    return ws, r


def _parsed(raw: bytes):
    return message_from_bytes(raw, policy=policy.default)


def test_nothing_leaves_without_send_and_every_message_arrives_as_composed(issued, smtp, monkeypatch, capsys):
    ws, r = issued
    box, port = smtp
    _point_at(ws, port)
    monkeypatch.setenv("MCC_TODAY", TODAY.isoformat())
    assert main(["distribute", "--what", "templates", "--cycle", "S8", "-w", str(ws.root)]) == 0
    assert "Nothing was sent" in capsys.readouterr().out
    assert box.received == []
    emls = sorted((ws.outbox / "S8" / "mail" / "templates").glob("*.eml"))
    assert [p.name for p in emls] == [f"{g}_template_v01.eml" for g in sorted(GROUPS)]
    assert {m.status for m in Ledger(ws.workbooks / "ledger.sqlite").mail_rows("S8")} == {"composed"}

    assert main(["distribute", "--what", "templates", "--cycle", "S8", "--send", "-w", str(ws.root)]) == 0
    assert "3 sent, 0 already sent before" in capsys.readouterr().out
    assert len(box.received) == 3
    by_id = {_parsed(raw)["Message-ID"]: (sender, rcpt, raw) for sender, rcpt, raw in box.received}
    for path in emls:
        composed = _parsed(path.read_bytes())
        sender, rcpt, raw = by_id[composed["Message-ID"]]
        got = _parsed(raw)
        group = path.name[:4]
        g = r.config.industry.group_by_mpid[group]
        assert sender == "mcc@mcc.example"
        assert rcpt == list(g.contacts) == [a for _, a in getaddresses([got["To"]])]
        assert got["Subject"] == composed["Subject"] and group in got["Subject"]
        assert got.get_body(("plain",)).get_content() == composed.get_body(("plain",)).get_content()
        assert got.get_body(("html",)).get_content() == composed.get_body(("html",)).get_content()
        assert g.name in got.get_body(("plain",)).get_content()
        (attachment,) = list(got.iter_attachments())
        template = ws.templates_dir("S8") / current_templates(ws, "S8")[group].file
        assert attachment.get_filename() == template.name
        assert attachment.get_content() == template.read_bytes()  # the bytes, exactly
    assert {m.status for m in Ledger(ws.workbooks / "ledger.sqlite").mail_rows("S8")} == {"sent"}
    # a second run composes the same messages again and sends none of them
    assert main(["distribute", "--what", "templates", "--cycle", "S8", "--send", "-w", str(ws.root)]) == 0
    assert "0 sent, 3 already sent before" in capsys.readouterr().out
    assert len(box.received) == 3


def test_a_failure_mid_run_resumes_without_duplicates(issued, smtp, monkeypatch, capsys):
    ws, r = issued
    box, port = smtp
    _point_at(ws, port)
    monkeypatch.setenv("MCC_TODAY", TODAY.isoformat())
    issue_templates(context(ws, r.config, at=STAMP), r.sprint, groups=["ATOE", "BHUS", "CVMP"], workers=1,
                    force=True)  # after S8's return-by date
    box.refuse_from = 2  # the server goes down after two messages
    assert main(["distribute", "--what", "templates", "--cycle", "S8", "--send", "-w", str(ws.root)]) == 1
    out = capsys.readouterr()
    assert "2 sent, 0 already sent before, 1 failed, 0 uncertain, 3 not tried" in out.out
    assert "kept failing" in out.err and "451" in out.err
    rows = {m.key: m for m in Ledger(ws.workbooks / "ledger.sqlite").mail_rows("S8")}
    assert sorted(m.status for m in rows.values()) == ["composed"] * 3 + ["failed"] + ["sent"] * 2
    assert max(m.attempts for m in rows.values()) == 3  # [smtp] attempts
    box.refuse_from = None  # it comes back
    assert main(["distribute", "--what", "templates", "--cycle", "S8", "--send", "-w", str(ws.root)]) == 0
    assert "4 sent, 2 already sent before" in capsys.readouterr().out
    ids = [_parsed(raw)["Message-ID"] for _, _, raw in box.received]
    assert len(ids) == len(set(ids)) == 6  # every message exactly once


def test_a_run_that_stops_counts_the_messages_sent_before_as_already_sent(issued, smtp, monkeypatch, capsys):
    """Issue 20: a run stopped by a failing server said "1 already sent, 23 not tried" when 24 had been sent: the
    messages after the failure that an earlier run sent are "already sent", not "not tried"."""
    ws, r = issued
    box, port = smtp
    _point_at(ws, port)
    monkeypatch.setenv("MCC_TODAY", TODAY.isoformat())
    args = ["distribute", "--what", "templates", "--cycle", "S8", "--send", "-w", str(ws.root)]
    assert main(args) == 0
    capsys.readouterr()
    ledger = Ledger(ws.workbooks / "ledger.sqlite")
    keys = [m.key for m in ledger.mail_rows("S8")]
    assert len(keys) == 3
    ledger.begin_send(keys[0])  # as if a later run had stopped while sending it (uncertain)
    box.refuse_from = 0  # and now the server is down
    assert main([*args, "--retry-uncertain"]) == 1
    out = capsys.readouterr().out
    assert "0 sent, 2 already sent before, 1 failed, 0 uncertain, 0 not tried" in out


def test_a_permanent_refusal_fails_that_message_only(issued, smtp):
    ws, r = issued
    box, port = smtp
    _point_at(ws, port)
    config = load(ws)
    dist = prepare(context(ws, config, today=TODAY, at=STAMP), r.sprint, "templates")
    box.refuse_rcpt = set(config.industry.group_by_mpid["AAUC"].contacts)
    report = send(context(ws, config, at=STAMP), dist, None, sleep=lambda s: None)
    assert len(report.sent) == 2 and [k.split("/")[2] for k, _ in report.failed] == ["AAUC"]
    assert "550" in report.failed[0][1] and not report.stopped and not report.not_tried
    assert Ledger(ws.workbooks / "ledger.sqlite").mail(report.failed[0][0]).status == "failed"


def test_a_refused_secondary_contact_is_reported_and_the_message_kept_sent(issued, smtp):
    ws, r = issued
    box, port = smtp
    _point_at(ws, port)
    config = load(ws)
    dist = prepare(context(ws, config, today=TODAY, at=STAMP), r.sprint, "templates")
    secondary = config.industry.group_by_mpid["JONV"].secondary_contact
    box.refuse_rcpt = {secondary}
    report = send(context(ws, config, at=STAMP), dist, None)
    assert len(report.sent) == 3 and not report.failed
    (key, refused), = report.refused
    assert key.split("/")[2] == "JONV" and secondary in refused and "550" in refused
    row = Ledger(ws.workbooks / "ledger.sqlite").mail(key)
    assert row.status == "sent" and secondary in row.error
    assert [rcpt for _, rcpt, raw in box.received if b"JONV" in raw] == [
        [config.industry.group_by_mpid["JONV"].primary_contact]]


def test_an_interrupted_send_is_reported_not_repeated(issued, smtp):
    ws, r = issued
    box, port = smtp
    _point_at(ws, port)
    config = load(ws)
    dist = prepare(context(ws, config, today=TODAY, at=STAMP), r.sprint, "templates")
    ledger = Ledger(ws.workbooks / "ledger.sqlite")
    ledger.begin_send(dist.messages[0].key)  # as if the process died while the server had the message
    report = send(context(ws, config, at=STAMP), dist, None)
    assert report.uncertain == [dist.messages[0].key] and len(report.sent) == 2
    # composing again does not touch a message that may have been sent
    again = prepare(context(ws, config, today=TODAY, at=STAMP), r.sprint, "templates")
    assert again.messages[0].status == "sending"
    report = send(context(ws, config, at=STAMP), again, None, retry_uncertain=True)
    assert report.sent == [dist.messages[0].key] and len(report.already) == 2
    assert len(box.received) == 3


def test_login_with_the_password_from_the_environment(issued, monkeypatch, capsys):
    ws, r = issued

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"mcc-relay" and auth_data.password == b"s3cret"
        return AuthResult(success=ok, handled=False)  # aiosmtpd answers 535 on a failure

    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port(), authenticator=authenticate,
                            auth_require_tls=False)
    controller.start()
    try:
        _point_at(ws, controller.port)
        params = ws.config / "parameters.toml"
        params.write_text(params.read_text().replace('user = ""', 'user = "mcc-relay"'))
        monkeypatch.setenv("MCC_TODAY", TODAY.isoformat())
        monkeypatch.delenv("MCC_SMTP_PASSWORD", raising=False)
        args = ["distribute", "--what", "templates", "--cycle", "S8", "--send", "-w", str(ws.root)]
        assert main(args) == 2
        assert "MCC_SMTP_PASSWORD" in capsys.readouterr().err
        monkeypatch.setenv("MCC_SMTP_PASSWORD", "wrong")
        assert main(args) == 2
        assert "refused the login of 'mcc-relay'" in capsys.readouterr().err
        monkeypatch.setenv("MCC_SMTP_PASSWORD", "s3cret")
        assert main(args) == 0
        assert len(box.received) == 3
    finally:
        controller.stop()


def test_without_a_server_configured_send_says_so(issued, monkeypatch, capsys):
    ws, _ = issued
    monkeypatch.setenv("MCC_TODAY", TODAY.isoformat())
    assert main(["distribute", "--what", "templates", "--cycle", "S8", "--send", "-w", str(ws.root)]) == 2
    assert "set [smtp] host in config/parameters.toml" in capsys.readouterr().err


@pytest.fixture(scope="module")
def full_cycle(tmp_path_factory):
    """S8 with accepted plans, a rejected one, UCA requests, allocation and the baseline publication."""
    from tests.test_uca_publication import _drop_and_process, _plannable
    from toolkit.excel.filler import fill_plan
    from toolkit.services.publish import publish

    ws = make_workspace(tmp_path_factory.mktemp("mail") / "ws")
    probe = Returns(ws, [])
    chosen = [g.mpid for g in probe.config.industry.groups if g.mpid != "AFCF" and _plannable(probe, g.mpid)][:4]
    r = Returns(ws, chosen + ["AFCF"])
    tmp = tmp_path_factory.mktemp("files")
    files = [r.valid(g, tmp / f"{g}.xlsx") for g in chosen] + [r.over_limit("AFCF", tmp / "afcf.xlsx")[0]]
    assert [o.status for o in _drop_and_process(r, files)] == ["accepted"] * 4 + ["rejected"]
    report = uca_report(context(ws, r.config, at=STAMP), r.sprint)
    env = envelopes(r.config)
    snap = snapshot(ws, "S8")
    issued = latest_issued(ws.requests_dir("S8"))
    def half(form):  # half the unused capacity, at most the group's own envelope where it is not shown (issue 17)
        import numpy as np

        return np.where(form.disclosed, form.unused // 2, np.minimum(form.unused // 2, form.entitlement))

    asks = [fill_plan(ws.requests_dir("S8") / issued[g].file, tmp / f"uca_{g}.xlsx",
                      uca=half(snap.form(env, g))) for g in report.eligible[:2]]
    assert [o.status for o in _drop_and_process(r, asks)] == ["accepted", "accepted"]
    uca_allocate(context(ws, r.config, at=STAMP), r.sprint)
    publish(context(ws, r.config, at=STAMP), r.sprint, "baseline")
    return ws, r, chosen, report


@pytest.mark.parametrize("what", ["feedback", "reminders", "uca", "grants", "publication"])
def test_every_recipient_gets_its_own_files_only(full_cycle, what):

    ws, r, chosen, report = full_cycle
    config = load(ws)
    dist = prepare(context(ws, config, today=TODAY, at=STAMP), r.sprint, what)
    assert dist.messages
    ind = config.industry
    public = {"industry_schedule.xlsx", "uca_report_v01.xlsx"}
    rows = Ledger(ws.workbooks / "ledger.sqlite").rows("S8")

    def own(what: str, party: str) -> set[str]:
        """The files that are the party's own, as the workspace records them."""
        if what == "feedback":
            return {Path(row.feedback_path).name for row in rows if row.supplier_group == party and row.feedback_path}
        if what == "uca":
            return {t.file for g, t in latest_issued(ws.requests_dir("S8")).items() if g == party}
        if what == "reminders":
            return {t.file for g, t in current_templates(ws, "S8").items() if g == party}
        return {f"{party}.xlsx"}  # publication: group/, ldso/ or agent/<party>.xlsx
    for m in dist.messages:
        msg = _parsed(m.path.read_bytes())
        names = [a.get_filename() for a in msg.iter_attachments()]
        assert tuple(names) == m.attachments
        party = m.party.split("_")[0]
        contacts = (ind.group_by_mpid[party].contacts if party in ind.group_by_mpid else
                    ind.ldso_by_mpid[party].contacts if party in ind.ldso_by_mpid else
                    next(a.contacts for a in ind.agents if a.mpid == party))
        assert [a for _, a in getaddresses([msg["To"]])] == list(contacts)
        for name in names:
            assert name in public or name in own(what, m.party), (m.key, name)  # its own, or one everyone may see
        other_groups = {g.mpid for g in ind.groups} - {party}
        text = msg.get_body(("plain",)).get_content()
        assert not [g for g in other_groups if f" {g} " in text or f"({g})" in text], m.key
    kinds = {"feedback": {m.party for m in dist.messages} == set(chosen) | {"AFCF"} | set(report.eligible[:2]),
             "reminders": "AFCF" in {m.party for m in dist.messages} and not set(chosen) & {m.party for m in
                                                                                        dist.messages},
             "uca": {m.party for m in dist.messages} == set(report.eligible),
             "grants": {m.party for m in dist.messages} == set(report.eligible[:2]),
             "publication": {"EELC", *chosen} <= {m.party for m in dist.messages}}
    assert kinds[what], sorted(m.party for m in dist.messages)


def test_html_alternative_escapes_what_suppliers_wrote(full_cycle, tmp_path):
    from toolkit.mail.compose import compose, environment

    msg = compose(environment(None), "reminder", {
        "group_name": "<script>alert(1)</script> & Co", "cycle_title": "sprint 8", "deadline": "Friday",
        "overdue": False, "days_left": 2, "file": "", "last": None, "mcc_name": "MCC", "mcc_email": "m@x.example"},
        "m@x.example", ["a@b.example"], "s", STAMP)
    html = msg.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    assert "<script>alert(1)</script> & Co" in msg.get_body(("plain",)).get_content()


def test_the_workspace_templates_override_the_defaults(full_cycle, tmp_path):
    ws, r, _, _ = full_cycle
    own = ws.templates / "email"
    own.mkdir(parents=True, exist_ok=True)
    (own / "reminder.txt.j2").write_text("Hello {{ group_name }}, your plan is due by {{ deadline }}.\n")
    try:
        dist = prepare(context(ws, load(ws), today=TODAY.replace(day=24), at=STAMP), r.sprint, "reminders")
    finally:
        shutil.rmtree(own)
    text = _parsed(dist.messages[0].path.read_bytes()).get_body(("plain",)).get_content()
    assert text.startswith("Hello ") and "your plan is due by Friday 13 November 2026." in text


def test_the_demo_workspace_holds_the_default_templates_to_edit():
    repo = sorted(p.name for p in (REPO / "templates" / "email").glob("*.j2"))
    assert repo == sorted(p.name for p in DEFAULTS.glob("*.j2"))
    for name in repo:
        assert (REPO / "templates" / "email" / name).read_text() == (DEFAULTS / name).read_text(), name
    kinds = {n.split(".")[0] for n in repo} - {"base"}
    assert kinds == {"template_issue", "feedback", "reminder", "uca_report", "grant", "publication", "mailbox_reply",
                     "mailbox_notice", "lost_days"}
    assert all(f"{k}.txt.j2" in repo and f"{k}.html.j2" in repo for k in kinds)


def test_init_puts_the_templates_in_the_new_workspace(tmp_path):
    assert main(["init", str(tmp_path / "new")]) == 0
    assert len(list((tmp_path / "new" / "templates" / "email").glob("*.j2"))) == len(list(DEFAULTS.glob("*.j2")))


def test_feedback_from_the_inbox_is_distributed_as_the_inbox_wrote_it(full_cycle):
    ws, r, chosen, _ = full_cycle
    dist = prepare(context(ws, load(ws), today=TODAY, at=STAMP), r.sprint, "feedback")
    rows = {row.id: row for row in Ledger(ws.workbooks / "ledger.sqlite").rows("S8")}
    for m in dist.messages:
        row = rows[int(m.key.rsplit("/", 1)[1])]
        assert m.path.read_bytes() == (ws.root / row.email_path).read_bytes()
