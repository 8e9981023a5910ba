"""Write one supplier group's submission template (XlsxWriter; see ``toolkit.excel.contract`` for the machine
contract and ``docs/templates.md`` for the supplier's view).

Everything written comes from one ``TemplateContent``, which holds the group's own figures only. Formulas carry
the value they have in the empty template as their cached result, so a reader or a viewer that does not
recalculate sees true figures; Excel and LibreOffice recalculate as the supplier types.

One module per sheet: ``plan`` (the weekly and daily plan grids), ``fast_feedback``, ``agents``, ``checks``,
``chart`` and ``instructions``; ``formats`` holds the cell formats and the workbook class.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from toolkit.domain.parameters import Parameters
from toolkit.domain.template import TemplateContent
from toolkit.excel import contract as C
from toolkit.excel.book import book
from toolkit.excel.writers.template.agents import agents_sheet
from toolkit.excel.writers.template.chart import chart_sheet
from toolkit.excel.writers.template.checks import checks_sheet
from toolkit.excel.writers.template.fast_feedback import fast_feedback_sheet
from toolkit.excel.writers.template.formats import Formats, TemplateWorkbook
from toolkit.excel.writers.template.instructions import instructions_sheet
from toolkit.excel.writers.template.plan import locked, plan_sheet
from toolkit.excel.writers.template.sites import sites_sheet


@dataclass(frozen=True)
class TemplateMeta:
    template_id: str
    version: int
    issued_at: str  # ISO 8601 with time zone


def write_template(path: Path, content: TemplateContent, parameters: Parameters, meta: TemplateMeta,
                   key: bytes) -> dict[str, str]:
    """Write the template to ``path``; returns the metadata written to the hidden sheet (signature included)."""
    group = content.group
    with book(path, f"MHHS migration plan {content.sprint.cycle}: {group.name} ({group.mpid})",
              company=parameters.contact.name, workbook_class=TemplateWorkbook,
              subject=f"Supplier migration plan submission, sprint {content.sprint.sprint}",
              author=parameters.contact.name, comments=f"Template {meta.template_id}", in_memory=True) as wb:
        f = Formats(wb)
        instructions = wb.add_worksheet(C.SHEET_INSTRUCTIONS)
        weekly = wb.add_worksheet(C.SHEET_WEEKLY)
        daily = wb.add_worksheet(C.SHEET_DAILY) if content.daily_required else None
        fast = wb.add_worksheet(C.SHEET_FAST_FEEDBACK)
        agents = wb.add_worksheet(C.SHEET_AGENTS)
        checks = wb.add_worksheet(C.SHEET_CHECKS)
        chart = wb.add_worksheet(C.SHEET_CHART)
        sites = wb.add_worksheet(C.SHEET_SITES) if content.sites else None
        meta_ws = wb.add_worksheet(C.SHEET_META)

        ranges: dict[str, str] = {}
        wk = plan_sheet(weekly, f, content, weekly=True)
        ranges[C.PLAN_WEEKLY] = wk.grid_ref
        blocks = locked(content, wk, weekly=True)
        dy = None
        if daily is not None:
            dy = plan_sheet(daily, f, content, weekly=False)
            ranges[C.PLAN_DAILY] = dy.grid_ref
            blocks += locked(content, dy, weekly=False)
        ranges[C.FAST_FEEDBACK] = fast_feedback_sheet(fast, f, content, parameters)
        ag_ref, _ = agents_sheet(agents, f, content, wk)
        ranges[C.AGENT_FORECAST] = ag_ref
        if sites is not None:
            ranges[C.SITE_PLAN], site_block = sites_sheet(sites, f, content, f"{content.m14:%a %d %b %Y}")
            blocks += site_block
        for name, ref in ranges.items():
            wb.define_name(name, f"={ref}")
        checks_sheet(checks, f, content, parameters, wk, dy,
                     {C.FAST_FEEDBACK: fast.name, C.AGENT_FORECAST: agents.name})
        chart_sheet(wb, chart, f, content, wk, dy)
        instructions_sheet(instructions, f, content, parameters, meta.version, meta.template_id, meta.issued_at)
        values = {
            "format": C.FORMAT_VERSION, "template_id": meta.template_id, "group": group.mpid,
            "cycle": content.sprint.cycle, "version": str(meta.version), "issued_at": meta.issued_at,
            "envelope_digest": content.digest(), "layout": C.layout_text(ranges),
            "locked": json.dumps([r for r, _ in blocks], separators=(",", ":")),
            "content_digest": C.content_digest([v for _, v in blocks]),
        }
        values[C.SIGNATURE_KEY] = C.sign(values, key)
        C.write_meta_sheet(meta_ws, values)
        instructions.activate()
    return values
