"""Write one supplier group's submission template (XlsxWriter; see ``toolkit.excel.contract`` for the machine
contract and ``docs/templates.md`` for the supplier's view).

Everything written comes from one ``TemplateContent``, which holds the group's own figures only. Formulas carry
the value they have in the empty template as their cached result, so a reader or a viewer that does not
recalculate sees true figures; Excel and LibreOffice recalculate as the supplier types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_range_abs, xl_rowcol_to_cell

from toolkit.domain.envelopes import Category
from toolkit.domain.industry import AGENT_ROLES
from toolkit.domain.parameters import Parameters
from toolkit.domain.template import TemplateContent, describe_phase_dates, self_checks
from toolkit.excel import contract as C

DATE = "ddd dd mmm yyyy"
WEEK = "dd mmm yyyy"
INPUT_FILL = "#FFF9E6"
CLOSED_FILL = "#D9D9D9"
HEAD_FILL = "#DDEBF7"
RED_FILL = "#FFC7CE"
RED_FONT = "#9C0006"
SPARE_AGENT_COLUMNS = 4
FAST_FEEDBACK_ROWS = 20
LIST_COL = 30  # chart sheet: the LDSO list and the chart data start here, out of the charts' way
GRID_TOP = 8  # first data row of the plan grids (0-based); the MPID row is GRID_TOP - 1


# XlsxWriter runs some thirty regular expressions over every formula to prefix Excel 365's dynamic-array
# functions; a template holds about a thousand formulas and none of those functions, so one combined search
# decides whether that work is needed (it halves the time spent on formulas).
_DYNAMIC = re.compile(r"ANCHORARRAY|BYCOL|BYROW|CHOOSECOLS|CHOOSEROWS|DROP|EXPAND|FILTER|HSTACK|LAMBDA|MAKEARRAY|"
                      r"MAP|RANDARRAY|REDUCE|SCAN|SINGLE|SEQUENCE|SORT|SWITCH|TAKE|TEXTSPLIT|TOCOL|TOROW|UNIQUE|"
                      r"VSTACK|WRAPCOLS|WRAPROWS|XLOOKUP|_xlfn")


class _Worksheet(xlsxwriter.worksheet.Worksheet):
    def _prepare_formula(self, formula, expand_future_functions=False):
        if self.use_future_functions or expand_future_functions or _DYNAMIC.search(formula):
            return super()._prepare_formula(formula, expand_future_functions)
        return formula.removeprefix("{").removeprefix("=").removesuffix("}")


class _Workbook(xlsxwriter.Workbook):
    worksheet_class = _Worksheet


@dataclass(frozen=True)
class TemplateMeta:
    template_id: str
    version: int
    issued_at: str  # ISO 8601 with time zone


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook):
        add = wb.add_format
        self.title = add({"bold": True, "font_size": 14})
        self.subtitle = add({"bold": True, "font_size": 11})
        self.text = add({"text_wrap": True, "valign": "top"})
        self.note = add({"italic": True, "font_color": "#595959", "text_wrap": True, "valign": "top"})
        self.head = add({"bold": True, "bg_color": HEAD_FILL, "border": 1, "text_wrap": True, "valign": "top"})
        self.head_input = add({"bold": True, "bg_color": INPUT_FILL, "border": 1, "locked": False})
        self.label = add({"bold": True, "align": "right"})
        self.int = add({"num_format": "#,##0"})
        self.int_bold = add({"num_format": "#,##0", "bold": True})
        self.pct = add({"num_format": "0.0%"})
        self.day = add({"num_format": DATE})
        self.day_closed = add({"num_format": DATE, "font_color": "#808080"})
        self.week = add({"num_format": WEEK})
        self.input = add({"num_format": "#,##0", "bg_color": INPUT_FILL, "border": 1, "border_color": "#BFBFBF",
                          "locked": False})
        self.input_date = add({"num_format": "dd/mm/yyyy", "bg_color": INPUT_FILL, "border": 1,
                               "border_color": "#BFBFBF", "locked": False})
        self.input_text = add({"bg_color": INPUT_FILL, "border": 1, "border_color": "#BFBFBF", "locked": False})
        self.closed = add({"num_format": "#,##0", "bg_color": CLOSED_FILL, "border": 1, "border_color": "#BFBFBF"})
        self.limit = add({"num_format": "#,##0", "font_color": "#1F4E79"})
        self.limit_closed = add({"num_format": "#,##0", "font_color": "#A6A6A6"})
        self.red = add({"bg_color": RED_FILL, "font_color": RED_FONT})
        self.ok = add({"bg_color": "#C6EFCE", "font_color": "#006100"})


def write_template(path: Path, content: TemplateContent, parameters: Parameters, meta: TemplateMeta,
                   key: bytes) -> dict[str, str]:
    """Write the template to ``path``; returns the metadata written to the hidden sheet (signature included)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = _Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False})
    group = content.group
    wb.set_properties({
        "title": f"MHHS migration plan {content.sprint.cycle}: {group.name} ({group.mpid})",
        "subject": f"Supplier migration plan submission, sprint {content.sprint.sprint}",
        "author": parameters.contact.name, "company": parameters.contact.name,
        "comments": f"Template {meta.template_id}",
    })
    f = _Formats(wb)
    instructions = wb.add_worksheet(C.SHEET_INSTRUCTIONS)
    weekly = wb.add_worksheet(C.SHEET_WEEKLY)
    daily = wb.add_worksheet(C.SHEET_DAILY) if content.daily_required else None
    fast = wb.add_worksheet(C.SHEET_FAST_FEEDBACK)
    agents = wb.add_worksheet(C.SHEET_AGENTS)
    checks = wb.add_worksheet(C.SHEET_CHECKS)
    chart = wb.add_worksheet(C.SHEET_CHART)
    meta_ws = wb.add_worksheet(C.SHEET_META)

    ranges: dict[str, str] = {}
    wk = _plan_sheet(wb, weekly, f, content, weekly=True)
    ranges[C.PLAN_WEEKLY] = wk.grid_ref
    dy = None
    if daily is not None:
        dy = _plan_sheet(wb, daily, f, content, weekly=False)
        ranges[C.PLAN_DAILY] = dy.grid_ref
    ranges[C.FAST_FEEDBACK] = _fast_feedback_sheet(fast, f, content, parameters)
    ag_ref, agent_checks = _agents_sheet(agents, f, content, wk)
    ranges[C.AGENT_FORECAST] = ag_ref
    for name, ref in ranges.items():
        wb.define_name(name, f"={ref}")
    _checks_sheet(checks, f, content, parameters, wk, dy, agent_checks)
    _chart_sheet(wb, chart, f, content, wk, dy)
    _instructions_sheet(instructions, f, content, parameters, meta)

    values = {
        "format": C.FORMAT_VERSION, "template_id": meta.template_id, "group": group.mpid,
        "cycle": content.sprint.cycle, "version": str(meta.version), "issued_at": meta.issued_at,
        "envelope_digest": content.digest(), "layout": C.layout_text(ranges),
    }
    values[C.SIGNATURE_KEY] = C.sign(values, key)
    meta_ws.write_row(0, 0, ["key", "value"])
    for r, (k, v) in enumerate(values.items(), start=1):
        meta_ws.write_string(r, 0, k)
        meta_ws.write_string(r, 1, v)
    meta_ws.protect()
    meta_ws.very_hidden()
    instructions.activate()
    wb.close()
    return values


