"""Read ``config/`` into domain objects, collecting every problem with its file, row or key.

Files (column names are fixed: other tools write these files):
- ``parameters.toml``  the MCC's parameters (``toolkit.domain.parameters.Parameters``); every key optional
- ``calendar.toml``    milestones, Early Life Support, holidays, excluded days, CSMT, sprint starts
- ``ldsos.csv``        ldso_mpid,name,mpan_count
- ``suppliers.csv``    supplier_mpid,supplier_group,group_name,sit,migration_start,extended_ramp_up,
                       lost_days,daily_opt_in,primary_contact,secondary_contact
- ``portfolio.csv``    supplier_mpid,ldso_mpid,mpan_count (counts include secondary MPANs)
- ``agents.csv``       supplier_group,agent_mpid,agent_name,role (optional: the groups' service providers,
                       role DS data service or MS metering service)
- ``exemptions.csv``   supplier_group,ldso_mpid,date,reason (optional: days the MCC lets a de minimis group
                       exceed its daily cap, e.g. a very large customer, F5.2.7)
- ``lost_days.csv``    supplier_group,days,reason,incident,approved_on (optional: approved Lost Migration Day
                       claims, F6.6; each adds its days to the group's XCMW; approved before M14 only)
- ``churn.csv``        supplier_mpid,ldso_mpid,date,change,reason (optional: MPANs a supplier MPID gained (+) or lost
                       (-) in an LDSO from a date; the deemed initial portfolio stays as it is)
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ValidationError

from toolkit.config.calendar_checks import calendar_problems, calendar_warnings
from toolkit.config.explain import _explain, _toml_location
from toolkit.config.model import Config
from toolkit.config.rows import (
    AGENT_COLUMNS,
    CHURN_COLUMNS,
    EXEMPTION_COLUMNS,
    GROUP_COLUMNS,
    LDSO_COLUMNS,
    LOST_DAYS_COLUMNS,
    OUTAGE_COLUMNS,
    PORTFOLIO_COLUMNS,
    SUPPLIER_COLUMNS,
    AgentRow,
    ChurnRow,
    ExemptionRow,
    LdsoRow,
    LostDaysRow,
    OutageRow,
    PortfolioRow,
    SupplierRow,
    _Row,
)
from toolkit.config.sites import NAME as SITES_NAME
from toolkit.config.sites import SITE_COLUMNS, SiteRow, check_sites
from toolkit.domain.calendar import CalendarSettings, MigrationCalendar
from toolkit.domain.events import Outage
from toolkit.domain.industry import Agent, Churn, Industry, Ldso, SupplierGroup
from toolkit.domain.lost_days import incident_key
from toolkit.domain.parameters import Parameters
from toolkit.errors import ConfigError, ConfigProblem


def _read_toml(path: Path, name: str, problems: list[ConfigProblem]) -> dict | None:
    if not path.is_file():
        problems.append(ConfigProblem(name, "", "file is missing"))
        return None
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        problems.append(ConfigProblem(name, "", f"not valid TOML: {exc}"))
    except UnicodeDecodeError:
        problems.append(ConfigProblem(name, "", "not UTF-8 text"))
    return None


@dataclass
class _Read:
    """What reading the CSV files learnt beside their valid rows: the raw values of the rows with errors (an MPID on
    such a row is not "unknown" elsewhere, and its count still counts in totals) and the files that could not be
    read at all (missing, not UTF-8, a column missing: one problem each, never a cascade in other files)."""

    failed: dict[str, list[tuple[int, dict[str, str]]]] = field(default_factory=dict)
    unusable: set[str] = field(default_factory=set)

    def raw(self, name: str, column: str) -> set[str]:
        return {v.get(column, "").strip().upper() for _, v in self.failed.get(name, [])}


def _read_csv(path: Path, name: str, columns: tuple[str, ...], model: type[_Row],
              problems: list[ConfigProblem], seen: _Read | None = None) -> list[tuple[int, _Row]]:
    """Rows that validated, each with its line number in the file (the header is line 1)."""
    seen = seen if seen is not None else _Read()
    if not path.is_file():
        problems.append(ConfigProblem(name, "", "file is missing"))
        seen.unusable.add(name)
        return []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        problems.append(ConfigProblem(name, "", "not UTF-8 text (save the CSV as UTF-8)"))
        seen.unusable.add(name)
        return []
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in columns if c not in header]
    if missing:
        problems.append(ConfigProblem(name, "header", f"missing column{'s' if len(missing) > 1 else ''} "
                                      f"{', '.join(missing)} (expected {','.join(columns)})"))
        seen.unusable.add(name)
        return []
    rows = []
    for line, raw in enumerate(reader, start=2):
        values = {(k or "").strip(): (v or "") for k, v in raw.items()}
        if not any(v.strip() for v in values.values()):
            continue
        try:
            rows.append((line, model.model_validate(values)))
        except ValidationError as exc:
            seen.failed.setdefault(name, []).append((line, values))
            for err in exc.errors():
                column = str(err["loc"][0]) if err["loc"] else ""
                problems.append(ConfigProblem(name, f"row {line}, column {column}", _explain(err)))
    return rows


def _validate_model(model: type[BaseModel], data: dict, name: str, problems: list[ConfigProblem]):
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            problems.append(ConfigProblem(name, _toml_location(err["loc"]), _explain(err)))
        return None


def load_config(root: Path) -> Config:
    """Load and cross-check every configuration file of the workspace at ``root``.

    Raises ConfigError listing every problem found, each naming its file and row or key.
    """
    root = Path(root)
    cfg = root / "config"
    problems: list[ConfigProblem] = []
    warnings: list[ConfigProblem] = []

    # every parameter is optional: without the file, every default (mcc check says so as a warning)
    has_params = (cfg / "parameters.toml").is_file()
    params_data = _read_toml(cfg / "parameters.toml", "config/parameters.toml", problems) if has_params else {}
    warnings += [] if has_params else [ConfigProblem("config/parameters.toml", "", "missing: every default")]
    parameters = _validate_model(Parameters, params_data, "config/parameters.toml", problems) \
        if params_data is not None else None
    cal_data = _read_toml(cfg / "calendar.toml", "config/calendar.toml", problems)
    settings = _validate_model(CalendarSettings, cal_data, "config/calendar.toml", problems) \
        if cal_data is not None else None

    seen = _Read()
    ldso_rows = _read_csv(cfg / "ldsos.csv", "config/ldsos.csv", LDSO_COLUMNS, LdsoRow, problems, seen)
    supplier_rows = _read_csv(cfg / "suppliers.csv", "config/suppliers.csv", SUPPLIER_COLUMNS, SupplierRow,
                              problems, seen)
    portfolio_rows = _read_csv(cfg / "portfolio.csv", "config/portfolio.csv", PORTFOLIO_COLUMNS, PortfolioRow,
                               problems, seen)

    agent_rows = (_read_csv(cfg / "agents.csv", "config/agents.csv", AGENT_COLUMNS, AgentRow, problems, seen)
                  if (cfg / "agents.csv").is_file() else [])

    if settings is not None and parameters is not None:
        calendar_problems(settings, parameters, problems)

    ldsos = _check_ldsos(ldso_rows, problems)
    iruw = parameters.windows.iruw_weeks if parameters is not None else Parameters().windows.iruw_weeks
    groups = _check_suppliers(supplier_rows, settings, iruw, problems)
    supplier_group = {s: g.mpid for g in groups for s in g.suppliers}
    # an MPID on a row with errors is not "unknown" (its row is reported once, not every reference to it), and a file
    # that could not be read makes no MPID unknown: every other problem is still reported, in one pass
    trusted = {f for f in ("config/ldsos.csv", "config/suppliers.csv") if f not in seen.unusable}
    known_suppliers = set(supplier_group) | seen.raw("config/suppliers.csv", "supplier_mpid")
    known_ldsos = set(ldsos) | seen.raw("config/ldsos.csv", "ldso_mpid")
    portfolio = _check_portfolio(portfolio_rows, ldsos, supplier_group, problems, trusted, known_suppliers,
                                 known_ldsos)
    if parameters is not None and not seen.unusable & {"config/ldsos.csv", "config/portfolio.csv"}:
        _check_totals(ldsos, portfolio, parameters.checks.portfolio_tolerance, problems,
                      _counted_with_errors(seen, portfolio))
    agents = _check_agents(agent_rows, {g.mpid for g in groups}, "config/suppliers.csv" in trusted, problems,
                           set(g.mpid for g in groups) | seen.raw("config/suppliers.csv", "supplier_group"))
    exemptions = _exemptions(cfg, {g.mpid for g in groups}, set(ldsos), problems)

    lost_rows = (_read_csv(cfg / "lost_days.csv", "config/lost_days.csv", LOST_DAYS_COLUMNS, LostDaysRow, problems)
                 if (cfg / "lost_days.csv").is_file() else [])
    groups = _add_lost_days(groups, lost_rows, settings, problems)
    churn_rows = (_read_csv(cfg / "churn.csv", "config/churn.csv", CHURN_COLUMNS, ChurnRow, problems)
                  if (cfg / "churn.csv").is_file() else [])
    churn = _check_churn(churn_rows, portfolio, supplier_group, set(ldsos), settings, problems)
    site_rows = (_read_csv(cfg / "complex_sites.csv", SITES_NAME, SITE_COLUMNS, SiteRow, problems)
                 if (cfg / "complex_sites.csv").is_file() else [])
    sites = check_sites(site_rows, Industry((), tuple(groups), portfolio).group_portfolio, {g.mpid for g in groups},
                        set(ldsos), agents, problems) if site_rows else ()
    outages = _outages(cfg, set(ldsos), settings, problems)

    if problems or parameters is None or settings is None:
        raise ConfigError(problems)
    calendar = MigrationCalendar(settings, iruw_weeks=parameters.windows.iruw_weeks)
    warnings += calendar_warnings(settings, parameters)
    for g in groups:
        if not calendar.is_migration_day(g.migration_start):
            warnings.append(ConfigProblem(
                "config/suppliers.csv", f"group {g.mpid}",
                f"migration_start {g.migration_start} is not a migration day "
                f"({calendar.reason(g.migration_start)}); capacity starts on the next migration day"))
    industry = Industry(ldsos=tuple(ldsos.values()), groups=tuple(groups), portfolio=portfolio, agents=agents,
                        sites=sites)
    return Config(root=root, parameters=parameters, calendar_settings=settings, calendar=calendar,
                  industry=industry, warnings=warnings,
                  exemptions={g: frozenset(v) for g, v in exemptions.items()},
                  lost_day_claims=[row for _, row in lost_rows], churn=churn, outages=outages)


def _outages(cfg: Path, ldsos: set[str], settings: CalendarSettings | None,
             problems: list[ConfigProblem]) -> list[Outage]:
    """``config/outages.csv`` (optional): declared outages of a central system (blank LDSO) or of an LDSO's
    service, left out of participants' performance (F6.3)."""
    name = "config/outages.csv"
    if not (cfg / "outages.csv").is_file():
        return []
    out = []
    for line, row in _read_csv(cfg / "outages.csv", name, OUTAGE_COLUMNS[:3], OutageRow, problems):
        if row.ldso_mpid and row.ldso_mpid not in ldsos:
            problems.append(ConfigProblem(name, f"row {line}, column ldso_mpid",
                                          f"LDSO {row.ldso_mpid} is not in config/ldsos.csv"))
        elif settings is not None and not settings.m11 <= row.date <= settings.m15:
            problems.append(ConfigProblem(name, f"row {line}, column date", f"{row.date} is outside the migration "
                                          f"window M11 {settings.m11} to M15 {settings.m15}"))
        else:
            out.append(Outage(row.date, row.ldso_mpid, row.reason, row.incident))
    return sorted(out, key=lambda o: (o.day, o.ldso))


