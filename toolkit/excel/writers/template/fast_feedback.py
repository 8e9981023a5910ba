"""The fast-feedback sheet (Foundations 5.2.11): the group lists its fast-feedback initiations, each checked
against the window and the activation offset allowed."""

from __future__ import annotations

from datetime import date

from xlsxwriter.utility import xl_range_abs, xl_rowcol_to_cell

from toolkit.domain.parameters import Parameters
from toolkit.domain.template import TemplateContent
from toolkit.excel.book import print_setup
from toolkit.excel.writers.template.formats import Formats

FAST_FEEDBACK_ROWS = 20
TOP = 7  # first input row (0-based)


def fast_feedback_sheet(ws, f: Formats, content: TemplateContent, parameters: Parameters) -> str:
    """Write the sheet; returns the reference of its input rows (the machine contract)."""
    ws.write(0, 0, "Fast feedback (Foundations 5.2.11)", f.title)
    for r, line in enumerate(_explanation(content, parameters), start=1):
        ws.merge_range(r, 0, r, 5, line, f.text)
        ws.set_row(r, 32)
    heads = ["Initiation date", "LDSO", "Initiations", "Activation offset (working days)", "Check"]
    ws.write_row(TOP - 1, 0, heads, f.head)
    _rows(ws, f, content, parameters)
    bottom = TOP + FAST_FEEDBACK_ROWS - 1
    if content.fast_feedback_in_window:
        _validations(ws, content, parameters, bottom)
    _total(ws, f, content.fast_feedback_initiations, bottom)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 2, 12)
    ws.set_column(3, 3, 18)
    ws.set_column(4, 4, 28)
    ws.set_column(5, 5, 20)
    ws.freeze_panes(TOP, 0)
    ws.protect("", {"format_columns": True, "select_locked_cells": True, "select_unlocked_cells": True})
    print_setup(ws, orientation=None)
    return f"'{ws.name}'!" + xl_range_abs(TOP, 0, bottom, 3)


def _explanation(content: TemplateContent, parameters: Parameters) -> list[str]:
    act = parameters.activation
    lines = [
        f"Every migration uses the default activation offset of {act.mao_default} working days from initiation "
        "(IF-031) to the appointment effective date, except a short fast-feedback period at the start of your "
        "ramp-up.",
        f"Fast feedback: initiations from {content.fast_feedback_start:%a %d %b %Y} to "
        f"{content.fast_feedback_end:%a %d %b %Y} ({content.fast_feedback_weeks} weeks from the start of your "
        f"ramp-up), at most {content.fast_feedback_initiations:,} initiations in total, activation offset "
        f"{act.mao_min} to {act.mao_max} working days.",
        "List each day's fast-feedback initiations below, per LDSO; they are part of your daily plan, not in "
        "addition to it.",
    ]
    if not content.fast_feedback_in_window:
        lines.append(f"Your fast-feedback window ended before this plan starts ({content.first_day:%d %b %Y}): "
                     "there is nothing to fill here.")
    return lines


def _rows(ws, f: Formats, content: TemplateContent, parameters: Parameters) -> None:
    """Input rows (grey when the window is over), each with its check: every problem the inbox would find in the
    row (fast-feedback.limits), as ``toolkit.domain.rules.fast_feedback`` judges it."""
    for k in range(FAST_FEEDBACK_ROWS):
        r = TOP + k
        if content.fast_feedback_in_window:
            ws.write_blank(r, 0, None, f.input_date)
            ws.write_blank(r, 1, None, f.input_text)
            ws.write_blank(r, 2, None, f.input)
            ws.write_blank(r, 3, None, f.input)
        else:
            for c in range(4):
                ws.write_blank(r, c, None, f.closed)
        ws.write_formula(r, 4, fast_feedback_check(content, parameters, r), None, "")