# -- plan grids ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Grid:
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


def _plan_sheet(wb, ws, f: _Formats, content: TemplateContent, weekly: bool) -> _Grid:
    cols = content.ldsos
    n = len(cols)
    if weekly:
        rows, opened, limits = content.weeks, content.week_open_days > 0, content.weekly_limit
        phase, notes = content.week_phase, content.week_notes
    else:
        rows, opened, limits = content.days, content.day_open, content.daily_limit
        phase, notes = content.day_phase, content.day_notes
    top, bottom = GRID_TOP, GRID_TOP + len(rows) - 1
    first = 1
    total_col = first + n
    limit_col = total_col + 2
    open_col = limit_col + n
    ramp_col = open_col + 1 if weekly else None
    phase_col = open_col + (2 if weekly else 1)
    notes_col = phase_col + 1
    group = content.group
    if weekly:
        ws.write(0, 0, f"Weekly plan to M15: {group.name} ({group.mpid}), sprint {content.sprint.sprint}", f.title)
        ws.write(1, 0, "Type the migrations you plan to start in each week, per LDSO, secondary MPANs included. "
                       "Grey weeks have no migration day open to you. A cell turns red when it is over the "
                       "weekly limit, on a closed week, or not a whole number.", f.note)
    else:
        ws.write(0, 0, f"Daily sprint plan: {group.name} ({group.mpid}), sprint {content.sprint.sprint} "
                       f"execution {content.sprint.execution_start:%d %b %Y} to "
                       f"{content.sprint.execution_end:%d %b %Y}", f.title)
        ws.write(1, 0, f"Why daily: {content.daily_reason}. Type the migrations per migration day; each week's "
                       "days must add up to that week's weekly plan. Grey days are not migration days.", f.note)
    labels = ["LDSO name", "Rules", "Portfolio (MPANs)", "Planned to M15", "Left to plan"] if weekly else \
        ["LDSO name", "Rules", "Portfolio (MPANs)", "Planned in the sprint"]
    for r, label in enumerate(labels, start=2):
        ws.write(r, 0, label, f.label)
    for c, col in enumerate(cols):
        x = first + c
        letter = xl_col_to_name(x)
        ws.write_string(2, x, col.name, f.note)
        ws.write_string(3, x, {Category.ENVELOPE: "envelope", Category.DE_MINIMIS: "de minimis",
                               Category.SMALL: "small"}[col.category], f.note)
        ws.write_number(4, x, col.portfolio, f.int)
        ws.write_formula(5, x, f"=SUM({letter}{top + 1}:{letter}{bottom + 1})", f.int, 0)
        if weekly:
            ws.write_formula(6, x, f"={letter}5-{letter}6", f.int_bold, col.portfolio)
    # header row directly above the grid: the LDSO MPIDs (the machine contract)
    ws.write(top - 1, 0, "Week commencing" if weekly else "Date", f.head)
    for c, col in enumerate(cols):
        ws.write_string(top - 1, first + c, col.mpid, f.head)
        ws.write_string(top - 1, limit_col + c, col.mpid, f.head)
    ws.write(top - 1, total_col, "Total", f.head)
    ws.write(top - 2, limit_col, "Weekly limit per LDSO: your envelope, or the de minimis cap" if weekly
             else "Daily limit per LDSO: your envelope, or the de minimis cap", f.subtitle)
    ws.write(top - 1, open_col, "Migration days open to you" if weekly else "Migration day (1 = yes)", f.head)
    if ramp_col is not None:
        ws.write(top - 1, ramp_col, "Ramp-up days (first SRUW)", f.head)
    ws.write(top - 1, phase_col, "Your phase", f.head)
    ws.write(top - 1, notes_col, "Calendar", f.head)

    for k, day in enumerate(rows):
        r = top + k
        is_open = bool(opened[k])
        ws.write_datetime(r, 0, day, (f.week if weekly else f.day) if is_open else f.day_closed)
        cell_fmt = f.input if is_open else f.closed
        for c in range(n):
            ws.write_blank(r, first + c, None, cell_fmt)
        ws.write_formula(r, total_col, f"=SUM({xl_rowcol_to_cell(r, first)}:{xl_rowcol_to_cell(r, first + n - 1)})",
                         f.int, 0)
        for c, col in enumerate(cols):
            if col.category == Category.SMALL:
                ws.write_string(r, limit_col + c, "no limit", f.limit_closed)
            else:
                ws.write_number(r, limit_col + c, int(limits[k, c]), f.limit if is_open else f.limit_closed)
        ws.write_number(r, open_col, int(content.week_open_days[k]) if weekly else int(is_open))
        if ramp_col is not None:
            ws.write_number(r, ramp_col, int(content.week_ramp_up_days[k]))
        if phase[k]:
            ws.write_string(r, phase_col, phase[k])
        if notes[k]:
            ws.write_string(r, notes_col, notes[k])

    grid = (top, first, bottom, first + n - 1)
    tl = xl_rowcol_to_cell(top, first)
    open_cell = xl_rowcol_to_cell(top, open_col, col_abs=True)
    if n:
        ws.data_validation(*grid, {
            "validate": "integer", "criteria": ">=", "value": 0,
            "input_title": "Planned migrations",
            "input_message": "A whole number of migrations (0 or more), secondary MPANs included. Leave blank "
                             "for none.",
            "error_title": "Whole numbers only",
            "error_message": "Type a whole number of migrations, 0 or more.",
        })
        ws.conditional_format(*grid, {"type": "formula", "format": f.red, "criteria":
                                      f"=OR(ISTEXT({tl}),AND(ISNUMBER({tl}),OR({tl}<0,{tl}<>INT({tl}))))"})
        ws.conditional_format(*grid, {"type": "formula", "format": f.red,
                                      "criteria": f"=AND({open_cell}=0,ISNUMBER({tl}),{tl}<>0)"})
        for c, col in enumerate(cols):
            if col.category == Category.SMALL:
                continue
            cell = xl_rowcol_to_cell(top, first + c)
            lim = xl_rowcol_to_cell(top, limit_col + c)
            ws.conditional_format(top, first + c, bottom, first + c, {
                "type": "formula", "format": f.red, "criteria": f"=AND(ISNUMBER({cell}),{cell}>{lim})"})
    if n and weekly:  # 'Left to plan': green at 0, red otherwise
        ws.conditional_format(6, first, 6, first + n - 1, {"type": "cell", "criteria": "!=", "value": 0,
                                                           "format": f.red})
        ws.conditional_format(6, first, 6, first + n - 1, {"type": "cell", "criteria": "==", "value": 0,
                                                           "format": f.ok})
    ws.set_column(0, 0, 16)
    ws.set_column(first, first + max(n - 1, 0), 10)
    ws.set_column(total_col, total_col, 11)
    ws.set_column(total_col + 1, total_col + 1, 3)
    ws.set_column(limit_col, limit_col + max(n - 1, 0), 9)
    ws.set_column(open_col, open_col + (1 if weekly else 0), 11)
    ws.set_column(phase_col, phase_col, 18)
    ws.set_column(notes_col, notes_col, 60)
    ws.set_row(2, 45)
    ws.set_row(top - 1, 32)
    ws.freeze_panes(top, first)
    ws.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True,
                    "select_unlocked_cells": True})
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(top - 1)
    ws.repeat_columns(0)
    ws.print_area(0, 0, bottom, total_col)
    ws.set_header(f"&L{group.name} ({group.mpid})&C{ws.name}&R{content.sprint.cycle}")
    ws.set_footer("&LIssued by the Migration Control Centre&RPage &P of &N")
    return _Grid(sheet=ws.name, top=top, bottom=bottom, first_col=first, n_cols=n, limit_col=limit_col,
                 open_col=open_col, ramp_col=ramp_col, total_col=total_col)


