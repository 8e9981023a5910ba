"""The Checks sheet's formulas, in the inbox's terms (issue 18): every count reads a plan cell as the inbox does, a
whole number of 0 or more, and anything else as 0 (and as a ``value.integer`` problem). They are array formulas
(entered with Ctrl+Shift+Enter in Excel's terms): ``IF`` over a range picks cell by cell, which Excel and LibreOffice
both do without macros, so a text cell never turns a sum into an error.

Also what the Checks sheet shows in the template as issued (the formulas' cached results): the inbox's own rules
run on the empty (or carried-over) plan, so a viewer that does not recalculate shows the inbox's verdict."""

from __future__ import annotations

from datetime import date

import numpy as np
from xlsxwriter.utility import xl_range_abs

from toolkit.domain import rules
from toolkit.domain.findings import Finding
from toolkit.domain.parameters import Parameters
from toolkit.domain.rules.de_minimis import spread_outside
from toolkit.domain.submission import Area, Submission
from toolkit.domain.submission import Grid as Read
from toolkit.domain.template import TemplateContent
from toolkit.excel.writers.template.agents import SPARE_AGENT_COLUMNS
from toolkit.excel.writers.template.fast_feedback import FAST_FEEDBACK_ROWS
from toolkit.excel.writers.template.fast_feedback import TOP as FF_TOP
from toolkit.excel.writers.template.plan import FIRST_COL, GRID_TOP, Grid


def clean(ref: str) -> str:
    """A plan cell as the inbox reads it: a whole number of 0 or more, else 0 (array formulas only)."""
    return f"IF(ISNUMBER({ref}),IF({ref}>=0,IF({ref}=INT({ref}),{ref},0),0),0)"


def bad(ref: str) -> str:
    """1 for a cell that is neither blank nor a whole number of 0 or more (array formulas only)."""
    return f'IF(ISNUMBER({ref}),IF({ref}<0,1,IF({ref}<>INT({ref}),1,0)),IF({ref}="",0,1))'


def column(values) -> str:
    """A vertical array constant: ``{1;0;2}``."""
    return "{" + ";".join(str(int(v)) for v in values) + "}"


def serial(d: date) -> int:
    return (d - date(1899, 12, 30)).days


def joined(parts: list[tuple[str, str]]) -> str:
    """The text formula listing the ids whose condition holds, separated by ", " (MID drops the first)."""
    if not parts:
        return '=""'
    return "=MID(" + "&".join(f'IF({cond},", {rid}","")' for cond, rid in parts) + ",3,400)"


def agent_refs(content: TemplateContent, sheet: str) -> tuple[str, str, str]:
    """The agent forecast grid, its provider MPID row and its role row."""
    n = len(content.agents) + SPARE_AGENT_COLUMNS
    top, bottom = GRID_TOP, GRID_TOP + len(content.weeks) - 1
    q = f"'{sheet}'!"
    return (q + xl_range_abs(top, FIRST_COL, bottom, FIRST_COL + n - 1),
            q + xl_range_abs(top - 1, FIRST_COL, top - 1, FIRST_COL + n - 1),
            q + xl_range_abs(top - 2, FIRST_COL, top - 2, FIRST_COL + n - 1))


def named(keys: str) -> str:
    return f"(LEN(TRIM({keys}))>0)"


def role_is(roles: str, role: str) -> str:
    return f'(UPPER(TRIM({roles}))="{role}")'


def fast_feedback_refs(sheet: str) -> tuple[str, str]:
    """The fast-feedback Check column and initiations column."""
    bottom = FF_TOP + FAST_FEEDBACK_ROWS - 1
    return (f"'{sheet}'!" + xl_range_abs(FF_TOP, 4, bottom, 4), f"'{sheet}'!" + xl_range_abs(FF_TOP, 2, bottom, 2))


def as_issued(content: TemplateContent, parameters: Parameters, wk: Grid, dy: Grid | None,
              sheets: dict[str, str]) -> list[Finding]:
    """The inbox's findings on the template as issued (the carried-over plan, nothing else typed), judged by the
    rules themselves as if the file had come back unchanged."""
    n = len(content.ldsos)
    weekly = content.prefilled()
    grids = {rules.PLAN_WEEKLY: Read(
        rules.PLAN_WEEKLY, Area(wk.sheet, wk.top, wk.first_col, wk.bottom, wk.first_col + n - 1),
        list(content.ldso_mpids), [], list(content.weeks), [[int(v) or None for v in row] for row in weekly])}
    if dy is not None:
        grids[rules.PLAN_DAILY] = Read(rules.PLAN_DAILY, Area(dy.sheet, dy.top, dy.first_col, dy.bottom,
                                                               dy.first_col + n - 1),
                                       list(content.ldso_mpids), [], list(content.days),
                                       [[None] * n for _ in content.days])
    grids[rules.FAST_FEEDBACK] = Read(rules.FAST_FEEDBACK, Area(sheets[rules.FAST_FEEDBACK], FF_TOP, 0,
                                                                FF_TOP + FAST_FEEDBACK_ROWS - 1, 3),
                                      [], [], [], [[None] * 4 for _ in range(FAST_FEEDBACK_ROWS)])
    spare = [""] * SPARE_AGENT_COLUMNS
    forecast = content.prefilled_agents()
    values = [[int(v) or None for v in row] + [None] * SPARE_AGENT_COLUMNS for row in forecast]
    grids[rules.AGENT_FORECAST] = Read(rules.AGENT_FORECAST, Area(sheets[rules.AGENT_FORECAST], GRID_TOP, FIRST_COL,
                                                                  GRID_TOP + len(content.weeks) - 1,
                                                                  FIRST_COL + len(content.agents) + len(spare) - 1),
                                       [a.mpid for a in content.agents] + spare,
                                       [a.role for a in content.agents] + spare, list(content.weeks), values)
    sub = Submission("template", {"template_id": "as issued"}, list(sheets.values()), {}, grids)
    facts = rules.Identity(signature_ok=True, known_group=True, known_cycle=True, registered=True,
                           current_version=None, current_digest=None)
    return rules.validate(sub, facts, content, parameters).findings


def spread_constants(content: TemplateContent) -> tuple[np.ndarray, np.ndarray]:
    """(without a daily plan, with one): per week the most days its figure can be spread over (de-minimis.spread)."""
    return spread_outside(content, False), spread_outside(content, True)
