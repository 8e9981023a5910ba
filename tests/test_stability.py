"""The stability test of exceptional capacity tranches (issue 19 item 6; Foundations 5.2.9), from outturn, each
figure worked by hand."""

from __future__ import annotations

from datetime import date

import pytest

from tests.test_config_errors import problems
from toolkit.domain.calendar import CalendarSettings, CsmtRange, MigrationCalendar
from toolkit.domain.stability import stability

M11, M14, M15 = date(2025, 10, 1), date(2026, 11, 30), date(2027, 5, 28)
STARTS = (date(2025, 10, 1), date(2025, 12, 3), date(2026, 2, 4), date(2026, 4, 1))


def calendar() -> MigrationCalendar:
    """200,000 to 3 Feb 2026; the first tranche, 250,000, from S3 (4 Feb); the second, 280,000, from S4 (1 Apr)."""
    return MigrationCalendar(CalendarSettings(
        m11=M11, m14=M14, m15=M15, sprint_execution_starts=STARTS,
        csmt=(CsmtRange(start=date(2026, 2, 4), end=date(2026, 3, 31), value=250_000),
              CsmtRange(start=date(2026, 4, 1), end=M15, value=280_000))))


# ten November 2025 migration days (Mondays to Fridays, no bank holiday)
NOVEMBER = [date(2025, 11, d) for d in (3, 4, 5, 6, 7, 10, 11, 12, 13, 14)]


def test_ten_days_at_90_percent_support_the_first_tranche():
    """F5.2.9: "Stability will have deemed to be met where Migrations have occurred at or above 90% of the current
    threshold for at least ten days (not necessarily contiguous) in the preceding period." S3 (the first to use
    250,000) has its envelopes issued on Fri 9 Jan 2026 (plan start Fri 2 Jan + 7): the evidence is M11 to Thu 8 Jan,
    at 90% of 200,000 = 180,000. Ten days of exactly 180,000 support it; 179,999 on one of them leaves nine."""
    migrated = {d: 180_000 for d in NOVEMBER}
    first = stability(calendar(), migrated, 200_000, 0.9, 10, date(2026, 1, 20))[0]
    assert (first.start, first.value, first.evidence_from, first.evidence_to) == (
        date(2026, 2, 4), 250_000, M11, date(2026, 1, 8))
    assert first.qualifying == tuple(NOVEMBER) and first.status == "supported"
    migrated[NOVEMBER[0]] = 179_999
    first = stability(calendar(), migrated, 200_000, 0.9, 10, date(2026, 1, 20))[0]
    assert len(first.qualifying) == 9 and first.status == "not supported"
    # before the evidence period is over, nine days are "not yet shown"
    early = stability(calendar(), migrated, 200_000, 0.9, 10, date(2025, 12, 1))[0]
    assert early.status == "not yet shown"
    assert early.describe(0.9) == ("250,000 from 2026-02-04: not yet shown (9 of 10 days at or above 90% of the "
                                   "day's CSMT from 2025-10-01 to 2026-01-08, outturn to 2025-12-01)")


def test_the_second_tranche_needs_stability_at_the_first():
    """F5.2.9 ii a): "three weeks into the execution of Sprint 3 a further tranche between 250k 280k will be made
    available for the planning of Sprint 4 ... the same criteria as described above". S4's envelopes are issued on Fri
    6 Mar 2026 (plan start Fri 27 Feb + 7): the evidence runs from the first tranche's start, Wed 4 Feb, to Thu 5 Mar,
    at 90% of 250,000 = 225,000. Days at 180,000 in November do not count; ten February days at 225,000 do."""
    february = [date(2026, 2, d) for d in (4, 5, 6, 9, 10, 11, 12, 13, 16, 17)]
    migrated = {d: 180_000 for d in NOVEMBER} | {d: 225_000 for d in february}
    second = stability(calendar(), migrated, 200_000, 0.9, 10, date(2026, 3, 20))[1]
    assert (second.evidence_from, second.evidence_to) == (date(2026, 2, 4), date(2026, 3, 5))
    assert second.qualifying == tuple(february) and second.status == "supported"
    migrated[february[-1]] = 224_999
    assert stability(calendar(), migrated, 200_000, 0.9, 10, date(2026, 3, 20))[1].status == "not supported"


def test_the_thresholds_of_the_test_are_parameters(workspace):
    """``[capacity] stability_share`` and ``stability_days``; bad values name the key."""
    (workspace.config / "parameters.toml").write_text("[capacity]\nstability_share = 1.5\nstability_days = 0\n")
    found = {p[1]: p[2] for p in problems(workspace) if p[0] == "config/parameters.toml"}
    assert found == {"[capacity] stability_share": "1.5 must be 1 or less",
                     "[capacity] stability_days": "0 must be 1 or more"}


@pytest.mark.parametrize("share, days, status", [(0.9, 10, "supported"), (0.95, 10, "not supported"),
                                                 (0.9, 11, "not supported")])
def test_share_and_days_change_the_verdict(share, days, status):
    migrated = {d: 180_000 for d in NOVEMBER}
    assert stability(calendar(), migrated, 200_000, share, days, date(2026, 1, 20))[0].status == status


def test_mcc_check_says_whether_each_tranche_is_supported_by_the_outturn(workspace, capsys):
    """Issue 19: "mcc check and mcc monitor report say whether a configured tranche (250k, 280k) is supported". The
    demo calendar has 250,000 from Wed 4 Feb 2026 (S3) and 280,000 from Wed 1 Apr 2026 (S4). With no outturn held,
    neither is; with ten November days of 180,000 in the ledger, the first is."""
    from datetime import UTC, datetime

    from toolkit.cli import main
    from toolkit.config import load_config
    from toolkit.domain.monitoring import Cohort
    from toolkit.store.ledger import Ledger

    assert main(["check", "-w", str(workspace.root), "--today", "2026-06-01"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert ("exceptional capacity (F5.2.9): 250,000 from 2026-02-04: not supported (0 of 10 days at or above 90% of "
            "the day's CSMT from 2025-10-01 to 2026-01-08)") in out
    assert "280,000 from 2026-04-01: not supported (0 of 10 days" in out
    supplier = next(iter(load_config(workspace.root).industry.group_of_supplier))
    Ledger(workspace.ledger).record_outturn([Cohort(supplier, "EELC", d, d, 180_000, 180_000) for d in NOVEMBER],
                                            "history", datetime(2025, 12, 1, tzinfo=UTC))
    assert main(["check", "-w", str(workspace.root), "--today", "2026-01-20"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "250,000 from 2026-02-04: supported (10 of 10 days" in out
    assert "280,000 from 2026-04-01: not yet shown (0 of 10 days" in out
