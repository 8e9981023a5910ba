"""Render a picture of each sheet of a demo submission template for docs/templates.md.

Usage: ``.venv/bin/python scripts/render_templates.py [--group JONV] [--out docs/images]``. Needs LibreOffice
(``soffice``) and poppler (``pdftoppm``, ``pdftotext``). It issues the sprint 8 template of one demo group in a
throw-away copy of the demo workspace, fills it with the group's sample plan (as the demo's simulated supplier
does), lets LibreOffice recalculate and print it to PDF, and keeps the first printed page of every sheet as a small
PNG (50 dpi): ``template-<sheet>.png``. Run it again whenever the templates change.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

ISSUED = datetime(2026, 10, 30, 9, 0, tzinfo=UTC)  # sprint 8 being planned, before its return-by date
TODAY = date(2026, 11, 2)
RECALCULATE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""


def filled_template(root: Path, group: str) -> tuple[Path, Path]:
    """The group's issued template and a copy filled with its sample plan, in a demo workspace at ``root``."""
    from toolkit import clock
    from toolkit.domain.sample_plan import sample_plan
    from toolkit.excel.filler import fill_plan
    from toolkit.services.context import Context, load
    from toolkit.services.issue import current_templates, issue_templates
    from toolkit.services.judge import make_judge
    from toolkit.store.keys import create_key
    from toolkit.store.workspace import Workspace

    shutil.copytree(REPO / "config", root / "config", ignore=shutil.ignore_patterns("signing.key"))
    create_key(root / "config")
    ws = Workspace(root)
    ws.ensure_folders()
    config = load(ws)
    ctx = Context(ws, clock.Clock.at(ISSUED, TODAY), config)
    sprint = ctx.sprint("S8")
    issue_templates(ctx, sprint, groups=[group], workers=1)
    empty = ws.templates_dir("S8") / current_templates(ws, "S8")[group].file
    content = make_judge(ctx).content(group, sprint)
    plan = sample_plan(content, config.parameters)
    filled = root / f"{group}-filled.xlsx"
    return empty, fill_plan(empty, filled, weekly=plan.weekly, daily=plan.daily, agents=plan.agents)


def to_pdf(files: list[Path], out: Path, work: Path) -> list[Path]:
    """Every file printed to PDF by LibreOffice (formulas recalculated), in one run."""
    profile = work / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALCULATE, encoding="utf-8")
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if not binary:
        sys.exit("LibreOffice (soffice) is not installed")
    subprocess.run([binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(out), *map(str, files)], check=True, capture_output=True,
                   timeout=600)
    return [out / (f.stem + ".pdf") for f in files]


def first_pages(pdf: Path) -> dict[str, int]:
    """The first page of each sheet, from the sheet name every printed page carries in its footer."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    out: dict[str, int] = {}
    for page, body in enumerate(text.split("\f"), start=1):
        lines = [ln.strip() for ln in body.strip().splitlines() if ln.strip()]
        if lines and re.search(r"Page \d+ of \d+$", lines[-1]):
            out.setdefault(re.split(r"\s{2,}", lines[-1])[0], page)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--group", default="JONV")
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "images")
    ap.add_argument("--dpi", type=int, default=50)
    ap.add_argument("--pdf", type=Path, help="keep the PDF of the filled template here")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        _, filled = filled_template(work / "ws", args.group)
        pdf = to_pdf([filled], work, work)[0]
        if args.pdf:
            shutil.copy(pdf, args.pdf)
        for sheet, page in first_pages(pdf).items():
            name = "template-" + re.sub(r"[^a-z0-9]+", "-", sheet.lower()).strip("-")
            subprocess.run(["pdftoppm", "-png", "-r", str(args.dpi), "-f", str(page), "-l", str(page),
                            "-singlefile", str(pdf), str(args.out / name)], check=True)
            print(args.out / f"{name}.png")


if __name__ == "__main__":
    main()
