"""The success criteria (Foundations 7) and the sprint review (Foundations 5.4) as pure figures: small worked
examples whose answers are worked out by hand in the comments, never by the code under test."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from toolkit.domain.parameters import Tolerance
from toolkit.domain.review import Submissions, review, used_grants
from toolkit.domain.success import forecast, group_success, period

M11 = date(2025, 10, 1)
DAYS = [M11 + timedelta(days=k) for k in range(10)]  # Wed 1 Oct to Fri 10 Oct 2025


def test_a_group_is_judged_on_its_plan_up_to_its_core_end_lost_days_included():
    planned = np.array([[100] * 10, [50] * 10, [0] * 10])
    migrated = np.array([[95] * 4 + [0] * 6, [40] * 10, [0] * 10])
    # A: core window ends 4 Oct: 4 days, 400 planned, 380 migrated, 95%: met, decided
    # B: core window ends 8 Oct only after 2 lost days (6 Oct without them): 8 days, 400 planned, 320 migrated: 80%
    # C: nothing planned: not judged
    out = group_success(["A", "B", "C"], DAYS, planned, migrated,
                        [date(2025, 10, 4), date(2025, 10, 8), date(2025, 10, 8)], [0, 2, 0], date(2025, 10, 10), 0.9)
    assert [(g.planned_by_core_end, g.migrated_by_core_end, g.closed, g.met, g.status) for g in out] == [
        (400, 380, True, True, "met"), (400, 320, True, False, "missed"), (0, 0, True, False, "no agreed plan")]
    assert out[0].ratio == 0.95 and out[1].ratio == 0.8
    # before its core end, to date only: A on 2 Oct, 200 planned, 190 migrated, still open
    early = group_success(["A"], DAYS[:2], planned[:1, :2], migrated[:1, :2], [date(2025, 10, 4)], [0],
                          date(2025, 10, 2), 0.9)[0]
    assert (early.planned_by_core_end, early.migrated_by_core_end, early.closed, early.status) == \
        (200, 190, False, "on course")


def test_the_threshold_is_a_parameter():
    planned, migrated = np.array([[100] * 10]), np.array([[85] * 10])
    for threshold, status in ((0.9, "missed"), (0.85, "met")):
        g = group_success(["A"], DAYS, planned, migrated, [date(2025, 10, 10)], [0], date(2025, 10, 10), threshold)
        assert g[0].status == status


def test_the_aggregate_of_a_period():
    plan = np.array([100] * 10)
    act = np.array([90] * 5 + [100] * 5)
    p = period("S1", DAYS, plan, act, date(2025, 10, 3), date(2025, 10, 7), 0.9)  # 3..7 Oct: 90+90+90+100+100
    assert (p.planned, p.migrated, p.met) == (500, 470, True)
    assert period("x", DAYS, plan, act, date(2025, 10, 1), date(2025, 10, 2), 0.95).met is False  # 180/200


def test_the_forecast_carries_the_recent_run_rate_to_m15():
    migration_day = np.array([True] * 10)
    covered = np.array([True] * 10)
    act = np.array([0] * 5 + [100] * 5)  # 500 migrated; the last 3 days average 100
    future = [date(2025, 10, 11) + timedelta(days=k) for k in range(5)]
    # 800 in the portfolio: 300 left, 3 days at 100: the third future day, 13 Oct, before M15
    f = forecast(800, DAYS, act, migration_day, covered, future, 0, 3, date(2025, 10, 15))
    assert (f.remaining, f.run_rate, f.completion, f.on_target) == (300, 100.0, date(2025, 10, 13), True)
    # 1,100: 600 left, 6 days needed, only 5 left
    f = forecast(1100, DAYS, act, migration_day, covered, future, 0, 3, date(2025, 10, 15))
    assert (f.completion, f.on_target) == (None, False)
    # 450: already done on the 9th day (0 x5, then 100, 200, 300, 400, 500 -> 450 reached on 10 Oct)
    f = forecast(450, DAYS, act, migration_day, covered, future, 0, 3, date(2025, 10, 15))
    assert (f.remaining, f.completion) == (0, date(2025, 10, 10))


def test_unused_capacity_used_is_outturn_above_the_plan_without_the_grant():
    planned = np.array([[[110, 110, 110]]])  # 100 of its own plan and 10 granted each day
    granted = np.array([[[10, 10, 10]]])
    migrated = np.array([[[95, 104, 130]]])
    # day 1 below its own plan: 0 used; day 2: 4; day 3: above the grant, 10
    assert used_grants(planned, granted, migrated).tolist() == [[[0, 4, 10]]]


def test_the_review_of_a_sprint():
    tol = Tolerance()  # EMT/SMT 5% and 10%
    days = DAYS[:2]
    planned = np.array([[[100, 100], [50, 50]], [[200, 0], [0, 0]]])  # (G=2, L=2, D=2)
    granted = np.zeros_like(planned)
    migrated = np.array([[[100, 100], [45, 46]], [[150, 30], [0, 5]]])
    csmt = np.array([1000, 1000])
    limit = np.array([[500, 500], [100, 100]])
    sub = Submissions(2, 3, 2, 1, 1, 0)
    r = review("S1", days, ["A", "B"], ["X", "Y"], planned, granted, migrated, csmt, limit, tol, sub)
    # pairs: A-X 200/200 level 1; A-Y 91/100 -9% level 2; B-X 180/200 -10% level 2 (up to 10%); B-Y 5/0 level 3
    assert r.level_counts == {1: 1, 2: 2, 3: 1}
    assert r.ldso_planned.tolist() == [400, 100] and r.ldso_migrated.tolist() == [380, 96]
    f = r.figures
    assert (f.planned, f.migrated, f.csmt, f.level3) == (500, 476, 2000, 1)
    assert f.peak_csmt_use == 0.295  # day 1: 100 + 45 + 150 = 295 of 1,000
    assert r.ldso_peak_use.tolist() == [0.5, 0.51]  # X day 1: 250/500; Y day 2: 51/100
