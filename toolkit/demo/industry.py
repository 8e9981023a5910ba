"""A seeded generator of realistic demo industries, and the writer of their configuration files.

The repository's ``config/`` is this generator's output with the default arguments, never typed by hand;
``mcc generate-industry --groups 100 --ldsos 30`` makes other sizes (the national-scale benchmark).

What is realistic about it:
- the 14 DNO areas with approximate metering point counts (about 30M), spread over all five LDSO
  threshold tiers, and iDNOs, several under the 150,000 de minimis line (F5.2.8);
- supplier concentration as F5.2.7 describes for a large LDSO: about 90% of MPANs with the 10 largest
  supplier MPIDs, 98% with 21, the rest each holding 10k or fewer;
- about 1.3 supplier MPIDs a group, SIT groups starting at M11 or soon after, non-SIT groups spread
  over the window, a few with extended ramp-up, approved lost days and daily opt-in;
- the programme's public window: migration from October 2025 to May 2027 in nine sprints, M14 six
  months before M15, CSMT raised in tranches (F5.2.9), Christmas freezes and contract rounds excluded.
"""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from toolkit.config.rows import AGENT_COLUMNS, CONTACT_COLUMNS, LDSO_COLUMNS, PORTFOLIO_COLUMNS, SUPPLIER_COLUMNS
from toolkit.domain.calendar import CalendarSettings, MigrationCalendar
from toolkit.domain.parameters import Parameters
from toolkit.domain.sprints import first_wednesdays

# DNO areas by their MPIDs, approximate metering point counts (public figures rounded); tiers 1-5 all present
DNOS = (
    ("EELC", "Eastern (demo)", 3_700_000),
    ("SOUT", "Southern (demo)", 3_100_000),
    ("EMEB", "East Midlands (demo)", 2_700_000),
    ("MIDE", "West Midlands (demo)", 2_500_000),
    ("LOND", "London (demo)", 2_400_000),
    ("SEEB", "South Eastern (demo)", 2_350_000),
    ("NORW", "North West (demo)", 2_400_000),
    ("YELG", "Yorkshire (demo)", 2_300_000),
    ("SPOW", "South Scotland (demo)", 2_000_000),
    ("SWEB", "South Western (demo)", 1_650_000),
    ("NEEB", "North East (demo)", 1_600_000),
    ("MANW", "Merseyside and North Wales (demo)", 1_500_000),
    ("SWAE", "South Wales (demo)", 1_100_000),
    ("HYDE", "North Scotland (demo)", 800_000),
)
# iDNO sizes for the first twelve; six are under the 150,000 de minimis line
IDNO_SIZES = (760_000, 410_000, 260_000, 185_000, 160_000, 140_000, 120_000, 95_000, 60_000, 45_000,
              30_000, 12_000)
TOP10_SHARES = (0.22, 0.17, 0.12, 0.10, 0.08, 0.07, 0.05, 0.04, 0.03, 0.02)  # 90% (F5.2.7)
NEXT11_TOTAL = 0.08  # the 11th to 21st MPIDs: 98% with the top 21
NAME_FIRST = ("Northern", "Bright", "Clear", "Harbour", "Summit", "Meadow", "Granite", "Beacon", "Orchard",
              "Riverside", "Kestrel", "Highland", "Coastal", "Evergreen", "Pioneer", "Silverline", "Oakfield",
              "Westgate", "Lantern", "Compass", "Heron", "Thistle", "Maple", "Aurora", "Cobalt")
NAME_SECOND = ("Energy", "Power", "Electric", "Supply", "Utilities", "Home Energy", "Energy Services")
AGENT_FIRMS = ("Meterline", "Datawise", "Gridsense", "Kilowatt Data", "Readright", "Volt Metering", "Fieldcore",
               "Halfhour Analytics")

DEMO_SEED = 20251001
DEMO_GROUPS = 70
DEMO_LDSOS = 26


@dataclass(frozen=True)
class DemoSpec:
    groups: int = DEMO_GROUPS
    ldsos: int = DEMO_LDSOS
    seed: int = DEMO_SEED
    m11: date = date(2025, 10, 1)
    m14: date = date(2026, 11, 30)
    m15: date = date(2027, 5, 28)
    sprints: int = 9


@dataclass(frozen=True)
class DemoIndustry:
    """The generated files' rows, before writing."""

    spec: DemoSpec
    ldsos: list[tuple[str, str, int]]
    suppliers: list[dict[str, object]]
    portfolio: list[tuple[str, str, int]]
    agents: list[tuple[str, str, str, str, str, str]]
    calendar_toml: str
    parameters_toml: str