def _validations(ws, content: TemplateContent, parameters: Parameters, bottom: int) -> None:
    act = parameters.activation
    mpids = content.ldso_mpids
    ws.data_validation(TOP, 0, bottom, 0, {
        "validate": "date", "criteria": "between", "minimum": content.fast_feedback_start,
        "maximum": content.fast_feedback_end, "input_title": "Initiation date",
        "input_message": f"A date from {content.fast_feedback_start:%d/%m/%Y} to "
                         f"{content.fast_feedback_end:%d/%m/%Y}.",
        "error_title": "Outside the fast-feedback window",
        "error_message": "Fast feedback is only allowed in the window shown above."})
    if mpids and len(",".join(mpids)) < 250:  # Excel's limit on a list typed into a validation
        ws.data_validation(TOP, 1, bottom, 1, {"validate": "list", "source": mpids,
                                               "input_title": "LDSO", "input_message": "One of your LDSOs."})
    ws.data_validation(TOP, 2, bottom, 2, {
        "validate": "integer", "criteria": "between", "minimum": 1, "maximum": content.fast_feedback_initiations,
        "input_title": "Initiations", "input_message": f"Whole number of fast-feedback initiations, 1 to "
                                                       f"{content.fast_feedback_initiations:,}.",
        "error_title": "Whole numbers only",
        "error_message": f"1 to {content.fast_feedback_initiations:,} (leave the row empty for "
                                                             "none)."})
    ws.data_validation(TOP, 3, bottom, 3, {
        "validate": "integer", "criteria": "between", "minimum": act.mao_min, "maximum": act.mao_max,
        "input_title": "Activation offset", "input_message": f"{act.mao_min} to {act.mao_max} working days.",
        "error_title": "Offset outside the allowance",
        "error_message": f"Fast feedback allows {act.mao_min} to {act.mao_max} working days."})


def _total(ws, f: Formats, limit: int, bottom: int) -> None:
    """The total against the group's allowance; any check that is not OK red."""
    total_row = bottom + 2
    ws.write(total_row, 1, "Total", f.label)
    ws.write_formula(total_row, 2, f"=SUM({xl_rowcol_to_cell(TOP, 2)}:{xl_rowcol_to_cell(bottom, 2)})", f.int, 0)
    ws.write_formula(total_row, 4, f'=IF({xl_rowcol_to_cell(total_row, 2)}>{limit},"over the '
                                    f'{limit:,} allowed","OK")', None, "OK")
    ws.conditional_format(TOP, 4, total_row, 4, {"type": "formula", "format": f.red,
                                                  "criteria": f'=AND({xl_rowcol_to_cell(TOP, 4)}<>"",'
                                                              f'{xl_rowcol_to_cell(TOP, 4)}<>"OK")'})


def fast_feedback_check(content: TemplateContent, parameters: Parameters, r: int) -> str:
    """The Check cell of a fast-feedback row: each problem the inbox would find in it (fast-feedback.limits), "OK",
    or "" for an empty row."""
    act = parameters.activation
    a, b, c, d = (f"{x}{r + 1}" for x in "ABCD")
    open_days = [_serial(x) for x, o in zip(content.window_days, content.window_open, strict=True)
                 if o and content.fast_feedback_start <= x <= content.fast_feedback_end]
    is_open = f"ISNUMBER(MATCH(INT({a}),{{{','.join(map(str, open_days))}}},0))" if open_days else "FALSE"
    mpids = ",".join(f'"{m}"' for m in content.ldso_mpids) or '""'
    problems = (
        f'IF(ISNUMBER({a}),IF(OR(INT({a})<{_serial(content.fast_feedback_start)},'
        f'INT({a})>{_serial(content.fast_feedback_end)}),"date outside the window; ",'
        f'IF({is_open},"","not a migration day for you; ")),"not a date; ")'
        f'&IF(SUMPRODUCT(--EXACT(UPPER(TRIM({b})),{{{mpids}}}))>0,"","not one of your LDSOs; ")'
        f'&IF(ISNUMBER({c}),IF({c}>=1,IF({c}=INT({c}),"","initiations not whole; "),"initiations must be 1 or more; "),'
        f'"initiations missing; ")'
        f'&IF(ISNUMBER({d}),IF(OR({d}<{act.mao_min},{d}>{act.mao_max},{d}<>INT({d})),'
        f'"offset outside {act.mao_min}-{act.mao_max}; ",""),"offset missing; ")')
    return f'=IF(COUNTBLANK({a}:{d})=4,"",IF(LEN({problems})=0,"OK",{problems}))'


def _serial(d: date) -> int:
    """A date as the spreadsheet's day number."""
    return (d - date(1899, 12, 30)).days
