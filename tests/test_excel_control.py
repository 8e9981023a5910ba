"""The Excel front door without Excel: every action of the control workbook run through a stand-in for the few
xlwings calls the adapter uses, asserting on what it writes back; the generated .xlsm (macro-enabled, the
installed xlwings' VBA project, the Run button bound to its macro, the xlwings.conf sheet); and mcc_control.py
importing with xlwings installed and running an action."""

from __future__ import annotations

import importlib.util
import shutil
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import make_workspace
from tests.inbox_helpers import TODAY, Returns
from toolkit.cli import main
from toolkit.excel.writers.control import ACTION_LABELS, ACTION_NEEDS, MACRO, standalone_vba, write_control_workbook
from toolkit.store.ledger import Ledger
from toolkit.xl import adapter as A
from toolkit.xl.actions import ACTIONS

NOW = datetime(2026, 11, 12, 9, 30, tzinfo=UTC)


class FakeRange:
    def __init__(self, sheet: FakeSheet, address: str):
        self.sheet, self.address = sheet, address

    def _origin(self) -> tuple[int, int]:
        letters = "".join(c for c in self.address if c.isalpha())
        col = 0
        for c in letters:
            col = col * 26 + ord(c.upper()) - 64
        return int(self.address[len(letters):]), col

    @property
    def value(self):
        return self.sheet.cells.get(self._origin())

    @value.setter
    def value(self, value):
        """Like xlwings: a scalar fills one cell, a list of rows fills the block from this cell."""
        r0, c0 = self._origin()
        if isinstance(value, list) and value and isinstance(value[0], list):
            for dr, row in enumerate(value):
                for dc, v in enumerate(row):
                    self.sheet.cells[(r0 + dr, c0 + dc)] = v
        else:
            self.sheet.cells[(r0, c0)] = value


class FakeSheet:
    def __init__(self, name: str):
        self.name, self.cells = name, {}

    def range(self, address: str) -> FakeRange:
        return FakeRange(self, address)

    def clear_contents(self) -> None:
        self.cells.clear()

    def table(self) -> list[list]:
        if not self.cells:
            return []
        rows, cols = max(r for r, _ in self.cells), max(c for _, c in self.cells)
        return [[self.cells.get((r, c)) for c in range(1, cols + 1)] for r in range(1, rows + 1)]


class FakeSheets:
    def __init__(self, names):
        self._sheets = [FakeSheet(n) for n in names]

    def __iter__(self):
        return iter(self._sheets)

    def __getitem__(self, name: str) -> FakeSheet:
        for s in self._sheets:
            if s.name == name:
                return s
        raise KeyError(name)

    def add(self, name: str, after: FakeSheet | None = None) -> FakeSheet:
        sheet = FakeSheet(name)
        self._sheets.insert(self._sheets.index(after) + 1 if after else 0, sheet)
        return sheet


class FakeBook:
    """The control workbook as the adapter sees it through xlwings."""

    def __init__(self, action: str, group: str = "", file: str = "", cycle: str = "", workspace: str = ""):
        self.sheets = FakeSheets([A.CONTROL, "xlwings.conf", "Status"])
        control = self.sheets[A.CONTROL]
        for cell, value in ((A.ACTION, action), (A.GROUP, group), (A.FILE, file), (A.CYCLE, cycle),
                            (A.WORKSPACE, workspace)):
            control.range(cell).value = value or None

    def outcome(self) -> str:
        return self.sheets[A.CONTROL].range(A.OUTCOME).value

    def table(self, sheet: str) -> list[list]:
        return self.sheets[sheet].table()


@pytest.fixture(scope="module")
def returned(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("xl") / "ws")
    r = Returns(ws, ["JONV", "AAUC"])
    files = tmp_path_factory.mktemp("files")
    return r, r.valid("JONV", files / "jonv.xlsx"), r.over_limit("AAUC", files / "aauc.xlsx")


def _run(book: FakeBook, ws) -> object:
    return A.run(book, ws.root, today=TODAY, now=NOW)