def _codes(rng: np.random.Generator, count: int, taken: set[str]) -> list[str]:
    letters = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    out: list[str] = []
    while len(out) < count:
        code = "".join(rng.choice(letters, 4))
        if code not in taken and not code.startswith("ID"):
            taken.add(code)
            out.append(code)
    return out


def _ldsos(spec: DemoSpec, rng: np.random.Generator) -> list[tuple[str, str, int]]:
    ldsos = list(DNOS[: spec.ldsos])
    for k in range(max(spec.ldsos - len(DNOS), 0)):
        size = IDNO_SIZES[k] if k < len(IDNO_SIZES) else int(np.exp(rng.uniform(np.log(10_000), np.log(300_000))))
        ldsos.append((f"ID{k + 1:02d}", f"Independent network {k + 1:02d} (demo iDNO)", int(size)))
    return ldsos


def _supplier_shares(count: int, rng: np.random.Generator) -> np.ndarray:
    """National market shares by rank, concentrated as F5.2.7 describes."""
    shares = np.zeros(count)
    top = min(count, 10)
    shares[:top] = TOP10_SHARES[:top]
    nxt = min(max(count - 10, 0), 11)
    if nxt:
        weights = 0.8 ** np.arange(nxt)
        shares[10:10 + nxt] = NEXT11_TOTAL * weights / weights.sum()
    rest = count - 21
    if rest > 0:
        weights = rng.uniform(0.3, 1.0, rest)
        shares[21:] = 0.02 * weights / weights.sum()
    return shares / shares.sum()


def _integer_split(total: int, weights: np.ndarray) -> np.ndarray:
    """Split ``total`` into whole numbers proportional to ``weights`` (largest remainder)."""
    exact = total * weights / weights.sum()
    counts = np.floor(exact).astype(np.int64)
    short = total - int(counts.sum())
    if short:
        order = np.argsort(-(exact - counts), kind="stable")
        counts[order[:short]] += 1
    return counts


def generate(spec: DemoSpec = DemoSpec()) -> DemoIndustry:
    """A whole demo industry from a seed: the same arguments always give the same files."""
    if spec.groups < 1 or spec.ldsos < 1:
        raise ValueError("a demo industry needs at least one group and one LDSO")
    rng = np.random.default_rng(spec.seed)
    ldsos = _ldsos(spec, rng)
    n_suppliers = max(spec.groups, round(spec.groups * 1.3))
    taken = {code for code, _, _ in ldsos}
    supplier_codes = _codes(rng, n_suppliers, taken)
    shares = _supplier_shares(n_suppliers, rng)

    # Group leads are the first `groups` MPIDs by size; the other MPIDs join one of the larger groups
    group_of = list(range(spec.groups))
    group_of += [int(rng.integers(0, min(spec.groups, 30))) for _ in range(n_suppliers - spec.groups)]

    # Portfolios: national share x regional variation; small MPIDs are not present everywhere
    present = np.ones((n_suppliers, len(ldsos)), dtype=bool)
    present[21:] = rng.random((max(n_suppliers - 21, 0), len(ldsos))) < 0.7
    noise = rng.lognormal(0.0, 0.3, (n_suppliers, len(ldsos)))
    weights = shares[:, None] * noise * present
    portfolio = []
    for j, (ldso_mpid, _, count) in enumerate(ldsos):
        column = weights[:, j]
        if column.sum() == 0:
            column = shares.copy()
        split = _integer_split(count, column)
        portfolio += [(supplier_codes[i], ldso_mpid, int(split[i])) for i in range(n_suppliers) if split[i] > 0]

    cal_text = calendar_toml(spec)
    calendar = MigrationCalendar(CalendarSettings.model_validate(tomllib.loads(cal_text)))
    suppliers = _suppliers(spec, rng, supplier_codes, group_of, calendar)
    agents = _agents(spec, taken, supplier_codes[:spec.groups])
    return DemoIndustry(spec=spec, ldsos=ldsos, suppliers=suppliers, portfolio=portfolio, agents=agents,
                        calendar_toml=cal_text, parameters_toml=parameters_toml(Parameters()))


