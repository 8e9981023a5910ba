"""What the rehearsal's benchmark cut (issue 15, benchmarks/README.md): the other groups' plans worked out while the
worker processes write the templates, on the same portfolio left; actuals rolled up from the cohorts' columns, the
same figures as cohort by cohort; the ledger's cohorts in initiation date order."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np

from tests.conftest import REPO, make_workspace
from tests.inbox_helpers import context
from toolkit.domain.monitoring import Cohort, actuals, cohort_table
from toolkit.services.context import load
from toolkit.services.issue import issue
from toolkit.services.play import sample_plans
from toolkit.store.ledger import Ledger
from toolkit.store.workspace import Workspace

S8_ISSUE = datetime(2026, 11, 6, 9, 0, tzinfo=UTC)  # S8's envelope issue day


def test_issue_hands_its_basis_to_the_callers_work_while_two_processes_write_the_templates(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    config = load(ws)
    ctx = context(ws, config, at=S8_ISSUE)
    s8 = ctx.sprint("S8")
    groups = [g.mpid for g in config.industry.groups]
    by_workbook, by_figures = groups[:8], groups[8:]  # 8: enough jobs for the worker processes
    seen = []

    def meanwhile(basis):
        seen.append((basis, sample_plans(ctx, s8, s8.envelope_issue, by_figures, basis)))

    issued = issue(ctx, s8, by_workbook, workers=2, meanwhile=meanwhile)
    assert len(issued.templates) == 8 and len(seen) == 1 and seen[0][0] is issued.basis
    plans, remaining, infeasible = seen[0][1]
    again, remaining_again, infeasible_again = sample_plans(ctx, s8, s8.envelope_issue, by_figures)  # its own basis
    assert (remaining, infeasible) == (remaining_again, infeasible_again) and sorted(plans) == sorted(by_figures)
    for g in by_figures:
        assert np.array_equal(plans[g].weekly, again[g].weekly)
    one = []  # one process: the caller's work still done, once
    issue(ctx, s8, by_workbook[:1], workers=1, meanwhile=one.append)
    assert len(one) == 1


def test_actuals_from_columns_add_each_cohort_on_its_initiation_and_effective_days():
    config = load(Workspace(REPO))
    industry = config.industry
    rows = sorted(industry.portfolio)
    s1, x1 = rows[0]
    s2, x2 = next((s, x) for s, x in rows if x != x1
                  and industry.group_of_supplier[s] != industry.group_of_supplier[s1])  # another group and LDSO
    groups = sorted({industry.group_of_supplier[s] for s in (s1, s2)} | {g.mpid for g in industry.groups[:1]})
    ldsos = sorted({x1, x2})
    days = [date(2026, 3, 2) + timedelta(days=k) for k in range(3)]
    cohorts = [Cohort(s1, x1, days[0], days[2], 10, 9), Cohort(s1, x1, days[0], days[1], 5, None),
               Cohort(s2, x2, days[1], days[2] + timedelta(days=3), 7, 7),  # effective after the days shown
               Cohort(s2, x2, days[0] - timedelta(days=5), days[1], 4, 4),  # initiated before them
               Cohort(s1, x1, days[0] + timedelta(days=40), days[0] + timedelta(days=45), 99, 99)]  # outside both
    i1, j1 = groups.index(industry.group_of_supplier[s1]), ldsos.index(x1)
    i2, j2 = groups.index(industry.group_of_supplier[s2]), ldsos.index(x2)
    for given in (cohorts, cohort_table(cohorts)):
        a = actuals(given, industry, groups, ldsos, days)
        expected = {"initiated": {(i1, j1, 0): 15, (i2, j2, 1): 7}, "migrated": {(i1, j1, 0): 14, (i2, j2, 1): 7},
                    "completed": {(i1, j1, 2): 9, (i2, j2, 1): 4}}
        for name, cells in expected.items():
            got = getattr(a, name)
            assert {tuple(int(v) for v in k): int(got[k]) for k in zip(*np.nonzero(got), strict=True)} == cells, name
        assert [tuple(int(v) for v in k) for k in zip(*np.nonzero(a.provisional), strict=True)] == [(i1, j1, 0)]


def test_the_ledgers_cohorts_come_in_initiation_date_order_then_supplier_ldso_and_effective_date(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    ws.ensure_folders()
    d = date(2026, 3, 2)
    stored = [Cohort("ZZZZ", "AAAA", d, d + timedelta(days=5), 1, 1), Cohort("AAAA", "BBBB", d + timedelta(days=1),
              d + timedelta(days=2), 2, None), Cohort("AAAA", "AAAA", d, d + timedelta(days=6), 3, 3),
              Cohort("AAAA", "AAAA", d, d + timedelta(days=5), 4, 4)]
    ledger = Ledger(ws.ledger)
    ledger.record_outturn(stored, "test", S8_ISSUE)
    assert [(c.supplier, c.ldso, c.initiated.day, c.effective.day) for c in ledger.outturn()] == [
        ("AAAA", "AAAA", 2, 7), ("AAAA", "AAAA", 2, 8), ("ZZZZ", "AAAA", 2, 7), ("AAAA", "BBBB", 3, 4)]


def test_the_stability_test_on_the_cohorts_in_hand_is_the_one_on_the_ledger(tmp_path):
    """monitoring_report hands the cohorts it read to the stability test (F5.2.9) instead of reading the ledger again:
    the same verdicts, completions counted where reported and initiations otherwise, days after ``as_of`` left out
    (the demo calendar: 250,000 from 4 Feb 2026, evidence from M11)."""
    from toolkit.services.monitor import tranche_stability

    ws = make_workspace(tmp_path / "ws")
    ws.ensure_folders()
    config = load(ws)
    ctx = context(ws, config, at=S8_ISSUE)
    supplier = next(iter(config.industry.group_of_supplier))
    days = [date(2025, 11, d) for d in (3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 17)]
    cohorts = [Cohort(supplier, "EELC", d, d, 170_000, None if k % 2 else 181_000) for k, d in enumerate(days)]
    cohorts.append(Cohort(supplier, "EELC", days[1], days[2], 10_000, None))  # 4 Nov: 180,000 in all, 90% of CSMT
    Ledger(ws.ledger).record_outturn(cohorts, "history", S8_ISSUE)
    held = Ledger(ws.ledger).outturn()
    for as_of in (days[5], days[-2], date(2026, 6, 1)):
        from_ledger = tranche_stability(ctx, as_of)
        assert tranche_stability(ctx, as_of, held) == from_ledger
        expected = tuple(d for k, d in enumerate(days) if (k % 2 == 0 or k == 1) and d <= as_of)
        assert from_ledger[0].qualifying == expected[:from_ledger[0].needed]