# -- fast feedback --------------------------------------------------------------------------------------

def _fast_feedback_sheet(ws, f: _Formats, content: TemplateContent, parameters: Parameters) -> str:
    act, ff = parameters.activation, parameters.fast_feedback
    ws.write(0, 0, "Fast feedback (Foundations 5.2.11)", f.title)
    lines = [
        f"Every migration uses the default activation offset of {act.mao_default} working days from initiation "
        "(IF-031) to the appointment effective date, except a short fast-feedback period at the start of your "
        "ramp-up.",
        f"Fast feedback: initiations from {content.fast_feedback_start:%a %d %b %Y} to "
        f"{content.fast_feedback_end:%a %d %b %Y} ({ff.weeks} weeks from the start of your ramp-up), at most "
        f"{ff.initiations:,} initiations in total, activation offset {act.mao_min} to {act.mao_max} working days.",
        "List each day's fast-feedback initiations below, per LDSO; they are part of your daily plan, not in "
        "addition to it.",
    ]
    if not content.fast_feedback_in_window:
        lines.append(f"Your fast-feedback window ended before this plan starts ({content.first_day:%d %b %Y}): "
                     "there is nothing to fill here.")
    for r, line in enumerate(lines, start=1):
        ws.merge_range(r, 0, r, 5, line, f.text)
        ws.set_row(r, 32)
    top = 7
    heads = ["Initiation date", "LDSO", "Initiations", "Activation offset (working days)", "Check"]
    ws.write_row(top - 1, 0, heads, f.head)
    can_fill = content.fast_feedback_in_window
    mpids = content.ldso_mpids
    for k in range(FAST_FEEDBACK_ROWS):
        r = top + k
        if can_fill:
            ws.write_blank(r, 0, None, f.input_date)
            ws.write_blank(r, 1, None, f.input_text)
            ws.write_blank(r, 2, None, f.input)
            ws.write_blank(r, 3, None, f.input)
        else:
            for c in range(4):
                ws.write_blank(r, c, None, f.closed)
        a, b, c_, d = (xl_rowcol_to_cell(r, x) for x in range(4))
        ws.write_formula(r, 4, (
            f'=IF(COUNTA({a}:{d})=0,"",IF(OR({a}<DATE({_ymd(content.fast_feedback_start)}),'
            f'{a}>DATE({_ymd(content.fast_feedback_end)})),"date outside the window",'
            f'IF(OR({d}<{act.mao_min},{d}>{act.mao_max}),"offset outside {act.mao_min}-{act.mao_max}","OK")))'),
            None, "")
    bottom = top + FAST_FEEDBACK_ROWS - 1
    if can_fill:
        ws.data_validation(top, 0, bottom, 0, {
            "validate": "date", "criteria": "between", "minimum": content.fast_feedback_start,
            "maximum": content.fast_feedback_end, "input_title": "Initiation date",
            "input_message": f"A date from {content.fast_feedback_start:%d/%m/%Y} to "
                             f"{content.fast_feedback_end:%d/%m/%Y}.",
            "error_title": "Outside the fast-feedback window",
            "error_message": "Fast feedback is only allowed in the window shown above."})
        if mpids and len(",".join(mpids)) < 250:
            ws.data_validation(top, 1, bottom, 1, {"validate": "list", "source": mpids,
                                                   "input_title": "LDSO", "input_message": "One of your LDSOs."})
        ws.data_validation(top, 2, bottom, 2, {
            "validate": "integer", "criteria": "between", "minimum": 0, "maximum": ff.initiations,
            "input_title": "Initiations", "input_message": "Whole number of fast-feedback initiations.",
            "error_title": "Whole numbers only", "error_message": f"0 to {ff.initiations:,}."})
        ws.data_validation(top, 3, bottom, 3, {
            "validate": "integer", "criteria": "between", "minimum": act.mao_min, "maximum": act.mao_max,
            "input_title": "Activation offset", "input_message": f"{act.mao_min} to {act.mao_max} working days.",
            "error_title": "Offset outside the allowance",
            "error_message": f"Fast feedback allows {act.mao_min} to {act.mao_max} working days."})
    total_row = bottom + 2
    ws.write(total_row, 1, "Total", f.label)
    ws.write_formula(total_row, 2, f"=SUM({xl_rowcol_to_cell(top, 2)}:{xl_rowcol_to_cell(bottom, 2)})", f.int, 0)
    ws.write_formula(total_row, 4, f'=IF({xl_rowcol_to_cell(total_row, 2)}>{ff.initiations},"over the '
                                    f'{ff.initiations:,} allowed","OK")', None, "OK")
    ws.conditional_format(top, 4, total_row, 4, {"type": "formula", "format": f.red,
                                                  "criteria": f'=AND({xl_rowcol_to_cell(top, 4)}<>"",'
                                                              f'{xl_rowcol_to_cell(top, 4)}<>"OK")'})
    ws.set_column(0, 0, 16)
    ws.set_column(1, 2, 12)
    ws.set_column(3, 3, 18)
    ws.set_column(4, 4, 28)
    ws.set_column(5, 5, 20)
    ws.freeze_panes(top, 0)
    ws.protect("", {"format_columns": True, "select_locked_cells": True, "select_unlocked_cells": True})
    ws.fit_to_pages(1, 0)
    return f"'{ws.name}'!" + xl_range_abs(top, 0, bottom, 3)


