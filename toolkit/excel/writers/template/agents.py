"""The agent forecasts sheet (Foundations 5.2.10; Choreography 3.2.1 b3): for each week, how many of the planned
migrations each service provider takes on; each role's providers must add up to the week's plan."""

from __future__ import annotations

from xlsxwriter.utility import xl_range_abs, xl_rowcol_to_cell

from toolkit.domain.industry import AGENT_ROLES
from toolkit.domain.template import TemplateContent
from toolkit.excel.book import print_setup
from toolkit.excel.writers.template.formats import Formats
from toolkit.excel.writers.template.plan import FIRST_COL, GRID_TOP, INTEGER_RED, Grid

SPARE_AGENT_COLUMNS = 4


def agents_sheet(ws, f: Formats, content: TemplateContent, wk: Grid) -> tuple[str, dict[str, str]]:
    """The group's service providers across, weeks down; returns the grid reference and, per role, the
    reference of its 'weeks that do not add up' cell."""
    ws.write(0, 0, "Agent forecasts (Foundations 5.2.10; Choreography 3.2.1 b3)", f.title)
    ws.merge_range(1, 0, 1, 8, "For each week, how many of your planned migrations each service provider will "
                               "take on. Each role's providers must add up to the week's total plan. Providers "
                               "we hold for you are listed; add any others in the spare columns (MPID and role "
                               "DS or MS).", f.text)
    ws.set_row(1, 45)
    n = len(content.agents) + SPARE_AGENT_COLUMNS
    top, bottom = GRID_TOP, GRID_TOP + len(content.weeks) - 1
    _providers(ws, f, content, n)
    total_col = FIRST_COL + n + 1
    role_cols = {role: total_col + 1 + k for k, role in enumerate(AGENT_ROLES)}
    diff_cols = {role: total_col + 1 + len(AGENT_ROLES) + k for k, role in enumerate(AGENT_ROLES)}
    ws.write(top - 1, total_col, "Planned (weekly plan)", f.head)
    for role in AGENT_ROLES:
        ws.write(top - 1, role_cols[role], f"{role} forecast", f.head)
        ws.write(top - 1, diff_cols[role], f"{role} difference", f.head)
    _weeks(ws, f, content, wk, n, total_col, role_cols, diff_cols)
    for role in AGENT_ROLES:
        ws.conditional_format(top, diff_cols[role], bottom, diff_cols[role],
                              {"type": "cell", "criteria": "!=", "value": 0, "format": f.red})
    ws.data_validation(top, FIRST_COL, bottom, FIRST_COL + n - 1, {
        "validate": "integer", "criteria": ">=", "value": 0, "input_title": "Forecast migrations",
        "input_message": "Whole number of this week's planned migrations this provider takes on.",
        "error_title": "Whole numbers only", "error_message": "Type a whole number, 0 or more."})
    ws.conditional_format(top, FIRST_COL, bottom, FIRST_COL + n - 1, {
        "type": "formula", "format": f.red, "criteria": INTEGER_RED.format(tl=xl_rowcol_to_cell(top, FIRST_COL))})
    ws.set_column(0, 0, 16)
    ws.set_column(FIRST_COL, FIRST_COL + n - 1, 11)
    ws.set_column(total_col - 1, total_col - 1, 3)
    ws.set_column(total_col, diff_cols[list(AGENT_ROLES)[-1]], 12)
    ws.set_row(top - 3, 30)
    ws.set_row(top - 1, 30)
    ws.freeze_panes(top, FIRST_COL)
    ws.protect("", {"format_columns": True, "select_locked_cells": True, "select_unlocked_cells": True})
    print_setup(ws, repeat_rows=(top - 3, top - 1))
    mismatch = {}
    for role in AGENT_ROLES:
        col = xl_range_abs(top, diff_cols[role], bottom, diff_cols[role])
        mismatch[role] = f"SUMPRODUCT(--('{ws.name}'!{col}<>0))"
    return f"'{ws.name}'!" + xl_range_abs(top, FIRST_COL, bottom, FIRST_COL + n - 1), mismatch


def _providers(ws, f: Formats, content: TemplateContent, n: int) -> None:
    """Three rows above the grid: each provider's name, role and MPID; the spare columns are for the group to
    fill in, checked as it types."""
    top, agents = GRID_TOP, content.agents
    ws.write(top - 3, 0, "Provider", f.label)
    ws.write(top - 2, 0, "Role", f.label)
    ws.write(top - 1, 0, "Week commencing", f.head)
    for c in range(n):
        x = FIRST_COL + c
        if c < len(agents):
            a = agents[c]
            ws.write_string(top - 3, x, a.name, f.note)
            ws.write_string(top - 2, x, a.role, f.head)
            ws.write_string(top - 1, x, a.mpid, f.head)
        else:
            ws.write_string(top - 3, x, "(another provider)", f.note)
            ws.write_blank(top - 2, x, None, f.head_input)
            ws.write_blank(top - 1, x, None, f.head_input)
    first_spare, last = FIRST_COL + len(agents), FIRST_COL + n - 1
    ws.data_validation(top - 2, first_spare, top - 2, last, {
        "validate": "list", "source": list(AGENT_ROLES), "input_title": "Role",
        "input_message": "DS data service or MS metering service."})
    ws.data_validation(top - 1, first_spare, top - 1, last, {
        "validate": "length", "criteria": "==", "value": 4, "input_title": "Provider MPID",
        "input_message": "The provider's four-character MPID.", "error_title": "Not an MPID",
        "error_message": "An MPID has four letters or digits."})


def _weeks(ws, f: Formats, content: TemplateContent, wk: Grid, n: int, total_col: int, role_cols: dict[str, int],
           diff_cols: dict[str, int]) -> None:
    """A row per week: input cells (grey when closed), the week's plan, each role's forecast and difference."""
    roles_row = xl_range_abs(GRID_TOP - 2, FIRST_COL, GRID_TOP - 2, FIRST_COL + n - 1)
    planned, forecast = content.prefilled().sum(axis=1), content.prefilled_agents()
    for k, week in enumerate(content.weeks):
        r = GRID_TOP + k
        is_open = content.week_open_days[k] > 0
        ws.write_datetime(r, 0, week, f.week if is_open else f.day_closed)
        for c in range(n):
            value = int(forecast[k, c]) if c < forecast.shape[1] else 0
            if value:  # carried over with the weekly plan
                ws.write_number(r, FIRST_COL + c, value, f.input if is_open else f.closed)
            else:
                ws.write_blank(r, FIRST_COL + c, None, f.input if is_open else f.closed)
        ws.write_formula(r, total_col, f"='{wk.sheet}'!{xl_rowcol_to_cell(wk.top + k, wk.total_col)}", f.int,
                         int(planned[k]))
        row_range = f"{xl_rowcol_to_cell(r, FIRST_COL)}:{xl_rowcol_to_cell(r, FIRST_COL + n - 1)}"
        for role in AGENT_ROLES:
            role_sum = int(sum(forecast[k, c] for c, a in enumerate(content.agents) if a.role == role))
            ws.write_formula(r, role_cols[role], f'=SUMIF({roles_row},"{role}",{row_range})', f.int, role_sum)
            ws.write_formula(r, diff_cols[role], f"={xl_rowcol_to_cell(r, role_cols[role])}-"
                                                 f"{xl_rowcol_to_cell(r, total_col)}", f.int,
                             role_sum - int(planned[k]))
