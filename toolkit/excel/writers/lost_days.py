"""The Lost Migration Day claim form (Foundations 6.6.1), issued to one supplier group and returned through
``inbox/lostdays/``: the fields of 6.6.1 down the sheet, a table of impacted plan dates, LDSOs and migrations, and
signed metadata (group, form id, issue time) on a very hidden sheet. ``parse_claim`` reads the returned cells back
into a ``ClaimForm`` (the rules are in ``toolkit.domain.lost_days``); a form whose labels or metadata are not as
issued raises ``TemplateReadError`` naming the sheet and cell."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path

from toolkit.domain.findings import RuleId
from toolkit.domain.lost_days import FIELDS, Cell, ClaimForm, ImpactRow
from toolkit.domain.submission import a1
from toolkit.excel import book as B
from toolkit.excel.book import book
from toolkit.excel.contract import SHEET_META, write_meta_sheet
from toolkit.excel.reader import TemplateReadError, _value

KIND_CLAIM = "lost-days-claim"
SHEET = "Claim"
META_KEYS = ("kind", "group", "form_id", "issued_at")
FIELD_TOP = 5  # row index of the first field (Excel row 6)
IMPACT_HEADER = FIELD_TOP + len(FIELDS) + 2  # the impacted table's header row
IMPACT_ROWS = 30
IMPACT_COLUMNS = ("Impacted plan date", "LDSO (MPID)", "Impacted migrations")


def sign_claim(meta: dict[str, str], key: bytes) -> str:
    text = "\n".join(f"{k}={meta.get(k, '')}" for k in META_KEYS).encode("utf-8")
    return hmac.new(key, text, hashlib.sha256).hexdigest()


def claim_signature_valid(meta: dict[str, str], key: bytes) -> bool:
    given = meta.get("signature", "")
    return bool(given) and hmac.compare_digest(given, sign_claim(meta, key))


@dataclass(frozen=True)
class ClaimFormValue:
    group: str
    group_name: str
    form_id: str
    issued_at: str  # ISO 8601
    m14: str  # "Mon 30 Nov 2026"
    mcc_name: str
    mcc_email: str
    ldsos: tuple[str, ...]  # the LDSOs where the group has an envelope


def write_claim_form(path: Path, value: ClaimFormValue, key: bytes) -> Path:
    meta = {"kind": KIND_CLAIM, "group": value.group, "form_id": value.form_id, "issued_at": value.issued_at}
    meta["signature"] = sign_claim(meta, key)
    with book(path, f"Lost Migration Day claim {value.group}", subject="Foundations 6.6.1") as wb:
        title = wb.add_format({"bold": True, "font_size": 14})
        note = wb.add_format({"font_color": B.NOTE_FONT, "text_wrap": True, "valign": "top"})
        head = wb.add_format({"bold": True, "bg_color": B.HEAD_FILL, "border": 1, "border_color": B.GRID_BORDER})
        label = wb.add_format({"text_wrap": True, "valign": "top", "border": 1, "border_color": B.GRID_BORDER,
                               "locked": True})
        text_in = wb.add_format({"bg_color": B.INPUT_FILL, "text_wrap": True, "valign": "top", "border": 1,
                                 "border_color": B.GRID_BORDER, "locked": False})
        int_in = wb.add_format({"bg_color": B.INPUT_FILL, "num_format": B.INT, "border": 1,
                                "border_color": B.GRID_BORDER, "locked": False})
        day_in = wb.add_format({"bg_color": B.INPUT_FILL, "num_format": B.DAY, "border": 1,
                                "border_color": B.GRID_BORDER, "locked": False})
        ws = wb.add_worksheet(SHEET)
        ws.set_column(0, 0, 44)
        ws.set_column(1, 1, 22)
        ws.set_column(2, 2, 60)
        ws.write_string(0, 0, "Lost Migration Day claim (Foundations 6.6.1)", title)
        ws.write_string(1, 0, f"{value.group_name} ({value.group}) - form {value.form_id}, issued {value.issued_at}")
        ws.merge_range(2, 0, 2, 2, f"Claim the migration days lost to circumstances beyond your control. Claims are "
                       f"open until M14 ({value.m14}) and for LDSOs where you have a capacity envelope "
                       f"({', '.join(value.ldsos) or 'none'}). Return this workbook to {value.mcc_email} (or save it "
                       "into the MCC inbox's lostdays folder). The MCC makes you aware of it within 2 working days "
                       "and notifies the outcome, ratified by MCAG, within 10 working days.", note)
        ws.set_row(2, 60)
        ws.write_string(FIELD_TOP - 1, 0, "Field", head)
        ws.merge_range(FIELD_TOP - 1, 1, FIELD_TOP - 1, 2, "Your answer", head)
        for r, (key_, text, _) in enumerate(FIELDS, start=FIELD_TOP):
            ws.write_string(r, 0, text, label)
            ws.merge_range(r, 1, r, 2, "", int_in if key_ == "days_lost" else text_in)
            ws.set_row(r, 30 if key_ in ("days_lost", "incident") else 45)
        ws.write_string(IMPACT_HEADER - 1, 0, "1. Impacted plan dates, LDSOs and numbers of migrations", title)
        ws.write_row(IMPACT_HEADER, 0, IMPACT_COLUMNS, head)
        for r in range(IMPACT_HEADER + 1, IMPACT_HEADER + 1 + IMPACT_ROWS):
            ws.write_blank(r, 0, None, day_in)
            ws.write_blank(r, 1, None, text_in)
            ws.write_blank(r, 2, None, int_in)
        ws.data_validation(IMPACT_HEADER + 1, 1, IMPACT_HEADER + IMPACT_ROWS, 1,
                           {"validate": "list", "source": list(value.ldsos) or [""], "ignore_blank": True,
                            "error_type": "warning"})
        ws.protect("", {"format_columns": True, "format_rows": True})
        B.print_setup(ws, orientation="portrait", fit=(1, 0), footer=f"&L{value.group} {value.form_id}&RPage &P")
        write_meta_sheet(wb.add_worksheet(SHEET_META), meta)
    return path


def read_form(file: str, sheet: str, rows: list[list], meta_rows: list[list], kind: str, what: str, rule: RuleId,
              fields: tuple, field_top: int, columns: tuple[str, ...], header: int):
    """The metadata of a returned form (a claim, a bulk change of agent plan) and a reader of its cells, once its
    kind and every label (the fields' and the table's headings) are found where the form put them."""
    meta = {str(r[0]): str(r[1]) for r in meta_rows[1:] if len(r) >= 2 and r[0] not in (None, "")}
    if meta.get("kind") != kind:
        raise TemplateReadError(file, f"this is not {what} issued by the MCC", SHEET_META, rule=rule)

    def at(r: int, c: int) -> object:
        return _value(rows[r][c]) if r < len(rows) and c < len(rows[r]) else None

    expected = [(field_top + k, 0, text) for k, (_, text, _) in enumerate(fields)]
    expected += [(header, c, text) for c, text in enumerate(columns)]
    for r, c, text in expected:
        if at(r, c) != text:
            raise TemplateReadError(file, f"the form's label {text!r} is not where the form put it (found "
                                    f"{at(r, c)!r}); use the form as issued", sheet, a1(r, c), rule)
    return meta, at


def parse_claim(file: str, rows: list[list], meta_rows: list[list]) -> tuple[dict[str, str], ClaimForm]:
    """The metadata and the cells of a returned claim form, its labels checked where the form put them."""
    meta, at = read_form(file, SHEET, rows, meta_rows, KIND_CLAIM, "a Lost Migration Day claim form", RuleId.CLAIM_FORM,
                         FIELDS, FIELD_TOP, IMPACT_COLUMNS, IMPACT_HEADER)
    fields = {key_: Cell(a1(r, 1), at(r, 1)) for r, (key_, _, _) in enumerate(FIELDS, start=FIELD_TOP)}
    impacted = tuple(ImpactRow(Cell(a1(r, 0), at(r, 0)), Cell(a1(r, 1), at(r, 1)), Cell(a1(r, 2), at(r, 2)))
                     for r in range(IMPACT_HEADER + 1, IMPACT_HEADER + 1 + IMPACT_ROWS))
    return meta, ClaimForm(SHEET, fields, impacted)
