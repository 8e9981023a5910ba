"""The Excel control workbook for MCC staff (``mcc control-workbook``): ``mcc_control.xlsm`` and the
``mcc_control.py`` its Run button calls through xlwings."""

from __future__ import annotations

from pathlib import Path

from toolkit.excel.writers.control import ControlFiles
from toolkit.excel.writers.control import write_control_workbook as write
from toolkit.services.context import Context


def write_control_workbook(ctx: Context, folder: Path | None = None, interpreter: str | None = None) -> ControlFiles:
    """The control workbook in ``folder`` (default: the workspace's ``workbooks/``), for this workspace."""
    return write((folder or ctx.workspace.workbooks).expanduser().resolve(), ctx.workspace.root, interpreter)