def _ymd(d: date) -> str:
    return f"{d.year},{d.month},{d.day}"


# -- agents ------------------------------------------------------------------------------------------

def _agents_sheet(ws, f: _Formats, content: TemplateContent, wk: _Grid) -> tuple[str, dict[str, str]]:
    """The group's service providers across, weeks down; returns the grid reference and, per role, the
    reference of its 'weeks that do not add up' cell."""
    ws.write(0, 0, "Agent forecasts (Foundations 5.2.10; Choreography 3.2.1 b3)", f.title)
    ws.merge_range(1, 0, 1, 8, "For each week, how many of your planned migrations each service provider will "
                               "take on. Each role's providers must add up to the week's total plan. Providers "
                               "we hold for you are listed; add any others in the spare columns (MPID and role "
                               "DS or MS).", f.text)
    ws.set_row(1, 45)
    agents = content.agents
    n = len(agents) + SPARE_AGENT_COLUMNS
    top = GRID_TOP
    bottom = top + len(content.weeks) - 1
    first = 1
    ws.write(top - 3, 0, "Provider", f.label)
    ws.write(top - 2, 0, "Role", f.label)
    ws.write(top - 1, 0, "Week commencing", f.head)
    for c in range(n):
        x = first + c
        if c < len(agents):
            a = agents[c]
            ws.write_string(top - 3, x, a.name, f.note)
            ws.write_string(top - 2, x, a.role, f.head)
            ws.write_string(top - 1, x, a.mpid, f.head)
        else:
            ws.write_string(top - 3, x, "(another provider)", f.note)
            ws.write_blank(top - 2, x, None, f.head_input)
            ws.write_blank(top - 1, x, None, f.head_input)
    spare = (top - 2, first + len(agents), top - 1, first + n - 1)
    ws.data_validation(top - 2, spare[1], top - 2, spare[3], {
        "validate": "list", "source": list(AGENT_ROLES), "input_title": "Role",
        "input_message": "DS data service or MS metering service."})
    ws.data_validation(top - 1, spare[1], top - 1, spare[3], {
        "validate": "length", "criteria": "==", "value": 4, "input_title": "Provider MPID",
        "input_message": "The provider's four-character MPID.", "error_title": "Not an MPID",
        "error_message": "An MPID has four letters or digits."})
    total_col = first + n + 1
    role_cols = {role: total_col + 1 + k for k, role in enumerate(AGENT_ROLES)}
    diff_cols = {role: total_col + 1 + len(AGENT_ROLES) + k for k, role in enumerate(AGENT_ROLES)}
    ws.write(top - 1, total_col, "Planned (weekly plan)", f.head)
    for role in AGENT_ROLES:
        ws.write(top - 1, role_cols[role], f"{role} forecast", f.head)
        ws.write(top - 1, diff_cols[role], f"{role} difference", f.head)
    roles_row = xl_range_abs(top - 2, first, top - 2, first + n - 1)
    for k, week in enumerate(content.weeks):
        r = top + k
        is_open = content.week_open_days[k] > 0
        ws.write_datetime(r, 0, week, f.week if is_open else f.day_closed)
        for c in range(n):
            ws.write_blank(r, first + c, None, f.input if is_open else f.closed)
        ws.write_formula(r, total_col, f"='{wk.sheet}'!{xl_rowcol_to_cell(wk.top + k, wk.total_col)}", f.int, 0)
        row_range = f"{xl_rowcol_to_cell(r, first)}:{xl_rowcol_to_cell(r, first + n - 1)}"
        for role in AGENT_ROLES:
            ws.write_formula(r, role_cols[role], f'=SUMIF({roles_row},"{role}",{row_range})', f.int, 0)
            ws.write_formula(r, diff_cols[role], f"={xl_rowcol_to_cell(r, role_cols[role])}-"
                                                 f"{xl_rowcol_to_cell(r, total_col)}", f.int, 0)
    for role in AGENT_ROLES:
        ws.conditional_format(top, diff_cols[role], bottom, diff_cols[role],
                              {"type": "cell", "criteria": "!=", "value": 0, "format": f.red})
    tl = xl_rowcol_to_cell(top, first)
    ws.data_validation(top, first, bottom, first + n - 1, {
        "validate": "integer", "criteria": ">=", "value": 0, "input_title": "Forecast migrations",
        "input_message": "Whole number of this week's planned migrations this provider takes on.",
        "error_title": "Whole numbers only", "error_message": "Type a whole number, 0 or more."})
    ws.conditional_format(top, first, bottom, first + n - 1, {
        "type": "formula", "format": f.red,
        "criteria": f"=OR(ISTEXT({tl}),AND(ISNUMBER({tl}),OR({tl}<0,{tl}<>INT({tl}))))"})
    ws.set_column(0, 0, 16)
    ws.set_column(first, first + n - 1, 11)
    ws.set_column(total_col - 1, total_col - 1, 3)
    ws.set_column(total_col, diff_cols[list(AGENT_ROLES)[-1]], 12)
    ws.set_row(top - 3, 30)
    ws.freeze_panes(top, first)
    ws.protect("", {"format_columns": True, "select_locked_cells": True, "select_unlocked_cells": True})
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(top - 3, top - 1)
    mismatch = {}
    for role in AGENT_ROLES:
        col = xl_range_abs(top, diff_cols[role], bottom, diff_cols[role])
        mismatch[role] = f"SUMPRODUCT(--('{ws.name}'!{col}<>0))"
    return f"'{ws.name}'!" + xl_range_abs(top, first, bottom, first + n - 1), mismatch