def test_refresh_the_status(returned):
    r, _, _ = returned
    book = FakeBook("Refresh the status", cycle="S8")
    result = _run(book, r.ws)
    table = book.table("Status")
    assert table[0][:4] == ["group", "name", "submitted", "accepted"]
    assert len(table) == 1 + len(r.config.industry.groups)
    assert book.outcome().startswith("Sprint 8 (S8), deadline Fri 13 Nov 2026:") and result.ok
    assert book.sheets[A.CONTROL].range(A.OUTPUT).value == "Status"
    assert book.sheets[A.CONTROL].range(A.LAST_RUN).value == "2026-11-12T09:30:00+00:00"


def test_validate_a_workbook_shows_its_findings(returned):
    r, good, (bad, cell) = returned
    book = FakeBook("Validate a workbook", file=str(bad))
    _run(book, r.ws)
    table = book.table("Findings")
    assert table[0] == ["severity", "rule", "sheet", "cell", "LDSO", "date", "value", "message", "hint"]
    assert ["error", cell] in [[row[0], row[3]] for row in table[1:]]  # the over-limit cell, as the validator says
    assert book.outcome().startswith("REJECTED: aauc.xlsx, ")
    book = FakeBook("Validate a workbook", file=f'"{good}"')  # pasted with quotes from Explorer's "Copy as path"
    _run(book, r.ws)
    assert book.outcome().startswith("ACCEPTED: jonv.xlsx, 0 errors")
    assert [row[0] for row in book.table("Findings")[1:]] in ([], ["warning"] * (len(book.table("Findings")) - 1))


def test_process_the_inbox_now_and_formula_looking_names_stay_text(returned, tmp_path):
    r, good, _ = returned
    shutil.copyfile(good, r.ws.inbox / "=HYPERLINK(1).xlsx")
    book = FakeBook("Process the inbox now")
    _run(book, r.ws)
    (header, row) = book.table("Inbox")
    assert header[:3] == ["#", "file", "status"]
    assert row[1] == "'=HYPERLINK(1).xlsx"  # the apostrophe keeps it text in Excel
    assert row[2] == "accepted" and row[3] == "JONV"
    assert book.outcome() == "1 files processed: 1 accepted"
    assert [x.status for x in Ledger(r.ws.workbooks / "ledger.sqlite").rows("S8")] == ["accepted"]


def test_consolidate_the_accepted_plans(returned):
    r, _, _ = returned
    book = FakeBook("Consolidate the accepted plans", cycle="S8")
    _run(book, r.ws)
    assert book.table("Breaches")[0][:3] == ["scope", "day or week", "date"]
    plans = sum(row.status == "accepted" for row in Ledger(r.ws.workbooks / "ledger.sqlite").rows("S8"))
    assert book.outcome().startswith(f"Draft schedule draft_schedule_v01.xlsx: {plans} plans, {70 - plans} groups "
                                     "without one, ")
    assert (r.ws.workbooks / "S8" / "schedule" / "draft_schedule_v01.xlsx").is_file()


def test_issue_the_template_of_a_group(returned):
    r, _, _ = returned
    book = FakeBook("Issue the template of a group", group="afcf", cycle="S8")
    _run(book, r.ws)
    (header, row) = book.table("Templates")
    assert header == ["group", "version", "file", "issued at", "return by"]
    assert row[:2] == ["AFCF", 1] and Path(row[2]).is_file() and row[4] == "Fri 13 Nov 2026"
    assert book.outcome() == "Issued MCC-plan_S8_AFCF_v01.xlsx for sprint 8 (S8)"


@pytest.mark.parametrize(("action", "group", "said"), [
    ("", "", "error: choose an action in B4: Issue the template of a group;"),
    ("Issue the template of a group", "", "error: choose a supplier group (Supplier group cell)"),
    ("Issue the template of a group", "ZZZZ", "error: no supplier group ZZZZ in config/suppliers.csv"),
    ("Validate a workbook", "", "error: give the workbook to validate"),
])
def test_mistakes_are_told_on_the_control_sheet_not_raised(returned, action, group, said):
    r, _, _ = returned
    book = FakeBook(action, group=group)
    result = _run(book, r.ws)
    assert not result.ok and book.outcome().startswith(said)
    assert [s.name for s in book.sheets] == [A.CONTROL, "xlwings.conf", "Status"]  # no result sheet


