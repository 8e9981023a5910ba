"""Unused capacity workbooks (Choreography 3.2.2): the aggregated Unused Capacity report and a group's UCA request
workbook (defined name ``UcaRequest``: the sprint's dates down, the LDSOs where the group has an envelope across,
the unused capacity beside; signed metadata as in the templates, with ``kind`` = ``uca-request``) and the allocation
workbook (every request and grant, its totals built in memory by ``build_allocation``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from xlsxwriter.utility import xl_range_abs, xl_rowcol_to_cell

from toolkit.excel import contract as C
from toolkit.excel.book import (
    CLOSED_FILL,
    CLOSED_FONT,
    DAY,
    GRID_BORDER,
    HEAD_FILL,
    INPUT_FILL,
    INT,
    MUTED_FONT,
    NOTE_FONT,
    RED_FILL,
    RED_FONT,
    book,
    print_areas,
    print_first_rows,
    print_setup,
    row_height,
)

SUPPRESSED = "suppressed"
GRANTS_PRINTED = 90  # grants printed by default (two pages): the rest on request


def _formats(wb):
    return {
        "title": wb.add_format({"bold": True, "font_size": 14}),
        "title_wrap": wb.add_format({"bold": True, "font_size": 14, "text_wrap": True, "valign": "top"}),
        "note": wb.add_format({"italic": True, "font_color": NOTE_FONT, "text_wrap": True, "valign": "top"}),
        "head": wb.add_format({"bold": True, "bg_color": HEAD_FILL, "border": 1}),
        "int": wb.add_format({"num_format": INT}),
        "grey": wb.add_format({"font_color": MUTED_FONT}),
        "day": wb.add_format({"num_format": DAY}),
        "day_closed": wb.add_format({"num_format": DAY, "font_color": CLOSED_FONT}),
        "input": wb.add_format({"num_format": INT, "bg_color": INPUT_FILL, "border": 1, "border_color": GRID_BORDER,
                                "locked": False}),
        "closed": wb.add_format({"bg_color": CLOSED_FILL, "border": 1, "border_color": GRID_BORDER}),
        "red": wb.add_format({"bg_color": RED_FILL, "font_color": RED_FONT}),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
    }


def write_uca_report(path: Path, ldsos: list[str], days: list[date], unused: np.ndarray, disclosed: np.ndarray,
                     title: str, minimum: int) -> Path:
    """Unused capacity per LDSO and sprint day (L, D), aggregated; cells built from fewer than ``minimum`` groups
    are suppressed and marked."""
    with book(path, title) as wb:
        f = _formats(wb)
        ws = wb.add_worksheet("Unused capacity")
        ws.write(0, 0, title, f["title"])
        note = ("Unused capacity per LDSO and migration day of the sprint, after the accepted plans. A figure "
                f"built from fewer than {minimum} groups' plans is suppressed. Eligible groups may request it "
                "with their UCA request workbook.")
        last = max(len(ldsos), 8)
        ws.merge_range(1, 0, 1, last, note, f["note"])
        ws.set_row(1, row_height(note, 16 + 10 * last))
        top = 4
        ws.write(top - 1, 0, "Date", f["head"])
        for j, x in enumerate(ldsos):
            ws.write_string(top - 1, 1 + j, x, f["head"])
        for k, d in enumerate(days):
            ws.write_datetime(top + k, 0, d, f["day"])
            for j in range(len(ldsos)):
                if disclosed[j, k]:
                    ws.write_number(top + k, 1 + j, int(unused[j, k]), f["int"])
                else:
                    ws.write_string(top + k, 1 + j, SUPPRESSED, f["grey"])
        if days and ldsos:
            wb.define_name("UnusedCapacity", "='Unused capacity'!" + xl_range_abs(top, 1, top + len(days) - 1,
                                                                                    len(ldsos)))
        ws.set_column(0, 0, 16)
        ws.set_column(1, len(ldsos), 10)
        ws.freeze_panes(top, 1)
        print_setup(ws, repeat_rows=(top - 1,), repeat_columns=0)
    return path


def write_uca_request(path: Path, group: str, group_name: str, ldsos: list[str], days: list[date],
                      unused: np.ndarray, disclosed: np.ndarray, meta: dict[str, str], key: bytes, deadline: date,
                      mcc_email: str, sharing: str = "pro rata to the amounts requested") -> dict[str, str]:
    """A group's request form: ``unused`` and ``disclosed`` are (D, L) for its eligible LDSOs."""
    with book(path, f"UCA request {meta['cycle']}: {group_name} ({group})") as wb:
        f = _formats(wb)
        ws = wb.add_worksheet(C.SHEET_UCA)
        title = f"Unused capacity request: {group_name} ({group}), {meta['cycle']}"
        note = (f"Type the extra migrations you would like per day and LDSO, at most the unused capacity shown "
                f"beside. Return by {deadline:%A %d %B %Y} to {mcc_email}. Requests are granted in full where they "
                f"fit, otherwise {sharing}.")
        top = 5
        n = len(ldsos)
        uc0 = n + 2
        # the title and the note across the request grid, which prints on pages of its own: whole on screen and
        # on paper, the rows as tall as their wrapped text
        span, width = max(n, 1), 16 + 10 * max(n, 1)
        ws.merge_range(0, 0, 0, span, title, f["title_wrap"])
        ws.set_row(0, row_height(title, width / 1.4, 20))  # 14 pt bold: wider characters
        ws.merge_range(1, 0, 1, span, note, f["note"])
        ws.set_row(1, row_height(note, width * 1.3))  # italic: narrower characters
        if n > 1:
            ws.merge_range(top - 2, uc0, top - 2, uc0 + n - 1, "Unused capacity", f["head"])
        else:
            ws.write(top - 2, uc0, "Unused capacity", f["head"])
        ws.write(top - 1, 0, "Date", f["head"])
        for j, x in enumerate(ldsos):
            ws.write_string(top - 1, 1 + j, x, f["head"])
            ws.write_string(top - 1, uc0 + j, x, f["head"])
        # a cell is closed only where the form shows no unused capacity: a suppressed figure is open whatever it
        # is, or the styling would tell which hidden figures are above zero (issue 17)
        opened = ~np.asarray(disclosed, bool) | (np.asarray(unused) > 0)
        for k, d in enumerate(days):
            r = top + k
            open_day = bool(opened[k].any())
            ws.write_datetime(r, 0, d, f["day"] if open_day else f["day_closed"])
            for j in range(n):
                ws.write_blank(r, 1 + j, None, f["input"] if opened[k, j] else f["closed"])
                if disclosed[k, j]:
                    ws.write_number(r, uc0 + j, int(unused[k, j]), f["int"])
                else:
                    ws.write_string(r, uc0 + j, SUPPRESSED, f["grey"])
        bottom = top + len(days) - 1
        ranges = {}
        if days and n:
            ws.data_validation(top, 1, bottom, n, {"validate": "integer", "criteria": ">=", "value": 0,
                                                   "input_title": "Extra migrations",
                                                   "input_message": "A whole number, at most the unused capacity."})
            tl, uc = xl_rowcol_to_cell(top, 1), xl_rowcol_to_cell(top, uc0)
            ws.conditional_format(top, 1, bottom, n, {"type": "formula", "format": f["red"],
                                                      "criteria": f"=AND(ISNUMBER({tl}),ISNUMBER({uc}),{tl}>{uc})"})
            ranges[C.UCA_REQUEST] = f"'{C.SHEET_UCA}'!" + xl_range_abs(top, 1, bottom, n)
            wb.define_name(C.UCA_REQUEST, "=" + ranges[C.UCA_REQUEST])
        ws.set_column(0, 0, 16)
        ws.set_column(1, 2 * n + 2, 10)
        ws.freeze_panes(top, 1)
        # printed: the request grid, then the unused capacity on pages of its own, the dates on every page
        print_setup(ws, repeat_rows=(top - 1,), repeat_columns=0)
        if n:
            print_areas(ws, [(0, 0, max(bottom, top), n), (top - 2, uc0, max(bottom, top), uc0 + n - 1)])
        ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True, "format_columns": True})
        values = {**meta, "layout": C.layout_text(ranges), "kind": C.KIND_UCA,
                  **_locked(title, ldsos, days, unused, disclosed, top, uc0)}
        values[C.SIGNATURE_KEY] = C.sign(values, key)
        C.write_meta_sheet(wb.add_worksheet(C.SHEET_META), values)
    return values


