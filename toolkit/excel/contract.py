"""The machine contract of a submission template: what the watched inbox and other tools may rely on.

- The input grids are workbook-level defined names: ``PlanWeekly``, ``PlanDaily`` (only where the group must
  plan daily), ``AgentForecast`` and ``FastFeedback``.
- For ``PlanWeekly``, ``PlanDaily`` and ``AgentForecast`` the row directly above the grid holds the column keys
  (LDSO MPIDs; agent MPIDs, with the role in the row above that) and the column directly left holds real date
  cells (week commencing for weekly grids).
- ``FastFeedback`` has four columns: initiation date, LDSO MPID, initiations, activation offset.
- A very hidden sheet ``_mcc`` holds key/value rows: template id, group, cycle, version, issue time, the digest
  of the envelopes, the layout (every grid's range), the locked content that identifies the group (``locked``: the
  ranges of the plan sheets' title, LDSO names, rules and portfolios, LDSO headers, dates and limits;
  ``content_digest``: the SHA-256 of their values as issued, which the reader recomputes from the returned file, so
  one workbook's metadata cannot be carried into another's: issue 17) and an HMAC-SHA256 signature over all of
  them. The key is the workspace's (``toolkit.store.keys``) and is never written into a file that leaves the MCC.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import numbers

SHEET_INSTRUCTIONS = "Instructions"
SHEET_WEEKLY = "Weekly plan"
SHEET_DAILY = "Daily plan"
SHEET_FAST_FEEDBACK = "Fast feedback"
SHEET_AGENTS = "Agents"
SHEET_CHECKS = "Checks"
SHEET_CHART = "Chart"
SHEET_META = "_mcc"
SHEET_SITES = "Sites"  # only in the templates of groups with complex sites (F5.7)

PLAN_WEEKLY = "PlanWeekly"
PLAN_DAILY = "PlanDaily"
AGENT_FORECAST = "AgentForecast"
FAST_FEEDBACK = "FastFeedback"
UCA_REQUEST = "UcaRequest"
SITE_PLAN = "SitePlan"
GRID_NAMES = (PLAN_WEEKLY, PLAN_DAILY, AGENT_FORECAST, FAST_FEEDBACK, UCA_REQUEST, SITE_PLAN)
SHEET_UCA = "UCA request"
KIND_PLAN = "plan"
KIND_UCA = "uca-request"

FORMAT_VERSION = "1"
META_KEYS = ("format", "template_id", "group", "cycle", "version", "issued_at", "envelope_digest", "layout", "locked",
             "content_digest")
# UCA request workbooks sign one more key, their kind (plan templates have none, which reads as "plan")
UCA_META_KEYS = (*META_KEYS, "kind")
SIGNATURE_KEY = "signature"


def template_file_name(cycle: str, group: str, version: int) -> str:
    """The naming convention: ``MCC-plan_<cycle>_<group>_v<NN>.xlsx``, e.g. ``MCC-plan_S8_AAUC_v01.xlsx``."""
    return f"MCC-plan_{cycle}_{group}_v{version:02d}.xlsx"


def template_id(cycle: str, group: str, version: int) -> str:
    return f"{cycle}-{group}-v{version:02d}"


def canonical(meta: dict[str, str]) -> bytes:
    """The signed text: every metadata key in a fixed order, one ``key=value`` line each (``kind`` too, when the
    workbook has one)."""
    keys = UCA_META_KEYS if "kind" in meta else META_KEYS
    return "\n".join(f"{k}={meta.get(k, '')}" for k in keys).encode("utf-8")


def sign(meta: dict[str, str], key: bytes) -> str:
    return hmac.new(key, canonical(meta), hashlib.sha256).hexdigest()


def signature_valid(meta: dict[str, str], key: bytes) -> bool:
    given = meta.get(SIGNATURE_KEY, "")
    return bool(given) and hmac.compare_digest(given, sign(meta, key))


def layout_text(ranges: dict[str, str]) -> str:
    """The layout recorded in the metadata: grid name -> sheet-qualified absolute range, as compact JSON."""
    return json.dumps(dict(sorted(ranges.items())), separators=(",", ":"))


def locked_value(v: object) -> str:
    """One locked cell as text, the same whether written or read back: whole numbers without a decimal point,
    dates in ISO form, blanks empty."""
    if v is None or v == "":
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, numbers.Real):
        return str(int(v)) if float(v).is_integer() else repr(float(v))
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def content_digest(blocks: list[list[list[object]]]) -> str:
    """The SHA-256 of the locked content: each block (the values of one ``locked`` range, rows of cells) in order."""
    text = [[[locked_value(v) for v in row] for row in block] for block in blocks]
    return hashlib.sha256(json.dumps(text, separators=(",", ":")).encode("utf-8")).hexdigest()


def write_meta_sheet(ws, values: dict[str, str]) -> None:
    """The signed metadata on its worksheet (``SHEET_META``), key/value rows the reader checks: protected and very
    hidden from the supplier (not even Unhide shows it)."""
    ws.write_row(0, 0, ["key", "value"])
    for r, (k, v) in enumerate(values.items(), start=1):
        ws.write_string(r, 0, k)
        ws.write_string(r, 1, v)
    ws.protect()
    ws.very_hidden()