# -- checks ------------------------------------------------------------------------------------------

CHECK_HEADS = ["LDSO", "Name", "Rules", "Portfolio", "Planned (weekly)", "Left to plan", "Ramp-up planned",
               "Ramp-up share", "Ramp-up min", "Ramp-up max", "Core-window share by core end", "Target",
               "Weeks over the limit", "Days over the limit", "Weeks closed but planned",
               "Non-migration days planned", "Problems", "Status"]
CHECKS_TOP = 6  # first LDSO row (0-based)
(K_LDSO, K_NAME, K_RULES, K_PORTFOLIO, K_PLANNED, K_LEFT, K_RAMP, K_RAMP_SHARE, K_RAMP_MIN, K_RAMP_MAX, K_CORE,
 K_TARGET, K_WEEKS_OVER, K_DAYS_OVER, K_WEEKS_CLOSED, K_DAYS_CLOSED, K_PROBLEMS, K_STATUS) = range(len(CHECK_HEADS))


def problems_formula(r: int, ramp_checked: bool, core_checked: bool, target: float) -> str:
    """The 'Problems' text of a check row; ``LdsoChecks.problems`` in ``toolkit.domain.template`` builds the same
    text from the same figures."""
    cell = lambda c: xl_rowcol_to_cell(r, c)  # noqa: E731
    parts = [f'IF({cell(K_LEFT)}<>0,"total differs from portfolio; ","")',
             f'IF(N({cell(K_WEEKS_OVER)})+N({cell(K_DAYS_OVER)})>0,"over the limit; ","")',
             f'IF({cell(K_WEEKS_CLOSED)}+{cell(K_DAYS_CLOSED)}>0,"on non-migration days; ","")']
    if ramp_checked:
        parts.append(f'IF(OR({cell(K_RAMP)}<{cell(K_RAMP_MIN)},{cell(K_RAMP)}>{cell(K_RAMP_MAX)}),'
                     '"ramp-up outside range; ","")')
    if core_checked:
        parts.append(f'IF(ROUND({cell(K_CORE)},9)<{target},"core window below target; ","")')
    return "=" + "&".join(parts)


