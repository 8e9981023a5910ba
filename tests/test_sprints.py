"""Sprint phase dates against the Choreography's illustrative table 3.6."""

from __future__ import annotations

from datetime import date

from tests.conftest import read_answer_csv
from toolkit.domain.sprints import SPRINT_COLUMNS, SprintOffsets, build_sprints, first_wednesdays, planning_sprint


def test_first_three_sprints_equal_choreography_table_3_6():
    starts = [date(2025, 4, 2), date(2025, 6, 4), date(2025, 8, 6), date(2025, 10, 1)]
    sprints = build_sprints(starts, SprintOffsets(), m15=date(2027, 5, 28))
    expected = read_answer_csv("sprints_choreography_3_6.csv")
    got = [{c: (v.isoformat() if isinstance(v, date) else str(v)) for c, v in s.as_row().items()}
           for s in sprints[:3]]
    assert got == expected
    assert list(expected[0]) == list(SPRINT_COLUMNS)


def test_last_sprint_executes_until_m15():
    sprints = build_sprints([date(2027, 2, 3)], SprintOffsets(), m15=date(2027, 5, 28))
    assert sprints[-1].execution_end == date(2027, 5, 28)


def test_first_wednesdays_every_two_months_then_monthly():
    starts = first_wednesdays(date(2025, 10, 1), 6, months_step=2, monthly_from=date(2026, 4, 1))
    assert starts == [date(2025, 10, 1), date(2025, 12, 3), date(2026, 2, 4), date(2026, 4, 1), date(2026, 5, 6),
                      date(2026, 6, 3)]


def test_planning_sprint_is_the_next_to_execute():
    sprints = build_sprints([date(2025, 10, 1), date(2025, 12, 3)], SprintOffsets(), m15=date(2027, 5, 28))
    assert planning_sprint(sprints, date(2025, 11, 20)).sprint == 2
    assert planning_sprint(sprints, date(2025, 9, 1)).sprint == 1
    assert planning_sprint(sprints, date(2026, 1, 1)).sprint == 2
