"""The feedback workbook sent back for every judged return: a summary (status, findings by rule, what to do next),
every finding in a table, and, for each plan sheet carrying a finding, the supplier's own plan with each offending
cell filled red (amber for a warning) and carrying a comment with the finding. The plan grids sit at the same cells
as in the template, so a finding's cell reference points at the same place in both files. A plan sheet with no
finding on it is not copied: the supplier has it already. Text the supplier typed is written as text, never as a
formula.

``build_feedback`` gathers the summary, the findings by rule and the marked copies into a ``FeedbackBook``;
``write_feedback_book`` writes that value.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from xlsxwriter.utility import xl_cell_to_rowcol

from toolkit.domain.findings import RULES, Finding, Severity, Status, by_rule
from toolkit.domain.rules import PLAN_DAILY, PLAN_WEEKLY
from toolkit.domain.submission import Submission
from toolkit.domain.template import TemplateContent
from toolkit.excel.book import AMBER_FILL, AMBER_FONT, DAY, HEAD_FILL, INT, RED_FILL, RED_FONT, STRONG_RED, WEEK, book

NEXT_STEPS = {
    Status.ACCEPTED: "Your plan is accepted and is now your current plan for this cycle. Warnings, if any, are worth "
                     "a look before the next cycle. Send a new version only if your plan changes.",
    Status.REJECTED: "Your plan is not accepted. Correct every error listed (the red cells on the plan sheets carry "
                     "the details), then return the corrected workbook before the deadline.",
    Status.UNREADABLE: "The file could not be read. Send the template as an .xlsx workbook, unprotected.",
}
FINDING_COLUMNS = ["#", "Rule", "Severity", "Sheet", "Cell", "LDSO", "Date", "What we found", "What to do"]
RULE_COLUMNS = ["Rule", "Title", "Errors", "Warnings", "Source", "What it checks"]
ACCEPTED_FILL = "#00B050"


@dataclass(frozen=True)
class Mark:
    """A cell of a plan copy that carries findings."""

    error: bool  # some finding is an error (red), else warnings only (amber)
    comment: str


@dataclass(frozen=True)
class PlanCopy:
    """The supplier's grid as returned, to be written at the template's cell positions."""

    sheet: str
    weekly: bool
    top: int  # the grid's first row and column (0-based); the keys sit in the row above, the dates to the left
    left: int
    keys: tuple[str, ...]  # one per column of the grid
    width: int  # columns given the plan's width
    dates: tuple[date, ...]
    values: tuple[tuple, ...]  # rows of the grid, as read
    marks: dict[tuple[int, int], Mark]  # (row, column) -> its findings


@dataclass(frozen=True)
class FeedbackBook:
    title: str
    accepted: bool
    about: tuple[tuple[str, str], ...]  # file, received, template, group, planning cycle
    status: str
    next_steps: str
    rules: tuple[tuple, ...]  # rule, title, errors, warnings, source, what it checks
    findings: tuple[Finding, ...]
    copies: tuple[PlanCopy, ...]


def write_feedback(path: Path, sub: Submission, content: TemplateContent | None, findings: list[Finding],
                   status: Status, received_at: str, title: str) -> Path:
    return write_feedback_book(path, build_feedback(sub, content, findings, status, received_at, title))


def marks_cells(findings: list[Finding]) -> bool:
    """Whether the feedback workbook copies a plan sheet (some finding points at a cell)."""
    return any(f.sheet and f.cell for f in findings)


# -- building -------------------------------------------------------------------------------------------------

def build_feedback(sub: Submission, content: TemplateContent | None, findings: list[Finding], status: Status,
                   received_at: str, title: str) -> FeedbackBook:
    meta = sub.meta
    about = (("File", sub.file), ("Received", received_at), ("Template", meta.get("template_id", "(none)")),
             ("Group", meta.get("group", "")), ("Planning cycle", meta.get("cycle", "")))
    rules = tuple((rule, RULES[rule].title, errors, warnings, RULES[rule].source, RULES[rule].checks)
                  for rule, errors, warnings in by_rule(findings))
    return FeedbackBook(title, status == Status.ACCEPTED, tuple((k, str(v)) for k, v in about),
                        status.value.upper(), NEXT_STEPS[status], rules, tuple(findings),
                        _copies(sub, content, findings))


def _copies(sub: Submission, content: TemplateContent | None, findings: list[Finding]) -> tuple[PlanCopy, ...]:
    """A copy of each plan grid (or of the UCA request grid) that some finding points into."""
    located: dict[str, dict[tuple[int, int], list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for f in findings:
        if f.sheet and f.cell:
            try:
                located[f.sheet][xl_cell_to_rowcol(f.cell)].append(f)
            except (AttributeError, ValueError, TypeError):
                continue  # a cell reference that is not A1 (a range): the Findings sheet has it
    copies = []
    if content is not None:
        for name in (PLAN_WEEKLY, PLAN_DAILY):
            grid = sub.grids.get(name)
            if grid is None or not located.get(grid.area.sheet):
                continue
            copies.append(_copy(grid, content.ldso_mpids, content.weeks if name == PLAN_WEEKLY else content.days,
                                located[grid.area.sheet], weekly=name == PLAN_WEEKLY))
    elif "UcaRequest" in sub.grids and located.get(sub.grids["UcaRequest"].area.sheet):
        grid = sub.grids["UcaRequest"]
        dates = [d for d in grid.dates if isinstance(d, date)]
        copies.append(_copy(grid, list(grid.keys), dates, located[grid.area.sheet], weekly=False))
    return tuple(copies)


def _copy(grid, keys: list[str], dates: list[date], here: dict[tuple[int, int], list[Finding]],
          weekly: bool) -> PlanCopy:
    width = len(grid.values[0]) if grid.values else 0
    headers = tuple(keys[c] if c < len(keys) else (grid.keys[c] if c < len(grid.keys) else "") for c in range(width))
    marks = {cell: Mark(any(f.severity == Severity.ERROR for f in items), _comment(items))
             for cell, items in here.items() if items}
    return PlanCopy(grid.area.sheet[:31], weekly, grid.area.top, grid.area.left, headers, len(keys), tuple(dates),
                    tuple(tuple(row) for row in grid.values), marks)


def _comment(items: list[Finding]) -> str:
    return "\n".join(f"{f.rule} ({f.severity.value}): {f.message}" + (f" {f.hint}." if f.hint else "")
                     for f in items)[:30000]


# -- writing --------------------------------------------------------------------------------------------------

def write_feedback_book(path: Path, value: FeedbackBook) -> Path:
    with book(path, value.title, in_memory=True) as wb:
        f = _Formats(wb, value.accepted)
        _summary_sheet(wb, f, value)
        _findings_sheet(wb, f, value.findings)
        for copy in value.copies:
            _plan_copy(wb, copy)
    return path


class _Formats:
    def __init__(self, wb, accepted: bool):
        add = wb.add_format
        self.bold = add({"bold": True, "font_size": 14})
        self.label = add({"bold": True, "align": "right", "valign": "top"})
        self.wrap = add({"text_wrap": True, "valign": "top"})
        self.head = add({"bold": True, "bg_color": HEAD_FILL, "border": 1, "text_wrap": True, "valign": "top"})
        self.status = add({"bold": True, "font_size": 14, "font_color": "#FFFFFF",
                           "bg_color": ACCEPTED_FILL if accepted else STRONG_RED})
        self.day = add({"num_format": DAY, "valign": "top"})


def _summary_sheet(wb, f: _Formats, value: FeedbackBook) -> None:
    ws = wb.add_worksheet("Summary")
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 16)
    ws.set_column(2, 4, 12)
    ws.set_column(5, 5, 70)
    ws.write(0, 0, value.title, f.bold)
    for r, (k, v) in enumerate(value.about, start=2):
        ws.write(r, 0, k, f.label)
        ws.write_string(r, 1, v)
    r = len(value.about) + 3
    ws.write(r, 0, "Status", f.label)
    ws.write_string(r, 1, value.status, f.status)
    r += 1
    ws.write(r, 0, "What to do next", f.label)
    ws.merge_range(r, 1, r, 5, value.next_steps, f.wrap)
    ws.set_row(r, 45)
    r += 2
    ws.write_row(r, 0, RULE_COLUMNS, f.head)
    for rule, title, errors, warnings, source, checks in value.rules:
        r += 1
        ws.write_row(r, 0, [rule, title], f.wrap)
        ws.write_number(r, 2, errors)
        ws.write_number(r, 3, warnings)
        ws.write_row(r, 4, [source, checks], f.wrap)
    if not value.findings:
        r += 1
        ws.write(r, 0, "No findings: every rule is met.")
    ws.activate()


def _findings_sheet(wb, f: _Formats, findings: tuple[Finding, ...]) -> None:
    fs = wb.add_worksheet("Findings")
    fs.write_row(0, 0, FINDING_COLUMNS, f.head)
    for k, x in enumerate(findings, start=1):
        fs.write_number(k, 0, k)
        fs.write_row(k, 1, [x.rule, x.severity.value, x.sheet, x.cell, x.ldso])
        if x.date:
            fs.write_datetime(k, 6, x.date, f.day)
        fs.write_string(k, 7, x.message, f.wrap)
        fs.write_string(k, 8, x.hint, f.wrap)
    fs.set_column(0, 0, 5)
    fs.set_column(1, 1, 24)
    fs.set_column(2, 5, 10)
    fs.set_column(6, 6, 15)
    fs.set_column(7, 7, 80)
    fs.set_column(8, 8, 40)
    fs.freeze_panes(1, 0)
    fs.autofilter(0, 0, max(len(findings), 1), len(FINDING_COLUMNS) - 1)


def _plan_copy(wb, copy: PlanCopy) -> None:
    """The supplier's grid as returned, at the template's cell positions, offending cells red with comments."""
    ws = wb.add_worksheet(copy.sheet)
    red = wb.add_format({"bg_color": RED_FILL, "font_color": RED_FONT, "num_format": INT, "border": 1})
    amber = wb.add_format({"bg_color": AMBER_FILL, "font_color": AMBER_FONT, "num_format": INT, "border": 1})
    plain = wb.add_format({"num_format": INT})
    head = wb.add_format({"bold": True, "bg_color": HEAD_FILL, "border": 1})
    head_red = wb.add_format({"bold": True, "bg_color": RED_FILL, "font_color": RED_FONT, "border": 1})
    day = wb.add_format({"num_format": DAY if not copy.weekly else WEEK})
    top, left = copy.top, copy.left
    ws.write(0, 0, f"Your {'weekly' if copy.weekly else 'daily'} plan as received; red cells carry a finding (hover "
                   "for the comment).", wb.add_format({"bold": True}))
    ws.write(top - 1, left - 1, "Week commencing" if copy.weekly else "Date", head)
    for c, key in enumerate(copy.keys):
        mark = copy.marks.get((top - 1, left + c))
        ws.write_string(top - 1, left + c, key, head_red if mark else head)
        if mark:
            ws.write_comment(top - 1, left + c, mark.comment, {"x_scale": 3, "y_scale": 2})
    for r, row in enumerate(copy.values):
        if r < len(copy.dates):
            ws.write_datetime(top + r, left - 1, copy.dates[r], day)
        for c, v in enumerate(row):
            mark = copy.marks.get((top + r, left + c))
            if mark:
                _write_value(ws, top + r, left + c, v, red if mark.error else amber)
                ws.write_comment(top + r, left + c, mark.comment, {"x_scale": 3, "y_scale": 2})
            elif v is not None:
                _write_value(ws, top + r, left + c, v, plain)
    ws.set_column(left - 1, left - 1, 16)
    ws.set_column(left, left + copy.width, 10)
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
