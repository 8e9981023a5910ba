"""The rule tables of the docs are the catalogue's rendering (``render_rule_table``): a rule added, renamed,
reworded or re-graded in one place and not the other fails here."""

from __future__ import annotations

import pytest

from tests.conftest import REPO
from toolkit.domain.findings import OUTTURN_RULES, PROCESS_RULES, SUBMISSION_RULES, RuleId, render_rule_table

HEADER = "| rule | severity | title | what it checks | source |"


def docs_table(name: str) -> str:
    """The one rule table of ``docs/<name>``: its header line and every table line after it."""
    lines = (REPO / "docs" / name).read_text(encoding="utf-8").splitlines()
    assert lines.count(HEADER) == 1, f"docs/{name} should hold one rule table"
    start = lines.index(HEADER)
    end = next((k for k in range(start, len(lines)) if not lines[k].startswith("|")), len(lines))
    return "\n".join(lines[start:end]) + "\n"


@pytest.mark.parametrize(("doc", "rules"), [("inbox.md", SUBMISSION_RULES), ("monitoring.md", OUTTURN_RULES),
                                           ("processes.md", PROCESS_RULES)])
def test_the_docs_rule_table_is_the_catalogue(doc, rules):
    assert docs_table(doc) == render_rule_table(rules)


def test_every_rule_is_in_one_docs_table():
    assert sorted(SUBMISSION_RULES + OUTTURN_RULES + PROCESS_RULES) == sorted(RuleId)


def test_a_rule_renders_as_one_table_row():
    assert render_rule_table([RuleId.ENVELOPE_WEEKLY, RuleId.CORE_WINDOW_COMPLETION]) == (
        "| rule | severity | title | what it checks | source |\n"
        "|---|---|---|---|---|\n"
        "| envelope.weekly | error | Within the weekly envelope | Each week's plan is within the weekly envelope. "
        "| F5.2.5; F5.3 |\n"
        "| core-window.completion | warning | Core window completion | By the end of the core window the plan reaches "
        "CMWCP of the portfolio. | P CMWCP |\n")
