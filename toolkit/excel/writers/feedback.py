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
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from xlsxwriter.utility import xl_cell_to_rowcol, xl_rowcol_to_cell

from toolkit.domain.findings import RULES, Finding, Severity, Status, by_rule
from toolkit.domain.rules import PLAN_DAILY, PLAN_WEEKLY
from toolkit.domain.rules.sheets import AGENT_FORECAST, FAST_FEEDBACK
from toolkit.domain.submission import LEFT_TO_PLAN_ABOVE, Submission
from toolkit.domain.template import TemplateContent
from toolkit.excel.book import (
    AMBER_FILL,
    AMBER_FONT,
    CLOSED_FILL,
    CLOSED_FONT,
    DAY,
    GRID_BORDER,
    HEAD_FILL,
    INT,
    RED_FILL,
    RED_FONT,
    STRONG_RED,
    WEEK,
    book,
    print_setup,
    row_height,
)
from toolkit.excel.feedback_text import WHAT_TO_DO, friendly_time

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
    closed: tuple[bool, ...] = ()  # per row: a week (day) with no migration day open, greyed as in the template
    heading: tuple[tuple[int, str, tuple], ...] = ()  # rows above the keys: (row, label, a value per column)
    roles: tuple[str, ...] = ()  # the agent forecasts' role per column (the row above the keys)
    note: str = ""  # what the copy is, on its first row
    links: dict[str, str] = field(default_factory=dict)  # a finding's cell -> the cell it is shown at here


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
    about = (("File", sub.file), ("Received", friendly_time(received_at)),
             ("Template", meta.get("template_id", "(none)")), ("Group", meta.get("group", "")),
             ("Planning cycle", meta.get("cycle", "")))
    rules = tuple((rule, RULES[rule].title, errors, warnings, RULES[rule].source, RULES[rule].checks)
                  for rule, errors, warnings in by_rule(findings))
    shown = [f if f.hint else replace(f, hint=WHAT_TO_DO.get(f.rule, "")) for f in findings]
    return FeedbackBook(title, status == Status.ACCEPTED, tuple((k, str(v)) for k, v in about),
                        status.value.upper(), NEXT_STEPS[status], rules, tuple(shown),
                        _copies(sub, content, shown))


