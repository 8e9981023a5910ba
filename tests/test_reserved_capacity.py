"""Reserved capacity (issue 19 item 5): RCFC, the national reserve for errors and reverse migrations, and LRCFC, the
LDSO reserve for re-tries and re-migrations, in the envelopes, the schedule's limits, monitoring and ``mcc explain``.
Every expected figure is worked by hand in the test."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from tests.test_config_errors import problems
from tests.test_envelopes_examples import calendar, group, small_industry
from toolkit.cli import main
from toolkit.domain.envelopes import calculate, explain, reserved_capacity
from toolkit.domain.industry import Industry, Ldso
from toolkit.domain.monitoring import ldso_over_load
from toolkit.domain.parameters import Capacity, Parameters, ReservePlacement, Thresholds

DAY = date(2026, 1, 14)  # a core migration day of a group starting at M11


def one_small_ldso(lrcfc: float | None = None) -> Industry:
    """AAAA holds 1,000,000 of 20,000,000 metering points (share 0.05, tier 15,000); no de minimis LDSO, DLFC 0."""
    ldsos = (Ldso("AAAA", "A", 1_000_000, lrcfc=lrcfc), Ldso("CCCC", "C", 19_000_000))
    return Industry(ldsos=ldsos, groups=(group("GONE", date(2025, 10, 1)),), portfolio={("GONE", "AAAA"): 500_000})


def params(rcfc: float = 1.02, placement: ReservePlacement = ReservePlacement.ABOVE, lrcfc: float = 1.02):
    return Parameters(thresholds=Thresholds(rcfc=rcfc, lrcfc=lrcfc), capacity=Capacity(reserve_placement=placement))


def test_the_national_reserve_sits_above_200000_planned_migrations():
    """F5.2.9 i: "Exceptional Threshold utilised to accommodate errors and reverse migrations assuming 1% errors and
    1% reverse migrations i.e. 4k events per day. This is defined as the Reserved Capacity Factor (RCFC) ... This will
    allow 200k planned migrations per day to be incorporated into Capacity Envelopes." At CSMT 200,000 and RCFC 1.02:
    reserve 200,000 x 0.02 = 4,000, load limit 204,000, and plans use all 200,000: AAAA's ALMT is 200,000 x 0.05 =
    10,000 (under its 15,000 - 300 cap), its only group's core envelope floor(10,000 x 1 x 1.0) = 10,000."""
    env = calculate(one_small_ldso(), calendar(), params())
    k = env.index_of("GONE", "AAAA", DAY)[2]
    assert (env.csmt[k], env.planned_csmt[k], env.reserve[k], env.load_limit[k]) == (200_000, 200_000, 4_000,
                                                                                     204_000)
    assert env.envelope[0, 0, k] == 10_000
    # a larger RCFC raises the reserve and the load limit, never the planned envelopes (the reserve is above CSMT)
    wider = calculate(one_small_ldso(), calendar(), params(rcfc=1.05))
    assert (wider.reserve[k], wider.load_limit[k]) == (10_000, 210_000)
    assert np.array_equal(wider.envelope, env.envelope)
    # nothing on a day that is not a migration day
    assert env.reserve[env.index_of("GONE", "AAAA", date(2026, 1, 17))[2]] == 0


def test_with_the_reserve_within_csmt_plans_use_csmt_over_rcfc():
    """The choice ``[capacity] reserve_placement = "within"`` (the Method Statement is not available): the load limit
    is CSMT, plans use CSMT / RCFC = 200,000 / 1.02 = 196,078.43, reserve 3,921.57; AAAA's ALMT 196,078.43 x 0.05 =
    9,803.92, the envelope floor(9,803.92) = 9,803."""
    env = calculate(one_small_ldso(), calendar(), params(placement=ReservePlacement.WITHIN))
    k = env.index_of("GONE", "AAAA", DAY)[2]
    assert env.planned_csmt[k] == pytest.approx(196_078.431373, abs=1e-5)
    assert env.reserve[k] == pytest.approx(3_921.568627, abs=1e-5) and env.load_limit[k] == 200_000
    assert env.almt[0, k] == pytest.approx(9_803.921569, abs=1e-5)
    assert env.envelope[0, 0, k] == 9_803


