"""The Checks sheet's whole-workbook block: the daily plan where one is required (daily.required), the fast-feedback
rows and total (fast-feedback.limits) and the agent forecasts (agents.forecast), each figure with its rule id and
status, as ``toolkit.domain.rules`` judge them."""

from __future__ import annotations

from xlsxwriter.utility import xl_range_abs, xl_rowcol_to_cell

from toolkit.domain import rules
from toolkit.domain.findings import RuleId, Severity
from toolkit.domain.industry import AGENT_ROLES
from toolkit.domain.parameters import Parameters
from toolkit.domain.template import TemplateContent, agent_mismatches
from toolkit.excel.writers.template import check_formulas as F
from toolkit.excel.writers.template.formats import Formats
from toolkit.excel.writers.template.plan import Grid

LABEL, RULE, FIGURE, STATUS = (0, 4), (5, 6), 7, 8  # label and rule id over merged columns


def group_checks(ws, f: Formats, content: TemplateContent, parameters: Parameters, wk: Grid, dy: Grid | None,
                 sheets: dict[str, str], top: int) -> tuple[list[tuple[str, RuleId, Severity]], int]:
    """Write the block from row ``top``; returns (condition, rule id, severity) of each check for the whole
    workbook's status, and the rows written. With a daily plan, its first figure (row ``top + 2``) counts the
    daily cells holding migrations: the LDSO rows' daily checks apply only when there are any."""
    ws.write(top, 0, "The whole workbook: daily plan, fast feedback, agent forecasts", f.subtitle)
    heads = [(LABEL, "Check"), (RULE, "Rule"), ((FIGURE, FIGURE), "Figure"), ((STATUS, STATUS), "Status")]
    for (a, b), text in heads:
        _put(ws, top + 1, a, b, text, f.head)
    # label, rule id, formula of the figure, its cached value, condition ("#": the figure, "#prev": the row
    # above's), severity, whether the condition holds on the cached figures
    rows: list[tuple[str, RuleId, str | None, object, str | None, Severity, bool]] = []
    rows += _daily(content, wk, dy)
    rows += _fast_feedback(content, parameters, sheets)
    rows += _agents(content, wk, sheets)
    conds = []
    for k, (label, rid, formula, cached, cond, severity, holds) in enumerate(rows):
        r = top + 2 + k
        figure = xl_rowcol_to_cell(r, FIGURE)
        _put(ws, r, *LABEL, label, f.text)
        _put(ws, r, *RULE, str(rid), None)
        if formula is None:
            ws.write_string(r, FIGURE, str(cached))
        elif formula.startswith("{"):
            ws.write_array_formula(r, FIGURE, r, FIGURE, formula, f.int, cached)
        else:
            ws.write_formula(r, FIGURE, formula, f.int, cached)
        if cond is None:
            continue
        cond = cond.replace("#prev", xl_rowcol_to_cell(r - 1, FIGURE)).replace("#", figure)
        word = "Error" if severity == Severity.ERROR else "Warning"
        ws.write_formula(r, STATUS, f'=IF({cond},"{word}","OK")', None, word if holds else "OK")
        conds.append((cond, rid, severity))
    first = xl_rowcol_to_cell(top + 2, STATUS)
    ws.conditional_format(top + 2, STATUS, top + 1 + len(rows), STATUS,
                          {"type": "formula", "criteria": f'=AND({first}<>"",{first}<>"OK")', "format": f.red})
    ws.conditional_format(top + 2, STATUS, top + 1 + len(rows), STATUS,
                          {"type": "cell", "criteria": "==", "value": '"OK"', "format": f.ok})
    return conds, len(rows) + 2


def _put(ws, r: int, a: int, b: int, value, fmt) -> None:
    if a == b:
        ws.write(r, a, value, fmt)
    else:
        ws.merge_range(r, a, r, b, value, fmt)