def _locked(title: str, ldsos: list[str], days: list[date], unused: np.ndarray, disclosed: np.ndarray, top: int,
            uc0: int) -> dict[str, str]:
    """The form's locked content that identifies the group, as written (issue 17): the title, the LDSO headers, the
    dates and the unused capacity shown, at ranges the metadata names, and their digest."""
    def ref(r0: int, c0: int, r1: int, c1: int) -> str:
        return f"'{C.SHEET_UCA}'!" + xl_range_abs(r0, c0, r1, c1)

    blocks = [(ref(0, 0, 0, 0), [[title]])]
    n, bottom = len(ldsos), top + len(days) - 1
    if n:
        blocks.append((ref(top - 1, 1, top - 1, n), [list(ldsos)]))
        blocks.append((ref(top - 1, uc0, top - 1, uc0 + n - 1), [list(ldsos)]))
    if days:
        blocks.append((ref(top, 0, bottom, 0), [[d] for d in days]))
    if days and n:
        blocks.append((ref(top, uc0, bottom, uc0 + n - 1),
                       [[int(unused[k, j]) if disclosed[k, j] else SUPPRESSED for j in range(n)]
                        for k in range(len(days))]))
    return {"locked": json.dumps([r for r, _ in blocks], separators=(",", ":")),
            "content_digest": C.content_digest([v for _, v in blocks])}


