"""The publication set (Choreography 3.2.3; METHOD 8): what leaves the MCC is aggregated. Industry schedule
(national and per-LDSO, weekly and daily), one workbook per LDSO, per group (its own plan and grants beside the
aggregates) and per agent (aggregate forecast volumes from all groups' agent forecasts).

Disclosure control: the writers take the masks of ``toolkit.domain.disclosure`` (aggregates built from fewer than
the disclosure minimum of groups, and those hidden with them so that no hidden one can be worked out from the
totals); a hidden cell is written as the text "suppressed" and marked grey; the count of groups is never shown.
Every string is written as a string (an agent name like "=1+1" stays text). Conventions as in the templates:
dates down, LDSOs across, a defined name per grid, frozen panes, landscape, one page wide.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
from xlsxwriter.utility import xl_range_abs

from toolkit.excel.book import DAY, HEAD_FILL, INT, MUTED_FONT, NOTE_FONT, WEEK, book, print_setup, row_height

SUPPRESSED = "suppressed"
OWN_FILL = "#E2EFDA"  # the group's own figures, set apart from the aggregates


class _Sheets:
    """The formats of a publication workbook and its two kinds of sheet."""

    def __init__(self, wb):
        self.wb = wb
        add = wb.add_format
        self.title = add({"bold": True, "font_size": 14})
        self.note = add({"italic": True, "font_color": NOTE_FONT, "text_wrap": True, "valign": "top"})
        self.head = add({"bold": True, "bg_color": HEAD_FILL, "border": 1})
        self.int = add({"num_format": INT})
        self.grey = add({"font_color": MUTED_FONT, "italic": True})
        self.day = add({"num_format": DAY})
        self.week = add({"num_format": WEEK})
        self.own = add({"num_format": INT, "bg_color": OWN_FILL})

    def grid(self, sheet: str, name: str, heading: str, axis: list[date], columns: list[str], values: np.ndarray,
             hidden: np.ndarray | None, minimum: int, weekly: bool, own: bool = False) -> None:
        """``values`` and ``hidden`` are (len(columns), len(axis)); hidden None means not an aggregate."""
        ws = self.wb.add_worksheet(sheet[:31])
        ws.write_string(0, 0, heading, self.title)
        note = ("Aggregates built from fewer than "
                f"{minimum} groups are suppressed, and so are a few more wherever a suppressed figure could "
                "otherwise be worked out from the totals." if hidden is not None else "Your own figures.")
        last = max(len(columns), 7)  # the heading and the note wrap inside the printed width
        ws.merge_range(1, 0, 1, last, note, self.note)
        ws.set_row(1, row_height(note, 16 + 11 * last))
        top = 4
        ws.write_string(top - 1, 0, "Week commencing" if weekly else "Date", self.head)
        for j, c in enumerate(columns):
            ws.write_string(top - 1, 1 + j, c, self.head)
        for k, d in enumerate(axis):
            ws.write_datetime(top + k, 0, d, self.week if weekly else self.day)
            for j in range(len(columns)):
                v = int(values[j, k])
                if hidden is not None and hidden[j, k]:
                    ws.write_string(top + k, 1 + j, SUPPRESSED, self.grey)
                else:
                    ws.write_number(top + k, 1 + j, v, self.own if own else self.int)
        if axis and columns:
            self.wb.define_name(name, f"='{ws.name}'!" + xl_range_abs(top, 1, top + len(axis) - 1, len(columns)))
        ws.set_column(0, 0, 16)
        ws.set_column(1, max(len(columns), 1), 11)
        ws.freeze_panes(top, 1)
        print_setup(ws, orientation="landscape" if len(columns) > 8 else "portrait", repeat_rows=(top - 1,),
                    repeat_columns=0, area=(0, 0, top + max(len(axis), 1) - 1, last))

    def about(self, rows: list[tuple[str, str]]) -> None:
        ws = self.wb.add_worksheet("About")
        for r, (k, v) in enumerate(rows):
            ws.write_string(r, 0, k, self.head)
            ws.write_string(r, 1, v)  # names may come from suppliers: always text, never a formula
        ws.set_column(0, 0, 14)
        ws.set_column(1, 1, 60)
        print_setup(ws, orientation="portrait")


def write_industry(path: Path, title: str, weeks, days, ldsos, ldso_weekly, ldso_weekly_hidden, ldso_daily,
                   ldso_daily_hidden, national_weekly, national_weekly_hidden, national_daily, national_daily_hidden,
                   minimum: int) -> Path:
    with book(path, title) as wb:
        b = _Sheets(wb)
        b.grid("National weekly", "NationalWeekly", f"{title}: national, weekly", weeks, ["National"],
               national_weekly[None, :], national_weekly_hidden[None, :], minimum, True)
        b.grid("National daily", "NationalDaily", f"{title}: national, daily (sprint)", days, ["National"],
               national_daily[None, :], national_daily_hidden[None, :], minimum, False)
        b.grid("LDSO weekly", "LdsoWeekly", f"{title}: per LDSO, weekly", weeks, ldsos, ldso_weekly,
               ldso_weekly_hidden, minimum, True)
        b.grid("LDSO daily", "LdsoDaily", f"{title}: per LDSO, daily (sprint)", days, ldsos, ldso_daily,
               ldso_daily_hidden, minimum, False)
    return path


def write_ldso(path: Path, title: str, ldso: str, weeks, days, weekly, weekly_hidden, daily, daily_hidden,
               minimum) -> Path:
    with book(path, title) as wb:
        b = _Sheets(wb)
        b.grid("Weekly", "LdsoWeekly", f"{title}: {ldso}, weekly", weeks, [ldso], weekly[None, :],
               weekly_hidden[None, :], minimum, True)
        b.grid("Daily", "LdsoDaily", f"{title}: {ldso}, daily (sprint)", days, [ldso], daily[None, :],
               daily_hidden[None, :], minimum, False)
    return path


def write_group(path: Path, title: str, group: str, ldsos: list[str], weeks, days, own_weekly, own_daily,
                own_grants, agg_weekly, agg_weekly_hidden, agg_daily, agg_daily_hidden, minimum) -> Path:
    """The group's own plan and grants in its LDSOs, beside the LDSO aggregates (all groups)."""
    with book(path, title) as wb:
        b = _Sheets(wb)
        b.grid("Your weekly plan", "OwnWeekly", f"{title}: {group}, your weekly plan", weeks, ldsos, own_weekly, None,
               minimum, True, own=True)
        b.grid("Your daily plan", "OwnDaily", f"{title}: {group}, your daily plan and grants", days, ldsos, own_daily,
               None, minimum, False, own=True)
        b.grid("Your UCA grants", "OwnGrants", f"{title}: {group}, your unused capacity grants", days, ldsos,
               own_grants, None, minimum, False, own=True)
        b.grid("All groups weekly", "AggregateWeekly", f"{title}: all groups in your LDSOs, weekly", weeks, ldsos,
               agg_weekly, agg_weekly_hidden, minimum, True)
        b.grid("All groups daily", "AggregateDaily", f"{title}: all groups in your LDSOs, daily", days, ldsos,
               agg_daily, agg_daily_hidden, minimum, False)
    return path


def write_agent(path: Path, title: str, agent: str, agent_name: str, role: str, weeks, forecast, forecast_hidden,
                minimum) -> Path:
    with book(path, title) as wb:
        b = _Sheets(wb)
        b.about([("Provider", agent_name), ("MPID", agent), ("Role", role)])
        label = f"{agent} {role}"
        b.grid("Weekly forecast", "AgentWeekly", f"{title}: {agent_name} ({label}), all groups' forecasts", weeks,
               [label], forecast[None, :], forecast_hidden[None, :], minimum, True)
    return path