def test_an_unexpected_error_is_shown_with_its_traceback(returned, monkeypatch):
    r, _, _ = returned

    def broken(*_):
        raise RuntimeError("boom")

    monkeypatch.setitem(ACTIONS, "Refresh the status", broken)
    book = FakeBook("Refresh the status")
    _run(book, r.ws)
    assert book.outcome() == "internal error: RuntimeError: boom (the Error sheet has the details)"
    assert any("RuntimeError: boom" in str(row[0]) for row in book.table("Error"))


def test_the_workspace_cell_chooses_the_workspace(returned, tmp_path):
    r, _, _ = returned
    book = FakeBook("Refresh the status", workspace=str(tmp_path / "nowhere"))
    _run(book, r.ws)
    assert book.outcome().startswith("error: ") and "is not a workspace" in book.outcome()


def test_the_control_workbook_is_macro_enabled_with_the_button_bound_to_the_xlwings_macro(returned, tmp_path):
    r, _, _ = returned
    assert main(["control-workbook", "--out", str(tmp_path / "xl"), "--interpreter",
                 r"C:\mcc\.venv\Scripts\python.exe", "-w", str(r.ws.root)]) == 0
    path = tmp_path / "xl" / "mcc_control.xlsm"
    with zipfile.ZipFile(path) as z:
        types = z.read("[Content_Types].xml").decode()
        assert ('PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"'
                in types)
        assert z.read("xl/vbaProject.bin") == standalone_vba()[0]  # the installed xlwings' VBA, as it is
        vml = z.read("xl/drawings/vmlDrawing1.vml").decode()
        assert f"<x:FmlaMacro>[0]!{MACRO}</x:FmlaMacro>" in vml and ">Run<" in vml
        assert 'codeName="ThisWorkbook"' in z.read("xl/workbook.xml").decode()
    wb = openpyxl.load_workbook(path, keep_vba=True)
    assert wb.sheetnames == [A.CONTROL, "xlwings.conf", "Status"]
    conf = {row[0]: row[1] for row in wb["xlwings.conf"].iter_rows(values_only=True)}
    assert conf["Interpreter_Win"] == r"C:\mcc\.venv\Scripts\python.exe"
    assert conf["PYTHONPATH"] == str(tmp_path / "xl")
    control = wb[A.CONTROL]
    assert control[A.WORKSPACE].value == str(r.ws.root)
    (validation,) = control.data_validations.dataValidation
    assert A.ACTION in str(validation.sqref)
    assert validation.formula1.strip('"').split(",") == list(ACTIONS)


def test_mcc_control_py_imports_with_xlwings_and_runs_an_action(returned, tmp_path, monkeypatch):
    r, _, _ = returned
    files = write_control_workbook(tmp_path / "xl", r.ws.root)
    spec = importlib.util.spec_from_file_location("mcc_control", files.module)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "mcc_control", module)
    spec.loader.exec_module(module)
    assert str(r.ws.root) == module.WORKSPACE
    import xlwings

    assert module.xw is xlwings and xlwings.__version__ == files.xlwings_version == "0.37.8"
    monkeypatch.setenv("MCC_TODAY", TODAY.isoformat())
    book = FakeBook("Refresh the status", cycle="S8")
    module.main(book)
    assert book.outcome().startswith("Sprint 8 (S8)") and len(book.table("Status")) == 71


def test_libreoffice_opens_the_control_workbook(returned, tmp_path):
    from tests.libreoffice import recalculate

    r, _, _ = returned
    files = write_control_workbook(tmp_path / "xl", r.ws.root)
    # the helper saves under the same name as .xlsx; LibreOffice tells the format by the content, not the name
    copy = tmp_path / "control.xlsx"
    shutil.copyfile(files.workbook, copy)
    (out,) = recalculate([copy], tmp_path / "out", tmp_path, processes=1)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [A.CONTROL, "xlwings.conf", "Status"]
    assert wb[A.CONTROL][A.ACTION].value == next(iter(ACTIONS))


def test_every_label_of_the_control_sheet_has_its_action_in_the_same_order():
    assert tuple(ACTIONS) == ACTION_LABELS
    assert tuple(ACTION_NEEDS) == ACTION_LABELS  # the "what each action needs" rows follow the list
    assert all(callable(action) for action in ACTIONS.values())
