"""The MCC's envelope workbook (internal to the MCC: it holds every group's categories and phases).

Sheets: National (CSMT, ACSMT, sum of ALMT, sum of envelopes, headroom per day, with a chart), LDSOs
(tier, threshold, reserved capacity, ALMT, envelope sum, de minimis flag), Groups (category per LDSO,
phase dates) and Parameters (every parameter used, its value and the document section it comes from).

``build_envelopes`` computes the tables into an ``EnvelopeBook``; ``write_envelopes`` writes that value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np

from toolkit.domain.envelopes import Category, Envelopes
from toolkit.domain.parameters import Parameters
from toolkit.excel.book import (
    CLOSED_FONT,
    DAY,
    HEAD_FILL,
    INT,
    MID_GREY,
    STRONG_BLUE,
    STRONG_RED,
    book,
    print_areas,
    print_first_rows,
    print_setup,
    row_height,
)
from toolkit.excel.writers.template.plan import CATEGORY_WORDS  # the templates' words: "de minimis", not DE_MINIMIS

NATIONAL_COLUMNS = ["Date", "Migration day", "CSMT", "ACSMT", "Sum of ALMT", "Sum of envelopes", "Headroom to CSMT",
                    "Headroom to ALMT", "Reserved capacity (RCFC)", "Load limit (plans + reserve)", "DLFC"]
LDSO_COLUMNS = ["LDSO", "Name", "Metering points (LMPC)", "Tier", "Threshold (ULMT)", "Reserved capacity (LRC)",
                "De minimis LDSO", "Share of ACSMT", "ALMT highest day", "ALMT lowest migration day",
                "Envelope sum M11-M15", "Envelope pairs", "De minimis pairs", "Small pairs"]
GROUP_COLUMNS = ["Group", "Name", "Migration start", "Ramp-up end", "Core start", "Core end", "Ramp-down start",
                 "Extended ramp-up", "Lost days"]


@dataclass(frozen=True)
class National:
    """The nation per date M11-M15: arrays of the dates' length."""

    dates: tuple[date, ...]
    migration: np.ndarray  # bool
    csmt: np.ndarray
    acsmt: np.ndarray
    almt_sum: np.ndarray
    envelope_sum: np.ndarray
    headroom_csmt: np.ndarray
    headroom_almt: np.ndarray
    reserve: np.ndarray  # the national Reserved Capacity (F5.2.9; P RCFC)
    load_limit: np.ndarray  # what actual migrations may reach: planned CSMT + reserve
    dlfc: np.ndarray  # the De minimis LDSO Factor of the day


@dataclass(frozen=True)
class GroupRow:
    group: str
    name: str
    phase_dates: tuple[date | None, ...]  # migration start, ramp-up end, core start, core end, ramp-down start
    extended_ramp_up: bool
    lost_days: int
    categories: tuple[tuple[int, str], ...]  # (LDSO index, category name) where the group has a category


@dataclass(frozen=True)
class EnvelopeBook:
    title: str
    national: National
    ldsos: tuple[tuple, ...]  # one row per LDSO, in LDSO_COLUMNS order
    ldso_mpids: tuple[str, ...]
    groups: tuple[GroupRow, ...]
    parameters: tuple[tuple, ...]  # section, key, parameter, value (a number or text), source, meaning
    derived: tuple[tuple, ...]  # the same columns, for the figures derived from the industry


def write_envelope_workbook(path: Path, env: Envelopes, parameters: Parameters, names: dict[str, str],
                            title: str) -> Path:
    """Write the workbook; ``names`` maps LDSO and group MPIDs to their names."""
    return write_envelopes(path, build_envelopes(env, parameters, names, title))


# -- building -------------------------------------------------------------------------------------------------

def build_envelopes(env: Envelopes, parameters: Parameters, names: dict[str, str], title: str) -> EnvelopeBook:
    totals = env.envelope.sum(axis=(0, 1))
    almt_sum = env.almt.sum(axis=0)
    national = National(tuple(env.dates), env.migration, env.csmt, env.acsmt, almt_sum, totals,
                        env.planned_csmt - totals, almt_sum - totals, env.reserve, env.load_limit, env.dlfc)
    return EnvelopeBook(title, national, _ldso_rows(env, parameters, names), tuple(env.ldsos),
                        _group_rows(env, names), _parameter_rows(parameters), (
                            ("derived", "dlfc", "DLFC", float(env.dlfc.max()) if env.dlfc.size else 0.0,
                             "P2.3.1 DLFC; METHOD 3", "De minimis LDSOs' share of all metering points, highest day "
                             "(per day on the National sheet)"),
                            ("derived", "share_basis", "share basis", env.share_basis.value, "METHOD 5",
                             "Weight of a group in an LDSO's pool")))