@dataclass(frozen=True)
class AllocationBook:
    title: str
    summary: tuple[tuple[str, int | str], ...]  # label, a count or a text
    grants: tuple[tuple, ...]  # group, LDSO, day, requested, available, all groups' requests, granted, why


def write_allocation_workbook(path: Path, grants: list, title: str, invariant_text: str) -> Path:
    """Every request and grant with the reason: requested, available, all groups' requests, granted, why."""
    return write_allocation(path, build_allocation(grants, title, invariant_text))


def build_allocation(grants: list, title: str, invariant_text: str) -> AllocationBook:
    """The totals and the grant table; ``grants`` are the allocation's grants (duck-typed: group, ldso, day,
    requested, available, requested_total, granted, why)."""
    summary = (("Requests", len(grants)), ("Migrations requested", sum(g.requested for g in grants)),
               ("Migrations granted", sum(g.granted for g in grants)),
               ("Granted in full", sum(1 for g in grants if g.granted == g.requested)),
               ("Limits after allocation", invariant_text))
    rows = tuple((g.group, g.ldso, g.day, g.requested, g.available, g.requested_total, g.granted, g.why)
                 for g in grants)
    return AllocationBook(title, summary, rows)


def write_allocation(path: Path, value: AllocationBook) -> Path:
    with book(path, value.title) as wb:
        f = _formats(wb)
        ws = wb.add_worksheet("Summary")
        ws.write(0, 0, value.title, f["title"])
        for r, (k, v) in enumerate(value.summary, start=2):
            ws.write(r, 0, k, f["head"])
            ws.write(r, 1, v, f["wrap"])
            ws.set_row(r, row_height(str(v), 80))
        ws.set_column(0, 0, 26)
        ws.set_column(1, 1, 80)
        print_setup(ws, orientation="portrait")
        gs = wb.add_worksheet("Grants")
        cols = ["Group", "LDSO", "Date", "Requested", "Available", "All requests", "Granted", "Why"]
        gs.write_row(0, 0, cols, f["head"])
        for r, (group, ldso, day, *figures, why) in enumerate(value.grants, start=1):
            gs.write_row(r, 0, [group, ldso])
            gs.write_datetime(r, 2, day, f["day"])
            for c, v in enumerate(figures, start=3):
                gs.write_number(r, c, v, f["int"])
            gs.write_string(r, 7, why)
        gs.set_column(0, 1, 8)
        gs.set_column(2, 2, 16)
        gs.set_column(3, 6, 12)
        gs.set_column(7, 7, 90)
        gs.freeze_panes(1, 0)
        gs.autofilter(0, 0, max(len(value.grants), 1), len(cols) - 1)
        print_first_rows(gs, len(value.grants), 0, len(cols) - 1, limit=GRANTS_PRINTED)
    return path
