"""Calendar checks of issue 19 item 9, from the documents' own words: phase dates off non-working days, the retro
feedback deadline, key event 14 and the meetings of Choreography 5 in the .ics, the checks of ``mcc check`` (CSMT
below the Operational Threshold, execution starts that are not first Wednesdays) and XRUF for a SIT group starting
after Early Life Support."""

from __future__ import annotations

import csv
from datetime import date, timedelta

import pytest

from tests.conftest import read_answer_csv
from tests.test_config_errors import edit, problems
from toolkit.cli import main
from toolkit.config import load_config
from toolkit.domain.calendar import CalendarSettings, MigrationCalendar
from toolkit.domain.envelopes import calculate, group_phases
from toolkit.domain.sprints import SPRINT_COLUMNS, SprintOffsets, build_sprints, sprint_by_cycle


def demo_calendar(workspace, **phases) -> MigrationCalendar:
    config = load_config(workspace.root)
    settings = config.calendar_settings
    if phases:
        settings = settings.model_copy(update={"sprint_phases": SprintOffsets(**phases)})
    return MigrationCalendar(settings, iruw_weeks=config.parameters.windows.iruw_weeks)


def test_phase_dates_on_non_working_days_move_to_the_next_working_day(workspace):
    """C4.2: "The MCC will not schedule any MHHS MPAN Migration initiations on Migration Non-Working Days. This
    includes weekends and public holidays." C4: the calendar "outlines ... key dates relevant to the operation of
    the Migration Control Centre (MCC) including submission deadlines". S9 executes from Wed 3 Feb 2027: 33 days
    before is Fri 1 Jan 2027, New Year's Day, so its Plan phase starts on Mon 4 Jan 2027. S5 executes from Wed 3 Jun
    2026: its UCA end (+24 from Fri 1 May) is Mon 25 May 2026, the Spring bank holiday, so it is Tue 26 May."""
    cal = demo_calendar(workspace)
    s9, s5 = sprint_by_cycle(cal.sprints, "S9"), sprint_by_cycle(cal.sprints, "S5")
    assert (s9.plan_start, s9.envelope_issue, s9.submission_deadline) == (date(2027, 1, 4), date(2027, 1, 8),
                                                                         date(2027, 1, 15))
    assert (s5.plan_start, s5.uca_start, s5.uca_end, s5.baseline_publication) == (
        date(2026, 5, 1), date(2026, 5, 20), date(2026, 5, 26), date(2026, 5, 28))
    for s in cal.sprints:
        for day in (s.plan_start, s.envelope_issue, s.submission_deadline, s.draft_publication, s.uca_end,
                    s.baseline_publication, s.retro_end):
            assert cal.is_working_day(day), (s.cycle, day)
    # the execution phase itself never moves: it starts on its configured first Wednesday
    assert [s.execution_start for s in cal.sprints] == list(cal.settings.sprint_execution_starts)
    # the MCC may keep calendar-day offsets instead ([sprint_phases] move_to_working_day = false)
    fixed = demo_calendar(workspace, move_to_working_day=False)
    assert sprint_by_cycle(fixed.sprints, "S9").plan_start == date(2027, 1, 1)
    assert sprint_by_cycle(fixed.sprints, "S5").uca_end == date(2026, 5, 25)


def test_choreography_table_3_6_is_reproduced_where_it_keeps_to_working_days():
    """C3.6 ("ILLUSTRATION ONLY") lists S2's UCA End Date as "Mon 26/05/25", which is the Spring bank holiday of
    2025: the table itself does not move dates off bank holidays. With the offsets alone (no calendar, or
    move_to_working_day = false) the table is reproduced exactly; with the move, that one date is Tue 27/05/25."""
    starts = [date(2025, 4, 2), date(2025, 6, 4), date(2025, 8, 6), date(2025, 10, 1)]
    settings = CalendarSettings(m11=date(2025, 4, 2), m14=date(2026, 11, 30), m15=date(2027, 5, 28),
                                sprint_execution_starts=tuple(starts))
    cal = MigrationCalendar(settings)
    expected = read_answer_csv("sprints_choreography_3_6.csv")
    off = build_sprints(starts, SprintOffsets(move_to_working_day=False), date(2027, 5, 28), cal.next_working_day)
    assert [{c: str(v) for c, v in s.as_row().items()} for s in off[:3]] == expected
    moved = [{c: str(v) for c, v in s.as_row().items()} for s in cal.sprints[:3]]
    differences = [(row["sprint"], c, exp[c], row[c]) for row, exp in zip(moved, expected, strict=True)
                   for c in SPRINT_COLUMNS if row[c] != exp[c]]
    assert differences == [("2", "uca_end", "2025-05-26", "2025-05-27")]


