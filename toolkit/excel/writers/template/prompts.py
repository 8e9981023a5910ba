"""The input message of every plan cell: the limit of its LDSO in its week (day), with the migration days open and
the phase, which Excel and LibreOffice show beside the cell while it is selected (issue 18). The limits themselves sit
after the calendar, off screen for most groups; the message brings each one to where the supplier types, without
macros.

A cell holds one data validation, so the message rides on the plan's whole-number rule. Cells with the same message
share one validation (runs down a column, joined across neighbouring columns): the message names the limit, the open
days and the phase, not the LDSO or the date (the frozen header row and date column show them), so a template holds
a few dozen validations (a few hundred where the envelopes change every week) rather than one per cell.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from xlsxwriter.utility import xl_range

from toolkit.domain.envelopes import Category
from toolkit.domain.template import LdsoColumn, TemplateContent

TITLE_MAX, MESSAGE_MAX = 32, 255  # Excel's limits on a validation's input title and input message
WHOLE = ("Red above it. Whole numbers of 0 or more, secondary MPANs included; blank for none. "
         "All limits: columns {where}.")


@dataclass(frozen=True)
class Prompt:
    """The input message of some plan cells: a title (up to 32 characters) and a message (up to 255)."""

    title: str
    message: str


def plan_prompts(content: TemplateContent, weekly: bool, where: str) -> dict[Prompt, list[tuple[int, int, int]]]:
    """The cells of each input message of a plan grid, as runs down a column (first row, last row, column; counted
    from the grid's first cell); ``where``: the limits' columns ("AB to AU"). A run is a stretch of weeks (days) with
    the same limit, open days and phase, found with numpy: the messages are composed per run, not per cell."""
    out: dict[Prompt, list[tuple[int, int, int]]] = defaultdict(list)
    made: dict[tuple, Prompt] = {}
    opened = np.asarray(content.week_open_days if weekly else content.day_open, dtype=np.int64)
    phases = list(content.week_phase if weekly else content.day_phase)
    if not len(opened):
        return {}
    phase_id = np.unique(np.array(phases), return_inverse=True)[1].reshape(-1)
    limits = np.asarray(content.weekly_limit if weekly else content.daily_limit, dtype=np.int64)
    for c, col in enumerate(content.ldsos):
        key = np.stack([limits[:, c], opened, phase_id], axis=1)
        starts = np.flatnonzero(np.r_[True, (key[1:] != key[:-1]).any(axis=1)])
        for r0, r1 in zip(starts.tolist(), (np.r_[starts[1:], len(key)] - 1).tolist(), strict=True):
            limit, n_open, _ = key[r0].tolist()
            if (c, limit, n_open, phases[r0]) not in made:
                made[c, limit, n_open, phases[r0]] = prompt(col, limit, n_open, phases[r0], weekly, where)
            runs = out[made[c, limit, n_open, phases[r0]]]
            if runs and runs[-1][2] == c and runs[-1][1] == r0 - 1:  # the same message below the last run
                runs[-1] = (runs[-1][0], r1, c)
            else:
                runs.append((r0, r1, c))
    return dict(out)


def prompt(col: LdsoColumn, limit: int, opened: int, phase: str, weekly: bool, where: str) -> Prompt:
    """The message of a cell of LDSO ``col`` in a week with ``opened`` migration days open (daily: 1 or 0); without
    the phase where a week of several phases makes it longer than Excel allows."""
    p = _prompt(col, limit, opened, phase, weekly, where)
    return _checked(p if len(p.message) <= MESSAGE_MAX else _prompt(col, limit, opened, "", weekly, where))


def _prompt(col: LdsoColumn, limit: int, opened: int, phase: str, weekly: bool, where: str) -> Prompt:
    when = "this week" if weekly else "on this day"
    if not opened:
        return Prompt("Closed week" if weekly else "Not a migration day",
                      f"{'No migration day is open to you this week' if weekly else 'Not a migration day for you'}: "
                      "leave the cell blank. Grey weeks and days are closed.")
    days = f"{opened} migration day{'s' if opened != 1 else ''} open to you" if weekly else "a migration day"
    about = days + (f"; {phase}" if phase else "")
    if col.category == Category.SMALL:
        return Prompt("No limit (small portfolio)", f"Small portfolio in this LDSO: no limit {when} ({about}). "
                      + WHOLE.format(where=where))
    if col.category == Category.DE_MINIMIS:
        rule = (f"De minimis in this LDSO: at most {limit:,} migrations this week ({col.daily_cap:,} a day on "
                f"{about})." if weekly else f"De minimis in this LDSO: at most {limit:,} migrations on any day "
                                            f"({about}).")
    else:
        rule = (f"Your {'weekly' if weekly else 'daily'} envelope in this LDSO: at most {limit:,} migrations {when} "
                f"({about}).")
    return Prompt(f"Limit {limit:,} {when}", f"{rule} " + WHOLE.format(where=where))


def _checked(p: Prompt) -> Prompt:
    """XlsxWriter drops a validation whose texts are too long with a warning only: refuse it here instead."""
    if len(p.title) > TITLE_MAX or len(p.message) > MESSAGE_MAX:
        raise ValueError(f"input message too long for Excel: {p.title!r} / {p.message!r}")
    return p


def cells_ref(runs: list[tuple[int, int, int]], top: int, left: int) -> str:
    """Runs down columns (first row, last row, column) as A1 ranges separated by spaces (a validation's ``sqref``),
    runs over the same rows of neighbouring columns joined into one range."""
    spans: dict[tuple[int, int], list[list[int]]] = {}  # (first row, last row) -> [first column, last column]s
    for r0, r1, c in sorted(runs, key=lambda run: (run[2], run[0])):
        joined = spans.setdefault((r0, r1), [])
        if joined and joined[-1][1] == c - 1:
            joined[-1][1] = c
        else:
            joined.append([c, c])
    return " ".join(xl_range(top + r0, left + c0, top + r1, left + c1)
                    for (r0, r1), joined in spans.items() for c0, c1 in joined)