def _checks_sheet(ws, f: _Formats, content: TemplateContent, parameters: Parameters, wk: _Grid,
                  dy: _Grid | None, agent_checks: dict[str, str]) -> None:
    s = parameters.submission
    ws.write(0, 0, "Self-checks (they recalculate as you type; the MCC checks again on receipt)", f.title)
    ws.merge_range(1, 0, 1, 10, "Each LDSO must be OK before you return the workbook. The weekly plan is the "
                                "basis of the totals; the daily plan is checked against its daily limits. Ramp-up "
                                "counts the weeks holding your first ramp-up days; core-window share counts "
                                "the weeks starting on or before your core window ends.", f.text)
    ws.set_row(1, 45)
    ws.write(2, 0, "Core window ends", f.label)
    core_end_cell = xl_rowcol_to_cell(2, 2, row_abs=True, col_abs=True)
    if content.core_end is not None:
        ws.write_datetime(2, 2, content.core_end, f.day)
    else:
        ws.write_string(2, 2, "no core window")
    ws.write_row(CHECKS_TOP - 1, 0, CHECK_HEADS, f.head)
    empty = self_checks(content, np.zeros((len(content.weeks), len(content.ldsos)), np.int64), None)
    for c, (col, chk) in enumerate(zip(content.ldsos, empty, strict=True)):
        r = CHECKS_TOP + c
        cell = lambda k, r=r: xl_rowcol_to_cell(r, k)  # noqa: E731
        plan = wk.col_ref(wk.first_col + c)
        limit = wk.col_ref(wk.limit_col + c)
        ws.write_string(r, K_LDSO, col.mpid)
        ws.write_string(r, K_NAME, col.name)
        ws.write_string(r, K_RULES, col.category_name.replace("_", " ").lower())
        ws.write_number(r, K_PORTFOLIO, col.portfolio, f.int)
        ws.write_formula(r, K_PLANNED, f"=SUM({plan})", f.int, chk.planned)
        ws.write_formula(r, K_LEFT, f"={cell(K_PORTFOLIO)}-{cell(K_PLANNED)}", f.int, chk.remaining)
        ramp_checked, core_checked = content.ramp_checked(col), content.core_checked(col)
        if content.ramp_up_in_window:
            ws.write_formula(r, K_RAMP, f'=SUMIFS({plan},{wk.col_ref(wk.ramp_col)},">0")', f.int, chk.ramp_up_planned)
            ws.write_formula(r, K_RAMP_SHARE, f"={cell(K_RAMP)}/{cell(K_PORTFOLIO)}", f.pct, chk.ramp_up_share)
        else:
            ws.write_string(r, K_RAMP, "n/a (before this plan)")
            ws.write_string(r, K_RAMP_SHARE, "n/a")
        if col.category == Category.SMALL:
            ws.write_string(r, K_RAMP_MIN, "no range")
            ws.write_string(r, K_RAMP_MAX, "no range")
        else:
            ws.write_number(r, K_RAMP_MIN, col.ramp_up_min, f.int)
            ws.write_number(r, K_RAMP_MAX, col.ramp_up_max, f.int)
        if content.core_end_in_window:
            ws.write_formula(r, K_CORE, f'=SUMIFS({plan},{wk.col_ref(0)},"<="&{core_end_cell})/{cell(K_PORTFOLIO)}',
                             f.pct, chk.core_share)
        else:
            ws.write_string(r, K_CORE, "n/a (core window not in this plan)")
        ws.write_string(r, K_TARGET, f"at least {s.cmwcp:.0%}" if col.category == Category.ENVELOPE else "guide only")
        if col.category == Category.SMALL:
            ws.write_string(r, K_WEEKS_OVER, "no limit")
            ws.write_string(r, K_DAYS_OVER, "no limit")
        else:
            ws.write_formula(r, K_WEEKS_OVER, f"=SUMPRODUCT(ISNUMBER({plan})*({plan}>{limit}))", f.int,
                             chk.weekly_over)
            if dy is not None:
                dplan, dlimit = dy.col_ref(dy.first_col + c), dy.col_ref(dy.limit_col + c)
                ws.write_formula(r, K_DAYS_OVER, f"=SUMPRODUCT(ISNUMBER({dplan})*({dplan}>{dlimit}))", f.int,
                                 chk.daily_over)
            else:
                ws.write_string(r, K_DAYS_OVER, "no daily plan")
        ws.write_formula(r, K_WEEKS_CLOSED,
                         f"=SUMPRODUCT(({wk.col_ref(wk.open_col)}=0)*ISNUMBER({plan})*({plan}<>0))", f.int,
                         chk.weekly_closed)
        if dy is not None:
            dplan = dy.col_ref(dy.first_col + c)
            ws.write_formula(r, K_DAYS_CLOSED,
                             f"=SUMPRODUCT(({dy.col_ref(dy.open_col)}=0)*ISNUMBER({dplan})*({dplan}<>0))", f.int,
                             chk.daily_closed)
        else:
            ws.write_number(r, K_DAYS_CLOSED, 0, f.int)
        problems = chk.problems(parameters, col, ramp_checked, core_checked)
        ws.write_formula(r, K_PROBLEMS, problems_formula(r, ramp_checked, core_checked, s.cmwcp), f.text, problems)
        ws.write_formula(r, K_STATUS, f'=IF({cell(K_PROBLEMS)}="","OK","Check")', None,
                         "OK" if not problems else "Check")
    last = CHECKS_TOP + len(content.ldsos) - 1
    if content.ldsos:
        for criteria, fmt in (("==", f.ok), ("!=", f.red)):
            ws.conditional_format(CHECKS_TOP, K_STATUS, last, K_STATUS,
                                  {"type": "cell", "criteria": criteria, "value": '"OK"', "format": fmt})
    r = last + 2
    ws.write(r, 0, "Agent forecasts", f.subtitle)
    for k, (role, formula) in enumerate(agent_checks.items()):
        ws.write(r + 1 + k, 1, f"{AGENT_ROLES[role]} ({role}): weeks whose forecasts do not add up to the plan")
        ws.write_formula(r + 1 + k, K_RAMP, f"={formula}", f.int, 0)
    ws.set_column(K_LDSO, K_LDSO, 8)
    ws.set_column(K_NAME, K_NAME, 30)
    ws.set_column(K_RULES, K_TARGET, 11)
    ws.set_column(K_WEEKS_OVER, K_DAYS_CLOSED, 12)
    ws.set_column(K_PROBLEMS, K_PROBLEMS, 40)
    ws.set_column(K_STATUS, K_STATUS, 9)
    ws.set_row(CHECKS_TOP - 1, 45)
    ws.freeze_panes(CHECKS_TOP, 1)
    ws.protect("", {"format_columns": True, "select_locked_cells": True, "select_unlocked_cells": True})
    ws.set_landscape()
    ws.fit_to_pages(1, 0)


