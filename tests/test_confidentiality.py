"""Issue 17: a plan is bound to the workbook issued to its group, and no answer to a file whose group is in doubt
carries plan figures or goes to the group its metadata names."""

from __future__ import annotations

import pytest

from tests.conftest import make_workspace
from toolkit.domain.sample_plan import sample_plan
from toolkit.domain.status import Status
from toolkit.excel import contract as C
from toolkit.excel.filler import fill_cells, fill_plan
from toolkit.excel.reader import read_table, read_template


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    """S8 templates issued to ATOE, GHUB, AAUC and AFCF."""
    from tests.inbox_helpers import Returns

    ws = make_workspace(tmp_path_factory.mktemp("confidential") / "ws")
    return Returns(ws, ["ATOE", "GHUB", "AAUC", "AFCF"])


def carry_metadata(src, donor, out):
    """``src`` with the hidden metadata sheet of ``donor`` written over its own, value by value."""
    meta = read_template(donor).meta
    _, rows = read_table(src, C.SHEET_META)
    edits = {(C.SHEET_META, f"B{r + 1}"): meta[str(row[0])] for r, row in enumerate(rows) if r and row[0] in meta}
    return fill_cells(src, out, edits)


def plan_of(issued, group: str, template_of: str, out):
    """``group``'s valid sample plan, filled into the workbook issued to ``template_of``."""
    content = issued.judge.content(group, issued.sprint)
    plan = sample_plan(content, issued.config.parameters)
    return fill_plan(issued.template(template_of), out, weekly=plan.weekly, daily=plan.daily, agents=plan.agents)


def test_a_workbook_carrying_another_groups_metadata_is_rejected_as_not_its_template(issued, tmp_path):
    # GHUB's own valid plan typed into ATOE's workbook, which carries GHUB's metadata: on the old code it was
    # accepted as GHUB's plan, the metadata alone deciding whose it was
    forged = carry_metadata(plan_of(issued, "GHUB", "ATOE", tmp_path / "p.xlsx"), issued.template("GHUB"),
                            tmp_path / "forged.xlsx")
    judged = issued.judge.judge(forged, "forged.xlsx")
    assert judged.status == Status.REJECTED
    assert [(f.rule, f.sheet) for f in judged.findings] == [("identity.template", "_mcc")]
    assert "does not match the metadata" in judged.findings[0].message
    # the genuine workbook with the same plan is accepted
    assert issued.judge.judge(plan_of(issued, "GHUB", "GHUB", tmp_path / "g.xlsx"), "g.xlsx").status == \
        Status.ACCEPTED


def _texts(folder) -> list[tuple[str, str]]:
    """(recipients, text of every part) of every .eml under ``folder``."""
    from email import message_from_bytes, policy

    out = []
    for p in sorted(folder.rglob("*.eml")):
        msg = message_from_bytes(p.read_bytes(), policy=policy.default)
        parts = [part.get_content() for part in msg.walk() if part.get_content_type() in ("text/plain", "text/html")]
        out.append((str(msg["To"]), "\n".join(parts)))
    return out


def test_a_plan_carrying_another_groups_metadata_is_answered_to_the_mcc_alone_without_figures(issued, tmp_path):
    import shutil

    from tests.inbox_helpers import context, run_inbox
    from toolkit.services.distribute import prepare
    from toolkit.store.workspace import Workspace

    ws = Workspace(tmp_path / "ws")
    shutil.copytree(issued.ws.root, ws.root)
    # AAUC's plan, with one figure no other cell holds, in AAUC's workbook carrying AFCF's metadata
    content = issued.judge.content("AAUC", issued.sprint)
    plan = sample_plan(content, issued.config.parameters)
    weekly = plan.weekly.copy()
    r, c = (int(x[0]) for x in weekly.nonzero())
    weekly[r, c] = 987_651
    filled = fill_plan(issued.template("AAUC"), tmp_path / "p.xlsx", weekly=weekly, daily=plan.daily,
                       agents=plan.agents)
    shutil.copyfile(carry_metadata(filled, issued.template("AFCF"), tmp_path / "f.xlsx"), ws.inbox / "AAUC plan.xlsx")
    [o], _ = run_inbox(ws)
    assert o.status == "rejected"
    assert not list(ws.outbox.rglob("*.xlsx"))  # no feedback workbook: it would copy the plan
    dist = prepare(context(ws), issued.sprint, "feedback")
    afcf = set(issued.config.industry.group_by_mpid["AFCF"].contacts)
    mcc = issued.config.parameters.contact.email
    assert [m.to for m in dist.messages] == [(mcc,)]
    sent = _texts(ws.outbox)
    assert sent and all(to == mcc and not afcf & {to} for to, _ in sent)
    for _, text in sent:
        assert "987,651" not in text and "987651" not in text
        assert "identity.template" in text
        assert not [r for r in ("envelope.", "completeness.", "ramp-up.", "calendar.", "agents.") if r in text]
    # AFCF's reminder (it has no plan) says nothing of the file that carried its metadata
    reminders = prepare(context(ws), issued.sprint, "reminders")
    (to_afcf,) = [m for m in reminders.messages if m.party == "AFCF"]
    (mail,) = [text for to, text in _texts(to_afcf.path.parent) if to == ", ".join(to_afcf.to)]
    assert "AAUC plan" not in mail and "The last file we received" not in mail
