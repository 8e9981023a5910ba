"""Issue 16, case 5: size limits apply before reading. A file over the limit is refused after reading its first MiB
only (kept); a sheet whose farthest cell is A1048576, or in column XFD, is refused before calamine builds it, in
well under a few seconds and 512 MiB, naming the sheet and the cell; a declared dimension is never trusted."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import zipfile

from tests.inbox_helpers import cli_env, run_inbox
from toolkit.excel.reader import sheet_parts

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
# ``mcc validate`` in a process of its own, reporting the peak memory of it and of the child that reads the file
# the command's own peak is VmHWM (Linux keeps ru_maxrss across exec, so a process started from a large pytest
# process would report the pytest process's size), its reader children's peak is RUSAGE_CHILDREN
MEASURED = ("import re, resource, sys; from toolkit.cli import main; rc = main(sys.argv[1:]); "
            "own = int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)); "
            "peak = max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
            "print('PEAK', peak // 1024, file=sys.stderr); sys.exit(rc)")


def far_cell(src, out, sheet: str, row: int, column: str, prefix: str = ""):
    """``src`` with one more value, in its own row at the end of ``sheet`` (as a hand-edited file may have it);
    ``prefix``: written with that namespace prefix (``<x:row>``, ``<x:c>``), which readers take as well."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        part = sheet_parts(zin)[sheet]
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                p = f"{prefix}:" if prefix else ""
                cell = f'<{p}row r="{row}"><{p}c r="{column}{row}"><{p}v>1</{p}v></{p}c></{p}row>'.encode()
                data = data.replace(b"</sheetData>", cell + b"</sheetData>")
                if prefix:
                    data = data.replace(b"<worksheet ", f'<worksheet xmlns:{prefix}="{MAIN_NS}" '.encode(), 1)
            zout.writestr(info, data)
    return out


def validate_measured(ws, path, timeout: float = 60.0):
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", MEASURED, "validate", str(path), "--json", "-w", str(ws.root)],
                          env=cli_env(), capture_output=True, text=True, timeout=timeout)
    seconds = time.monotonic() - start
    peak = int(re.search(r"PEAK (\d+)", done.stderr).group(1))
    return done.returncode, json.loads(done.stdout), seconds, peak


def test_a_file_over_the_size_limit_is_refused_reading_only_its_first_mib(fresh, tmp_path):
    huge = fresh.ws.inbox / "huge.xlsx"
    with huge.open("wb") as handle:  # 1 GiB, sparse: reading it whole is what must not happen
        handle.write(b"PK\x03\x04" + b"x" * 100)
        handle.truncate(2**30)
    start = time.monotonic()
    [o], ledger = run_inbox(fresh.ws)
    assert time.monotonic() - start < 20
    assert o.status == "quarantined" and o.reason.startswith("the file is 1,024.0 MiB")
    assert "refused unread, its first MiB kept" in o.reason
    row = ledger.get(o.row_id)
    kept = fresh.ws.root / row.archive_path
    assert kept.name.endswith(".head.xlsx") and kept.stat().st_size == 2**20
    assert kept.read_bytes()[:4] == b"PK\x03\x04" and row.sha256 == ""
    assert row.email_path and not huge.exists()


def test_one_value_in_a1048576_is_refused_fast_naming_the_cell(fresh, tmp_path):
    far = far_cell(fresh.valid("JONV", tmp_path / "v.xlsx"), tmp_path / "far.xlsx", "Weekly plan", 1048576, "A")
    assert far.stat().st_size < 200_000
    code, verdict, seconds, peak_mib = validate_measured(fresh.ws, far)
    assert code == 2 and verdict["status"] == "unreadable"
    (finding,) = verdict["findings"]
    assert (finding["sheet"], finding["cell"]) == ("Weekly plan", "A1048576")
    assert "far more than a template has (limit 2,000,000 cells)" in finding["message"]
    assert seconds < 10 and peak_mib < 512, (seconds, peak_mib)


def test_a_far_cell_written_with_a_namespace_prefix_is_refused_as_fast(fresh, tmp_path):
    """Found by trying it: ``<x:row r="300000"><x:c r="B300000">`` passed the far-cell check (calamine reads it all
    the same: 4.6 s and 705 MB, then accepted)."""
    far = far_cell(fresh.valid("JONV", tmp_path / "v.xlsx"), tmp_path / "ns.xlsx", "Weekly plan", 1048576, "B",
                   prefix="x")
    code, verdict, seconds, peak_mib = validate_measured(fresh.ws, far)
    assert code == 2 and [(f["sheet"], f["cell"]) for f in verdict["findings"]] == [("Weekly plan", "B1048576")]
    assert seconds < 10 and peak_mib < 512, (seconds, peak_mib)


def test_a_value_in_column_xfd_of_the_metadata_sheet_is_refused_fast(fresh, tmp_path):
    far = far_cell(fresh.valid("JONV", tmp_path / "v.xlsx"), tmp_path / "wide.xlsx", "_mcc", 200, "XFD")
    code, verdict, seconds, peak_mib = validate_measured(fresh.ws, far)
    assert code == 2 and [(f["sheet"], f["cell"]) for f in verdict["findings"]] == [("_mcc", "XFD200")]
    assert seconds < 10 and peak_mib < 512, (seconds, peak_mib)


def test_a_declared_dimension_is_never_trusted(fresh, tmp_path):
    good = fresh.valid("JONV", tmp_path / "v.xlsx")
    lying = tmp_path / "lying.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(lying, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', data)
            zout.writestr(info, data)
    code, verdict, seconds, peak_mib = validate_measured(fresh.ws, lying)
    assert (code, verdict["status"]) == (0, "accepted")
    assert seconds < 10 and peak_mib < 512, (seconds, peak_mib)