# -- chart with an LDSO selector -----------------------------------------------------------------------

def _chart_sheet(wb, ws, f: _Formats, content: TemplateContent, wk: _Grid, dy: _Grid | None) -> None:
    ws.write(0, 0, "Envelope against plan (Foundations appendix 9.1, figures 4 and 5)", f.title)
    ws.write(2, 0, "LDSO", f.label)
    mpids = content.ldso_mpids
    first = mpids[0] if mpids else ""
    ws.write_string(2, 1, first, f.input_text)
    sel = "$B$3"
    if mpids:
        ws.data_validation(2, 1, 2, 1, {"validate": "list",
                                        "source": "=" + xl_range_abs(1, LIST_COL, len(mpids), LIST_COL),
                                        "input_title": "Choose an LDSO", "input_message": "The charts follow it."})
        ws.write(0, LIST_COL, "Your LDSOs", f.head)
        for k, m in enumerate(mpids):
            ws.write_string(1 + k, LIST_COL, m)
    ws.write(2, 2, "Choose one of your LDSOs: the charts show its limit (blue) and your plan (red).", f.note)
    top = 5

    def table(grid: _Grid, dates: list[date], limits: np.ndarray, col0: int, label: str, fmt) -> tuple[int, int]:
        ws.write_row(top - 1, col0, [label, "Planned", "Limit"], f.head)
        for k, d in enumerate(dates):
            r = top + k
            ws.write_datetime(r, col0, d, fmt)
            plan_rng = f"'{grid.sheet}'!" + xl_range_abs(grid.top, grid.first_col, grid.bottom,
                                                          grid.first_col + grid.n_cols - 1)
            lim_rng = grid.limits_ref()
            match = f"MATCH({sel},{grid.header_ref()},0)"
            ws.write_formula(r, col0 + 1, f"=IFERROR(N(INDEX({plan_rng},{k + 1},{match})),0)", f.int, 0)
            first_limit = int(limits[k, 0]) if limits.shape[1] else 0
            ws.write_formula(r, col0 + 2, f"=IFERROR(N(INDEX({lim_rng},{k + 1},{match})),0)", f.int,
                             max(first_limit, 0))
        return top, top + len(dates) - 1

    if mpids:
        r0, r1 = table(wk, content.weeks, content.weekly_limit, LIST_COL + 2, "Week commencing", f.week)
        _combo_chart(wb, ws, "Weekly limit and plan", LIST_COL + 2, r0, r1, area=True, anchor=(4, 0))
        if dy is not None and content.days:
            d0, d1 = table(dy, content.days, content.daily_limit, LIST_COL + 6, "Date", f.day)
            _combo_chart(wb, ws, "Daily limit and sprint plan", LIST_COL + 6, d0, d1, area=False, anchor=(26, 0))
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 10)
    ws.set_column(LIST_COL, LIST_COL + 9, 15)
    ws.print_area(0, 0, 46, 14)
    ws.set_landscape()
    ws.fit_to_pages(1, 1)
    ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True, "format_columns": True})


def _combo_chart(wb, ws, title: str, col0: int, r0: int, r1: int, area: bool, anchor: tuple[int, int]) -> None:
    name = ws.name
    plan = wb.add_chart({"type": "column"})
    plan.add_series({"name": "Planned", "categories": [name, r0, col0, r1, col0],
                     "values": [name, r0, col0 + 1, r1, col0 + 1], "fill": {"color": "#C00000"}, "gap": 40})
    limit = wb.add_chart({"type": "area" if area else "line"})
    style = {"fill": {"color": "#9DC3E6"}, "border": {"none": True}} if area else \
        {"line": {"color": "#2F5597", "width": 1.75}}
    limit.add_series({"name": "Limit", "categories": [name, r0, col0, r1, col0],
                      "values": [name, r0, col0 + 2, r1, col0 + 2], **style})
    limit.combine(plan)
    limit.set_title({"name": title})
    limit.set_x_axis({"num_format": "dd mmm", "date_axis": False})
    limit.set_y_axis({"num_format": "#,##0", "min": 0})
    limit.set_legend({"position": "bottom"})
    limit.set_size({"width": 900, "height": 360})
    ws.insert_chart(anchor[0], anchor[1], limit)


