"""The feedback workbook sent back for every judged return: a summary (status, findings by rule, what to do next),
every finding in a table, and, for each plan sheet carrying a finding, the supplier's own plan with each offending
cell filled red (amber for a warning) and carrying a comment with the finding. The plan grids sit at the same cells
as in the template, so a finding's cell reference points at the same place in both files. A plan sheet with no
finding on it is not copied: the supplier has it already. Text the supplier typed is written as text, never as a
formula.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_cell_to_rowcol

from toolkit.domain.findings import RULES, Finding, Severity, Status, by_rule
from toolkit.domain.rules import PLAN_DAILY, PLAN_WEEKLY
from toolkit.domain.submission import Submission
from toolkit.domain.template import TemplateContent

NEXT_STEPS = {
    Status.ACCEPTED: "Your plan is accepted and is now your current plan for this cycle. Warnings, if any, are worth "
                     "a look before the next cycle. Send a new version only if your plan changes.",
    Status.REJECTED: "Your plan is not accepted. Correct every error listed (the red cells on the plan sheets carry "
                     "the details), then return the corrected workbook before the deadline.",
    Status.UNREADABLE: "The file could not be read. Send the template as an .xlsx workbook, unprotected.",
}


def write_feedback(path: Path, sub: Submission, content: TemplateContent | None, findings: list[Finding],
                   status: Status, received_at: str, title: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    wb = xlsxwriter.Workbook(str(part), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False, "in_memory": True})
    wb.set_properties({"title": title, "company": "Migration Control Centre"})
    bold = wb.add_format({"bold": True, "font_size": 14})
    label = wb.add_format({"bold": True, "align": "right", "valign": "top"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    status_fmt = wb.add_format({"bold": True, "font_size": 14, "font_color": "#FFFFFF",
                                "bg_color": "#00B050" if status == Status.ACCEPTED else "#C00000"})
    day = wb.add_format({"num_format": "ddd dd mmm yyyy", "valign": "top"})

    ws = wb.add_worksheet("Summary")
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 16)
    ws.set_column(2, 4, 12)
    ws.set_column(5, 5, 70)
    ws.write(0, 0, title, bold)
    meta = sub.meta
    rows = [("File", sub.file), ("Received", received_at), ("Template", meta.get("template_id", "(none)")),
            ("Group", meta.get("group", "")), ("Planning cycle", meta.get("cycle", ""))]
    for r, (k, v) in enumerate(rows, start=2):
        ws.write(r, 0, k, label)
        ws.write_string(r, 1, str(v))
    r = len(rows) + 3
    ws.write(r, 0, "Status", label)
    ws.write_string(r, 1, status.value.upper(), status_fmt)
    r += 1
    ws.write(r, 0, "What to do next", label)
    ws.merge_range(r, 1, r, 5, NEXT_STEPS[status], wrap)
    ws.set_row(r, 45)
    r += 2
    ws.write_row(r, 0, ["Rule", "Title", "Errors", "Warnings", "Source", "What it checks"], head)
    for rule, errors, warnings in by_rule(findings):
        r += 1
        info = RULES[rule]
        ws.write_row(r, 0, [rule, info.title], wrap)
        ws.write_number(r, 2, errors)
        ws.write_number(r, 3, warnings)
        ws.write_row(r, 4, [info.source, info.checks], wrap)
    if not findings:
        r += 1
        ws.write(r, 0, "No findings: every rule is met.")
    ws.activate()

    fs = wb.add_worksheet("Findings")
    cols = ["#", "Rule", "Severity", "Sheet", "Cell", "LDSO", "Date", "What we found", "What to do"]
    fs.write_row(0, 0, cols, head)
    for k, f in enumerate(findings, start=1):
        fs.write_number(k, 0, k)
        fs.write_row(k, 1, [f.rule, f.severity.value, f.sheet, f.cell, f.ldso])
        if f.date:
            fs.write_datetime(k, 6, f.date, day)
        fs.write_string(k, 7, f.message, wrap)
        fs.write_string(k, 8, f.hint, wrap)
    fs.set_column(0, 0, 5)
    fs.set_column(1, 1, 24)
    fs.set_column(2, 5, 10)
    fs.set_column(6, 6, 15)
    fs.set_column(7, 7, 80)
    fs.set_column(8, 8, 40)
    fs.freeze_panes(1, 0)
    fs.autofilter(0, 0, max(len(findings), 1), len(cols) - 1)

    located: dict[str, dict[tuple[int, int], list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for f in findings:
        if f.sheet and f.cell:
            try:
                located[f.sheet][xl_cell_to_rowcol(f.cell)].append(f)
            except (AttributeError, ValueError, TypeError):
                continue  # a cell reference that is not A1 (a range): the Findings sheet has it
    if content is not None:
        for name in (PLAN_WEEKLY, PLAN_DAILY):
            grid = sub.grids.get(name)
            if grid is None or not located.get(grid.area.sheet):
                continue
            _plan_copy(wb, grid, content.ldso_mpids, content.weeks if name == PLAN_WEEKLY else content.days,
                       located[grid.area.sheet], weekly=name == PLAN_WEEKLY)
    elif "UcaRequest" in sub.grids and located.get(sub.grids["UcaRequest"].area.sheet):
        grid = sub.grids["UcaRequest"]
        dates = [d for d in grid.dates if isinstance(d, date)]
        _plan_copy(wb, grid, list(grid.keys), dates, located[grid.area.sheet], weekly=False)
    wb.close()
    part.replace(path)
    return path


def marks_cells(findings: list[Finding]) -> bool:
    """Whether the feedback workbook copies a plan sheet (some finding points at a cell)."""
    return any(f.sheet and f.cell for f in findings)


def _plan_copy(wb, grid, keys: list[str], dates: list[date], here: dict[tuple[int, int], list[Finding]],
               weekly: bool) -> None:
    """The supplier's grid as returned, at the template's cell positions, offending cells red with comments."""
    ws = wb.add_worksheet(grid.area.sheet[:31])
    red = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006", "num_format": "#,##0", "border": 1})
    amber = wb.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700", "num_format": "#,##0", "border": 1})
    plain = wb.add_format({"num_format": "#,##0"})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    head_red = wb.add_format({"bold": True, "bg_color": "#FFC7CE", "font_color": "#9C0006", "border": 1})
    day = wb.add_format({"num_format": "ddd dd mmm yyyy" if not weekly else "dd mmm yyyy"})
    top, left = grid.area.top, grid.area.left
    ws.write(0, 0, f"Your {'weekly' if weekly else 'daily'} plan as received; red cells carry a finding (hover "
                   "for the comment).", wb.add_format({"bold": True}))
    ws.write(top - 1, left - 1, "Week commencing" if weekly else "Date", head)
    for c in range(len(grid.values[0]) if grid.values else 0):
        items = here.get((top - 1, left + c), [])
        key = keys[c] if c < len(keys) else (grid.keys[c] if c < len(grid.keys) else "")
        ws.write_string(top - 1, left + c, key, head_red if items else head)
        if items:
            ws.write_comment(top - 1, left + c, _comment(items), {"x_scale": 3, "y_scale": 2})
    for r, row in enumerate(grid.values):
        if r < len(dates):
            ws.write_datetime(top + r, left - 1, dates[r], day)
        for c, v in enumerate(row):
            items = here.get((top + r, left + c))
            if items:
                _write_value(ws, top + r, left + c, v, red if any(f.severity == Severity.ERROR for f in items)
                             else amber)
                ws.write_comment(top + r, left + c, _comment(items), {"x_scale": 3, "y_scale": 2})
            elif v is not None:
                _write_value(ws, top + r, left + c, v, plain)
    ws.set_column(left - 1, left - 1, 16)
    ws.set_column(left, left + len(keys), 10)
    ws.freeze_panes(top, left)


def _write_value(ws, r: int, c: int, v: object, fmt) -> None:
    if v is None:
        ws.write_blank(r, c, None, fmt)
    elif isinstance(v, bool):
        ws.write_boolean(r, c, v, fmt)
    elif isinstance(v, int | float):
        ws.write_number(r, c, v, fmt)
    elif isinstance(v, date):
        ws.write_datetime(r, c, v, fmt)
    else:
        ws.write_string(r, c, str(v), fmt)  # supplier text: always a string, never a formula


def _comment(items: list[Finding]) -> str:
    return "\n".join(f"{f.rule} ({f.severity.value}): {f.message}" + (f" {f.hint}." if f.hint else "")
                     for f in items)[:30000]
