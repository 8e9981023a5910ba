"""The Migration Calendar against real bank holidays, weekends, excluded ranges and CSMT ranges."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.conftest import read_answer_csv
from toolkit.domain.calendar import CalendarSettings, CsmtRange, ExcludedRange, MigrationCalendar


def make_calendar(**overrides) -> MigrationCalendar:
    settings = dict(m11=date(2025, 10, 1), m14=date(2026, 11, 30), m15=date(2027, 5, 28),
                    excluded=(ExcludedRange(start=date(2025, 12, 22), end=date(2026, 1, 2),
                                            reason="Christmas freeze"),),
                    csmt=(CsmtRange(start=date(2026, 4, 1), end=date(2027, 5, 28), value=280_000),),
                    sprint_execution_starts=(date(2025, 10, 1),))
    settings.update(overrides)
    return MigrationCalendar(CalendarSettings(**settings))


def test_bank_holidays_match_gov_uk_for_england_and_wales():
    cal = make_calendar()
    expected = {date.fromisoformat(r["date"]) for r in read_answer_csv("bank_holidays_england_wales.csv")}
    found = {cal.date_at(i) for i in range(len(cal.dates))
             if cal.bank_holiday[i] and cal.date_at(i).year in (2025, 2026, 2027) and cal.date_at(i).weekday() < 5}
    assert found == expected


@pytest.mark.parametrize(("day", "reason"), [
    (date(2026, 4, 3), "Good Friday"),
    (date(2026, 4, 6), "Easter Monday"),
    (date(2027, 3, 29), "Easter Monday"),
    (date(2026, 12, 28), "Boxing Day (observed)"),  # Boxing Day 2026 is a Saturday: substitute Monday
    (date(2026, 10, 3), "weekend"),
    (date(2025, 12, 23), "Christmas freeze"),
    (date(2025, 9, 30), "before M11"),
    (date(2027, 6, 1), "after M15"),
])
def test_non_migration_days_name_their_reason(day, reason):
    cal = make_calendar()
    assert not cal.is_migration_day(day)
    assert cal.reason(day) == reason
    assert cal.csmt(day) == 0


def test_excluded_days_are_working_days_but_not_migration_days():
    cal = make_calendar()
    assert cal.is_working_day(date(2025, 12, 23))
    assert not cal.is_migration_day(date(2025, 12, 23))
    assert cal.is_migration_day(date(2025, 12, 19))
    assert cal.is_migration_day(date(2026, 1, 5))


def test_scottish_calendar_uses_scottish_bank_holidays():
    cal = make_calendar(holiday_region="SCT")
    assert cal.reason(date(2026, 8, 3)) == "Summer Bank Holiday"
    assert cal.is_migration_day(date(2026, 8, 31))


def test_csmt_by_date_range():
    cal = make_calendar()
    assert cal.csmt(date(2026, 3, 31)) == 200_000
    assert cal.csmt(date(2026, 4, 2)) == 280_000


def test_migration_days_in_a_week_with_a_bank_holiday():
    cal = make_calendar()
    # week of Easter 2026: Mon 6 April is Easter Monday
    assert cal.migration_days(date(2026, 4, 6), date(2026, 4, 10)) == [date(2026, 4, d) for d in (7, 8, 9, 10)]
    assert cal.count_migration_days(date(2026, 4, 6), date(2026, 4, 10)) == 4


def test_nth_migration_day_skips_weekends_holidays_and_excluded_days():
    cal = make_calendar()
    assert cal.nth_migration_day(date(2025, 10, 1), 1) == date(2025, 10, 1)
    assert cal.nth_migration_day(date(2025, 10, 1), 22) == date(2025, 10, 30)  # 23 Oct calendar days, 22 weekdays
    # from Fri 19 Dec 2025, the 2nd migration day is after the freeze and New Year: Mon 5 Jan 2026
    assert cal.nth_migration_day(date(2025, 12, 19), 2) == date(2026, 1, 5)


def test_activation_offset_across_a_bank_holiday():
    cal = make_calendar()
    # initiation Thu 2 April 2026; five working days skip Good Friday and Easter Monday
    assert cal.add_working_days(date(2026, 4, 2), 5) == date(2026, 4, 13)
    assert cal.working_days_between(date(2026, 4, 2), date(2026, 4, 13)) == 5
    # MAO counts working days, not migration days: excluded days still count (P MAOdef note)
    assert cal.add_working_days(date(2025, 12, 22), 2) == date(2025, 12, 24)
    assert cal.add_working_days(date(2026, 4, 2), 0) == date(2026, 4, 2)


def test_working_days_between_is_the_inverse_of_add_working_days():
    cal = make_calendar()
    start = date(2025, 12, 18)
    for n in range(0, 15):
        assert cal.working_days_between(start, cal.add_working_days(start, n)) == n


def test_els_window_defaults_to_iruw_weeks_from_m11():
    cal = make_calendar()
    assert cal.els_start == date(2025, 10, 1)
    assert cal.els_end == date(2025, 10, 1) + timedelta(weeks=13, days=-1)


def test_window_runs_m11_to_m15():
    cal = make_calendar()
    window = cal.window()
    assert window[0] == date(2025, 10, 1) and window[-1] == date(2027, 5, 28)
    assert all(cal.is_migration_day(d) == (d in set(cal.migration_days())) for d in window)


def test_events_include_every_key_migration_event_of_a_sprint():
    cal = make_calendar(sprint_execution_starts=(date(2025, 10, 1), date(2025, 12, 3)))
    titles = [e.title for e in cal.events() if e.sprint == 1]
    for expected in ("MCC envelope publish", "submission deadline", "validation window", "draft migration schedule",
                     "UCA request window", "baseline migration schedule", "execution starts", "execution ends",
                     "weekly stand-up", "monthly review", "retro feedback", "findings report", "retro meeting"):
        assert any(expected in t for t in titles), expected


def test_last_migration_day_on_or_before():
    cal = make_calendar()
    assert cal.last_migration_day_on_or_before(date(2025, 12, 30)) == date(2025, 12, 19)  # freeze from 22 Dec
    assert cal.last_migration_day_on_or_before(date(2026, 4, 6)) == date(2026, 4, 2)  # Good Friday, Easter Monday
    assert cal.last_migration_day_on_or_before(date(2025, 10, 1)) == date(2025, 10, 1)
    assert cal.last_migration_day_on_or_before(date(2025, 9, 30)) is None