def _suppliers(spec: DemoSpec, rng: np.random.Generator, codes: list[str], group_of: list[int],
               calendar: MigrationCalendar) -> list[dict]:
    n = spec.groups
    window_days = (spec.m15 - spec.m11).days
    # SIT: the eight largest groups and two smaller ones; the rest qualify later (non-SIT)
    sit = np.zeros(n, dtype=bool)
    sit[: min(8, n)] = True
    if n > 12:
        sit[rng.choice(np.arange(8, n), 2, replace=False)] = True
    starts: list[date] = []
    for g in range(n):
        if sit[g]:
            # most SIT groups start at M11; some up to three months into Early Life Support
            offset = 0 if rng.random() < 0.6 else int(rng.integers(7, 95))
        else:
            offset = int(rng.uniform(60, min(window_days - 150, (spec.m14 - spec.m11).days + 60)))
        starts.append(calendar.nth_migration_day(spec.m11 + timedelta(days=offset), 1) or spec.m15)
    eligible_xruf = [g for g in range(n) if not sit[g] and starts[g] < spec.m14]
    xruf: set[int] = set()
    if eligible_xruf:
        xruf = set(rng.choice(eligible_xruf, min(3, len(eligible_xruf)), replace=False).tolist())
    lost = {int(g): int(days) for g, days in zip(rng.choice(n, min(2, n), replace=False), (3, 5), strict=False)}
    daily = set(rng.choice(n, min(3, n), replace=False).tolist())

    names: list[str] = []
    while len(names) < n:
        name = f"{rng.choice(NAME_FIRST)} {rng.choice(NAME_SECOND)}"
        if name in names:
            name = f"{name} {len(names) + 1}"
        names.append(name)

    rows = []
    for i, code in enumerate(codes):
        g = group_of[i]
        slug = names[g].lower().replace(" ", "")
        rows.append({
            "supplier_mpid": code,
            "supplier_group": codes[g],
            "group_name": names[g],
            "sit": "true" if sit[g] else "false",
            "migration_start": starts[g].isoformat(),
            "extended_ramp_up": "true" if g in xruf else "false",
            "lost_days": lost.get(g, 0),
            "daily_opt_in": "true" if g in daily else "false",
            "primary_contact": f"migration@{slug}.example",
            "secondary_contact": f"planning@{slug}.example",
        })
    return sorted(rows, key=lambda r: (r["supplier_group"], r["supplier_mpid"]))


def _agents(spec: DemoSpec, taken: set[str], groups: list[str]) -> list[tuple[str, str, str, str, str, str]]:
    """Service providers (F5.2.10): each firm has a data service and a metering service MPID; every group
    appoints one or two of each, the larger groups (listed first) two. A generator of its own, so adding
    agents left the other demo files as they were."""
    rng = np.random.default_rng(spec.seed + 1)
    firms = [(firm, *_codes(rng, 2, taken)) for firm in AGENT_FIRMS]
    rows = []
    for rank, group in enumerate(groups):
        count = 2 if rank < 10 else 1
        for role, column in (("DS", 1), ("MS", 2)):
            for k in rng.choice(len(firms), count, replace=False):
                firm = firms[int(k)]
                suffix = "Data Services" if role == "DS" else "Metering Services"
                slug = firm[0].lower().replace(" ", "")
                rows.append((group, firm[column], f"{firm[0]} {suffix}", role, f"{role.lower()}-mhhs@{slug}.example",
                             f"operations@{slug}.example"))
    return sorted(rows)


