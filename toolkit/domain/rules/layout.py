"""structure.layout (METHOD 7): sheets, input areas, date and LDSO headers as issued. The signed layout the
template was issued with records where each input area was; a sheet, row or column inserted or deleted moves
an area away from it."""

from __future__ import annotations

import json

from toolkit.domain.findings import Finding, RuleId, finding
from toolkit.domain.rules.case import PlanCase
from toolkit.domain.rules.registry import family
from toolkit.domain.rules.sheets import AGENT_FORECAST, FAST_FEEDBACK, PLAN_DAILY, PLAN_WEEKLY, SHEETS
from toolkit.domain.rules.values import DAY, as_date
from toolkit.domain.submission import Submission
from toolkit.domain.template import TemplateContent


def signed_layout(sub: Submission) -> dict:
    """Where the template put each input area (``{name: "'Sheet'!A1:B2"}``); empty when the metadata holds none."""
    try:
        return json.loads(sub.meta.get("layout", "{}") or "{}")
    except ValueError:
        return {}


def check_structure(sub: Submission, content: TemplateContent) -> tuple[list[Finding], dict[str, bool]]:
    """Sheets, grid positions (as recorded in the signed layout), LDSO headers and date columns."""
    out: list[Finding] = []
    ok: dict[str, bool] = {}
    layout = signed_layout(sub)
    wanted = [PLAN_WEEKLY, AGENT_FORECAST, FAST_FEEDBACK] + ([PLAN_DAILY] if content.daily_required else [])
    for name in wanted:
        sheet = SHEETS[name]
        grid = sub.grids.get(name)
        if name in sub.names and sub.names[name] is None:
            out.append(finding(RuleId.STRUCTURE_LAYOUT, f"the input area {name} no longer exists: a sheet, row or "
                               "column it used was deleted.", sheet=sheet))
            ok[name] = False
            continue
        if grid is None:
            if name == PLAN_DAILY and name not in layout:
                ok[name] = False  # issued without a daily plan (daily.required reports it)
                continue
            missing = sheet not in sub.sheet_names
            out.append(finding(RuleId.STRUCTURE_LAYOUT, f"sheet '{sheet}' is missing (renamed or deleted)." if missing
                               else f"the input area {name} on sheet '{sheet}' is missing.", sheet=sheet,
                               hint="return the template with its sheets as issued"))
            ok[name] = False
            continue
        recorded = layout.get(name)
        if recorded and recorded != grid.area.qualified:
            out.append(finding(RuleId.STRUCTURE_LAYOUT,
                               f"the input area {name} moved from {recorded.split('!')[-1]} to "
                               f"{grid.area.qualified.split('!')[-1]}: rows or columns were inserted or deleted.",
                               sheet=grid.area.sheet, cell=grid.area.ref,
                               hint="do not insert or delete rows or columns; copy your figures into a fresh "
                                    "template"))
            ok[name] = False
            continue
        ok[name] = True
        if name in (PLAN_WEEKLY, PLAN_DAILY):
            expected_dates = content.weeks if name == PLAN_WEEKLY else content.days
            for c, (got, want) in enumerate(zip(grid.keys, content.ldso_mpids, strict=False)):
                if got != want:
                    out.append(finding(RuleId.STRUCTURE_LAYOUT,
                                       f"the LDSO header reads {got or '(blank)'!r}; the template "
                                       f"had {want}.", sheet=grid.area.sheet, cell=grid.key_cell(c), ldso=want))
                    ok[name] = False
            if len(grid.keys) != len(content.ldso_mpids) or len(grid.values) != len(expected_dates):
                out.append(finding(RuleId.STRUCTURE_LAYOUT, f"the input area {name} is {len(grid.values)} x "
                                   f"{len(grid.keys)}; the template had {len(expected_dates)} x "
                                   f"{len(content.ldso_mpids)}.", sheet=grid.area.sheet, cell=grid.area.ref))
                ok[name] = False
                continue
            for r, (got, want) in enumerate(zip(grid.dates, expected_dates, strict=True)):
                if as_date(got) != want:
                    out.append(finding(RuleId.STRUCTURE_LAYOUT, f"the date reads {got!s}; the template had "
                                       f"{want:{DAY}}.", sheet=grid.area.sheet, cell=grid.date_cell(r), date=want))
                    ok[name] = False
    return out, ok


@family("plan layout", emits=(RuleId.STRUCTURE_LAYOUT,), when=lambda case: case.judgeable)
def plan_layout(case: PlanCase) -> list[Finding]:
    """Records which grids held, for the families after it."""
    out, case.grids_ok = check_structure(case.sub, case.content)
    return out
