"""value.integer (METHOD 7): plan cells are blank or whole numbers of 0 or more; a formula without a saved value
counts as wrong. Also how the rules read a cell as a date, and write a day in a message."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np

from toolkit.domain.findings import Finding, RuleId, finding
from toolkit.domain.rules.case import PlanCase
from toolkit.domain.rules.registry import family
from toolkit.domain.rules.sheets import PLAN_DAILY, PLAN_WEEKLY
from toolkit.domain.submission import Grid

DAY = "%a %d %b %Y"


def as_date(v: object) -> date | None:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    return None


def whole(v: object) -> int | None:
    """A plan cell as a whole number >= 0; None when it is not one (blank is 0)."""
    if v is None:
        return 0
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    if not float(v).is_integer() or v < 0:
        return None
    return int(v)


def read_numbers(grid: Grid, kind: str, by_ldso: bool = False) -> tuple[np.ndarray, list[Finding]]:
    """The grid as whole numbers (bad cells as 0) and a value.integer finding for every bad cell; ``by_ldso``: the
    grid's keys are LDSOs, and each finding names the LDSO of its column (the Checks sheet judges per LDSO)."""
    values = np.zeros((len(grid.values), len(grid.values[0]) if grid.values else 0), dtype=np.int64)
    out = []
    for r, row in enumerate(grid.values):
        for c, v in enumerate(row):
            ldso = grid.keys[c] if by_ldso and c < len(grid.keys) else ""
            if (r, c) in grid.formulas_without_value:
                out.append(finding(RuleId.VALUE_INTEGER, f"{kind} cell {grid.cell(r, c)} holds a formula with no saved "
                                   "value.", sheet=grid.area.sheet, cell=grid.cell(r, c), ldso=ldso,
                                   hint="type the number itself, or save the file in Excel so the value is kept"))
                continue
            n = whole(v)
            if n is None:
                shown = v if not isinstance(v, float) else f"{v:g}"
                out.append(finding(RuleId.VALUE_INTEGER, f"{kind} cell {grid.cell(r, c)} holds {shown!r}; plan cells "
                                   "take whole numbers of 0 or more.", sheet=grid.area.sheet, cell=grid.cell(r, c),
                                   ldso=ldso, value=str(v),
                                   hint="type a whole number, or leave the cell blank for none"))
            else:
                values[r, c] = n
    return values, out


@family("plan numbers", emits=(RuleId.VALUE_INTEGER,), when=lambda case: case.judgeable)
def plan_numbers(case: PlanCase) -> list[Finding]:
    """Reads the weekly and daily plans whose layout held, for the families after it."""
    out: list[Finding] = []
    if case.grids_ok.get(PLAN_WEEKLY):
        case.weekly, bad = read_numbers(case.sub.grids[PLAN_WEEKLY], "weekly plan", by_ldso=True)
        out += bad
    if case.grids_ok.get(PLAN_DAILY):
        case.daily, bad = read_numbers(case.sub.grids[PLAN_DAILY], "daily plan", by_ldso=True)
        out += bad
    return out