def _tier(threshold: float, parameters: Parameters) -> int:
    tiers = sorted(parameters.thresholds.ldso_tiers, key=lambda t: -t.min_mpans)
    return next(k for k, t in enumerate(tiers, start=1) if t.threshold == threshold)


def _ldso_rows(env: Envelopes, parameters: Parameters, names: dict[str, str]) -> tuple[tuple, ...]:
    mig = env.migration
    rows = []
    for j, mpid in enumerate(env.ldsos):
        cats = env.category[:, j]
        rows.append((mpid, names.get(mpid, ""), env.lmpc[j], _tier(env.ulmt[j], parameters), env.ulmt[j], env.lrc[j],
                     "yes" if env.de_minimis_ldso[j] else "no", env.share[j], float(env.almt[j].max()),
                     float(env.almt[j, mig].min()) if mig.any() else 0, int(env.envelope[:, j, :].sum()),
                     *(int((cats == cat).sum()) for cat in (Category.ENVELOPE, Category.DE_MINIMIS, Category.SMALL))))
    return tuple(rows)


def _group_rows(env: Envelopes, names: dict[str, str]) -> tuple[GroupRow, ...]:
    return tuple(
        GroupRow(g, names.get(g, ""), (ph.migration_start, ph.ramp_up_end, ph.core_start, ph.core_end,
                                       ph.ramp_down_start), ph.extended_ramp_up, ph.lost_days,
                 tuple((int(j), CATEGORY_WORDS[Category(env.category[i, j])])
                       for j in np.flatnonzero(env.category[i] != Category.NONE)))
        for i, (g, ph) in enumerate(zip(env.groups, env.phases, strict=True)))


def _parameter_rows(parameters: Parameters) -> tuple[tuple, ...]:
    return tuple((sec, key, abbrev, str(value) if isinstance(value, bool) or not isinstance(value, int | float)
                  else value, source, parameters.description_of(sec, key))
                 for sec, key, abbrev, value, source in parameters.described())


# -- writing --------------------------------------------------------------------------------------------------

def write_envelopes(path: Path, value: EnvelopeBook) -> Path:
    with book(path, value.title) as wb:
        f = _Formats(wb)
        _national_sheet(wb, f, value.title, value.national)
        _ldsos_sheet(wb, f, value.ldsos)
        _groups_sheet(wb, f, value.groups, value.ldso_mpids)
        _parameters_sheet(wb, f, value.parameters, value.derived)
    return path


class _Formats:
    def __init__(self, wb):
        add = wb.add_format
        self.head = add({"bold": True, "bg_color": HEAD_FILL, "border": 1, "text_wrap": True, "valign": "top"})
        self.day = add({"num_format": DAY})
        self.int = add({"num_format": INT})
        self.dec = add({"num_format": "#,##0.00"})
        self.pct = add({"num_format": "0.000%"})
        self.grey = add({"font_color": CLOSED_FONT, "num_format": DAY})
        self.bold = add({"bold": True, "font_size": 13})
        self.wrap = add({"text_wrap": True, "valign": "top"})


def _national_sheet(wb, f: _Formats, title: str, n: National) -> None:
    ws = wb.add_worksheet("National")
    ws.write(0, 0, title, f.bold)
    ws.write_row(2, 0, NATIONAL_COLUMNS, f.head)
    for k, d in enumerate(n.dates):
        r = 3 + k
        mig = bool(n.migration[k])
        ws.write_datetime(r, 0, _dt(d), f.day if mig else f.grey)
        ws.write_string(r, 1, "yes" if mig else "no")
        if not mig:
            continue  # no capacity on a non-migration day: blank, a gap in the chart rather than a drop to 0
        ws.write_number(r, 2, n.csmt[k], f.int)
        ws.write_number(r, 3, n.acsmt[k], f.dec)
        ws.write_number(r, 4, n.almt_sum[k], f.dec)
        ws.write_number(r, 5, int(n.envelope_sum[k]), f.int)
        ws.write_number(r, 6, n.headroom_csmt[k], f.int)
        ws.write_number(r, 7, n.headroom_almt[k], f.dec)
        ws.write_number(r, 8, n.reserve[k], f.dec)
        ws.write_number(r, 9, n.load_limit[k], f.dec)
        ws.write_number(r, 10, float(n.dlfc[k]), f.pct)
    last = 3 + len(n.dates) - 1
    ws.set_column(0, 0, 16)
    ws.set_column(1, 10, 14)
    ws.freeze_panes(3, 1)
    ws.autofilter(2, 0, last, len(NATIONAL_COLUMNS) - 1)
    chart = wb.add_chart({"type": "line"})
    for c, colour in ((2, STRONG_RED), (3, "#ED7D31"), (4, MID_GREY), (5, STRONG_BLUE)):
        chart.add_series({"name": ["National", 2, c], "categories": ["National", 3, 0, last, 0],
                          "values": ["National", 3, c, last, c], "line": {"color": colour, "width": 1.25}})
    chart.set_title({"name": "National capacity and envelopes per day"})
    chart.set_x_axis({"date_axis": True, "num_format": "mmm yy", "num_font": {"rotation": -45}, "major_unit": 1,
                      "major_unit_type": "months"})
    chart.show_blanks_as("gap")
    chart.set_y_axis({"num_format": INT, "min": 0})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 960, "height": 420})
    ws.insert_chart(2, 9, chart)
    print_first_rows(ws, len(n.dates), 2, 24)  # the first weeks and the chart beside them


