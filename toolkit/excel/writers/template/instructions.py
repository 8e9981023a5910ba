"""The instructions sheet, first in the workbook: who the template is for and when it is due, what to do, the
rules for everyone, the group's phases, its LDSOs and their rules, key dates and contacts."""

from __future__ import annotations

from toolkit.domain.parameters import Parameters
from toolkit.domain.template import TemplateContent, describe_phase_dates
from toolkit.excel import contract as C
from toolkit.excel.book import print_setup, row_height, text_lines
from toolkit.excel.writers.template.checks import capacity_text
from toolkit.excel.writers.template.formats import Formats

LAST_COL = 4  # text runs across columns B to E
WIDTHS = (31, 26, 12, 12, 56)  # columns A to E: one A4 page wide, portrait, at a readable scale
TEXT_WIDTH = sum(WIDTHS[1:])  # a text merged across B to E
FULL_WIDTH = sum(WIDTHS)  # a text merged across A to E


def instructions_sheet(ws, f: Formats, content: TemplateContent, parameters: Parameters, version: int,
                       template_id: str, issued_at: str) -> None:
    g, sp = content.group, content.sprint
    for c, width in enumerate(WIDTHS):
        ws.set_column(c, c, width)
    ws.write(0, 0, f"MHHS migration plan: {g.name} ({g.mpid})", f.title)
    ws.merge_range(1, 0, 1, LAST_COL, f"Sprint {sp.sprint} planning cycle ({sp.cycle}), template version {version}, "
                   f"issued {issued_at[:16].replace('T', ' ')} by the {parameters.contact.name}", f.note)
    late = issued_at[:10] > sp.submission_deadline.isoformat()
    r = _labelled(ws, f, 2, [
        ("Supplier MPIDs in this group", ", ".join(g.suppliers)),
        ("Return by", f"{sp.submission_deadline:%A %d %B %Y} (end of day), to {parameters.contact.email}"
                      + (": this template was issued after that date; return it as soon as you can (it will be "
                         "recorded as late)" if late else "")),
        ("Sprint execution", f"{sp.execution_start:%a %d %b %Y} to {sp.execution_end:%a %d %b %Y}"),
        ("Plan window", f"{content.first_day:%a %d %b %Y} to M15 {content.last_day:%a %d %b %Y}"),
        ("Daily sprint plan", ("required: " if content.daily_required else "not required: ") + content.daily_reason),
        ("Template", template_id),
    ])
    r = _portfolio(ws, f, content, parameters, r + 2)
    r = _steps(ws, f, content, parameters, r + 2)
    r = _general_rules(ws, f, parameters, r + 2)
    ws.write(r + 2, 0, "Your phases", f.subtitle)
    r = _labelled(ws, f, r + 2, describe_phase_dates(content))
    r = _ldsos(ws, f, content, parameters, r + 2)
    ws.write(r + 2, 0, "Key dates", f.subtitle)
    r += 2
    for day, title in content.events:
        r += 1
        ws.write_datetime(r, 0, day, f.day)
        ws.merge_range(r, 1, r, LAST_COL, title, f.text)
    ws.write(r + 2, 0, "Contacts", f.subtitle)
    _labelled(ws, f, r + 2, [("MCC", f"{parameters.contact.name}: {parameters.contact.email}"),
                             ("Your contacts on record", ", ".join(g.contacts) or "none on record: tell the MCC")])
    ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True, "format_columns": True})
    print_setup(ws, orientation="portrait")
    ws.hide_gridlines(2)


def _labelled(ws, f: Formats, r: int, rows: list[tuple[str, str]]) -> int:
    """Label and text rows after row ``r``; returns the last row written."""
    for label, value in rows:
        r += 1
        ws.write(r, 0, label, f.label)
        ws.merge_range(r, 1, r, LAST_COL, value, f.text)
        if text_lines(value, TEXT_WIDTH) > 1:
            ws.set_row(r, row_height(value, TEXT_WIDTH))
    return r