def _daily(content: TemplateContent, wk: Grid, dy: Grid | None) -> list:
    if dy is None or not content.days:
        return [("No daily plan is asked of you for this sprint.", RuleId.DAILY_REQUIRED, None, "none", None,
                 Severity.ERROR, False)]
    n = len(content.ldsos)
    grid = f"'{dy.sheet}'!" + xl_range_abs(dy.top, dy.first_col, dy.bottom, dy.first_col + n - 1)
    in_sprint = [r for r, w in enumerate(content.weeks) if w <= content.days[-1]]
    weekly = content.prefilled()
    planned = f"'{wk.sheet}'!" + xl_range_abs(wk.top, wk.first_col, wk.top + in_sprint[-1], wk.first_col + n - 1)
    in_weeks = int(weekly[in_sprint].sum())
    return [
        ("Daily plan: days and LDSOs holding migrations", RuleId.DAILY_REQUIRED,
         "{=SUM(IF(" + F.clean(grid) + ">0,1,0))}", 0, None, Severity.ERROR, False),
        ("Weekly plan: migrations in the sprint's weeks (where there are any, a daily plan is required)",
         RuleId.DAILY_REQUIRED, "{=SUM(" + F.clean(planned) + ")}", in_weeks, "AND(#prev=0,#>0)", Severity.ERROR,
         in_weeks > 0),
    ]


def _fast_feedback(content: TemplateContent, parameters: Parameters, sheets: dict[str, str]) -> list:
    limit = content.fast_feedback_initiations  # the group's own terms (F5.2.11)
    checks, counts = F.fast_feedback_refs(sheets[rules.FAST_FEEDBACK])
    return [
        (f"Fast-feedback rows with a problem (their Check column on '{sheets[rules.FAST_FEEDBACK]}')",
         RuleId.FAST_FEEDBACK_LIMITS, f'=SUMPRODUCT(({checks}<>"")*({checks}<>"OK"))', 0, "#>0", Severity.ERROR,
         False),
        (f"Fast-feedback initiations in total (at most {limit:,})", RuleId.FAST_FEEDBACK_LIMITS,
         "{=SUM(" + F.clean(counts) + ")}", 0, f"#>{limit}", Severity.ERROR, False),
    ]


def _agents(content: TemplateContent, wk: Grid, sheets: dict[str, str]) -> list:
    grid, keys, roles = F.agent_refs(content, sheets[rules.AGENT_FORECAST])
    named = F.named(keys)
    listed = [a.role for a in content.agents]
    weeks = agent_mismatches(content, content.prefilled(), content.prefilled_agents(), listed)
    invalid = sum(1 for r in listed if r not in AGENT_ROLES)
    out = [
        ("Agent forecast cells that are not whole numbers of 0 or more", RuleId.AGENTS_FORECAST,
         "{=SUM(" + F.bad(grid) + ")}", 0, "#>0", Severity.WARNING, False),
        ("Service providers whose role is not " + " or ".join(AGENT_ROLES), RuleId.AGENTS_FORECAST,
         "=SUMPRODUCT(" + named + "*" + "*".join(f'(UPPER(TRIM({roles}))<>"{r}")' for r in AGENT_ROLES) + ")",
         invalid, "#>0", Severity.WARNING, invalid > 0),
    ]
    plan = F.clean(wk.grid_ref)
    totals = f"MMULT({plan},TRANSPOSE(COLUMN({wk.grid_ref})^0))"
    for role, title in AGENT_ROLES.items():
        mask = f"TRANSPOSE({named}*{F.role_is(roles, role)})"
        out.append((f"{title} ({role}) providers named", RuleId.AGENTS_FORECAST,
                    f"=SUMPRODUCT({named}*{F.role_is(roles, role)})", listed.count(role), "#=0", Severity.WARNING,
                    role not in listed))
        out.append((f"Weeks whose {role} forecasts do not add up to the week's plan", RuleId.AGENTS_FORECAST,
                    "{=SUM(IF(MMULT(" + F.clean(grid) + "," + mask + ")<>" + totals + ",1,0))}", weeks[role],
                    "#>0", Severity.WARNING, weeks[role] > 0))
    return out