def _exemptions(cfg: Path, groups: set[str], ldsos: set[str], problems: list[ConfigProblem]
                ) -> dict[str, set[tuple[str, date]]]:
    """The de minimis exemptions of ``config/exemptions.csv`` (optional), by group."""
    rows = (_read_csv(cfg / "exemptions.csv", "config/exemptions.csv", EXEMPTION_COLUMNS, ExemptionRow, problems)
            if (cfg / "exemptions.csv").is_file() else [])
    out: dict[str, set[tuple[str, date]]] = {}
    for line, row in rows:
        if row.supplier_group not in groups or row.ldso_mpid not in ldsos:
            problems.append(ConfigProblem("config/exemptions.csv", f"row {line}",
                                          f"group {row.supplier_group} or LDSO {row.ldso_mpid} is not configured"))
            continue
        out.setdefault(row.supplier_group, set()).add((row.ldso_mpid, row.date))
    return out


def _check_ldsos(rows: list[tuple[int, LdsoRow]], problems: list[ConfigProblem]) -> dict[str, Ldso]:
    ldsos: dict[str, Ldso] = {}
    first_line: dict[str, int] = {}
    for line, row in rows:
        if row.ldso_mpid in ldsos:
            problems.append(ConfigProblem("config/ldsos.csv", f"row {line}, column ldso_mpid",
                                          f"{row.ldso_mpid} is listed twice (also row {first_line[row.ldso_mpid]})"))
            continue
        first_line[row.ldso_mpid] = line
        ldsos[row.ldso_mpid] = Ldso(row.ldso_mpid, row.name, row.mpan_count, row.primary_contact,
                                    row.secondary_contact, lrcfc=row.lrcfc)
    return ldsos