def test_the_retro_feedback_deadline_is_never_a_sunday(workspace):
    """C4.4 11 "Retro Sprint Feedback Submission Deadline": a deadline for participants, so on a working day (C4.1
    "Standard business days ... usually Monday to Friday"). Execution ends on a Tuesday, the retro starts on a
    Wednesday, and four days on is a Sunday: the deadline is the Monday after (Wed 3 Dec 2025 + 4 = Sun 7 Dec,
    moved to Mon 8 Dec 2025 for S1)."""
    cal = demo_calendar(workspace)
    deadlines = [e for e in cal.events() if "retro feedback submission deadline" in e.title]
    assert len(deadlines) == len(cal.sprints)
    assert all(cal.is_working_day(e.start) for e in deadlines)
    assert next(e.start for e in deadlines if e.sprint == 1) == date(2025, 12, 8)


def test_no_one_day_event_or_meeting_falls_on_a_non_working_day(workspace):
    """C4.2: weekends and public holidays are Migration Non-Working Days; C4.1: the calendar identifies the working
    dates. Every one-day event the MCC schedules (publications, deadlines, meetings, reports) is on a working day."""
    cal = demo_calendar(workspace)
    one_day = [e for e in cal.events() if e.start == e.end and e.kind not in ("milestone", "execute")]
    assert one_day and all(cal.is_working_day(e.start) for e in one_day)


def test_key_event_14_and_the_meetings_of_choreography_5_are_in_the_ics(workspace, tmp_path):
    """C4.4 "14) Migration Reports Availability/Schedule"; F5.4 "Sprint Execution reporting which will report on
    Migration outturn, exceptions, capacity utilisation daily and weekly during the sprint". C5: M-01.01 "Weekly
    Migration Readiness Meeting" (Sprint Planning Phase, weekly), M-01.02 "Migration Support Meetings" ("Every two
    weeks"), M-02.03 "Daily Stand-up Meeting (Industry Ramp-up)" ("Daily, during the industry-wide ramp-up
    period"), M-02.04 "Daily Stand-up Meeting (Supplier Ramp-up)". Early Life Support runs Wed 1 Oct to Tue 30 Dec
    2025: October has 23 working days, November 20, December to the 30th 20 (Christmas Day and Boxing Day are bank
    holidays): 63 daily stand-ups."""
    out = tmp_path / "cal.ics"
    assert main(["calendar", "--ics", str(out), "-w", str(workspace.root)]) == 0
    text = out.read_bytes().decode().replace("\r\n ", "")  # unfold (RFC 5545 3.1)
    summaries = [line.removeprefix("SUMMARY:") for line in text.split("\r\n") if line.startswith("SUMMARY:")]
    assert sum(s == "M-02.03 daily stand-up (industry ramp-up)" for s in summaries) == 63
    assert "Sprint 1: daily migration reports (outturn\\, exceptions\\, capacity utilisation) each migration day" \
        in summaries
    s1_weekly_reports = sum(s == "Sprint 1: weekly migration report" for s in summaries)
    assert s1_weekly_reports == 9  # Mondays from 6 Oct to 1 Dec 2025 (S1 executes 1 Oct to 2 Dec)
    readiness = [s for s in summaries if s == "Sprint 2: M-01.01 weekly migration readiness meeting"]
    assert len(readiness) == 5  # S2's plan phase runs Fri 31 Oct to Tue 2 Dec 2025: Tuesdays 4 Nov to 2 Dec
    assert sum(s.startswith("M-01.02 migration support meeting") for s in summaries) > 30
    assert sum(s == "M-02.04 daily stand-up (supplier ramp-up)" for s in summaries) > 0
    assert "CATEGORIES:MEETING" in text and "CATEGORIES:REPORT" in text


def test_supplier_ramp_up_stand_ups_are_the_working_days_of_some_groups_ramp_up(workspace):
    """C5 M-02.04: "Daily, during the Supplier ramp-up period"; no group is named in the title (the calendar goes
    to every participant)."""
    from toolkit.services.exports import supplier_ramp_up_days

    config = load_config(workspace.root)
    env = calculate(config.industry, config.calendar, config.parameters)
    days = supplier_ramp_up_days(env)
    phases = [group_phases(g, config.calendar, config.parameters) for g in config.industry.groups if not g.sit]
    first = min(p.migration_start for p in phases)
    assert days[0] == first and all(any(p.migration_start <= d <= p.ramp_up_end for p in phases) for d in days)
    events = [e for e in config.calendar.events(days) if e.title.startswith("M-02.04")]
    assert [e.start for e in events] == [d for d in days if config.calendar.is_working_day(d)]


def test_check_warns_where_csmt_is_below_200000_and_an_execution_start_is_not_a_first_wednesday(workspace, capsys):
    """F5.2.9: "stability at the Operational Threshold of 200k migrations per day"; P CSMT: "This threshold may be
    flexed from time to time between 200K and 280K for each migration day." C3.3: "Sprint execution phases will
    commence on the first Wednesday of each month". 10 Dec 2025 is the second Wednesday (the first is 3 Dec)."""
    cal = workspace.config / "calendar.toml"
    edit(cal, "csmt_default = 200000", "csmt_default = 190000")
    edit(cal, "2025-12-03", "2025-12-10")
    edit(cal, "start = 2026-02-04\nend = 2026-03-31\nvalue = 250000", "start = 2026-02-04\nend = 2026-03-31\n"
         "value = 150000")
    config = load_config(workspace.root)
    found = [(w.file, w.location, w.message) for w in config.warnings]
    below = "below the Operational Threshold of 200,000 migrations a day (F5.2.9; [capacity] csmt_operational)"
    assert ("config/calendar.toml", "csmt_default", f"190,000 is {below}") in found
    assert ("config/calendar.toml", "csmt[1] value", f"150,000 for 2026-02-04 to 2026-03-31 is {below}") in found
    assert ("config/calendar.toml", "sprint_execution_starts[2]",
            "2025-12-10 (Wed) is not the first Wednesday of December 2025 (2025-12-03): execution phases start on "
            "the first Wednesday of a month (Choreography 3.3)") in found
    assert len(found) == 3
    assert main(["check", "-w", str(workspace.root)]) == 0
    out = " ".join(capsys.readouterr().err.split())
    assert "190,000 is below the Operational Threshold" in out and "not the first Wednesday of December" in out