def _copies(sub: Submission, content: TemplateContent | None, findings: list[Finding]) -> tuple[PlanCopy, ...]:
    """A copy of each input grid (or of the UCA request grid) on a sheet some finding cites, findings marked."""
    cited = {f.sheet for f in findings if f.sheet}
    located: dict[str, dict[tuple[int, int], list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for f in findings:
        if f.sheet and f.cell:
            try:
                located[f.sheet][xl_cell_to_rowcol(f.cell)].append(f)
            except (AttributeError, ValueError, TypeError):
                continue  # a cell reference that is not A1 (a range): the Findings sheet has it
    copies = []
    if content is not None:
        for name in (PLAN_WEEKLY, PLAN_DAILY, AGENT_FORECAST, FAST_FEEDBACK):
            grid = sub.grids.get(name)
            if grid is not None and grid.area.sheet in cited:
                copies.append(_template_copy(name, grid, content, located[grid.area.sheet]))
    elif "UcaRequest" in sub.grids and sub.grids["UcaRequest"].area.sheet in cited:
        grid = sub.grids["UcaRequest"]
        dates = [d for d in grid.dates if isinstance(d, date)]
        copies.append(_copy(grid, list(grid.keys), dates, located[grid.area.sheet], weekly=False,
                            note="Your request as received"))
    return tuple(copies)


def _template_copy(name: str, grid, content: TemplateContent, here: dict[tuple[int, int], list[Finding]]) -> PlanCopy:
    """A grid of a plan template as the supplier sees it: closed weeks (days) grey, the totals above the plan."""
    weekly = name in (PLAN_WEEKLY, AGENT_FORECAST)
    dates = content.weeks if weekly else content.days if name == PLAN_DAILY else \
        [d for d in grid.dates if isinstance(d, date)]
    opened = content.week_open_days > 0 if weekly else content.day_open if name == PLAN_DAILY else []
    keys = list(content.ldso_mpids) if name in (PLAN_WEEKLY, PLAN_DAILY) else list(grid.keys)
    what = {PLAN_WEEKLY: "weekly plan", PLAN_DAILY: "daily plan", AGENT_FORECAST: "agent forecasts",
            FAST_FEEDBACK: "fast-feedback initiations"}[name]
    copy = _copy(grid, keys, list(dates), here, weekly=weekly, note=f"Your {what} as received")
    heading: list[tuple[int, str, tuple]] = []
    if name in (PLAN_WEEKLY, PLAN_DAILY):
        totals = tuple(sum(v for row in grid.values for v in (row[c],) if _number(v))
                       for c in range(min(len(keys), copy.width)))
        remaining = tuple(col.portfolio for col in content.ldsos)
        heading = [(grid.area.top - 4, "Remaining to plan", remaining),
                   (grid.area.top - 3, "Planned to M15" if name == PLAN_WEEKLY else "Planned in the sprint", totals)]
        if name == PLAN_WEEKLY:
            heading.append((grid.area.top - LEFT_TO_PLAN_ABOVE, "Left to plan",
                            tuple(r - t for r, t in zip(remaining, totals, strict=False))))
    return replace(copy, closed=tuple(not bool(x) for x in opened), heading=tuple(heading),
                   roles=tuple(grid.roles) if name == AGENT_FORECAST else ())


def _number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _copy(grid, keys: list[str], dates: list[date], here: dict[tuple[int, int], list[Finding]],
          weekly: bool, note: str = "") -> PlanCopy:
    width = len(grid.values[0]) if grid.values else 0
    headers = tuple(keys[c] if c < len(keys) else (grid.keys[c] if c < len(grid.keys) else "") for c in range(width))
    marks = {cell: Mark(any(f.severity == Severity.ERROR for f in items), _comment(items))
             for cell, items in here.items() if items}
    links = {f.cell: xl_rowcol_to_cell(*cell) for cell, items in here.items() for f in items}
    return PlanCopy(grid.area.sheet[:31], weekly, grid.area.top, grid.area.left, headers, len(keys), tuple(dates),
                    tuple(tuple(row) for row in grid.values), marks, note=note, links=links)


def _comment(items: list[Finding]) -> str:
    return "\n".join(f"{f.rule} ({f.severity.value}): {f.message}" + (f" {f.hint}." if f.hint else "")
                     for f in items)[:30000]


# -- writing --------------------------------------------------------------------------------------------------

def write_feedback_book(path: Path, value: FeedbackBook) -> Path:
    with book(path, value.title, in_memory=True) as wb:
        f = _Formats(wb, value.accepted)
        _summary_sheet(wb, f, value)
        _findings_sheet(wb, f, value.findings, {c.sheet: c for c in value.copies})
        for copy in value.copies:
            _plan_copy(wb, f, copy)
    return path


class _Formats:
    def __init__(self, wb, accepted: bool):
        add = wb.add_format
        self.bold = add({"bold": True, "font_size": 14})
        self.label = add({"bold": True, "align": "right", "valign": "top"})
        self.wrap = add({"text_wrap": True, "valign": "top"})
        self.top = add({"valign": "top"})
        self.head = add({"bold": True, "bg_color": HEAD_FILL, "border": 1, "text_wrap": True, "valign": "top"})
        self.status = add({"bold": True, "font_size": 14, "font_color": "#FFFFFF",
                           "bg_color": ACCEPTED_FILL if accepted else STRONG_RED})
        self.day = add({"num_format": DAY, "valign": "top"})
        self.link = add({"font_color": "#0563C1", "underline": 1, "valign": "top"})
        cell = {"num_format": INT, "border": 1, "border_color": GRID_BORDER}
        self.red = add({**cell, "bg_color": RED_FILL, "font_color": RED_FONT})
        self.amber = add({**cell, "bg_color": AMBER_FILL, "font_color": AMBER_FONT})
        self.plain = add(cell)
        self.closed = add({**cell, "bg_color": CLOSED_FILL})
        self.int = add({"num_format": INT})
        self.int_bold = add({"num_format": INT, "bold": True})
        self.key = add({"bold": True, "bg_color": HEAD_FILL, "border": 1})
        self.key_red = add({"bold": True, "bg_color": RED_FILL, "font_color": RED_FONT, "border": 1})
        self.date = {True: add({"num_format": WEEK}), False: add({"num_format": DAY})}
        self.date_closed = add({"num_format": DAY, "font_color": CLOSED_FONT})
        self.note = add({"bold": True})


def _summary_sheet(wb, f: _Formats, value: FeedbackBook) -> None:
    ws = wb.add_worksheet("Summary")
    widths = (24, 16, 8, 9, 12, 56)
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    ws.write(0, 0, value.title, f.bold)
    for r, (k, v) in enumerate(value.about, start=2):
        ws.write(r, 0, k, f.label)
        ws.merge_range(r, 1, r, 5, v, f.top)
    r = len(value.about) + 3
    ws.write(r, 0, "Status", f.label)
    ws.write_string(r, 1, value.status, f.status)
    r += 1
    ws.write(r, 0, "What to do next", f.label)
    ws.merge_range(r, 1, r, 5, value.next_steps, f.wrap)
    ws.set_row(r, row_height(value.next_steps, sum(widths[1:])))
    r += 2
    ws.write_row(r, 0, RULE_COLUMNS, f.head)
    ws.set_row(r, 30)
    head = r
    for rule, title, errors, warnings, source, checks in value.rules:
        r += 1
        ws.write_row(r, 0, [rule, title], f.wrap)
        ws.write_number(r, 2, errors, f.top)
        ws.write_number(r, 3, warnings, f.top)
        ws.write_row(r, 4, [source, checks], f.wrap)
        ws.set_row(r, max(row_height(checks, widths[5]), row_height(title, widths[1]),
                          row_height(rule, widths[0]), row_height(source, widths[4])))
    if not value.findings:
        r += 1
        ws.write(r, 0, "No findings: every rule is met.")
    print_setup(ws, orientation="portrait", repeat_rows=(head,) if value.rules else ())
    ws.activate()


def _findings_sheet(wb, f: _Formats, findings: tuple[Finding, ...], copies: dict[str, PlanCopy]) -> None:
    """Every finding, its cell a link to the cell in the copy of its sheet (where that sheet is copied)."""
    fs = wb.add_worksheet("Findings")
    widths = (4, 20, 8, 11, 7, 7, 15, 60, 40)
    fs.write_row(0, 0, FINDING_COLUMNS, f.head)
    for k, x in enumerate(findings, start=1):
        fs.write_number(k, 0, k, f.top)
        fs.write_row(k, 1, [x.rule, x.severity.value, x.sheet], f.wrap)
        copy = copies.get(x.sheet[:31]) if x.sheet else None
        shown = copy.links.get(x.cell, x.cell) if copy else x.cell
        if copy and shown:
            fs.write_url(k, 4, f"internal:'{copy.sheet}'!{shown}", f.link, string=shown,
                         tip="Go to the cell in the copy of your sheet")
        else:
            fs.write_string(k, 4, x.cell, f.top)
        fs.write_string(k, 5, x.ldso, f.top)
        if x.date:
            fs.write_datetime(k, 6, x.date, f.day)
        fs.write_string(k, 7, x.message, f.wrap)
        fs.write_string(k, 8, x.hint, f.wrap)
        fs.set_row(k, max(row_height(x.message, widths[7]), row_height(x.hint, widths[8]),
                          row_height(x.rule, widths[1])))
    for c, width in enumerate(widths):
        fs.set_column(c, c, width)
    fs.freeze_panes(1, 0)
    fs.autofilter(0, 0, max(len(findings), 1), len(FINDING_COLUMNS) - 1)
    print_setup(fs, repeat_rows=(0,))


def _plan_copy(wb, f: _Formats, copy: PlanCopy) -> None:
    """The supplier's grid as returned, at the template's cell positions: closed weeks (days) grey, offending
    cells red (amber: warnings only) with the findings in a comment."""
    ws = wb.add_worksheet(copy.sheet)
    top, left = copy.top, copy.left
    ws.write(0, 0, f"{copy.note or 'As received'}; red cells carry a finding (hover for the comment), grey "
                   "weeks and days are closed.", f.note)
    for row, label, values in copy.heading:
        ws.write_string(row, left - 1, label, f.label)
        for c, v in enumerate(values):
            _write_marked(ws, f, copy, row, left + c, v, f.int_bold if label == "Left to plan" else f.int)
    if copy.roles:
        ws.write_string(top - 2, left - 1, "Role", f.label)
        for c, role in enumerate(copy.roles):
            ws.write_string(top - 2, left + c, str(role or ""), f.key)
    ws.write(top - 1, left - 1, "Week commencing" if copy.weekly else "Date", f.key)
    for c, key in enumerate(copy.keys):
        _write_marked(ws, f, copy, top - 1, left + c, key, f.key, f.key_red)
    for r, row in enumerate(copy.values):
        closed = r < len(copy.closed) and copy.closed[r]
        if r < len(copy.dates):
            ws.write_datetime(top + r, left - 1, copy.dates[r], f.date_closed if closed else f.date[copy.weekly])
        for c, v in enumerate(row):
            _write_marked(ws, f, copy, top + r, left + c, v, f.closed if closed else f.plain)
    ws.set_column(left - 1, left - 1, 18)
    ws.set_column(left, left + max(copy.width, len(copy.keys)), 10)
    ws.freeze_panes(top, left)
    print_setup(ws, repeat_rows=(top - 1,), repeat_columns=left - 1)


def _write_marked(ws, f: _Formats, copy: PlanCopy, r: int, c: int, v: object, fmt, red=None) -> None:
    mark = copy.marks.get((r, c))
    if mark:
        _write_value(ws, r, c, v, (red or f.red) if mark.error else f.amber)
        ws.write_comment(r, c, mark.comment, {"x_scale": 3, "y_scale": 2})
    else:
        _write_value(ws, r, c, v, fmt)


def _write_value(ws, r: int, c: int, v: object, fmt) -> None:
    if v is None:
        ws.write_blank(r, c, None, fmt)
    elif isinstance(v, bool):
        ws.write_boolean(r, c, v, fmt)
    elif isinstance(v, int | float):
        ws.write_number(r, c, v, fmt)
    elif isinstance(v, date | datetime):
        ws.write_datetime(r, c, v, fmt)
    else:
        ws.write_string(r, c, str(v), fmt)  # supplier text: always a string, never a formula
