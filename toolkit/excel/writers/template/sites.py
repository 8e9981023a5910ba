"""The Sites sheet (Foundations 5.7), in the templates of groups with complex sites only: one row per site of
``config/complex_sites.csv`` (site, LDSO, MPANs, agents: locked, their digest signed) and the one migration date
the group gives it (the input column, defined name ``SitePlan``). Every MPAN of a site migrates on that day, not
before M14, inside the group's plan for the LDSO and day."""

from __future__ import annotations

from xlsxwriter.utility import xl_range_abs

from toolkit.domain.template import TemplateContent
from toolkit.excel.book import print_setup
from toolkit.excel.writers.template.formats import Formats

TOP = 5  # first site row (0-based)
HEADS = ("Site", "LDSO", "MPANs", "Agents", "Migration date")


def sites_sheet(ws, f: Formats, content: TemplateContent, m14_text: str) -> tuple[str, list[tuple[str, list]]]:
    """Write the sheet; returns the reference of the date column and the locked block (site, LDSO, MPANs, agents)."""
    ws.write(0, 0, "Complex sites (Foundations 5.7)", f.title)
    lines = ("Every MPAN of a complex site, SVA shared metering arrangement or private network migrates on one day. "
             f"Give each site's migration date: a migration day from M14 ({m14_text}) on, inside your plan for its "
             "LDSO on that day (daily plan in this sprint, weekly plan after it).",
             "The sites are those the MCC's central log holds for you; tell the MCC if one is missing or wrong.")
    for r, line in enumerate(lines, start=1):
        ws.merge_range(r, 0, r, 4, line, f.text)
        ws.set_row(r, 45 if r == 1 else 30)
    ws.write_row(TOP - 1, 0, HEADS, f.head)
    rows = [[s.site, s.ldso, s.mpan_count, " ".join(s.agents)] for s in content.sites]
    for r, row in enumerate(rows, start=TOP):
        ws.write_string(r, 0, row[0], f.top)
        ws.write_string(r, 1, row[1], f.top)
        ws.write_number(r, 2, row[2], f.int_top)
        if row[3]:
            ws.write_string(r, 3, row[3], f.top)
        ws.write_blank(r, 4, None, f.input_date)
    bottom = TOP + len(rows) - 1
    ws.data_validation(TOP, 4, bottom, 4, {"validate": "date", "criteria": ">=", "value": content.first_day,
                                            "error_type": "warning", "input_title": "Migration date",
                                            "input_message": f"A migration day from M14 ({m14_text})"})
    ws.set_column(0, 0, 28)
    ws.set_column(1, 2, 10)
    ws.set_column(3, 3, 20)
    ws.set_column(4, 4, 16)
    ws.freeze_panes(TOP, 0)
    ws.protect("", {"format_columns": True, "select_locked_cells": True, "select_unlocked_cells": True})
    print_setup(ws, orientation="portrait", repeat_rows=(TOP - 1,))
    sheet = f"'{ws.name}'!"
    return sheet + xl_range_abs(TOP, 4, bottom, 4), [(sheet + xl_range_abs(TOP, 0, bottom, 3), rows)]
