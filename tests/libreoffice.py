"""LibreOffice, headless, as a real spreadsheet application in tests: open workbooks, recalculate every formula
(OOXMLRecalcMode = 0, "always", set in a throw-away profile) and save them again as .xlsx.

Outside CI the tests that need it skip when ``soffice`` is missing; in CI (``CI`` set) they fail instead, since
``.ci/run`` installs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str:
    """The soffice binary, or skip (fail in CI) when LibreOffice is not installed."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("LibreOffice (soffice) is not installed; .ci/run installs libreoffice-calc-nogui")
    pytest.skip("LibreOffice (soffice) is not installed")


def _profile(base: Path) -> Path:
    (base / "user").mkdir(parents=True, exist_ok=True)
    (base / "user" / "registrymodifications.xcu").write_text(PROFILE, encoding="utf-8")
    return base


def recalculate(files: list[Path], out_dir: Path, work: Path, processes: int = 2, timeout: int = 600) -> list[Path]:
    """Open each file in LibreOffice, recalculate, save as .xlsx in ``out_dir`` under the same name; files are
    split between ``processes`` LibreOffice instances (each with its own profile). Fails the test when a file
    did not come out."""
    binary = soffice()
    out_dir.mkdir(parents=True, exist_ok=True)
    chunks = [files[k::processes] for k in range(processes) if files[k::processes]]

    def run(k: int) -> subprocess.CompletedProcess:
        profile = _profile(work / f"lo-profile-{k}")
        cmd = [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nologo",
               "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out_dir), *map(str, chunks[k])]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)

    with ThreadPoolExecutor(len(chunks)) as pool:
        results = list(pool.map(run, range(len(chunks))))
    outputs = [out_dir / f.name for f in files]
    missing = [p.name for p in outputs if not p.is_file()]
    if missing:
        detail = "\n".join(r.stdout + r.stderr for r in results)
        pytest.fail(f"LibreOffice did not save {', '.join(missing)}:\n{detail}")
    return outputs


def to_pdf(files: list[Path], out_dir: Path, work: Path, timeout: int = 900) -> list[Path]:
    """Print each file to PDF with LibreOffice (formulas recalculated), all in one run; fails the test when a file
    did not come out. Names must differ by stem."""
    binary = soffice()
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = _profile(work / "lo-profile-pdf")
    cmd = [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nologo",
           "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, files)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    outputs = [out_dir / f"{f.stem}.pdf" for f in files]
    missing = [p.name for p in outputs if not p.is_file()]
    if missing:
        pytest.fail(f"LibreOffice did not print {', '.join(missing)}:\n{result.stdout}{result.stderr}")
    return outputs
