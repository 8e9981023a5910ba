"""Write the MCC control workbook ``mcc_control.xlsm`` and the ``mcc_control.py`` its Run button calls.

The VBA comes from the installed xlwings at run time (its standalone quickstart workbook embeds the whole xlwings
VBA module and a macro ``SampleCall`` that runs ``import <workbook name>; <workbook name>.main()``), so the VBA
and the Python side are always the same xlwings version; the project pins xlwings for that reason. No VBA is
written or edited here (that cannot be done without Excel): the button is bound to ``SampleCall``, and the
workbook is named ``mcc_control`` so that the macro imports ``mcc_control.py`` from beside it.

Sheets: ``Control`` (the action selector, its arguments, the Run button, the outcome of the last run),
``xlwings.conf`` (the interpreter and PYTHONPATH RunPython uses) and ``Status`` (filled by the first run of
"Refresh the status"); each action writes its table into a sheet of its own.

The module owns the Control sheet's contract: its name, the cells the adapter (``toolkit.xl.adapter``) reads and
writes, and the action labels with what each needs; ``toolkit.xl.actions`` binds a function to each label.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import io
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import ToolkitError
from toolkit.excel.book import GRID_BORDER, NEUTRAL_FILL, NOTE_FONT, book, print_setup, row_height

NAME = "mcc_control"
MACRO = "SampleCall"  # the macro of xlwings' standalone quickstart workbook
CONTROL = "Control"  # the sheet
# the cells of the Control sheet: what the adapter reads (the request) ...
ACTION, GROUP, FILE, CYCLE, WORKSPACE = "B4", "B5", "B6", "B7", "B8"
# ... and what it writes (the outcome of the last run)
LAST_RUN, OUTCOME, OUTPUT = "B11", "B12", "B13"

# the actions, in the order of the list on the Control sheet, and what each needs filled in
ISSUE_TEMPLATE = "Issue the template of a group"
VALIDATE_WORKBOOK = "Validate a workbook"
PROCESS_INBOX = "Process the inbox now"
CONSOLIDATE = "Consolidate the accepted plans"
REFRESH_STATUS = "Refresh the status"
ACTION_NEEDS = {ISSUE_TEMPLATE: "Supplier group (and Sprint, or the one being planned today)",
                VALIDATE_WORKBOOK: "Workbook to validate: its full path",
                PROCESS_INBOX: "nothing: every file waiting in the workspace's inbox/",
                CONSOLIDATE: "nothing (Sprint optional)",
                REFRESH_STATUS: "nothing (Sprint optional)"}
ACTION_LABELS = tuple(ACTION_NEEDS)
ENTRY_FILL = "#FFF2CC"  # the cells MCC staff fill in
ENTRY_BORDER = "#BF9000"
PY_TEMPLATE = '''"""Called by the Run button of mcc_control.xlsm (written by `mcc control-workbook`; write it again
rather than editing it). xlwings' RunPython imports this module from the workbook's folder and calls main()."""

import xlwings as xw

from toolkit.xl.adapter import run

WORKSPACE = {workspace!r}  # used when the Workspace cell of the Control sheet is empty


def main(book=None):
    run(book or xw.Book.caller(), WORKSPACE)


if __name__ == "__main__":
    xw.Book("{name}.xlsm").set_mock_caller()
    main()
'''


@dataclass(frozen=True)
class ControlFiles:
    workbook: Path
    module: Path
    xlwings_version: str


def standalone_vba() -> tuple[bytes, str]:
    """The VBA project of the installed xlwings' standalone quickstart workbook, and the xlwings version. xlwings is
    found, not imported: this layer needs only its files."""
    spec = importlib.util.find_spec("xlwings")
    if spec is None or spec.origin is None:  # pragma: no cover - xlwings is a dependency
        raise ToolkitError("xlwings is not installed: pip install the toolkit again")
    version = importlib.metadata.version("xlwings")
    source = Path(spec.origin).resolve().parent / "quickstart_standalone.xlsm"
    if not source.is_file():
        raise ToolkitError(f"the installed xlwings {version} has no standalone quickstart workbook "
                           f"({source}); install the version the toolkit pins")
    with zipfile.ZipFile(source) as z:
        return z.read("xl/vbaProject.bin"), version


def write_control_workbook(folder: Path, workspace: Path, interpreter: str | None = None) -> ControlFiles:
    """``folder/mcc_control.xlsm`` and ``folder/mcc_control.py`` for the workspace at ``workspace``.

    ``interpreter`` is the Python RunPython starts (on Windows, the workspace's ``.venv\\Scripts\\python.exe``);
    by default this Python when run on Windows, else left empty (xlwings then uses ``python`` on the PATH).
    """
    vba, version = standalone_vba()
    path = folder / f"{NAME}.xlsm"
    if interpreter is None:
        interpreter = sys.executable if sys.platform == "win32" else ""
    with book(path, "MCC control workbook") as wb:
        wb.add_vba_project(io.BytesIO(vba), is_stream=True)
        wb.set_vba_name("ThisWorkbook")
        _control_sheet(wb, workspace, version)
        conf = wb.add_worksheet("xlwings.conf")
        conf.set_vba_name("Sheet2")
        conf.set_column(0, 0, 22)
        conf.set_column(1, 1, 80)
        settings = [("Interpreter_Win", interpreter), ("PYTHONPATH", str(folder)), ("Show Console", "False"),
                    ("ADD_WORKBOOK_TO_PYTHONPATH", "True")]
        for k, (key, value) in enumerate(settings):  # RunPython reads these from A1 down
            conf.write_string(k, 0, key)
            conf.write_string(k, 1, value)
        status = wb.add_worksheet("Status")
        status.write_string(0, 0, "Run 'Refresh the status' to fill this sheet.")
        print_setup(conf, orientation="portrait")
        print_setup(status, orientation="portrait")
    module = folder / f"{NAME}.py"
    module.write_text(PY_TEMPLATE.format(workspace=str(workspace), name=NAME), encoding="utf-8")
    return ControlFiles(path, module, version)


def _control_sheet(wb, workspace: Path, version: str) -> None:
    title = wb.add_format({"bold": True, "font_size": 14})
    label = wb.add_format({"bold": True, "align": "right", "valign": "top"})
    note = wb.add_format({"italic": True, "font_color": NOTE_FONT, "text_wrap": True, "valign": "top"})
    entry = wb.add_format({"bg_color": ENTRY_FILL, "border": 1, "border_color": ENTRY_BORDER})
    shown = wb.add_format({"bg_color": NEUTRAL_FILL, "border": 1, "border_color": GRID_BORDER, "text_wrap": True,
                           "valign": "top"})
    ws = wb.add_worksheet(CONTROL)
    ws.set_vba_name("Sheet1")  # the code names the xlwings VBA project expects
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 70)
    ws.set_column(2, 2, 4)
    ws.set_column(3, 3, 16)
    ws.write(0, 0, "MCC control", title)
    ws.merge_range(1, 0, 1, 3, "Choose an action, fill in what it needs, press Run. Results go to the sheet named "
                               "below.", note)

    def row(cell: str, text: str, value: str = "", fmt=entry) -> int:
        r = int(cell[1:]) - 1
        ws.write_string(r, 0, text, label)
        ws.write_string(r, 1, value, fmt)
        return r

    r = row(ACTION, "Action", ACTION_LABELS[0])
    ws.data_validation(r, 1, r, 1, {"validate": "list", "source": list(ACTION_LABELS), "error_title": "Action",
                                    "error_message": "Choose one of the actions in the list."})
    row(GROUP, "Supplier group", "", entry)
    row(FILE, "Workbook to validate", "", entry)
    row(CYCLE, "Sprint (blank: current)", "", entry)
    row(WORKSPACE, "Workspace", str(workspace), entry)
    ws.insert_button(3, 3, {"macro": MACRO, "caption": "Run", "width": 110, "height": 36})
    for cell, text in ((LAST_RUN, "Last run"), (OUTCOME, "Outcome"), (OUTPUT, "Result sheet")):
        row(cell, text, "", shown)
    ws.set_row(int(OUTCOME[1:]) - 1, 45)
    ws.write(15, 0, "What each action needs", label)
    for k, (action, need) in enumerate(ACTION_NEEDS.items()):
        ws.write_string(16 + k, 0, action, note)
        ws.write_string(16 + k, 1, need, note)
        ws.set_row(16 + k, max(row_height(action, 24), row_height(need, 70)))
    ws.write_string(23, 0, f"xlwings {version}", note)
    about = ("The Run button calls the xlwings macro SampleCall, which imports mcc_control.py from this workbook's "
             "folder. Settings are on the xlwings.conf sheet.")
    ws.write_string(23, 1, about, note)
    ws.set_row(23, row_height(about, 70))
    print_setup(ws, orientation="portrait")
    ws.activate()
