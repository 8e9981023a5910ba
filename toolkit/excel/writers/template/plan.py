"""The plan grids: the weekly plan to M15 and, when the group must plan daily, the daily sprint plan. Dates down,
the group's LDSOs across (their MPIDs in the row above the grid: the machine contract), the limits beside."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xlsxwriter.utility import xl_col_to_name, xl_range_abs, xl_rowcol_to_cell

from toolkit.domain.envelopes import Category
from toolkit.domain.submission import LEFT_TO_PLAN_ABOVE
from toolkit.domain.template import TemplateContent
from toolkit.excel.book import print_areas, print_setup, row_height, text_lines
from toolkit.excel.writers.template.formats import Formats
from toolkit.excel.writers.template.prompts import cells_ref, plan_prompts

GRID_TOP = 9  # first data row of the plan grids (0-based); the MPID row is GRID_TOP - 1
LEFT_ROW = GRID_TOP - LEFT_TO_PLAN_ABOVE  # the weekly sheet's "Left to plan" row (0-based): completeness cites it
FIRST_COL = 1  # the grid's first column; the dates are in column A
LABEL_WIDTH = 21  # column A: the dates, and the labels of the heading ("Planned in the sprint")
NOTES_WIDTH = 44  # the calendar notes (bank holidays by name, excluded ranges)
CATEGORY_WORDS = {Category.ENVELOPE: "envelope", Category.DE_MINIMIS: "de minimis", Category.SMALL: "small"}
INTEGER_RED = "=OR(ISTEXT({tl}),AND(ISNUMBER({tl}),OR({tl}<0,{tl}<>INT({tl}))))"  # not a whole number of 0 or more


@dataclass(frozen=True)
class Grid:
    """Where one plan grid landed, for the formulas of other sheets."""

    sheet: str
    top: int  # first data row (0-based)
    bottom: int  # last data row
    first_col: int
    n_cols: int
    limit_col: int  # first limit column
    open_col: int  # migration days open (weekly) / 1-0 open (daily)
    ramp_col: int | None  # weekly: ramp-up days in the week
    total_col: int

    @property
    def phase_col(self) -> int:
        return (self.open_col if self.ramp_col is None else self.ramp_col) + 1

    @property
    def notes_col(self) -> int:
        return self.phase_col + 1

    @property
    def grid_ref(self) -> str:
        return f"'{self.sheet}'!" + xl_range_abs(self.top, self.first_col, self.bottom,
                                                  self.first_col + self.n_cols - 1)

    def col_ref(self, col: int) -> str:
        return f"'{self.sheet}'!" + xl_range_abs(self.top, col, self.bottom, col)

    def header_ref(self) -> str:
        return f"'{self.sheet}'!" + xl_range_abs(self.top - 1, self.first_col, self.top - 1,
                                                  self.first_col + self.n_cols - 1)

    def limits_ref(self) -> str:
        return f"'{self.sheet}'!" + xl_range_abs(self.top, self.limit_col, self.bottom,
                                                  self.limit_col + self.n_cols - 1)


def plan_sheet(ws, f: Formats, content: TemplateContent, weekly: bool) -> Grid:
    """Write the weekly (or daily) plan sheet; returns where its grid is."""
    n = len(content.ldsos)
    rows = content.weeks if weekly else content.days
    total_col = FIRST_COL + n
    open_col = total_col + 1  # the calendar beside the input: open days, (ramp-up days,) phase, notes
    limit_col = open_col + (4 if weekly else 3)  # the limits right after the calendar, each in its cell's message
    grid = Grid(sheet=ws.name, top=GRID_TOP, bottom=GRID_TOP + len(rows) - 1, first_col=FIRST_COL, n_cols=n,
                limit_col=limit_col, open_col=open_col, ramp_col=open_col + 1 if weekly else None,
                total_col=total_col)
    _heading(ws, f, content, grid, weekly)
    _header_row(ws, f, content, grid, weekly)
    _grid_rows(ws, f, content, grid, weekly)
    _grid_checks(ws, f, content, grid, weekly)
    _layout(ws, content, grid, weekly)
    return grid


def title(content: TemplateContent, weekly: bool) -> str:
    group = content.group
    if weekly:
        return f"Weekly plan to M15: {group.name} ({group.mpid}), sprint {content.sprint.sprint}"
    return (f"Daily sprint plan: {group.name} ({group.mpid}), sprint {content.sprint.sprint} execution "
            f"{content.sprint.execution_start:%d %b %Y} to {content.sprint.execution_end:%d %b %Y}")


def locked(content: TemplateContent, grid: Grid, weekly: bool) -> list[tuple[str, list[list[object]]]]:
    """The locked content of a plan sheet that identifies the group, as written: (sheet-qualified range, values)
    for the title, the LDSO names, rules, what migrated and what remains, the LDSO headers, the dates and the limits
    (issue 17: the signature covers their digest, so a workbook's metadata cannot be carried into another group's
    workbook)."""
    n, first = grid.n_cols, grid.first_col
    rows = content.weeks if weekly else content.days
    limits = content.weekly_limit if weekly else content.daily_limit

    def ref(top: int, left: int, bottom: int, right: int) -> str:
        return f"'{grid.sheet}'!" + xl_range_abs(top, left, bottom, right)

    def limit(k: int, c: int) -> object:
        return "no limit" if content.ldsos[c].category == Category.SMALL else int(limits[k][c])

    out = [(ref(0, 0, 0, 0), [[title(content, weekly)]])]
    if n:
        out.append((ref(2, first, 5, first + n - 1), [[col.name for col in content.ldsos],
                                                        [rules_text(col) for col in content.ldsos],
                                                        [col.migrated for col in content.ldsos],
                                                        [col.portfolio for col in content.ldsos]]))
        out.append((ref(grid.top - 1, first, grid.top - 1, first + n - 1), [list(content.ldso_mpids)]))
        out.append((ref(grid.top, grid.limit_col, grid.bottom, grid.limit_col + n - 1),
                    [[limit(k, c) for c in range(n)] for k in range(len(rows))]))
    out.append((ref(grid.top, 0, grid.bottom, 0), [[d] for d in rows]))
    return out


def rules_text(col) -> str:
    """The rules row of an LDSO column, as written and as signed."""
    return CATEGORY_WORDS[col.category] + (": short of capacity" if col.infeasible else "")


def _heading(ws, f: Formats, content: TemplateContent, grid: Grid, weekly: bool) -> None:
    """The title, what to do, and per LDSO its name, rules, what migrated so far, what remains and the totals
    (rows 1-8)."""
    top, bottom = grid.top, grid.bottom
    ws.write_string(0, 0, title(content, weekly), f.title)
    if weekly:
        note = ("Type the migrations you plan to start in each week, per LDSO, secondary MPANs included. Grey weeks "
                "have no migration day open to you. A cell turns red when it is over the weekly limit, on a closed "
                "week, or not a whole number." + _where_note(grid)
                + (f" Weeks after the sprint hold {content.carried_from}: adjust them rather than retype."
                   if content.carried_from else ""))
    else:
        note = (f"Why daily: {content.daily_reason}. Type the migrations per migration day; each week's days must "
                "add up to that week's weekly plan. Grey days are not migration days." + _where_note(grid))
    ws.merge_range(1, 0, 1, grid.notes_col, note, f.note)
    ws.set_row(1, row_height(note, sum(widths(grid, weekly)[:grid.notes_col + 1])))
    labels = ["LDSO name", "Rules", "Migrated so far", "Remaining to plan", "Planned to M15", "Left to plan"] \
        if weekly else ["LDSO name", "Rules", "Migrated so far", "Remaining to plan", "Planned in the sprint"]
    for r, label in enumerate(labels, start=2):  # the names and rules are top-aligned notes: their labels too
        ws.write(r, 0, label, f.label_top if r in (2, 3) else f.label)
    prefill = content.prefilled() if weekly else None
    for c, col in enumerate(content.ldsos):
        x = grid.first_col + c
        letter = xl_col_to_name(x)
        planned = int(prefill[:, c].sum()) if prefill is not None else 0
        ws.write_string(2, x, col.name, f.note)
        ws.write_string(3, x, rules_text(col), f.note)
        ws.write_number(4, x, col.migrated, f.int)
        ws.write_number(5, x, col.portfolio, f.int)
        ws.write_formula(6, x, f"=SUM({letter}{top + 1}:{letter}{bottom + 1})", f.int, planned)
        if weekly:
            ws.write_formula(LEFT_ROW, x, f"={letter}6-{letter}7", f.int_bold, col.portfolio - planned)


def _where_note(grid: Grid) -> str:
    return (f" Select a cell to see its limit; all the limits are in columns {limits_where(grid)}, after the calendar."
            if grid.n_cols else "")


def _header_row(ws, f: Formats, content: TemplateContent, grid: Grid, weekly: bool) -> None:
    """The row directly above the grid: the LDSO MPIDs (the machine contract), over the plan and the limits."""
    top = grid.top
    ws.write(top - 1, 0, "Week commencing" if weekly else "Date", f.head)
    for c, col in enumerate(content.ldsos):
        ws.write_string(top - 1, grid.first_col + c, col.mpid, f.head)
        ws.write_string(top - 1, grid.limit_col + c, f"{col.mpid} limit", f.head)  # printed apart from the grid
    ws.write(top - 1, grid.total_col, "Total", f.head)
    ws.write(top - 2, grid.limit_col, "Weekly limit per LDSO: your envelope, or the de minimis cap" if weekly
             else "Daily limit per LDSO: your envelope, or the de minimis cap", f.subtitle)
    ws.write(top - 1, grid.open_col, "Migration days open to you" if weekly else "Migration day (1 = yes)", f.head)
    if grid.ramp_col is not None:
        ws.write(top - 1, grid.ramp_col, "Ramp-up days (first SRUW)", f.head)
    ws.write(top - 1, grid.phase_col, "Your phase", f.head)
    ws.write(top - 1, grid.notes_col, "Calendar", f.head)


def _grid_rows(ws, f: Formats, content: TemplateContent, grid: Grid, weekly: bool) -> None:
    """A row per week (day): the date, input cells (grey when closed), the total, the limits, the calendar."""
    if weekly:
        rows, opened, limits = content.weeks, content.week_open_days > 0, content.weekly_limit
        phase, notes = content.week_phase, content.week_notes
    else:
        rows, opened, limits = content.days, content.day_open, content.daily_limit
        phase, notes = content.day_phase, content.day_notes
    first, n = grid.first_col, grid.n_cols
    prefill = content.prefilled() if weekly else np.zeros((len(rows), n), dtype=np.int64)
    for k, day in enumerate(rows):
        r = grid.top + k
        is_open = bool(opened[k])
        ws.write_datetime(r, 0, day, (f.week if weekly else f.day) if is_open else f.day_closed)
        cell_fmt = f.input if is_open else f.closed
        for c in range(n):
            if prefill[k, c]:  # carried over: an input like any other, judged like a typed figure
                ws.write_number(r, first + c, int(prefill[k, c]), cell_fmt)
            else:
                ws.write_blank(r, first + c, None, cell_fmt)
        ws.write_formula(r, grid.total_col, f"=SUM({xl_rowcol_to_cell(r, first)}:"
                                            f"{xl_rowcol_to_cell(r, first + n - 1)})", f.int, int(prefill[k].sum()))
        _limits(ws, f, content, grid.limit_col, r, limits[k], is_open)
        ws.write_number(r, grid.open_col, int(content.week_open_days[k]) if weekly else int(is_open))
        if grid.ramp_col is not None:
            ws.write_number(r, grid.ramp_col, int(content.week_ramp_up_days[k]))
        if phase[k]:
            ws.write_string(r, grid.phase_col, phase[k])
        if notes[k]:
            ws.write_string(r, grid.notes_col, notes[k], f.text)
            if text_lines(notes[k], NOTES_WIDTH) > 1:  # wrapped: a row tall enough (not every reader sizes it)
                ws.set_row(r, row_height(notes[k], NOTES_WIDTH))


def _limits(ws, f: Formats, content: TemplateContent, limit_col: int, r: int, limits: np.ndarray,
            is_open: bool) -> None:
    for c, col in enumerate(content.ldsos):
        if col.category == Category.SMALL:
            ws.write_string(r, limit_col + c, "no limit", f.limit_closed)
        else:
            ws.write_number(r, limit_col + c, int(limits[c]), f.limit if is_open else f.limit_closed)


def _grid_checks(ws, f: Formats, content: TemplateContent, grid: Grid, weekly: bool) -> None:
    """Whole numbers only; red over a limit, on a closed week (day) or not a whole number; 'Left to plan' green
    at 0, red otherwise."""
    top, first, bottom, n = grid.top, grid.first_col, grid.bottom, grid.n_cols
    area = (top, first, bottom, first + n - 1)
    tl = xl_rowcol_to_cell(top, first)
    open_cell = xl_rowcol_to_cell(top, grid.open_col, col_abs=True)
    if n:
        _prompts(ws, content, grid, weekly)
        ws.conditional_format(*area, {"type": "formula", "format": f.red, "criteria": INTEGER_RED.format(tl=tl)})
        ws.conditional_format(*area, {"type": "formula", "format": f.red,
                                      "criteria": f"=AND({open_cell}=0,ISNUMBER({tl}),{tl}<>0)"})
        for c, col in enumerate(content.ldsos):
            if col.category == Category.SMALL:
                continue
            cell = xl_rowcol_to_cell(top, first + c)
            lim = xl_rowcol_to_cell(top, grid.limit_col + c)
            ws.conditional_format(top, first + c, bottom, first + c, {
                "type": "formula", "format": f.red, "criteria": f"=AND(ISNUMBER({cell}),{cell}>{lim})"})
    if n and weekly:
        ws.conditional_format(LEFT_ROW, first, LEFT_ROW, first + n - 1, {"type": "cell", "criteria": "!=",
                                                                         "value": 0, "format": f.red})
        ws.conditional_format(LEFT_ROW, first, LEFT_ROW, first + n - 1, {"type": "cell", "criteria": "==",
                                                                         "value": 0, "format": f.ok})


def _prompts(ws, content: TemplateContent, grid: Grid, weekly: bool) -> None:
    """Whole numbers of 0 or more, each cell's input message naming its limit: one validation per message."""
    for p, runs in plan_prompts(content, weekly, limits_where(grid)).items():
        r0, r1, c = runs[0]
        if ws.data_validation(grid.top + r0, grid.first_col + c, grid.top + r1, grid.first_col + c, {
                "validate": "integer", "criteria": ">=", "value": 0, "input_title": p.title,
                "input_message": p.message, "error_title": "Whole numbers only",
                "error_message": "Type a whole number of migrations, 0 or more.",
                "multi_range": cells_ref(runs, grid.top, grid.first_col)}):
            raise ValueError(f"XlsxWriter refused the validation {p}")