def _ldsos_sheet(wb, f: _Formats, rows: tuple[tuple, ...]) -> None:
    ws = wb.add_worksheet("LDSOs")
    ws.write_row(0, 0, LDSO_COLUMNS, f.head)
    for j, (mpid, name, lmpc, tier, ulmt, lrc, de_minimis, share, almt_max, almt_min, envelope_sum,
            *pairs) in enumerate(rows):
        r = 1 + j
        ws.write_row(r, 0, [mpid, name])
        ws.write_number(r, 2, lmpc, f.int)
        ws.write_number(r, 3, tier)
        ws.write_number(r, 4, ulmt, f.int)
        ws.write_number(r, 5, lrc, f.int)
        ws.write_string(r, 6, de_minimis)
        ws.write_number(r, 7, share, f.pct)
        ws.write_number(r, 8, almt_max, f.dec)
        ws.write_number(r, 9, almt_min, f.dec)
        ws.write_number(r, 10, envelope_sum, f.int)
        for c, count in enumerate(pairs, start=11):
            ws.write_number(r, c, count)
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 34)
    ws.set_column(2, 13, 14)
    ws.set_row(0, max(row_height(h, 14) for h in LDSO_COLUMNS[2:]))
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, len(rows), len(LDSO_COLUMNS) - 1)
    print_setup(ws, repeat_rows=(0,))


def _groups_sheet(wb, f: _Formats, rows: tuple[GroupRow, ...], ldsos: tuple[str, ...]) -> None:
    ws = wb.add_worksheet("Groups")
    fixed = len(GROUP_COLUMNS)
    ws.write_row(0, 0, GROUP_COLUMNS + list(ldsos), f.head)
    for i, g in enumerate(rows):
        r = 1 + i
        ws.write_string(r, 0, g.group)
        ws.write_string(r, 1, g.name)
        for c, d in enumerate(g.phase_dates, start=2):
            if d is not None:
                ws.write_datetime(r, c, _dt(d), f.day)
        ws.write_string(r, 7, "yes" if g.extended_ramp_up else "no")
        ws.write_number(r, 8, g.lost_days)
        for j, category in g.categories:
            ws.write_string(r, fixed + j, category)
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 26)
    ws.set_column(2, 6, 16)
    ws.set_column(7, 8, 10)
    ws.set_column(fixed, fixed + len(ldsos), 11)
    ws.set_row(0, max(row_height(h, 10) for h in GROUP_COLUMNS[2:]))
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, len(rows), fixed + len(ldsos) - 1)
    print_setup(ws, repeat_rows=(0,), repeat_columns=(0, 1))
    # printed: the phases, then the categories twenty LDSOs to a page width, the groups on every page
    last = max(len(rows), 1)
    print_areas(ws, [(0, 0, last, fixed - 1)] + [(0, c, last, min(c + 19, fixed + len(ldsos) - 1))
                                                  for c in range(fixed, fixed + len(ldsos), 20)])


def _parameters_sheet(wb, f: _Formats, rows: tuple[tuple, ...], derived: tuple[tuple, ...]) -> None:
    ws = wb.add_worksheet("Parameters")
    ws.write_row(0, 0, ["Section", "Key", "Parameter", "Value", "Source", "Meaning"], f.head)
    widths = (12, 22, 22, 30, 20, 60)
    for r, (sec, key, abbrev, value, source, meaning) in enumerate(rows, start=1):
        ws.write_row(r, 0, [sec, key, abbrev], f.wrap)
        if isinstance(value, str):
            ws.write_string(r, 3, value, f.wrap)
        else:
            ws.write_number(r, 3, value, f.wrap)
        ws.write_row(r, 4, [source, meaning], f.wrap)
        ws.set_row(r, max(row_height(str(x), w) for x, w in zip((sec, key, abbrev, value, source, meaning), widths,
                                                                 strict=True)))
    for r, row in enumerate(derived, start=len(rows) + 2):
        ws.write_row(r, 0, list(row), f.wrap)
        ws.set_row(r, max(row_height(str(x), w) for x, w in zip(row, widths, strict=False)))
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    ws.freeze_panes(1, 0)
    print_setup(ws, repeat_rows=(0,))


def _dt(d: date) -> datetime:
    return datetime(d.year, d.month, d.day)
