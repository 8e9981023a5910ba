"""The template's cell formats, and the workbook class it is written with."""

from __future__ import annotations

import re

import xlsxwriter

from toolkit.excel.book import (
    CLOSED_FILL,
    CLOSED_FONT,
    DAY,
    GRID_BORDER,
    HEAD_FILL,
    INPUT_FILL,
    INT,
    MUTED_FONT,
    NOTE_FONT,
    OK_FILL,
    OK_FONT,
    RED_FILL,
    RED_FONT,
    WEEK,
)

LIMIT_FONT = "#1F4E79"  # a limit that applies (dark blue, read-only)

# XlsxWriter runs some thirty regular expressions over every formula to prefix Excel 365's dynamic-array
# functions; a template holds about a thousand formulas and none of those functions, so one combined search
# decides whether that work is needed (it halves the time spent on formulas).
_DYNAMIC = re.compile(r"ANCHORARRAY|BYCOL|BYROW|CHOOSECOLS|CHOOSEROWS|DROP|EXPAND|FILTER|HSTACK|LAMBDA|MAKEARRAY|"
                      r"MAP|RANDARRAY|REDUCE|SCAN|SINGLE|SEQUENCE|SORT|SWITCH|TAKE|TEXTSPLIT|TOCOL|TOROW|UNIQUE|"
                      r"VSTACK|WRAPCOLS|WRAPROWS|XLOOKUP|_xlfn")


class _Worksheet(xlsxwriter.worksheet.Worksheet):
    def _prepare_formula(self, formula, expand_future_functions=False):
        if self.use_future_functions or expand_future_functions or _DYNAMIC.search(formula):
            return super()._prepare_formula(formula, expand_future_functions)
        return formula.removeprefix("{").removeprefix("=").removesuffix("}")


class TemplateWorkbook(xlsxwriter.Workbook):
    worksheet_class = _Worksheet


class Formats:
    def __init__(self, wb: xlsxwriter.Workbook):
        add = wb.add_format
        self.title = add({"bold": True, "font_size": 14})
        self.subtitle = add({"bold": True, "font_size": 11})
        self.text = add({"text_wrap": True, "valign": "top"})
        self.note = add({"italic": True, "font_color": NOTE_FONT, "text_wrap": True, "valign": "top"})
        self.head = add({"bold": True, "bg_color": HEAD_FILL, "border": 1, "text_wrap": True, "valign": "top"})
        self.head_input = add({"bold": True, "bg_color": INPUT_FILL, "border": 1, "locked": False})
        self.label = add({"bold": True, "align": "right", "valign": "top"})
        self.label_top = add({"bold": True, "align": "right", "valign": "top"})  # beside wrapped notes
        self.int = add({"num_format": INT})
        self.int_bold = add({"num_format": INT, "bold": True})
        self.pct = add({"num_format": "0.0%"})
        self.day = add({"num_format": DAY})
        self.day_closed = add({"num_format": DAY, "font_color": CLOSED_FONT})
        self.week = add({"num_format": WEEK})
        self.input = add({"num_format": INT, "bg_color": INPUT_FILL, "border": 1, "border_color": GRID_BORDER,
                          "locked": False})
        self.input_date = add({"num_format": "dd/mm/yyyy", "bg_color": INPUT_FILL, "border": 1,
                               "border_color": GRID_BORDER, "locked": False})
        self.input_text = add({"bg_color": INPUT_FILL, "border": 1, "border_color": GRID_BORDER, "locked": False})
        self.closed = add({"num_format": INT, "bg_color": CLOSED_FILL, "border": 1, "border_color": GRID_BORDER})
        self.limit = add({"num_format": INT, "font_color": LIMIT_FONT})
        self.limit_closed = add({"num_format": INT, "font_color": MUTED_FONT})
        self.red = add({"bg_color": RED_FILL, "font_color": RED_FONT})
        self.step = add({"valign": "top", "align": "right"})
        self.top = add({"valign": "top"})
        self.int_top = add({"num_format": INT, "valign": "top"})
        self.warn_text = add({"text_wrap": True, "valign": "top", "font_color": RED_FONT})
        self.int_red = add({"num_format": INT, "bg_color": RED_FILL, "font_color": RED_FONT})
        self.warn = add({"bold": True, "bg_color": RED_FILL, "font_color": RED_FONT, "text_wrap": True,
                         "valign": "top", "border": 1})
        self.ok = add({"bg_color": OK_FILL, "font_color": OK_FONT})
        self.bold_center = add({"bold": True, "align": "center", "border": 1})
        self.fit = add({"shrink": True})  # one line, shrunk to its column rather than cut or overprinted
        self.na = add({"align": "right"})
