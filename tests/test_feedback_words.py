"""The words of the answers (issue 18): a "what to do" for every rule, counts without plural slips, the receipt time
as a date, and a daily plan compared with a weekly cell holding text says so rather than "the weekly plan says 0"."""

from __future__ import annotations

from datetime import timedelta

from toolkit.domain.findings import RULES
from toolkit.domain.text import counted
from toolkit.excel import contract as C
from toolkit.excel.feedback_text import WHAT_TO_DO, friendly_time
from toolkit.excel.filler import fill_cells


def test_every_rule_has_something_to_do():
    assert set(RULES) <= set(WHAT_TO_DO)
    assert all(WHAT_TO_DO[rule].strip() for rule in RULES)


def test_counts_and_times_read_as_words():
    assert [counted(n, "error") for n in (0, 1, 2, 1200)] == ["0 errors", "1 error", "2 errors", "1,200 errors"]
    assert friendly_time("2026-11-30T16:02:12+00:00") == "Mon 30 Nov 2026 16:02 UTC"
    assert friendly_time("2026-11-30T16:02:12+01:00") == "Mon 30 Nov 2026 16:02 (UTC+0100)"
    assert friendly_time("not a time") == "not a time"


def test_a_weekly_cell_holding_text_is_named_as_text_by_the_daily_check(fresh, tmp_path):
    """METHOD 7 daily.matches-weekly: a week's days against a weekly cell holding text: the finding quotes the
    text instead of calling it 0."""
    valid = fresh.valid("JONV", tmp_path / "valid.xlsx")
    content = fresh.judge.content("JONV", fresh.sprint)
    assert content.daily_required
    week = next(r for r, w in enumerate(content.weeks) if any(w <= d for d in content.days) and
                content.week_open_days[r])
    cell = f"B{10 + week}"  # the weekly grid's first LDSO column, from row 10
    spoiled = fill_cells(valid, tmp_path / "text.xlsx", {(C.SHEET_WEEKLY, cell): "ten"})
    judged = fresh.judge.judge(spoiled, spoiled.name)
    daily = [f for f in judged.findings if f.rule == "daily.matches-weekly" and f.cell == cell]
    assert daily, [f.rule for f in judged.findings]
    assert "holds the text 'ten'" in daily[0].message and "says 0" not in daily[0].message


def test_a_core_window_reaching_m15_leaves_no_ramp_down(fresh):
    """The instructions' phases: no "after Fri 28 May 2027 to M15 Fri 28 May 2027" (issue 18)."""
    from dataclasses import replace

    from toolkit.domain.template import describe_phase_dates

    content = fresh.judge.content("JONV", fresh.sprint)
    to_m15 = dict(describe_phase_dates(replace(content, core_end=content.last_day)))
    assert to_m15["Ramp-down"] == "none: your core window runs to M15"
    earlier = dict(describe_phase_dates(replace(content, core_end=content.last_day - timedelta(days=30))))
    assert earlier["Ramp-down"].startswith("after ") and " to M15 " in earlier["Ramp-down"]