def test_the_ldso_reserve_is_kept_out_of_the_ldso_limit_and_can_be_set_per_ldso():
    """P LRC: "A Capacity Reserved for re-tries and re-migrations where Reverse Migration has been undertaken - Per
    LDSO. Calculated: (UMLT * RCF) - UMLT e.g. 800 Migrations"; P LRCFC: "A Factor to be applied to the Unadjusted
    LDSO Migration Threshold to calculate the Reserved Capacity - Per LDSO". AAAA (3,700,000, tier 40,000) at 1.02:
    LRC 800, ALMT 39,200; with its own LRCFC 1.05: LRC 2,000, ALMT 38,000."""
    assert reserved_capacity(40_000, Parameters(), 1.05) == 2_000
    base = small_industry()
    env = calculate(base, calendar(), Parameters())
    a, k = env.ldsos.index("AAAA"), env.index_of("GONE", "AAAA", DAY)[2]
    assert (env.lrc[a], env.almt[a, k]) == (800, 39_200)
    own = Industry(ldsos=(Ldso("AAAA", "A", 3_700_000, lrcfc=1.05), base.ldsos[1]), groups=base.groups,
                   portfolio=base.portfolio)
    env = calculate(own, calendar(), Parameters())
    assert (env.lrc[a], env.lrcfc[a], env.almt[a, k]) == (2_000, 1.05, 38_000)
    assert env.lrc[env.ldsos.index("BBBB")] == pytest.approx(200)  # BBBB keeps [thresholds] lrcfc: 10,000 x 0.02


def test_explain_shows_rcfc_and_lrcfc():
    """``mcc explain`` gives both reserves with their figures."""
    lines = dict(explain(calculate(one_small_ldso(1.03), calendar(), params()), params(), "GONE", "AAAA", DAY))
    assert lines["RCFC"] == ("reserve 4,000.00 = CSMT x (RCFC 1.02 - 1), above CSMT: plans use all 200,000.00, load "
                             "limit 204,000.00 (F5.2.9)")
    assert lines["LRCFC"] == ("reserve LRC 450.00 = ULMT x (LRCFC 1.03 - 1), kept out of the planned limit ULMT - LRC "
                              "= 14,550.00")


def test_mcc_explain_prints_the_reserves(workspace, capsys):
    assert main(["explain", "-w", str(workspace.root), *first_envelope(workspace)]) == 0
    out = capsys.readouterr().out
    assert "RCFC" in out and "load limit" in out and "LRCFC" in out


def first_envelope(workspace) -> list[str]:
    from toolkit.config import load_config

    config = load_config(workspace.root)
    env = calculate(config.industry, config.calendar, config.parameters)
    i, j, k = np.argwhere(env.envelope > 0)[0]
    return [env.groups[i], env.ldsos[j], env.dates[k].isoformat()]


def test_ldso_load_limit_includes_its_reserve():
    """Monitoring: an LDSO's outturn may use its reserve (P LRC "re-tries and re-migrations") above the planned
    limit: limit 1,000 + LRC 800 = 1,800; 1,800 is within, 1,801 over; any migration on a closed day is over."""
    migrated = np.array([[1_800, 1_801, 5]])
    limit = np.array([[1_000.0, 1_000.0, 0.0]])
    days = [date(2026, 1, 12), date(2026, 1, 13), date(2026, 1, 17)]
    assert ldso_over_load(migrated, limit, np.array([800.0]), ["AAAA"], days) == [
        ("AAAA", date(2026, 1, 13), 1_801, 1_800.0), ("AAAA", date(2026, 1, 17), 5, 0.0)]


def test_csmt_with_its_reserve_must_stay_within_the_hard_limit(workspace):
    """F5.2.9: "We will not at any point plan for migrations to exceed 280k to provide a buffer to protect the hard
    constraint of 300k." With the reserve above CSMT, 280,000 x RCFC 1.1 = 308,000 would exceed it."""
    (workspace.config / "parameters.toml").write_text("[thresholds]\nrcfc = 1.1\n")
    found = problems(workspace)
    assert ("config/calendar.toml", "csmt[2] value", "280,000 with its reserved capacity (RCFC 1.1) is 308,000 "
            "migrations a day, above the hard limit of 300,000 (F5.2.9; [capacity] csmt_hard_limit)") in found


@pytest.mark.parametrize("value, message", [("abc", "'abc' is not a number"), ("2.0", "2.0 must be 1.5 or less")])
def test_bad_lrcfc_in_ldsos_csv_names_row_and_column(workspace, value, message):
    """Bad input: the optional lrcfc column of config/ldsos.csv."""
    path = workspace.config / "ldsos.csv"
    lines = path.read_text().splitlines()
    lines[0] += ",lrcfc"
    lines[1:] = [ln + ("," + value if i == 1 else ",") for i, ln in enumerate(lines[1:], start=1)]
    path.write_text("\n".join(lines) + "\n")
    found = problems(workspace)
    assert [p for p in found if p[0] == "config/ldsos.csv"] == [("config/ldsos.csv", "row 2, column lrcfc", message)]


def test_bad_reserve_placement_names_the_key(workspace):
    (workspace.config / "parameters.toml").write_text('[capacity]\nreserve_placement = "sideways"\n')
    found = problems(workspace)
    assert any(p[:2] == ("config/parameters.toml", "[capacity] reserve_placement") and "'sideways'" in p[2]
               for p in found), found