# -- instructions ------------------------------------------------------------------------------------

def _instructions_sheet(ws, f: _Formats, content: TemplateContent, parameters: Parameters,
                        meta: TemplateMeta) -> None:
    g, sp = content.group, content.sprint
    act = parameters.activation
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 34)
    ws.set_column(2, 2, 14)
    ws.set_column(3, 3, 14)
    ws.set_column(4, 4, 90)
    ws.write(0, 0, f"MHHS migration plan: {g.name} ({g.mpid})", f.title)
    ws.write(1, 0, f"Sprint {sp.sprint} planning cycle ({sp.cycle}), template version {meta.version}, issued "
                   f"{meta.issued_at[:16].replace('T', ' ')} by the {parameters.contact.name}", f.note)
    r = 3
    rows = [
        ("Supplier MPIDs in this group", ", ".join(g.suppliers)),
        ("Return by", f"{sp.submission_deadline:%A %d %B %Y} (end of day), to {parameters.contact.email}"),
        ("Sprint execution", f"{sp.execution_start:%a %d %b %Y} to {sp.execution_end:%a %d %b %Y}"),
        ("Plan window", f"{content.first_day:%a %d %b %Y} to M15 {content.last_day:%a %d %b %Y}"),
        ("Daily sprint plan", ("required: " if content.daily_required else "not required: ") + content.daily_reason),
        ("Template", meta.template_id),
    ]
    for label, value in rows:
        ws.write(r, 0, label, f.label)
        ws.merge_range(r, 1, r, 4, value, f.text)
        r += 1
    r += 1
    ws.write(r, 0, "What to do", f.subtitle)
    steps = [
        f"'{C.SHEET_WEEKLY}': for every LDSO, type the migrations you plan per week up to M15. The totals must equal "
        "your portfolio in each LDSO ('Left to plan' reaches 0).",
    ]
    if content.daily_required:
        steps.append(f"'{C.SHEET_DAILY}': type the migrations per migration day of the sprint; each week's days must "
                     "add up to the weekly plan of that week.")
    steps += [
        f"'{C.SHEET_FAST_FEEDBACK}': list any fast-feedback initiations (only inside your fast-feedback window).",
        f"'{C.SHEET_AGENTS}': forecast per service provider and week; add providers we do not list.",
        f"'{C.SHEET_CHECKS}': every LDSO should show OK. '{C.SHEET_CHART}' shows any LDSO's limit and plan.",
        "Save as .xlsx without renaming sheets, inserting rows or columns, or changing the file's structure, "
        f"and email it to {parameters.contact.email}. You will receive feedback for every version you send; "
        "the latest accepted version counts.",
    ]
    for k, step in enumerate(steps, start=1):
        r += 1
        ws.write_number(r, 0, k)
        ws.merge_range(r, 1, r, 4, step, f.text)
        ws.set_row(r, 30)
    r += 2
    ws.write(r, 0, "Rules for everyone", f.subtitle)
    general = [
        "Secondary MPANs count as migrations: a primary MPAN with one secondary MPAN is two migrations, with two "
        "secondary MPANs three (Foundations 5.5).",
        "Plan migrations only on migration days: grey days and weeks are weekends, bank holidays, excluded days, "
        "before your migration start or after M15.",
        f"Activation offset: {act.mao_default} working days from initiation to the appointment effective date, "
        f"except fast feedback ({act.mao_min}-{act.mao_max} working days, see '{C.SHEET_FAST_FEEDBACK}').",
        "Numbers only: whole numbers of 0 or more; leave a cell blank for none.",
    ]
    for line in general:
        r += 1
        ws.merge_range(r, 0, r, 4, "• " + line, f.text)
        ws.set_row(r, 30)
    r += 2
    ws.write(r, 0, "Your phases", f.subtitle)
    for label, value in describe_phase_dates(content):
        r += 1
        ws.write(r, 0, label, f.label)
        ws.merge_range(r, 1, r, 4, value, f.text)
    r += 2
    ws.write(r, 0, "Your LDSOs and their rules", f.subtitle)
    r += 1
    ws.write_row(r, 0, ["LDSO", "Name", "Portfolio (MPANs)", "Category", "What applies"], f.head)
    for col in content.ldsos:
        r += 1
        ws.write_string(r, 0, col.mpid)
        ws.write_string(r, 1, col.name)
        ws.write_number(r, 2, col.portfolio, f.int)
        ws.write_string(r, 3, col.category_name.replace("_", " ").lower())
        ws.write_string(r, 4, col.rule_text(parameters), f.text)
        ws.set_row(r, 45 if col.category == Category.DE_MINIMIS else 30)
    r += 2
    ws.write(r, 0, "Key dates", f.subtitle)
    for day, title in content.events:
        r += 1
        ws.write_datetime(r, 0, day, f.day)
        ws.merge_range(r, 1, r, 4, title, f.text)
    r += 2
    ws.write(r, 0, "Contacts", f.subtitle)
    contacts = [("MCC", f"{parameters.contact.name}: {parameters.contact.email}")]
    contacts += [("Your contacts on record", ", ".join(g.contacts) or "none on record: tell the MCC")]
    for label, value in contacts:
        r += 1
        ws.write(r, 0, label, f.label)
        ws.merge_range(r, 1, r, 4, value, f.text)
    ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True, "format_columns": True})
    ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.hide_gridlines(2)
