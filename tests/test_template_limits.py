"""Issue 18: each plan cell's limit where the supplier types. Selecting an input cell shows an input message (its
data validation's prompt, in Excel and LibreOffice, no macros) naming the limit of its LDSO in its week (day); the
limits block starts right after the calendar; the note above the grid says where it is. Read back from issued
templates with openpyxl, the expected limit taken from the sheet's own limits block (headed "<MPID> limit"), and
once through LibreOffice, which keeps every prompt."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import openpyxl
import pytest
from openpyxl.utils import get_column_letter, range_boundaries

from tests.conftest import make_workspace
from tests.inbox_helpers import context
from tests.libreoffice import recalculate
from toolkit.excel import contract as C
from toolkit.services.context import load, resolve_cycle
from toolkit.services.issue import current_templates, issue_templates

ISSUED = datetime(2025, 8, 29, 9, 0, tzinfo=UTC)  # S1: XDNO plans daily, with envelope, de minimis and small LDSOs


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("limits") / "ws")
    config = load(ws)
    s1 = resolve_cycle(config, "S1", date(2025, 9, 1))
    issue_templates(context(ws, config, at=ISSUED), s1, groups=["XDNO", "AFCF"], workers=1)
    return {g: ws.templates_dir("S1") / t.file for g, t in current_templates(ws, "S1").items()}


def _prompts(sheet) -> dict[str, object]:
    """Every cell of the sheet that has a data validation -> that validation (a cell may have one only)."""
    out: dict[str, object] = {}
    for dv in sheet.data_validations.dataValidation:
        for rng in str(dv.sqref).split():
            left, top, right, bottom = range_boundaries(rng)
            for r in range(top, bottom + 1):
                for c in range(left, right + 1):
                    cell = f"{get_column_letter(c)}{r}"
                    assert cell not in out, f"{cell} has two validations"
                    out[cell] = dv
    return out


def _grid(wb, name: str):
    (sheet_name, ref), = wb.defined_names[name].destinations
    left, top, right, bottom = range_boundaries(ref.replace("$", ""))
    return wb[sheet_name], top, left, bottom, right


def _check_sheet(wb, name: str) -> int:
    """Every input cell: a whole-number validation whose prompt names the cell's limit from the limits block (or
    says the week or day is closed, or that a small portfolio has no limit). Returns the cells with a limit."""
    sheet, top, left, bottom, right = _grid(wb, name)
    head = top - 1
    headers = {sheet.cell(head, c).value: c for c in range(1, sheet.max_column + 1)}
    calendar = headers["Calendar"]
    limit_cols = [c for v, c in headers.items() if isinstance(v, str) and v.endswith(" limit")]
    assert min(limit_cols) == calendar + 1  # the limits right after the calendar notes, no empty column between
    where = f"{get_column_letter(min(limit_cols))} to {get_column_letter(max(limit_cols))}"
    assert f"all the limits are in columns {where}" in sheet.cell(2, 1).value  # the note above the grid
    prompts = _prompts(sheet)
    limited = 0
    for c in range(left, right + 1):
        mpid = sheet.cell(head, c).value
        limit_col = headers[f"{mpid} limit"]
        for r in range(top, bottom + 1):
            dv = prompts[f"{get_column_letter(c)}{r}"]
            assert (dv.type, dv.operator, dv.formula1, dv.showInputMessage) == ("whole", "greaterThanOrEqual", "0",
                                                                               True)
            text = f"{dv.promptTitle}\n{dv.prompt}"
            limit = sheet.cell(r, limit_col).value
            closed = sheet.cell(r, left).protection.locked  # closed weeks (days) are locked and grey
            if closed:
                assert re.match(r"Closed week|Not a migration day", dv.promptTitle), (mpid, r, text)
            elif limit == "no limit":
                assert "no limit" in text.lower(), (mpid, r, text)
            else:
                limited += 1
                assert f"Limit {limit:,} " in dv.promptTitle and f"at most {limit:,} migrations" in dv.prompt, \
                    (mpid, r, limit, text)
                assert f"columns {where}" in dv.prompt
    return limited


def test_every_input_cell_with_a_limit_names_it_when_selected(templates):
    wb = openpyxl.load_workbook(templates["XDNO"])
    weekly, daily = _check_sheet(wb, C.PLAN_WEEKLY), _check_sheet(wb, C.PLAN_DAILY)
    assert weekly > 100 and daily > 20
    sheet = wb[C.SHEET_WEEKLY]
    count = len(sheet.data_validations.dataValidation)
    assert count < weekly / 2  # cells with the same message share one validation
    messages = " ".join(dv.prompt for dv in sheet.data_validations.dataValidation)
    for words in ("De minimis in this LDSO", "Your weekly envelope", "Small portfolio"):
        assert words in messages, words
    assert re.search(r"\d migration days? open to you; (ramp-up|core)", messages)
    afcf = openpyxl.load_workbook(templates["AFCF"])
    assert _check_sheet(afcf, C.PLAN_WEEKLY) > 100
    text = " ".join(str(c.value) for row in afcf[C.SHEET_INSTRUCTIONS].iter_rows() for c in row if c.value)
    assert "select a cell to see its limit" in text.lower()


def test_libreoffice_keeps_every_prompt(templates, tmp_path):
    """LibreOffice reads the input messages (its "input help") and writes them back unchanged."""
    (out,) = recalculate([templates["XDNO"]], tmp_path / "out", tmp_path, processes=1)
    wb = openpyxl.load_workbook(out)
    assert _check_sheet(wb, C.PLAN_WEEKLY) > 100 and _check_sheet(wb, C.PLAN_DAILY) > 20