def _add_lost_days(groups: list[SupplierGroup], rows: list[tuple[int, LostDaysRow]],
                   settings: CalendarSettings | None, problems: list[ConfigProblem]) -> list[SupplierGroup]:
    """Approved Lost Migration Day claims extend the group's core window: XCMW = lost_days of suppliers.csv plus
    the days of its claims (F6.6; P XCMW). The process is open until M14 only."""
    extra: dict[str, int] = {}
    known = {g.mpid for g in groups}
    seen: dict[tuple[str, str], int] = {}
    for line, row in rows:
        incident = (row.supplier_group, incident_key(row.incident))
        if incident in seen:
            problems.append(ConfigProblem("config/lost_days.csv", f"row {line}, column incident",
                                          f"incident {row.incident} is already recorded for {row.supplier_group} "
                                          f"(row {seen[incident]}): one incident extends a group's core window once "
                                          "(F6.6)"))
            continue
        seen[incident] = line
        if row.supplier_group not in known:
            problems.append(ConfigProblem("config/lost_days.csv", f"row {line}, column supplier_group",
                                          f"group {row.supplier_group} is not in config/suppliers.csv"))
        elif settings is not None and row.approved_on >= settings.m14:
            problems.append(ConfigProblem("config/lost_days.csv", f"row {line}, column approved_on",
                                          f"{row.approved_on} is not before M14 ({settings.m14}): after M14 lost "
                                          "days are made up with unused capacity instead (F6.6)"))
        else:
            extra[row.supplier_group] = extra.get(row.supplier_group, 0) + row.days
    return [replace(g, lost_days=g.lost_days + extra[g.mpid]) if g.mpid in extra else g for g in groups]


