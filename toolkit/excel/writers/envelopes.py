"""The MCC's envelope workbook (internal to the MCC: it holds every group's categories and phases).

Sheets: National (CSMT, ACSMT, sum of ALMT, sum of envelopes, headroom per day, with a chart), LDSOs
(tier, threshold, reserved capacity, ALMT, envelope sum, de minimis flag), Groups (category per LDSO,
phase dates) and Parameters (every parameter used, its value and the document section it comes from).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import numpy as np
import xlsxwriter

from toolkit.domain.envelopes import CATEGORY_NAMES, Category, Envelopes
from toolkit.domain.parameters import Parameters


def _tier(threshold: float, parameters: Parameters) -> int:
    tiers = sorted(parameters.thresholds.ldso_tiers, key=lambda t: -t.min_mpans)
    return next(k for k, t in enumerate(tiers, start=1) if t.threshold == threshold)


def write_envelope_workbook(path: Path, env: Envelopes, parameters: Parameters, names: dict[str, str],
                            title: str) -> Path:
    """Write the workbook; ``names`` maps LDSO and group MPIDs to their names."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"title": title, "company": "Migration Control Centre"})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    day_fmt = wb.add_format({"num_format": "ddd dd mmm yyyy"})
    int_fmt = wb.add_format({"num_format": "#,##0"})
    dec_fmt = wb.add_format({"num_format": "#,##0.00"})
    pct_fmt = wb.add_format({"num_format": "0.000%"})
    grey = wb.add_format({"font_color": "#808080", "num_format": "ddd dd mmm yyyy"})
    bold = wb.add_format({"bold": True, "font_size": 13})

    # National
    ws = wb.add_worksheet("National")
    ws.write(0, 0, title, bold)
    cols = ["Date", "Migration day", "CSMT", "ACSMT", "Sum of ALMT", "Sum of envelopes", "Headroom to CSMT",
            "Headroom to ALMT"]
    ws.write_row(2, 0, cols, head)
    totals = env.envelope.sum(axis=(0, 1))
    almt_sum = env.almt.sum(axis=0)
    for k, d in enumerate(env.dates):
        r = 3 + k
        mig = bool(env.migration[k])
        ws.write_datetime(r, 0, _dt(d), day_fmt if mig else grey)
        ws.write_string(r, 1, "yes" if mig else "no")
        ws.write_number(r, 2, env.csmt[k], int_fmt)
        ws.write_number(r, 3, env.acsmt[k], dec_fmt)
        ws.write_number(r, 4, almt_sum[k], dec_fmt)
        ws.write_number(r, 5, int(totals[k]), int_fmt)
        ws.write_number(r, 6, env.csmt[k] - totals[k], int_fmt)
        ws.write_number(r, 7, almt_sum[k] - totals[k], dec_fmt)
    last = 3 + len(env.dates) - 1
    ws.set_column(0, 0, 16)
    ws.set_column(1, 7, 14)
    ws.freeze_panes(3, 1)
    ws.autofilter(2, 0, last, len(cols) - 1)
    chart = wb.add_chart({"type": "line"})
    for c, colour in ((2, "#C00000"), (3, "#ED7D31"), (4, "#7F7F7F"), (5, "#2F5597")):
        chart.add_series({"name": ["National", 2, c], "categories": ["National", 3, 0, last, 0],
                          "values": ["National", 3, c, last, c], "line": {"color": colour, "width": 1.25}})
    chart.set_title({"name": "National capacity and envelopes per day"})
    chart.set_x_axis({"date_axis": True, "num_format": "mmm yy"})
    chart.set_y_axis({"num_format": "#,##0", "min": 0})
    chart.set_size({"width": 960, "height": 420})
    ws.insert_chart(2, 9, chart)
    ws.repeat_rows(2)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)

    # LDSOs
    ws = wb.add_worksheet("LDSOs")
    cols = ["LDSO", "Name", "Metering points (LMPC)", "Tier", "Threshold (ULMT)", "Reserved capacity (LRC)",
            "De minimis LDSO", "Share of ACSMT", "ALMT highest day", "ALMT lowest migration day",
            "Envelope sum M11-M15", "Envelope pairs", "De minimis pairs", "Small pairs"]
    ws.write_row(0, 0, cols, head)
    mig = env.migration
    for j, mpid in enumerate(env.ldsos):
        cats = env.category[:, j]
        row = [mpid, names.get(mpid, "")]
        ws.write_row(1 + j, 0, row)
        ws.write_number(1 + j, 2, env.lmpc[j], int_fmt)
        ws.write_number(1 + j, 3, _tier(env.ulmt[j], parameters))
        ws.write_number(1 + j, 4, env.ulmt[j], int_fmt)
        ws.write_number(1 + j, 5, env.lrc[j], int_fmt)
        ws.write_string(1 + j, 6, "yes" if env.de_minimis_ldso[j] else "no")
        ws.write_number(1 + j, 7, env.share[j], pct_fmt)
        ws.write_number(1 + j, 8, float(env.almt[j].max()), dec_fmt)
        ws.write_number(1 + j, 9, float(env.almt[j, mig].min()) if mig.any() else 0, dec_fmt)
        ws.write_number(1 + j, 10, int(env.envelope[:, j, :].sum()), int_fmt)
        for c, cat in ((11, Category.ENVELOPE), (12, Category.DE_MINIMIS), (13, Category.SMALL)):
            ws.write_number(1 + j, c, int((cats == cat).sum()))
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 34)
    ws.set_column(2, 13, 14)
    ws.set_row(0, 45)
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, len(env.ldsos), len(cols) - 1)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)

    # Groups
    ws = wb.add_worksheet("Groups")
    fixed = ["Group", "Name", "Migration start", "Ramp-up end", "Core start", "Core end", "Ramp-down start",
             "Extended ramp-up", "Lost days"]
    ws.write_row(0, 0, fixed + env.ldsos, head)
    for i, (g, ph) in enumerate(zip(env.groups, env.phases, strict=True)):
        r = 1 + i
        ws.write_string(r, 0, g)
        ws.write_string(r, 1, names.get(g, ""))
        for c, d in enumerate((ph.migration_start, ph.ramp_up_end, ph.core_start, ph.core_end, ph.ramp_down_start),
                              start=2):
            if d is not None:
                ws.write_datetime(r, c, _dt(d), day_fmt)
        ws.write_string(r, 7, "yes" if ph.extended_ramp_up else "no")
        ws.write_number(r, 8, ph.lost_days)
        for j in np.flatnonzero(env.category[i] != Category.NONE):
            ws.write_string(r, len(fixed) + int(j), CATEGORY_NAMES[Category(env.category[i, j])])
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 26)
    ws.set_column(2, 6, 15)
    ws.set_column(7, 8, 10)
    ws.set_column(len(fixed), len(fixed) + len(env.ldsos), 11)
    ws.set_row(0, 30)
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, len(env.groups), len(fixed) + len(env.ldsos) - 1)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)

    # Parameters
    ws = wb.add_worksheet("Parameters")
    ws.write_row(0, 0, ["Section", "Key", "Parameter", "Value", "Source", "Meaning"], head)
    rows = parameters.described()
    for r, (sec, key, abbrev, value, source) in enumerate(rows, start=1):
        ws.write_row(r, 0, [sec, key, abbrev])
        if isinstance(value, bool) or not isinstance(value, int | float):
            ws.write_string(r, 3, str(value))
        else:
            ws.write_number(r, 3, value)
        ws.write_row(r, 4, [source, parameters.description_of(sec, key)])
    extra = len(rows) + 2
    ws.write_row(extra, 0, ["derived", "dlfc", "DLFC", env.dlfc, "P2.3.1 DLFC; METHOD 3",
                            "De minimis LDSOs' share of all metering points"])
    ws.write_row(extra + 1, 0, ["derived", "share_basis", "share basis", env.share_basis.value, "METHOD 5",
                                "Weight of a group in an LDSO's pool"])
    ws.set_column(0, 1, 16)
    ws.set_column(2, 2, 22)
    ws.set_column(3, 3, 34)
    ws.set_column(4, 4, 22)
    ws.set_column(5, 5, 80)
    ws.freeze_panes(1, 0)
    wb.close()
    return path


def _dt(d: date) -> datetime:
    return datetime(d.year, d.month, d.day)

