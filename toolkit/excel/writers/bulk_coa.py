"""The bulk change of agent plan (Foundations 5.6 step 2: "detailed plan to be submitted to MCC including daily
volumes and impacted parties (Agents / LDSOs)"), issued to one supplier group and returned through
``inbox/bulkcoa/``: the reference, reason and owner, a table of days, LDSOs, MPANs and the old and new agents, and
signed metadata on a very hidden sheet. ``parse_bulk_plan`` reads the returned cells back."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from toolkit.domain.bulk_coa import COLUMNS, FIELDS, BulkForm, PlanRow
from toolkit.domain.findings import RuleId
from toolkit.domain.lost_days import Cell
from toolkit.domain.submission import a1
from toolkit.excel import book as B
from toolkit.excel.book import book
from toolkit.excel.contract import SHEET_META, write_meta_sheet
from toolkit.excel.writers.lost_days import read_form, sign_claim

KIND_BULK = "bulk-coa-plan"
SHEET = "Bulk COA"
FIELD_TOP = 5
TABLE_HEADER = FIELD_TOP + len(FIELDS) + 2
TABLE_ROWS = 200


@dataclass(frozen=True)
class BulkFormValue:
    group: str
    group_name: str
    form_id: str
    issued_at: str
    mcc_email: str
    ldsos: tuple[str, ...]


def write_bulk_form(path: Path, value: BulkFormValue, key: bytes) -> Path:
    meta = {"kind": KIND_BULK, "group": value.group, "form_id": value.form_id, "issued_at": value.issued_at}
    meta["signature"] = sign_claim(meta, key)
    with book(path, f"Bulk change of agent plan {value.group}", subject="Foundations 5.6") as wb:
        title = wb.add_format({"bold": True, "font_size": 14})
        note = wb.add_format({"font_color": B.NOTE_FONT, "text_wrap": True, "valign": "top"})
        head = wb.add_format({"bold": True, "bg_color": B.HEAD_FILL, "border": 1, "border_color": B.GRID_BORDER,
                              "text_wrap": True})
        label = wb.add_format({"text_wrap": True, "valign": "top", "border": 1, "border_color": B.GRID_BORDER})
        text_in = wb.add_format({"bg_color": B.INPUT_FILL, "text_wrap": True, "valign": "top", "border": 1,
                                 "border_color": B.GRID_BORDER, "locked": False})
        int_in = wb.add_format({"bg_color": B.INPUT_FILL, "num_format": B.INT, "border": 1,
                                "border_color": B.GRID_BORDER, "locked": False})
        day_in = wb.add_format({"bg_color": B.INPUT_FILL, "num_format": B.DAY, "border": 1,
                                "border_color": B.GRID_BORDER, "locked": False})
        ws = wb.add_worksheet(SHEET)
        ws.set_column(0, 0, 40)
        ws.set_column(1, 4, 16)
        ws.write_string(0, 0, "Bulk change of agent plan (Foundations 5.6)", title)
        ws.write_string(1, 0, f"{value.group_name} ({value.group}) - form {value.form_id}, issued {value.issued_at}")
        ws.merge_range(2, 0, 2, 4, "Give the daily volumes of your bulk change of agent and the agents and LDSOs it "
                       f"touches, three months before its first day. Return it to {value.mcc_email} (or the MCC "
                       "inbox's bulkcoa folder). The MCC checks it with the migration schedule against the "
                       "exceptional thresholds, consults the impacted parties, and approves it or asks you to "
                       "re-profile.", note)
        ws.set_row(2, 48)
        ws.write_string(FIELD_TOP - 1, 0, "Field", head)
        ws.merge_range(FIELD_TOP - 1, 1, FIELD_TOP - 1, 4, "Your answer", head)
        for r, (_, text, _) in enumerate(FIELDS, start=FIELD_TOP):
            ws.write_string(r, 0, text, label)
            ws.merge_range(r, 1, r, 4, "", text_in)
            ws.set_row(r, 30)
        ws.write_string(TABLE_HEADER - 1, 0, "Daily volumes and impacted parties", title)
        ws.write_row(TABLE_HEADER, 0, COLUMNS, head)
        ws.set_row(TABLE_HEADER, 30)
        for r in range(TABLE_HEADER + 1, TABLE_HEADER + 1 + TABLE_ROWS):
            for c, fmt in enumerate((day_in, text_in, int_in, text_in, text_in)):
                ws.write_blank(r, c, None, fmt)
        ws.data_validation(TABLE_HEADER + 1, 1, TABLE_HEADER + TABLE_ROWS, 1,
                           {"validate": "list", "source": list(value.ldsos)[:200] or [""], "error_type": "warning"})
        ws.freeze_panes(TABLE_HEADER + 1, 0)
        ws.protect("", {"format_columns": True, "format_rows": True})
        # the whole table printed (LibreOffice leaves blank input rows out of the print range otherwise)
        B.print_setup(ws, orientation="portrait", repeat_rows=(TABLE_HEADER,),
                      area=(0, 0, TABLE_HEADER + TABLE_ROWS, 4), footer=f"&L{value.group} {value.form_id}&RPage &P")
        write_meta_sheet(wb.add_worksheet(SHEET_META), meta)
    return path


def parse_bulk_plan(file: str, rows: list[list], meta_rows: list[list]) -> tuple[dict[str, str], BulkForm]:
    meta, at = read_form(file, SHEET, rows, meta_rows, KIND_BULK, "a bulk change of agent plan", RuleId.BULK_COA_FORM,
                         FIELDS, FIELD_TOP, COLUMNS, TABLE_HEADER)
    fields = {k: Cell(a1(r, 1), at(r, 1)) for r, (k, _, _) in enumerate(FIELDS, start=FIELD_TOP)}
    table = tuple(PlanRow(*(Cell(a1(r, c), at(r, c)) for c in range(5)))
                  for r in range(TABLE_HEADER + 1, TABLE_HEADER + 1 + TABLE_ROWS))
    return meta, BulkForm(SHEET, fields, table)