def _check_churn(rows: list[tuple[int, ChurnRow]], portfolio: dict[tuple[str, str], int],
                 supplier_group: dict[str, str], ldsos: set[str], settings: CalendarSettings | None,
                 problems: list[ConfigProblem]) -> list[Churn]:
    """Dated portfolio changes (F5.3 "churn"): known MPIDs, dates inside the migration window, and never more MPANs
    lost than a supplier MPID holds in the LDSO."""
    name = "config/churn.csv"
    out, totals = [], dict(portfolio)
    for line, row in sorted(rows, key=lambda r: (r[1].date, r[0])):
        if row.supplier_mpid not in supplier_group or row.ldso_mpid not in ldsos:
            problems.append(ConfigProblem(name, f"row {line}", f"supplier {row.supplier_mpid} or LDSO {row.ldso_mpid} "
                                          "is not configured"))
            continue
        if settings is not None and not settings.m11 <= row.date <= settings.m15:
            problems.append(ConfigProblem(name, f"row {line}, column date", f"{row.date} is outside the migration "
                                          f"window M11 {settings.m11} to M15 {settings.m15}"))
            continue
        key = (row.supplier_mpid, row.ldso_mpid)
        totals[key] = totals.get(key, 0) + row.change
        if totals[key] < 0:
            problems.append(ConfigProblem(name, f"row {line}, column change", f"supplier {row.supplier_mpid} holds "
                                          f"{totals[key] - row.change:,} MPANs in {row.ldso_mpid} with the churn "
                                          f"before this row; it cannot lose {-row.change:,}"))
            continue
        out.append(Churn(row.supplier_mpid, row.ldso_mpid, row.date, row.change, row.reason))
    return sorted(out, key=lambda c: c.day)