def calendar_toml(spec: DemoSpec) -> str:
    starts = first_wednesdays(spec.m11, spec.sprints, months_step=2)
    s3, s4 = (starts[2], starts[3]) if len(starts) >= 4 else (spec.m15, spec.m15)
    lines = [
        "# The Migration Calendar (Choreography 4): milestones, Early Life Support, holidays, excluded days,",
        "# CSMT by date range and sprint execution starts. Dates are YYYY-MM-DD.",
        f"m11 = {spec.m11.isoformat()}  # first migration day",
        f"m14 = {spec.m14.isoformat()}  # all suppliers qualified; XRUF and XCMW only before it",
        f"m15 = {spec.m15.isoformat()}  # last migration day",
        "# Early Life Support / industry ramp-up: from M11 for IRUW weeks unless given here",
        f"els_start = {spec.m11.isoformat()}",
        f"els_end = {(spec.m11 + timedelta(weeks=13, days=-1)).isoformat()}",
        '# bank holidays: ENG (England and Wales), SCT (Scotland) or NIR (Northern Ireland)',
        'holiday_region = "ENG"',
        "# CSMT per migration day (F5.2.9): 200,000 operational, flexed in tranches up to 280,000",
        "csmt_default = 200000",
        "sprint_execution_starts = [" + ", ".join(d.isoformat() for d in starts) + "]",
        "",
        "# first tranche of exceptional capacity from sprint 3, second from sprint 4 (F5.2.9)",
        "[[csmt]]",
        f"start = {s3.isoformat()}",
        f"end = {(s4 - timedelta(days=1)).isoformat()}",
        "value = 250000",
        "",
        "[[csmt]]",
        f"start = {s4.isoformat()}",
        f"end = {spec.m15.isoformat()}",
        "value = 280000",
        "",
        "# Days that are working days but not migration days (C4.3), each with its reason",
    ]
    excluded = []
    for year in range(spec.m11.year, spec.m15.year + 1):
        excluded.append((date(year, 3, 31), date(year, 4, 1), f"April {year} price cap and contract round"))
        excluded.append((date(year, 9, 30), date(year, 10, 1), f"October {year} price cap and contract round"))
        excluded.append((date(year, 12, 21), date(year + 1, 1, 2), f"Christmas {year} change freeze"))
    for start, end, reason in excluded:
        if start <= spec.m15 and end >= spec.m11 and not start <= spec.m11 <= end:
            lines += ["[[excluded]]", f"start = {start.isoformat()}", f"end = {end.isoformat()}",
                      f'reason = "{reason}"', ""]
    lines += [
        "# The industry ramp-up scaling factor set by the MCC for parts of Early Life Support (P SLSF);",
        "# days of ELS not listed use [scaling] industry_ramp_up from parameters.toml",
        "[[industry_ramp_up_factors]]",
        f"start = {spec.m11.isoformat()}",
        f"end = {(spec.m11 + timedelta(days=13)).isoformat()}",
        "value = 0.05",
        "",
        "# Phase offsets in calendar days from the Plan start (C3.6); shown with their defaults",
        "[sprint_phases]",
        "plan_to_execution = 33",
        "envelope_issue = 7",
        "submission_deadline = 14",
        "draft_publication = 19  # also the UCA start",
        "uca_end = 24",
        "baseline_publication = 27",
        "retro_days = 14",
        "retro_feedback = 4  # retro feedback submission deadline, days from the retro start",
        "retro_findings = 7  # initial sprint findings report, days from the retro start",
        "# a phase date on a weekend or bank holiday moves to the next working day (C4.2)",
        "move_to_working_day = true",
        "",
        "# Weekdays (Mon-Fri) of the meetings of Choreography 5 and of the weekly migration report (C4.4 14)",
        "[meetings]",
        'readiness = "Tue"  # M-01.01 weekly migration readiness meeting (Plan phase)',
        'support = "Thu"  # M-01.02 migration support meetings, every two weeks',
        'standup = "Wed"  # M-02.01 weekly stand-up (Execute phase)',
        'review = "Wed"  # M-02.02 monthly review: the last of this weekday in each month',
        'weekly_report = "Mon"  # the weekly migration report',
    ]
    return "\n".join(lines) + "\n"


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, int):
        return f"{value}" if abs(value) < 10_000 else f"{value:_}"
    if isinstance(value, tuple | list) and all(isinstance(v, str) for v in value):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


def parameters_toml(parameters: Parameters) -> str:
    """``parameters.toml`` with every parameter, its value and a comment naming it and its source."""
    lines = ["# The MCC's parameters (Parameters document MHHS-DEL2429 section 2.3). Every key is optional:",
             "# a missing key takes the default shown here. Comments give the abbreviation and the source."]
    section = None
    for sec, key, abbrev, _, source in parameters.described():
        if sec != section:
            lines += ["", f"[{sec}]"]
            section = sec
        value = getattr(getattr(parameters, sec), key)
        comment = f"# {abbrev} ({source}): {parameters.description_of(sec, key)}"
        lines.append(comment)
        if key == "ldso_tiers":
            lines.append("ldso_tiers = [")
            lines += [f"  {{ min_mpans = {_toml_value(t.min_mpans)}, threshold = {_toml_value(t.threshold)} }},"
                      for t in value]
            lines.append("]")
        else:
            lines.append(f"{key} = {_toml_value(getattr(value, 'value', value))}")
    return "\n".join(lines) + "\n"


def _csv_text(header: tuple[str, ...], rows) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def _with_contacts(ldso: tuple[str, str, int]) -> tuple[str, str, int, str, str]:
    """An LDSO's row with the mailboxes its publications go to (made up from its MPID, no randomness)."""
    mpid = ldso[0].lower()
    return (*ldso, f"mhhs-migration@{mpid}.example", f"network-planning@{mpid}.example")


def config_files(demo: DemoIndustry) -> dict[str, str]:
    """File name -> text of every configuration file of the demo industry."""
    return {
        "parameters.toml": demo.parameters_toml,
        "calendar.toml": demo.calendar_toml,
        "ldsos.csv": _csv_text(LDSO_COLUMNS + CONTACT_COLUMNS, (_with_contacts(x) for x in demo.ldsos)),
        "suppliers.csv": _csv_text(SUPPLIER_COLUMNS, ([r[c] for c in SUPPLIER_COLUMNS] for r in demo.suppliers)),
        "portfolio.csv": _csv_text(PORTFOLIO_COLUMNS, demo.portfolio),
        "agents.csv": _csv_text(AGENT_COLUMNS + CONTACT_COLUMNS, demo.agents),
    }


def write_config(demo: DemoIndustry, config_dir: Path) -> list[Path]:
    config_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in config_files(demo).items():
        path = config_dir / name
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written