def _steps(ws, f: Formats, content: TemplateContent, parameters: Parameters, r: int) -> int:
    """'What to do' on row ``r``, the numbered steps below; returns the last row written."""
    ws.write(r, 0, "What to do", f.subtitle)
    steps = [
        f"'{C.SHEET_WEEKLY}': for every LDSO, type the migrations you plan per week up to M15. Select a cell to see "
        "its limit (all the limits follow the calendar, to the right). The totals must equal what remains of your "
        "portfolio in each LDSO ('Left to plan' reaches 0)"
        + ("; where your limits cannot hold it, plan all that fits and request unused capacity for the rest."
           if content.infeasible else ".")
        + (f" Weeks after the sprint hold {content.carried_from}: adjust them." if content.carried_from else ""),
    ]
    if content.daily_required:
        steps.append(f"'{C.SHEET_DAILY}': type the migrations per migration day of the sprint; each week's days must "
                     "add up to the weekly plan of that week.")
    steps += [
        f"'{C.SHEET_FAST_FEEDBACK}': list any fast-feedback initiations (only inside your fast-feedback window).",
        f"'{C.SHEET_AGENTS}': forecast per service provider and week; add providers we do not list.",
        f"'{C.SHEET_CHECKS}': the whole workbook should show OK, as every LDSO: OK means the MCC's inbox would find "
        f"no error there (the rule ids are those of the MCC's feedback). '{C.SHEET_CHART}' shows any LDSO's limit "
        "and plan.",
        "Save as .xlsx without renaming sheets, inserting rows or columns, or changing the file's structure, "
        f"and email it to {parameters.contact.email}. You will receive feedback for every version you send; "
        "the latest accepted version counts.",
    ]
    for k, step in enumerate(steps, start=1):
        r += 1
        ws.write_number(r, 0, k, f.step)
        ws.merge_range(r, 1, r, LAST_COL, step, f.text)
        ws.set_row(r, row_height(step, TEXT_WIDTH))
    return r


def _general_rules(ws, f: Formats, parameters: Parameters, r: int) -> int:
    """'Rules for everyone' on row ``r``, a bullet a row below; returns the last row written."""
    act = parameters.activation
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
        ws.merge_range(r, 0, r, LAST_COL, "• " + line, f.text)
        ws.set_row(r, row_height("• " + line, FULL_WIDTH))
    return r


def _ldsos(ws, f: Formats, content: TemplateContent, parameters: Parameters, r: int) -> int:
    """'Your LDSOs and their rules' on row ``r``, a table below; returns the last row written."""
    ws.write(r, 0, "Your LDSOs and their rules", f.subtitle)
    r += 1
    ws.write_row(r, 0, ["LDSO", "Name", "Migrated so far", "Remaining to plan", "What applies"], f.head)
    ws.set_row(r, 30)
    for col in content.ldsos:
        r += 1
        ws.write_string(r, 0, col.mpid, f.top)
        ws.write_string(r, 1, col.name, f.text)
        ws.write_number(r, 2, col.migrated, f.int_top)
        ws.write_number(r, 3, col.portfolio, f.int_top)
        portfolio = f"Portfolio {col.initial:,} (deemed initial)" + (f", churn {col.churn:+,}" if col.churn else "")
        text = f"{portfolio}. {col.rule_text(parameters)}"
        ws.write_string(r, 4, text, f.warn_text if col.infeasible else f.text)
        ws.set_row(r, max(row_height(text, WIDTHS[4]), row_height(col.name, WIDTHS[1])))
    return r


def _portfolio(ws, f: Formats, content: TemplateContent, parameters: Parameters, r: int) -> int:
    """'Your portfolio' on row ``r``: how 'migrated so far' was counted, what is carried over, and where capacity
    falls short; returns the last row written."""
    ws.write(r, 0, "Your portfolio", f.subtitle)
    lines = [f"What remains to plan is your deemed initial portfolio, plus any churn recorded, less what migrated "
             f"before the sprint's execution start ({content.sprint.execution_start:%a %d %b %Y})."]
    lines += [note[0].upper() + note[1:] + "." for note in content.basis_notes]
    if content.carried_from:
        lines.append(f"The weeks after this sprint are pre-filled with {content.carried_from}, so you adjust rather "
                     "than retype; they are checked like any figure you type.")
    for line in lines:
        r += 1
        ws.merge_range(r, 0, r, LAST_COL, "• " + line, f.text)
        ws.set_row(r, row_height("• " + line, FULL_WIDTH))
    short = capacity_text(content, parameters)
    if short:
        r += 1
        ws.merge_range(r, 0, r, LAST_COL, short, f.warn)
        ws.set_row(r, row_height(short, FULL_WIDTH))
    return r