def _check_suppliers(rows: list[tuple[int, SupplierRow]], settings: CalendarSettings | None, iruw_weeks: int,
                     problems: list[ConfigProblem]) -> list[SupplierGroup]:
    name = "config/suppliers.csv"
    seen: dict[str, tuple[int, str]] = {}
    by_group: dict[str, list[tuple[int, SupplierRow]]] = {}
    for line, row in rows:
        if row.supplier_mpid in seen:
            other_line, other_group = seen[row.supplier_mpid]
            if other_group != row.supplier_group:
                msg = (f"supplier {row.supplier_mpid} is in two groups: {other_group} (row {other_line}) "
                       f"and {row.supplier_group}")
            else:
                msg = f"supplier {row.supplier_mpid} is listed twice (also row {other_line})"
            problems.append(ConfigProblem(name, f"row {line}, column supplier_mpid", msg))
            continue
        seen[row.supplier_mpid] = (line, row.supplier_group)
        by_group.setdefault(row.supplier_group, []).append((line, row))

    groups = []
    for group_mpid, members in by_group.items():
        first_line, first = members[0]
        for line, row in members[1:]:
            for column in GROUP_COLUMNS:
                if getattr(row, column) != getattr(first, column):
                    problems.append(ConfigProblem(
                        name, f"row {line}, column {column}",
                        f"{getattr(row, column)!s} differs from {getattr(first, column)!s} on row {first_line}; "
                        f"every supplier of group {group_mpid} must give the same {column}"))
        if settings is not None:
            start = first.migration_start
            if not settings.m11 <= start <= settings.m15:
                problems.append(ConfigProblem(name, f"row {first_line}, column migration_start",
                                              f"{start} is outside the migration window M11 {settings.m11} "
                                              f"to M15 {settings.m15}"))
            els_end = settings.els_window(iruw_weeks)[1]
            if first.extended_ramp_up and first.sit and start <= els_end:
                problems.append(ConfigProblem(name, f"row {first_line}, column extended_ramp_up",
                                              f"group {group_mpid} is a SIT group starting on {start}, inside "
                                              f"Early Life Support (to {els_end}): the extended ramp-up is not "
                                              "available with the industry ramp-up (P XRUF)"))
            if first.extended_ramp_up and start >= settings.m14:
                problems.append(ConfigProblem(name, f"row {first_line}, column extended_ramp_up",
                                              f"group {group_mpid} starts on {start}, not before M14 "
                                              f"{settings.m14}: the extended ramp-up is only available "
                                              "until M14 (P XRUF)"))
        groups.append(SupplierGroup(
            mpid=group_mpid, name=first.group_name, suppliers=tuple(r.supplier_mpid for _, r in members),
            sit=first.sit, migration_start=first.migration_start, extended_ramp_up=first.extended_ramp_up,
            lost_days=first.lost_days, daily_opt_in=first.daily_opt_in,
            primary_contact=first.primary_contact, secondary_contact=first.secondary_contact, owner=first.owner,
            ff_weeks=first.ff_weeks, ff_initiations=first.ff_initiations,
            email_domains=tuple(d.lower() for d in first.email_domains.replace(";", " ").split())))
    return sorted(groups, key=lambda g: g.mpid)


def _check_portfolio(rows: list[tuple[int, PortfolioRow]], ldsos: dict[str, Ldso],
                     supplier_group: dict[str, str], problems: list[ConfigProblem],
                     trusted: set[str], known_suppliers: set[str] | None = None,
                     known_ldsos: set[str] | None = None) -> dict[tuple[str, str], int]:
    """The valid portfolio rows; an MPID is unknown when no row of its file names it (valid or not)."""
    name = "config/portfolio.csv"
    known_suppliers = known_suppliers if known_suppliers is not None else set(supplier_group)
    known_ldsos = known_ldsos if known_ldsos is not None else set(ldsos)
    portfolio: dict[tuple[str, str], int] = {}
    first_line: dict[tuple[str, str], int] = {}
    for line, row in rows:
        ok = True
        if row.supplier_mpid not in supplier_group:
            ok = False
            if "config/suppliers.csv" in trusted and row.supplier_mpid not in known_suppliers:
                problems.append(ConfigProblem(name, f"row {line}, column supplier_mpid",
                                              f"supplier {row.supplier_mpid} is not in config/suppliers.csv"))
        if row.ldso_mpid not in ldsos:
            ok = False
            if "config/ldsos.csv" in trusted and row.ldso_mpid not in known_ldsos:
                problems.append(ConfigProblem(name, f"row {line}, column ldso_mpid",
                                              f"LDSO {row.ldso_mpid} is not in config/ldsos.csv"))
        key = (row.supplier_mpid, row.ldso_mpid)
        if key in portfolio:
            problems.append(ConfigProblem(name, f"row {line}", f"supplier {row.supplier_mpid} in LDSO "
                                          f"{row.ldso_mpid} is listed twice (also row {first_line[key]})"))
            ok = False
        if ok:
            first_line[key] = line
            portfolio[key] = row.mpan_count
    return portfolio