def limits_where(grid: Grid) -> str:
    """The columns of a plan sheet's limits, as the supplier reads them: "AB to AU"."""
    return f"{xl_col_to_name(grid.limit_col)} to {xl_col_to_name(grid.limit_col + grid.n_cols - 1)}"


def _layout(ws, content: TemplateContent, grid: Grid, weekly: bool) -> None:
    """Column widths, frozen panes, protection and the print set-up."""
    for c, width in enumerate(widths(grid, weekly)):
        ws.set_column(c, c, width)
    ws.set_row(2, 60)  # LDSO names over four lines of a 10-wide column
    ws.set_row(3, 30)
    ws.set_row(grid.top - 1, 45)  # "Ramp-up days (first SRUW)" over three lines
    ws.freeze_panes(grid.top, grid.first_col)
    ws.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True,
                    "select_unlocked_cells": True})
    _print(ws, content, grid)


def widths(grid: Grid, weekly: bool) -> list[float]:
    """The width of every column of a plan sheet, from column A to the last limit."""
    out = [LABEL_WIDTH] + [10] * grid.n_cols + [11]  # dates and labels, the grid, the total
    out += [12] * (2 if weekly else 1) + [16, NOTES_WIDTH]  # open days, ramp-up days, phase, notes
    return out + [11] * grid.n_cols  # the limits, headed "<MPID> limit"


def _print(ws, content: TemplateContent, grid: Grid) -> None:
    """A4 landscape, one page wide, the header row and the dates on every page: the grid with its calendar first,
    then the limits on pages of their own (two print areas at one scale)."""
    group = content.group
    print_setup(ws, repeat_rows=(grid.top - 1,), repeat_columns=0,
                header=f"&L{group.name} ({group.mpid})&C{ws.name}: the plan and its calendar, then the limits"
                       f"&R{content.sprint.cycle}",
                footer="&L&A&CIssued by the Migration Control Centre&RPage &P of &N")
    areas = [(0, 0, grid.bottom, grid.notes_col)]
    if grid.n_cols:
        areas.append((grid.top - 1, grid.limit_col, grid.bottom, grid.limit_col + grid.n_cols - 1))
    print_areas(ws, areas)

