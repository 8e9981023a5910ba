"""DLFC per day (issue 19 item 7): the De minimis LDSO Factor from the calendar and the groups' migration start dates.
Every expected figure is worked by hand in the test."""

from __future__ import annotations

from datetime import date

import pytest

from tests.test_config_errors import problems
from tests.test_envelopes_examples import calendar, group
from toolkit.domain.envelopes import calculate, explain
from toolkit.domain.industry import Industry, Ldso
from toolkit.domain.parameters import Capacity, DlfcBasis, Parameters

LMPC = 21_000_000  # AAAA 1,100,000 + BBBB 120,000 (de minimis, below DLT 150,000) + CCCC 19,780,000


def industry() -> Industry:
    """GONE (non-SIT, from M11) holds 500,000 in AAAA, alone there; GDEM from Mon 2 Feb 2026 holds 60,000 in BBBB,
    GLAT from Mon 2 Mar 2026 the other 60,000."""
    ldsos = (Ldso("AAAA", "A", 1_100_000), Ldso("BBBB", "B", 120_000), Ldso("CCCC", "C", 19_780_000))
    groups = (group("GONE", date(2025, 10, 1)), group("GDEM", date(2026, 2, 2)), group("GLAT", date(2026, 3, 2)))
    portfolio = {("GONE", "AAAA"): 500_000, ("GDEM", "BBBB"): 60_000, ("GLAT", "BBBB"): 60_000}
    return Industry(ldsos=ldsos, groups=groups, portfolio=portfolio)


def figures(env, day: date) -> tuple[float, float, int]:
    k = env.index_of("GONE", "AAAA", day)[2]
    return env.dlfc[k], env.acsmt[k], int(env.envelope[0, 0, k])


def test_dlfc_is_per_day_from_the_migration_start_dates():
    """P DLFC: "A factor to be applied to the Central Service Migration Threshold to allow for migrations within De
    minimis LDSO Regions. - Per Day"; "Data Source MCC Migration Calendar, Supplier Migration Start Date, EES".
    Like DSLFC ("De minimis Active Suppliers Total MPAN Count in LDSO / Total MPAN Count in LDSO"), DLFC on a day is
    the de minimis LDSOs' MPANs held by groups active that day over all LDSOs' metering points. AAAA's share of the
    non-de-minimis LDSOs is 1,100,000 / 20,880,000 = 0.0526819923; GONE, alone there and in its core window, gets all
    of AAAA's ALMT (under the 15,000 - 300 cap):
    - Wed 14 Jan 2026, nobody active in BBBB: DLFC 0, ACSMT 200,000, ALMT 10,536.40, envelope 10,536;
    - Wed 18 Feb 2026, GDEM only: DLFC 60,000 / 21,000,000 = 0.0028571429, ACSMT 199,428.57, ALMT 10,506.30, 10,506;
    - Wed 11 Mar 2026, both: DLFC 120,000 / 21,000,000 = 0.0057142857, ACSMT 198,857.14, ALMT 10,476.19, 10,476."""
    env = calculate(industry(), calendar(), Parameters())
    dlfc, acsmt, envelope = figures(env, date(2026, 1, 14))
    assert (dlfc, acsmt, envelope) == (0.0, 200_000.0, 10_536)
    dlfc, acsmt, envelope = figures(env, date(2026, 2, 18))
    assert dlfc == pytest.approx(60_000 / LMPC) and acsmt == pytest.approx(199_428.571429) and envelope == 10_506
    dlfc, acsmt, envelope = figures(env, date(2026, 3, 11))
    assert dlfc == pytest.approx(120_000 / LMPC) and acsmt == pytest.approx(198_857.142857) and envelope == 10_476


def test_the_constant_dlfc_of_all_de_minimis_ldsos_is_a_choice():
    """``[capacity] dlfc_basis = "all"``: one DLFC for the whole window, every de minimis LDSO's metering points
    (120,000 / 21,000,000), whoever has started: ACSMT 198,857.14 and the envelope 10,476 on every core day."""
    env = calculate(industry(), calendar(), Parameters(capacity=Capacity(dlfc_basis=DlfcBasis.ALL)))
    for day in (date(2026, 1, 14), date(2026, 2, 18), date(2026, 3, 11)):
        dlfc, acsmt, envelope = figures(env, day)
        assert dlfc == pytest.approx(120_000 / LMPC) and envelope == 10_476


def test_the_sum_of_almt_stays_within_csmt_on_every_day():
    """F5.2.4: "By sharing the Central Systems Capacity in this way, we can ensure no breach of either Central System
    or LDSO thresholds in the aggregated Envelopes": the envelope LDSOs' ALMT and the de minimis LDSOs' limits
    (ULMT - LRC, 10,000 - 200 = 9,800 for BBBB) within CSMT on every migration day."""
    env = calculate(industry(), calendar(), Parameters())
    envelope_ldsos = env.almt.sum(axis=0)
    assert (envelope_ldsos <= env.acsmt + 1e-6).all() and (env.acsmt <= env.csmt + 1e-6).all()


def test_explain_names_the_active_de_minimis_mpans():
    lines = dict(explain(calculate(industry(), calendar(), Parameters()), Parameters(), "GONE", "AAAA",
                         date(2026, 2, 18)))
    assert lines["DLFC"] == ("0.002857 = de minimis LDSOs' MPANs of groups migrating by this day 60,000 / all LDSOs' "
                             "21,000,000 (dlfc_basis active)")


def test_bad_dlfc_basis_names_the_key(workspace):
    (workspace.config / "parameters.toml").write_text('[capacity]\ndlfc_basis = "monthly"\n')
    found = problems(workspace)
    assert ("config/parameters.toml", "[capacity] dlfc_basis", "'monthly' is not one of 'active' or 'all'") in found