def _counted_with_errors(seen: _Read, portfolio: dict[tuple[str, str], int]) -> dict[str, list[tuple[int, int]]]:
    """Per LDSO, the (row, count) of portfolio rows with errors whose LDSO and count can still be read: they count in
    the LDSO's total (a row with a bad supplier MPID is not a row of 0 MPANs)."""
    out: dict[str, list[tuple[int, int]]] = {}
    for line, values in seen.failed.get("config/portfolio.csv", []):
        ldso, count = values.get("ldso_mpid", "").strip().upper(), values.get("mpan_count", "").strip()
        if count.isdigit() and ldso:
            out.setdefault(ldso, []).append((line, int(count)))
    return out


def _check_totals(ldsos: dict[str, Ldso], portfolio: dict[tuple[str, str], int], tolerance: float,
                  problems: list[ConfigProblem], with_errors: dict[str, list[tuple[int, int]]] | None = None) -> None:
    totals: dict[str, int] = {}
    for (_, ldso), count in portfolio.items():
        totals[ldso] = totals.get(ldso, 0) + count
    with_errors = with_errors or {}
    for mpid, ldso in ldsos.items():
        extra = with_errors.get(mpid, [])
        total = totals.get(mpid, 0) + sum(c for _, c in extra)
        gap = abs(total - ldso.mpan_count) / ldso.mpan_count
        if gap > tolerance:
            rows = (f"; counting row{'s' if len(extra) > 1 else ''} {', '.join(str(r) for r, _ in extra)}, which "
                    f"{'have' if len(extra) > 1 else 'has'} errors" if extra else "")
            problems.append(ConfigProblem(
                "config/portfolio.csv", f"LDSO {mpid}",
                f"portfolios add up to {total:,} MPANs but config/ldsos.csv gives {ldso.mpan_count:,} "
                f"({gap:.1%} apart; the tolerance is {tolerance:.1%}, [checks] portfolio_tolerance{rows})"))


def _check_agents(rows: list[tuple[int, AgentRow]], groups: set[str], groups_trusted: bool,
                  problems: list[ConfigProblem], known: set[str] | None = None) -> tuple[Agent, ...]:
    name = "config/agents.csv"
    agents: list[Agent] = []
    seen: dict[tuple[str, str, str], int] = {}
    contacts: dict[str, tuple[tuple[str, str], int]] = {}  # agent MPID -> (contacts, first row)
    ready: dict[str, tuple[date | None, int]] = {}  # agent MPID -> (ready_from, first row)
    for line, row in rows:
        if row.supplier_group not in groups:
            if groups_trusted and row.supplier_group not in (known or groups):
                problems.append(ConfigProblem(name, f"row {line}, column supplier_group",
                                              f"group {row.supplier_group} is not in config/suppliers.csv"))
            continue
        key = (row.supplier_group, row.agent_mpid, row.role)
        if key in seen:
            problems.append(ConfigProblem(name, f"row {line}", f"agent {row.agent_mpid} ({row.role}) of group "
                                          f"{row.supplier_group} is listed twice (also row {seen[key]})"))
            continue
        seen[key] = line
        pair = (row.primary_contact, row.secondary_contact)
        first = contacts.setdefault(row.agent_mpid, (pair, line))
        if first[0] != pair:
            problems.append(ConfigProblem(name, f"row {line}, column primary_contact", f"agent {row.agent_mpid} "
                                          f"has other contacts on row {first[1]}: give them identically on every row"))
        was = ready.setdefault(row.agent_mpid, (row.ready_from, line))
        if was[0] != row.ready_from:  # readiness is the agent's, whichever group it serves
            problems.append(ConfigProblem(name, f"row {line}, column ready_from", f"agent {row.agent_mpid} is "
                                          f"ready from {was[0] or '(blank)'} on row {was[1]}: give the same date on "
                                          "every row of an agent"))
        agents.append(Agent(group=row.supplier_group, mpid=row.agent_mpid, name=row.agent_name, role=row.role,
                            primary_contact=row.primary_contact, secondary_contact=row.secondary_contact,
                            ready_from=row.ready_from))
    return tuple(sorted(agents, key=lambda a: (a.group, a.role, a.mpid)))
