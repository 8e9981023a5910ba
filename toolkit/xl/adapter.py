"""The only code that touches an xlwings book: read the request from the control sheet, run the action, write the
result table into its sheet and the outcome onto the control sheet. It uses a few xlwings calls only
(``book.sheets``, ``sheets[name]``, ``sheets.add(name, after=...)``, ``sheet.name``, ``sheet.range(address).value``
and ``sheet.clear_contents()``), so tests drive it with a small stand-in for the book.

Every text written is text: a string Excel would read as a formula or a number (a supplier's file name
``=HYPERLINK(...)``, an MPID ``0123``) gets the leading apostrophe that makes Excel keep it as typed.
"""

from __future__ import annotations

import re
import traceback
from datetime import date, datetime
from pathlib import Path

from toolkit.clock import Clock, stamp
from toolkit.errors import ToolkitError
from toolkit.excel.writers.control import ACTION, CONTROL, CYCLE, FILE, GROUP, LAST_RUN, OUTCOME, OUTPUT, WORKSPACE
from toolkit.services.context import Context
from toolkit.xl.actions import ACTIONS, Request, Result

_COERCED = re.compile(r"^\s*([=+\-@]|\d[\d.,eE+\-/: ]*$)")


def as_cell(value):
    """A value as Excel should keep it: strings that Excel would turn into a formula, a number or a date stay
    text."""
    if isinstance(value, str) and _COERCED.match(value):
        return "'" + value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _text(sheet, address: str) -> str:
    value = sheet.range(address).value
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_request(book) -> tuple[Request, str]:
    sheet = book.sheets[CONTROL]
    return (Request(_text(sheet, ACTION), _text(sheet, GROUP), _text(sheet, FILE), _text(sheet, CYCLE)),
            _text(sheet, WORKSPACE))


def write_result(book, result: Result) -> None:
    names = [s.name for s in book.sheets]
    if result.sheet not in names:
        book.sheets.add(result.sheet, after=book.sheets[names[-1]])
    sheet = book.sheets[result.sheet]
    sheet.clear_contents()
    sheet.range("A1").value = [[as_cell(c) for c in result.columns]]
    if result.rows:
        sheet.range("A2").value = [[as_cell(v) for v in row] for row in result.rows]


def run(book, workspace: str | Path | None = None, today: date | None = None, now: datetime | None = None) -> Result:
    """Run the action the control sheet asks for. Errors are shown on the control sheet, never raised into Excel
    (a traceback is written only for an unexpected error). The clock is made here, at the edge: stopped at ``now``
    when given (tests), else the real one on ``today`` (or MCC_TODAY)."""
    control = book.sheets[CONTROL]
    request, chosen = read_request(book)
    try:
        clock = Clock.at(now, today) if now is not None else Clock.from_env(today)
    except ToolkitError as exc:
        clock, problem = Clock(), exc
    else:
        problem = None
    control.range(LAST_RUN).value = as_cell(stamp(clock.now()))
    try:
        if problem is not None:
            raise problem
        action = ACTIONS.get(request.action)
        if action is None:
            raise ToolkitError(f"choose an action in {ACTION}: " + "; ".join(ACTIONS))
        ctx = Context.open(Path(chosen) if chosen else (Path(workspace) if workspace else None))
        ctx.clock = clock
        result = action(ctx, request)
    except ToolkitError as exc:
        result = Result("", [], message=f"error: {exc}", ok=False)
    except Exception as exc:  # noqa: BLE001 - shown to the user in the sheet, with the traceback for a report
        result = Result("Error", ["traceback"], [[line] for line in traceback.format_exc().splitlines()],
                        message=f"internal error: {type(exc).__name__}: {exc} (the Error sheet has the details)",
                        ok=False)
    if result.sheet:
        write_result(book, result)
    control.range(OUTCOME).value = as_cell(result.message)
    control.range(OUTPUT).value = as_cell(result.sheet)
    return result
