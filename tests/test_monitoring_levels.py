"""Tolerance levels (Parameters EMT/SMT; METHOD 9): the boundaries exactly at 5% and 10% from a hand-worked answer
file, daily against cumulative, zero-plan days, and provisional shortfalls not escalated."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from tests.conftest import read_answer_csv
from toolkit.domain.monitoring import EXCESS, SHORTFALL, Actuals, levels, monitor
from toolkit.domain.parameters import Tolerance

DIRECTIONS = {"excess": EXCESS, "shortfall": SHORTFALL, "on plan": 0}
CASES = read_answer_csv("monitoring_levels.csv")


@pytest.mark.parametrize("case", CASES, ids=[c["why"] for c in CASES])
def test_levels_from_the_answer_file(case):
    level, direction = levels(np.array([int(case["actual"])]), np.array([int(case["plan"])]), Tolerance())
    assert (int(level[0]), int(direction[0])) == (int(case["level"]), DIRECTIONS[case["direction"]])


def test_the_tolerances_are_parameters():
    tight = Tolerance(emt_l1=0.02, emt_l2=0.04, smt_l1=0.03, smt_l2=0.075)
    plan = np.array([100, 100, 100, 100, 200, 200])
    actual = np.array([102, 103, 105, 97, 185, 184])
    level, _ = levels(actual, plan, tight)
    assert level.tolist() == [1, 2, 3, 1, 2, 3]  # 185 of 200 is exactly -7.5%: level 2


def _actuals(migrated: np.ndarray, provisional: np.ndarray | None = None) -> Actuals:
    return Actuals(migrated, migrated, migrated, np.zeros(migrated.shape, bool) if provisional is None
                   else provisional)


DAYS = [date(2027, 1, 4) + timedelta(days=k) for k in range(5)]


def test_a_bad_day_in_a_good_sprint_is_level_3_daily_and_level_1_cumulative():
    plan = np.full((1, 1, 5), 100)
    actual = np.array([[[100, 100, 100, 100, 115]]])
    mon = monitor(plan, _actuals(actual), ["G1"], ["L1"], DAYS, Tolerance())
    assert mon.daily_level[0, 0].tolist() == [1, 1, 1, 1, 3]
    assert mon.cumulative_level[0, 0].tolist() == [1, 1, 1, 1, 1]  # 515 against 500: +3%
    assert [(e.scope, e.day, e.direction) for e in mon.escalations] == [("day", DAYS[4], "excess")]


def test_a_steady_excess_is_level_2_every_day_and_cumulatively():
    plan = np.full((1, 1, 5), 100)
    actual = np.full((1, 1, 5), 107)
    mon = monitor(plan, _actuals(actual), ["G1"], ["L1"], DAYS, Tolerance())
    assert mon.daily_level[0, 0].tolist() == [2] * 5 and mon.cumulative_level[0, 0].tolist() == [2] * 5
    assert mon.escalations == []


def test_a_shortfall_made_up_later_is_level_3_on_the_days_and_level_1_for_the_sprint():
    plan = np.full((1, 1, 5), 100)
    actual = np.array([[[80, 100, 100, 100, 120]]])
    mon = monitor(plan, _actuals(actual), ["G1"], ["L1"], DAYS, Tolerance())
    assert mon.daily_level[0, 0].tolist() == [3, 1, 1, 1, 3]
    assert mon.daily_direction[0, 0].tolist() == [SHORTFALL, 0, 0, 0, EXCESS]
    # cumulatively -20%, -10%, -6.7%, -5%, then exactly on plan
    assert mon.cumulative_level[0, 0].tolist() == [3, 2, 2, 1, 1]
    assert [(e.scope, e.day, e.direction) for e in mon.escalations] == [("day", DAYS[0], "shortfall"),
                                                                       ("day", DAYS[4], "excess")]


def test_zero_plan_days():
    plan = np.array([[[0, 0, 100, 0, 0]]])
    actual = np.array([[[0, 30, 100, 0, 0]]])
    mon = monitor(plan, _actuals(actual), ["G1"], ["L1"], DAYS, Tolerance())
    assert mon.daily_level[0, 0].tolist() == [0, 3, 1, 0, 0]
    # cumulatively: 30 against nothing on day 2 (level 3), 130 against 100 from day 3 (+30%: level 3)
    assert mon.cumulative_level[0, 0].tolist() == [0, 3, 3, 3, 3]
    day = [e for e in mon.escalations if e.scope == "day"]
    assert [(e.day, e.plan, e.actual, e.unplanned) for e in day] == [(DAYS[1], 0, 30, True)]


def test_a_shortfall_still_waiting_for_its_completions_is_not_escalated():
    plan = np.full((2, 1, 5), 100)
    actual = np.array([[[100, 100, 100, 100, 70]], [[100, 100, 100, 100, 70]]])
    provisional = np.zeros((2, 1, 5), bool)
    provisional[1, 0, 4] = True  # group 2's last day: IF-036s not all in
    mon = monitor(plan, _actuals(actual, provisional), ["G1", "G2"], ["L1"], DAYS, Tolerance())
    assert mon.daily_level[:, 0, 4].tolist() == [3, 3]  # shown as level 3 for both
    assert [(e.group, e.scope) for e in mon.escalations] == [("G1", "day")]  # escalated for the final figure only