def test_the_operational_threshold_is_a_parameter(workspace):
    """The 200,000 floor of the CSMT warning is ``[capacity] csmt_operational``."""
    (workspace.config / "parameters.toml").write_text("[capacity]\ncsmt_operational = 250000\n")
    found = [w.location for w in load_config(workspace.root).warnings]
    assert found == ["csmt_default"]  # 200,000 by default; the ranges are 250,000 and 280,000


def sit_groups_with_xruf(workspace, after_els: bool) -> str:
    """Make the first SIT group an XRUF group, starting after ELS (Mon 5 Jan 2026) or where it starts."""
    path = workspace.config / "suppliers.csv"
    rows = list(csv.reader(path.read_text().splitlines()))
    header = rows[0]
    sit, start, xruf = header.index("sit"), header.index("migration_start"), header.index("extended_ramp_up")
    group = next(r[1] for r in rows[1:] if r[sit] == "true")
    for r in rows[1:]:
        if r[1] == group:
            r[xruf] = "true"
            if after_els:
                r[start] = "2026-01-05"
    path.write_text("\n".join(",".join(r) for r in rows) + "\n")
    return group


def test_xruf_is_allowed_for_a_sit_group_starting_after_early_life_support(workspace):
    """P XRUF: "NOTE: This is not available to Suppliers with an Industry Ramp-up period." A SIT group starting
    after ELS ends (30 Dec 2025) has no industry ramp-up: its ramp-up is SRUW 22 + XSRUW 22 = 44 migration days
    from Mon 5 Jan 2026 (the Christmas freeze ends on 2 Jan), the 44th being Thu 5 Mar 2026 (January 5-30: 20
    days; February: 20 days; 2-5 March: 4 days)."""
    group = sit_groups_with_xruf(workspace, after_els=True)
    config = load_config(workspace.root)
    g = next(x for x in config.industry.groups if x.mpid == group)
    ph = group_phases(g, config.calendar, config.parameters)
    assert ph.extended_ramp_up and ph.migration_start == date(2026, 1, 5)
    assert ph.ramp_up_end == date(2026, 3, 5)
    assert config.calendar.count_migration_days(date(2026, 1, 5), date(2026, 3, 5)) == 44


def test_xruf_is_refused_for_a_sit_group_starting_inside_early_life_support(workspace):
    """P XRUF, same note: a SIT group starting inside ELS has the industry ramp-up, so no extension."""
    sit_groups_with_xruf(workspace, after_els=False)
    assert any("inside Early Life Support (to 2025-12-30)" in p[2] and "column extended_ramp_up" in p[1]
               for p in problems(workspace))


@pytest.mark.parametrize("toml, location, message", [
    ("[meetings]\nreadiness = \"Sat\"\n", "[meetings] readiness", "'Sat' is not one of"),
    ("[sprint_phases]\nmove_to_working_day = \"sometimes\"\n", "[sprint_phases] move_to_working_day",
     "is not yes or no"),
    ("[sprint_phases]\nretro_feedback = -1\n", "[sprint_phases] retro_feedback", "-1 must be 0 or more"),
])
def test_bad_calendar_settings_name_the_key(workspace, toml, location, message):
    """Bad input: a clear message naming the file and the key."""
    cal = workspace.config / "calendar.toml"
    cal.write_text(cal.read_text().split("# Phase offsets")[0] + toml)
    found = problems(workspace)
    assert any(p[0] == "config/calendar.toml" and p[1] == location and message in p[2] for p in found), found


def test_bad_operational_threshold_names_the_key(workspace):
    (workspace.config / "parameters.toml").write_text("[capacity]\ncsmt_operational = 290000\n")
    found = problems(workspace)
    assert any(p[0] == "config/parameters.toml" and "csmt_operational must not exceed csmt_planning_max" in p[2]
               for p in found), found


def test_s1_plan_phase_readiness_meetings_are_tuesdays(workspace):
    """M-01.01 weekday is ``[meetings] readiness`` (default Tuesday, a choice: C5 says "Weekly")."""
    cal = demo_calendar(workspace)
    days = [e.start for e in cal.events() if "M-01.01" in e.title]
    assert days and all(d.weekday() == 1 or cal.is_working_day(d - timedelta(days=1)) is False for d in days)
