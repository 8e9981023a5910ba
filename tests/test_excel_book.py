"""The one book helper every writer opens its workbook with: the file appears under its name only when complete,
a failed write leaves nothing behind (and an older file in place), text stays text, and the document properties
name the MCC."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from xlsxwriter.exceptions import FileCreateError

from toolkit.excel.book import COMPANY, book, print_setup


def test_the_workbook_appears_under_its_name_only_when_complete(tmp_path):
    path = tmp_path / "out" / "book.xlsx"
    with book(path, "A title") as wb:
        wb.add_worksheet("One").write(0, 0, "x")
        assert not path.exists()
    assert path.is_file()
    assert sorted(p.name for p in path.parent.iterdir()) == ["book.xlsx"]


def test_a_failed_write_leaves_nothing_and_keeps_the_older_file(tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"the older version")
    with pytest.raises(RuntimeError, match="broken"), book(path, "A title") as wb:
        wb.add_worksheet("One")
        raise RuntimeError("broken")
    assert path.read_bytes() == b"the older version"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


def test_a_failure_while_closing_removes_the_half_written_file(tmp_path, monkeypatch):
    path = tmp_path / "book.xlsx"
    with pytest.raises(FileCreateError, match="disk full"), book(path, "A title") as wb:
        wb.add_worksheet("One")

        def half_written():
            Path(wb.filename).write_bytes(b"PK half a zip")
            raise OSError("disk full")

        monkeypatch.setattr(wb, "_store_workbook", half_written)
    assert list(tmp_path.iterdir()) == []


def test_text_stays_text_and_the_properties_name_the_mcc(tmp_path):
    path = tmp_path / "book.xlsx"
    with book(path, "A title", subject="A subject") as wb:
        ws = wb.add_worksheet("One")
        for c, text in enumerate(("=1+1", "https://example.com", "0123")):
            ws.write(0, c, text)
    cells = openpyxl.load_workbook(path)["One"]
    assert [cells.cell(1, c).data_type for c in (1, 2, 3)] == ["s", "s", "s"]
    assert [cells.cell(1, c).value for c in (1, 2, 3)] == ["=1+1", "https://example.com", "0123"]
    props = openpyxl.load_workbook(path).properties
    assert (props.title, props.subject) == ("A title", "A subject")
    with zipfile.ZipFile(path) as z:
        assert f"<Company>{COMPANY}</Company>" in z.read("docProps/app.xml").decode()


def test_print_setup_sets_only_what_it_is_given(tmp_path):
    path = tmp_path / "book.xlsx"
    with book(path, "A title") as wb:
        print_setup(wb.add_worksheet("Landscape"), repeat_rows=(2,))
        print_setup(wb.add_worksheet("Default"), orientation=None, fit=(1, 1), area=(0, 0, 9, 4))
    sheets = openpyxl.load_workbook(path)
    landscape, default = sheets["Landscape"], sheets["Default"]
    assert landscape.page_setup.orientation == "landscape"
    assert landscape.sheet_properties.pageSetUpPr.fitToPage
    assert (landscape.page_setup.fitToWidth or 1, landscape.page_setup.fitToHeight) == (1, 0)  # 1: the default
    assert landscape.print_title_rows == "$3:$3"
    assert default.page_setup.orientation == "portrait"  # the default, written with the other settings
    assert (default.page_setup.fitToWidth or 1, default.page_setup.fitToHeight or 1) == (1, 1)
    assert default.print_area == "'Default'!$A$1:$E$10"
