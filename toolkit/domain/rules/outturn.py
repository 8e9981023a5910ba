"""The checks of an outturn file (METHOD 9; Foundations 6.1-6.6): the table as specified (outturn.file), known
supplier and LDSO MPIDs (outturn.party), dates that are dates, inside M11-M15 or the calendar, not after the day
of the report and no effective date before its initiation (outturn.date), whole counts of 0 or more
(outturn.count), and each cohort once (outturn.duplicate). A file with any finding is refused whole.

Findings are located by row (1 = the header) and column name (``RowFinding``), or by nothing when they concern
the whole file; the caller words the location for the kind of file (row and column of a CSV, sheet and cell of a
workbook)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from toolkit.domain.calendar import MigrationCalendar
from toolkit.domain.findings import Finding, RuleId, finding, row_finding
from toolkit.domain.industry import Industry
from toolkit.domain.monitoring import OUTTURN_COLUMNS, Cohort
from toolkit.domain.rules.registry import Registry, family


@dataclass
class OutturnCase:
    """An outturn table as read (rows of cell values, the header first). The file family records the parsed rows
    once the table is as specified, the cohorts family the cohorts it found."""

    table: list[list[object]]
    industry: Industry
    calendar: MigrationCalendar
    as_of: date | None
    max_rows: int
    rows: list[dict[str, object]] | None = None
    cohorts: list[Cohort] = field(default_factory=list)


def outturn_header(table: list[list[object]]) -> list[str]:
    """The column names of the header row, as the checks match them."""
    return [str(h or "").strip().lower() for h in table[0]] if table else []


@family("outturn file", emits=(RuleId.OUTTURN_FILE,))
def outturn_file(case: OutturnCase) -> list[Finding]:
    table = case.table
    expected = ",".join(OUTTURN_COLUMNS)
    if not table:
        return [finding(RuleId.OUTTURN_FILE, f"the file has no header row (expected {expected})")]
    header = outturn_header(table)
    missing = [c for c in OUTTURN_COLUMNS if c not in header and c != "completions"]  # "exceptions" is optional
    if missing:
        return [row_finding(RuleId.OUTTURN_FILE, 1, missing[0], f"missing column{'s' if len(missing) > 1 else ''} "
                            f"{', '.join(missing)} (expected {expected})")]
    if len(table) - 1 > case.max_rows:
        return [finding(RuleId.OUTTURN_FILE, f"{len(table) - 1:,} rows (limit {case.max_rows:,})")]
    case.rows = []
    for n, values in enumerate(table[1:], start=2):
        if not any(str(v).strip() for v in values if v is not None):
            continue
        row = {h: (values[k] if k < len(values) else None) for k, h in enumerate(header) if h}
        row["_row"] = n
        case.rows.append(row)
    return []


@family("outturn cohorts", emits=(RuleId.OUTTURN_PARTY, RuleId.OUTTURN_DATE, RuleId.OUTTURN_COUNT,
                                  RuleId.OUTTURN_DUPLICATE), when=lambda case: case.rows is not None)
def outturn_cohorts(case: OutturnCase) -> list[Finding]:
    case.cohorts, found = check_cohorts(case.rows, case.industry, case.calendar, case.as_of)
    return found


OUTTURN = Registry("outturn", (outturn_file, outturn_cohorts))


def check_outturn(table: list[list[object]], industry: Industry, calendar: MigrationCalendar, as_of: date | None,
                  max_rows: int) -> tuple[list[Cohort], list[Finding]]:
    """The cohorts of an outturn table, and every finding about it (the cohorts count only when there is none)."""
    case = OutturnCase(table, industry, calendar, as_of, max_rows)
    findings = OUTTURN.run(case)
    return case.cohorts, findings


def check_cohorts(rows: list[dict[str, object]], industry: Industry, calendar: MigrationCalendar,
                  as_of: date | None = None) -> tuple[list[Cohort], list[Finding]]:
    """Validate parsed rows (``{column: value}``, each with ``_row``): unknown MPIDs, dates that are not dates or
    fall outside M11-M15 (or after ``as_of``), effective dates before initiation, counts that are not whole numbers
    or are negative, and the same cohort twice. A file with any finding is refused whole."""
    findings: list[Finding] = []
    cohorts: list[Cohort] = []
    seen: dict[tuple, int] = {}
    parsed: dict[str, date | None] = {}  # a few hundred dates over thousands of rows: each text parsed once

    def as_date(value: object) -> date | None:
        if type(value) is not str:
            return _as_date(value)
        found = parsed.get(value, False)
        if found is False:
            found = parsed[value] = _as_date(value)
        return found

    for raw in rows:
        line = int(raw["_row"])
        supplier = str(raw.get("supplier_mpid") or "").strip().upper()
        ldso = str(raw.get("ldso_mpid") or "").strip().upper()
        bad = _parties(line, supplier, ldso, industry)
        days, bad_days = _dates(line, raw, calendar, as_of, as_date)
        counts, bad_counts = _counts(line, raw)
        bad += bad_days + bad_counts
        findings += bad
        if bad:
            continue
        key = (supplier, ldso, days["initiation_date"], days["effective_date"])
        if key in seen:
            findings.append(row_finding(RuleId.OUTTURN_DUPLICATE, line, "initiation_date",
                                        f"{supplier} {ldso} initiated on {key[2]} effective {key[3]} is given twice "
                                        f"(also row {seen[key]})"))
            continue
        seen[key] = line
        cohorts.append(Cohort(supplier, ldso, key[2], key[3], counts["initiations"], counts["completions"],
                              counts["exceptions"]))
    return cohorts, findings


def _parties(line: int, supplier: str, ldso: str, industry: Industry) -> list[Finding]:
    out = []
    if supplier not in industry.group_of_supplier:
        out.append(row_finding(RuleId.OUTTURN_PARTY, line, "supplier_mpid", f"{supplier or '(blank)'} is not a "
                               "supplier MPID in config/suppliers.csv"))
    if ldso not in industry.ldso_by_mpid:
        out.append(row_finding(RuleId.OUTTURN_PARTY, line, "ldso_mpid", f"{ldso or '(blank)'} is not an LDSO in "
                               "config/ldsos.csv"))
    return out


def _dates(line: int, raw: dict[str, object], calendar: MigrationCalendar, as_of: date | None,
           as_date: Callable[[object], date | None]) -> tuple[dict[str, date], list[Finding]]:
    out = []
    days = {}
    for column in ("initiation_date", "effective_date"):
        day = as_date(raw.get(column))
        if day is None:
            out.append(row_finding(RuleId.OUTTURN_DATE, line, column, f"{raw.get(column)!r} is not a date "
                                   "(YYYY-MM-DD)"))
        elif column == "initiation_date" and not calendar.m11 <= day <= calendar.m15:
            # migrations start in the window; their appointments may fall a few working days after M15
            out.append(row_finding(RuleId.OUTTURN_DATE, line, column, f"{day} is outside the migration window (M11 "
                                   f"{calendar.m11} to M15 {calendar.m15})"))
        elif not calendar.m11 <= day <= calendar.last:
            out.append(row_finding(RuleId.OUTTURN_DATE, line, column, f"{day} is before M11 ({calendar.m11})"
                                   if day < calendar.m11 else f"{day} is after the migration calendar ends "
                                   f"({calendar.last})"))
        elif column == "initiation_date" and as_of is not None and day > as_of:
            out.append(row_finding(RuleId.OUTTURN_DATE, line, column, f"{day} is after the date of the report "
                                   f"({as_of})"))
        else:
            days[column] = day
    if len(days) == 2 and days["effective_date"] < days["initiation_date"]:
        out.append(row_finding(RuleId.OUTTURN_DATE, line, "effective_date", f"{days['effective_date']} is before "
                               f"the initiation date {days['initiation_date']}"))
    return days, out


def _counts(line: int, raw: dict[str, object]) -> tuple[dict[str, int | None], list[Finding]]:
    out = []
    counts: dict[str, int | None] = {}
    for column in ("initiations", "completions", "exceptions"):  # exceptions: an optional column (F6.1)
        value = raw.get(column)
        if column != "initiations" and (value is None or str(value).strip() == ""):
            counts[column] = None
            continue
        number = _as_count(value)
        if number is None:
            out.append(row_finding(RuleId.OUTTURN_COUNT, line, column, f"{value!r} is not a whole number"))
        elif number < 0:
            out.append(row_finding(RuleId.OUTTURN_COUNT, line, column, f"{number} is negative"))
        else:
            counts[column] = number
    if (counts.get("exceptions") or 0) > (counts.get("initiations") or 0) and "initiations" in counts:
        out.append(row_finding(RuleId.OUTTURN_COUNT, line, "exceptions", f"{counts['exceptions']:,} exceptions for "
                               f"{counts['initiations']:,} initiations: there cannot be more"))
    return counts, out


def _as_date(value) -> date | None:
    if isinstance(value, date):
        return value if type(value) is date else value.date()
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def _as_count(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value).strip().replace(",", "")
    if text.lstrip("-").isdigit():
        return int(text)
    return None

