"""Capacity envelopes (METHOD 2-6; Foundations 5.2; Parameters 2.3.1), computed for every supplier group,
LDSO and date of the window at once with numpy arrays. Pure: no files, no clock.

Axes: g (supplier groups, in ``Industry.groups`` order), l (LDSOs, in ``Industry.ldsos`` order), d (every
date from M11 to M15).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum

import numpy as np

from toolkit.domain.calendar import MigrationCalendar
from toolkit.domain.industry import Industry, SupplierGroup
from toolkit.domain.parameters import DlfcBasis, Parameters, ReservePlacement, ShareBasis


class Category(IntEnum):
    """How a (group, LDSO) pair is treated (METHOD 4; F5.2.7)."""

    NONE = 0  # no MPANs there
    ENVELOPE = 1
    DE_MINIMIS = 2
    SMALL = 3


class Phase(IntEnum):
    """Where a group is in its migration on a date (METHOD 2; F5.2.5)."""

    PRE_START = 0
    INDUSTRY_RAMP_UP = 1
    SUPPLIER_RAMP_UP = 2
    CORE = 3
    RAMP_DOWN = 4


PHASE_NAMES = {Phase.PRE_START: "before start", Phase.INDUSTRY_RAMP_UP: "industry ramp-up",
               Phase.SUPPLIER_RAMP_UP: "supplier ramp-up", Phase.CORE: "core", Phase.RAMP_DOWN: "ramp-down"}
CATEGORY_NAMES = {Category.NONE: "", Category.ENVELOPE: "ENVELOPE", Category.DE_MINIMIS: "DE_MINIMIS",
                  Category.SMALL: "SMALL"}


@dataclass(frozen=True)
class GroupPhases:
    """A group's phase dates (inclusive); ``ramp_up_end`` is the last ramp-up migration day."""

    group: str
    migration_start: date  # MWSD moved to the first migration day on or after it
    ramp_up_end: date
    core_start: date | None
    core_end: date | None
    ramp_down_start: date | None
    extended_ramp_up: bool  # XRUF applied (set, and MWSD before M14)
    lost_days: int  # XCMW applied (only when MWSD is before M14)


def ldso_threshold(mpan_count: int, parameters: Parameters) -> int:
    """ULMT = LT: the threshold of the LDSO's tier (P LTT1-5)."""
    for tier in sorted(parameters.thresholds.ldso_tiers, key=lambda t: -t.min_mpans):
        if mpan_count >= tier.min_mpans:
            return tier.threshold
    raise ValueError(f"no LDSO tier for {mpan_count} metering points")


def reserved_capacity(threshold: int, parameters: Parameters, lrcfc: float | None = None) -> float:
    """LRC = ULMT x LRCFC - ULMT (P LRC: 800 for a 40,000 threshold at 1.02), with the LDSO's own LRCFC where it has
    one; rounded to remove float noise."""
    factor = parameters.thresholds.lrcfc if lrcfc is None else lrcfc
    return round(threshold * (factor - 1.0), 6)


def national_reserve(csmt: np.ndarray, parameters: Parameters) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The national Reserved Capacity for errors and reverse migrations (F5.2.9; P RCFC): (planned, reserve, load
    limit) per day. ``above`` (F5.2.9): plans use all of CSMT and the reserve CSMT x (RCFC - 1) is taken from the
    exceptional capacity above it, 200,000 + 4,000 at RCFC 1.02; ``within``: the load limit is CSMT, plans use
    CSMT / RCFC and the reserve is the rest."""
    rcfc = parameters.thresholds.rcfc
    if parameters.capacity.reserve_placement == ReservePlacement.ABOVE:
        reserve = np.round(csmt * (rcfc - 1.0), 6)
        return csmt.copy(), reserve, csmt + reserve
    planned = np.round(csmt / rcfc, 6)
    return planned, csmt - planned, csmt.copy()


def group_phases(group: SupplierGroup, calendar: MigrationCalendar, parameters: Parameters) -> GroupPhases:
    """Ramp-up, core window and ramp-down dates of a group (METHOD 2)."""
    w = parameters.windows
    m15 = calendar.m15
    start = calendar.nth_migration_day(max(group.migration_start, calendar.m11), 1) or m15
    before_m14 = group.migration_start < calendar.m14
    # XRUF: until M14, and not with an industry ramp-up: a SIT group starting after ELS has a supplier ramp-up
    xruf = group.extended_ramp_up and before_m14 and (not group.sit or group.migration_start > calendar.els_end)
    ramp_days = w.sruw + (w.xsruw if xruf else 0)
    ramp_end = calendar.nth_migration_day(start, ramp_days) or m15
    if group.sit:
        # SIT: ramp-up to the later of the ELS end and the SRUW-th migration day (F5.2.5)
        last_in_els = calendar.last_migration_day_on_or_before(calendar.els_end)
        if last_in_els is not None and last_in_els > ramp_end:
            ramp_end = last_in_els
    ramp_end = min(ramp_end, m15)
    lost = group.lost_days if before_m14 else 0  # XCMW only before M14 (P XCMW)
    core_start = calendar.nth_migration_day(ramp_end + timedelta(days=1), 1)
    if core_start is None or core_start > m15:
        return GroupPhases(group.mpid, start, ramp_end, None, None, None, xruf, lost)
    core_end = calendar.nth_migration_day(core_start, w.cmw + lost) or m15
    core_end = min(core_end, m15)
    ramp_down = calendar.nth_migration_day(core_end + timedelta(days=1), 1)
    if ramp_down is not None and ramp_down > m15:
        ramp_down = None
    return GroupPhases(group.mpid, start, ramp_end, core_start, core_end, ramp_down, xruf, lost)


@dataclass
class Envelopes:
    """Every figure of the envelope calculation, kept so that any one envelope can be explained."""

    dates: list[date]  # every date M11..M15
    ldsos: list[str]
    groups: list[str]
    migration: np.ndarray  # (D,) bool
    csmt: np.ndarray  # (D,) CSMT on migration days, 0 otherwise
    planned_csmt: np.ndarray  # (D,) what plans may use nationally: CSMT (reserve above) or CSMT / RCFC (within)
    reserve: np.ndarray  # (D,) national Reserved Capacity (RCFC): errors and reverse migrations
    load_limit: np.ndarray  # (D,) planned + reserve: what actual migrations may reach nationally
    dlfc: np.ndarray  # (D,) DLFC per day
    acsmt: np.ndarray  # (D,) ACSMT = planned CSMT x (1 - DLFC)
    lmpc: np.ndarray  # (L,) LMPC
    ulmt: np.ndarray  # (L,) ULMT = LT
    lrc: np.ndarray  # (L,) LRC = ULMT x (LRCFC - 1)
    lrcfc: np.ndarray  # (L,) the LDSO's LRCFC
    de_minimis_ldso: np.ndarray  # (L,) DLTF
    share: np.ndarray  # (L,) LMPC / sum of LMPC over non-de-minimis LDSOs
    almt: np.ndarray  # (L, D) ALMT (0 for de minimis LDSOs and non-migration days)
    islp: np.ndarray  # (G, L) ISLP
    category: np.ndarray  # (G, L) Category
    phases: list[GroupPhases]
    phase: np.ndarray  # (G, D) Phase
    slsf: np.ndarray  # (G, D) SLSF
    active: np.ndarray  # (G, D) MWSD <= d <= M15
    dslfc: np.ndarray  # (L, D) DSLFC
    pool: np.ndarray  # (L, D) ALMT x (1 - DSLFC)
    weight: np.ndarray  # (G, L, D)
    envelope: np.ndarray  # (G, L, D) SSLCE, int64
    share_basis: ShareBasis

    def index_of(self, group: str, ldso: str, day: date) -> tuple[int, int, int]:
        return self.groups.index(group), self.ldsos.index(ldso), (day - self.dates[0]).days

    @property
    def week_starts(self) -> list[date]:
        first = self.dates[0] - timedelta(days=self.dates[0].weekday())
        return [first + timedelta(weeks=k) for k in range((self.dates[-1] - first).days // 7 + 1)]

    def weekly(self) -> np.ndarray:
        """(G, L, W) weekly envelopes: the sum of daily envelopes over each Monday-to-Sunday week."""
        offset = self.dates[0].weekday()
        starts = [0] + [k for k in range(1, len(self.dates)) if (k + offset) % 7 == 0]
        return np.add.reduceat(self.envelope, starts, axis=2)


def calculate(industry: Industry, calendar: MigrationCalendar, parameters: Parameters) -> Envelopes:
    """The whole envelope calculation (METHOD 3-5) for every group, LDSO and date from M11 to M15."""
    dates = calendar.window()
    d0 = calendar.index(dates[0])
    n_d = len(dates)
    migration = np.array(calendar.migration[d0:d0 + n_d], dtype=bool)
    csmt = np.where(migration, np.array(calendar.csmt_all[d0:d0 + n_d], dtype=np.int64), 0).astype(np.float64)

    # Thresholds and apportionment (METHOD 3)
    ldsos = [x.mpid for x in industry.ldsos]
    lmpc = np.array([x.mpan_count for x in industry.ldsos], dtype=np.float64)
    ulmt = np.array([ldso_threshold(int(c), parameters) for c in lmpc], dtype=np.float64)
    lrcfc = np.array([parameters.thresholds.lrcfc if x.lrcfc is None else x.lrcfc for x in industry.ldsos],
                     dtype=np.float64)
    lrc = np.array([reserved_capacity(int(t), parameters, float(f)) for t, f in zip(ulmt, lrcfc, strict=True)])
    de_minimis_ldso = lmpc < parameters.thresholds.dlt

    # Categories (METHOD 4)
    groups = [g.mpid for g in industry.groups]
    islp = np.zeros((len(groups), len(ldsos)), dtype=np.float64)
    g_index = {g: i for i, g in enumerate(groups)}
    l_index = {x: j for j, x in enumerate(ldsos)}
    for (g, x), count in industry.group_portfolio.items():
        islp[g_index[g], l_index[x]] = count
    th = parameters.thresholds
    category = np.full(islp.shape, Category.NONE, dtype=np.int8)
    held = islp > 0
    category[held] = Category.ENVELOPE
    category[held & ((islp < th.dsltt) | de_minimis_ldso[None, :])] = Category.DE_MINIMIS
    category[held & (islp < th.sslpt)] = Category.SMALL

    # Phases and scaling factors (METHOD 2)
    phases = [group_phases(g, calendar, parameters) for g in industry.groups]
    phase, slsf, active = _phase_arrays(industry, phases, calendar, parameters, dates)
    active_f = active.astype(np.float64)

    # Apportionment (METHOD 3): DLFC per day from the groups' start dates (P DLFC), the reserve (RCFC), ALMT
    dlfc = de_minimis_factor(lmpc, de_minimis_ldso, islp, active_f, parameters)
    planned_csmt, reserve, load_limit = national_reserve(csmt, parameters)
    acsmt = planned_csmt * (1.0 - dlfc)
    big = lmpc[~de_minimis_ldso].sum()
    share = np.where(de_minimis_ldso, 0.0, lmpc / big if big else 0.0)
    almt = np.minimum(acsmt[None, :] * share[:, None], (ulmt - lrc)[:, None])
    almt[de_minimis_ldso, :] = 0.0

    # Envelopes (METHOD 5)
    simple = (category == Category.DE_MINIMIS) | (category == Category.SMALL)
    env_pair = category == Category.ENVELOPE
    with np.errstate(divide="ignore", invalid="ignore"):
        dslfc = np.where(lmpc[:, None] > 0, ((islp * simple).T @ active_f) / lmpc[:, None], 0.0)
    pool = almt * np.clip(1.0 - dslfc, 0.0, 1.0)
    if parameters.capacity.share_basis == ShareBasis.ACTIVE:
        denominator = (islp * env_pair).T @ active_f  # (L, D): ENVELOPE portfolios active that day
        with np.errstate(divide="ignore", invalid="ignore"):
            weight = np.where(denominator[None, :, :] > 0,
                              (islp * env_pair)[:, :, None] * active[:, None, :] / denominator[None, :, :], 0.0)
    else:
        weight = np.where(lmpc[None, :, None] > 0,
                          (islp * env_pair / lmpc[None, :])[:, :, None] * active[:, None, :], 0.0)
    raw = pool[None, :, :] * weight * slsf[:, None, :]
    # floor, never round: the sum of a day's envelopes must stay within ALMT (invariant 1)
    envelope = np.where(migration[None, None, :], np.floor(raw), 0).astype(np.int64)
    return Envelopes(dates=dates, ldsos=ldsos, groups=groups, migration=migration, csmt=csmt,
                     planned_csmt=planned_csmt, reserve=reserve, load_limit=load_limit, dlfc=dlfc,
                     acsmt=acsmt, lmpc=lmpc, ulmt=ulmt, lrc=lrc, lrcfc=lrcfc, de_minimis_ldso=de_minimis_ldso,
                     share=share,
                     almt=almt, islp=islp, category=category, phases=phases, phase=phase, slsf=slsf, active=active,
                     dslfc=dslfc, pool=pool, weight=weight, envelope=envelope,
                     share_basis=parameters.capacity.share_basis)


def de_minimis_factor(lmpc: np.ndarray, de_minimis_ldso: np.ndarray, islp: np.ndarray, active: np.ndarray,
                      parameters: Parameters) -> np.ndarray:
    """DLFC per day (P DLFC: "Per Day", from the Migration Calendar and the supplier migration start dates): the MPANs
    in de minimis LDSOs held by groups migrating by that day over all LDSOs' metering points, like DSLFC's "De
    minimis Active Suppliers Total MPAN Count"; with ``dlfc_basis = "all"`` every de minimis LDSO's metering points
    on every day. ``islp`` (G, L), ``active`` (G, D) as floats."""
    total = lmpc.sum()
    if not total:
        return np.zeros(active.shape[1])
    if parameters.capacity.dlfc_basis == DlfcBasis.ALL:
        return np.full(active.shape[1], lmpc[de_minimis_ldso].sum() / total)
    return (islp[:, de_minimis_ldso].sum(axis=1) @ active) / total


def _phase_arrays(industry: Industry, phases: list[GroupPhases], calendar: MigrationCalendar,
                  parameters: Parameters, dates: list[date]):
    n_g, n_d = len(phases), len(dates)
    day = np.array(dates, dtype="datetime64[D]")
    sf = parameters.scaling
    industry_factor = np.full(n_d, sf.industry_ramp_up)
    for rng in calendar.settings.industry_ramp_up_factors:
        industry_factor[(day >= np.datetime64(rng.start)) & (day <= np.datetime64(rng.end))] = rng.value
    in_els = (day >= np.datetime64(calendar.els_start)) & (day <= np.datetime64(calendar.els_end))
    phase = np.zeros((n_g, n_d), dtype=np.int8)
    slsf = np.zeros((n_g, n_d))
    active = np.zeros((n_g, n_d), dtype=bool)
    for i, (group, ph) in enumerate(zip(industry.groups, phases, strict=True)):
        start = day >= np.datetime64(ph.migration_start)
        ramp = start & (day <= np.datetime64(ph.ramp_up_end))
        active[i] = start
        if group.sit:
            phase[i][ramp & in_els] = Phase.INDUSTRY_RAMP_UP
            phase[i][ramp & ~in_els] = Phase.SUPPLIER_RAMP_UP
        else:
            phase[i][ramp] = Phase.SUPPLIER_RAMP_UP
        if ph.core_start is not None:
            core = (day >= np.datetime64(ph.core_start)) & (day <= np.datetime64(ph.core_end))
            phase[i][core] = Phase.CORE
            phase[i][start & (day > np.datetime64(ph.core_end))] = Phase.RAMP_DOWN
        slsf[i] = np.select(
            [phase[i] == Phase.INDUSTRY_RAMP_UP, phase[i] == Phase.SUPPLIER_RAMP_UP, phase[i] == Phase.CORE,
             phase[i] == Phase.RAMP_DOWN],
            [industry_factor, sf.supplier_ramp_up, sf.core, sf.ramp_down], 0.0)
    return phase, slsf, active


@dataclass(frozen=True)
class Shortfall:
    """An ENVELOPE pair whose envelopes up to the end of the core window cannot reach CMWCP of ISLP."""

    group: str
    ldso: str
    portfolio: int
    capacity_to_core_end: int
    required: int

    @property
    def attainable(self) -> float:
        return self.capacity_to_core_end / self.portfolio if self.portfolio else 1.0


def sufficiency(env: Envelopes, parameters: Parameters) -> list[Shortfall]:
    """Pairs where CMWCP (90%) of the portfolio cannot be planned by the end of the core window within the
    envelopes: the MCC must flex CSMT or change the share basis (METHOD 7 core-window.completion)."""
    out = []
    day = np.array(env.dates, dtype="datetime64[D]")
    for i, ph in enumerate(env.phases):
        end = ph.core_end or env.dates[-1]
        upto = day <= np.datetime64(end)
        for j in np.flatnonzero(env.category[i] == Category.ENVELOPE):
            capacity = int(env.envelope[i, j, upto].sum())
            required = int(np.ceil(parameters.submission.cmwcp * env.islp[i, j]))
            if capacity < required:
                out.append(Shortfall(env.groups[i], env.ldsos[j], int(env.islp[i, j]), capacity, required))
    return out


def explain(env: Envelopes, parameters: Parameters, group: str, ldso: str, day: date) -> list[tuple[str, str]]:
    """The derivation of one envelope figure, step by step with the numbers (CSMT -> ACSMT -> ALMT -> pool ->
    weight -> scaling factor -> envelope), as (step, text) lines; the last line's figure is the envelope."""
    i, j, k = env.index_of(group, ldso, day)
    cat = Category(env.category[i, j])
    ph = env.phases[i]
    lines: list[tuple[str, str]] = []
    add = lines.append
    add(("pair", f"group {group} in LDSO {ldso} on {day:%a %d %b %Y}: portfolio ISLP {env.islp[i, j]:,.0f} MPANs, "
                 f"category {CATEGORY_NAMES[cat] or 'none (no MPANs here)'}"))
    if not env.migration[k]:
        add(("calendar", f"{day} is not a migration day"))
        add(("envelope", "0"))
        return lines
    add(("CSMT", f"{env.csmt[k]:,.0f} migrations on this day (Migration Calendar)"))
    rcfc = parameters.thresholds.rcfc
    if parameters.capacity.reserve_placement == ReservePlacement.ABOVE:
        add(("RCFC", f"reserve {env.reserve[k]:,.2f} = CSMT x (RCFC {rcfc} - 1), above CSMT: plans use all "
                     f"{env.planned_csmt[k]:,.2f}, load limit {env.load_limit[k]:,.2f} (F5.2.9)"))
    else:
        add(("RCFC", f"plans use {env.planned_csmt[k]:,.2f} = CSMT / RCFC {rcfc}, reserve {env.reserve[k]:,.2f} "
                     f"within CSMT, load limit {env.load_limit[k]:,.2f}"))
    if parameters.capacity.dlfc_basis == DlfcBasis.ALL:
        add(("DLFC", f"{env.dlfc[k]:.6f} = de minimis LDSOs' {env.lmpc[env.de_minimis_ldso].sum():,.0f} MPANs / "
                     f"all LDSOs' {env.lmpc.sum():,.0f} (dlfc_basis all)"))
    else:
        held = float(env.islp[:, env.de_minimis_ldso].sum(axis=1) @ env.active[:, k])
        add(("DLFC", f"{env.dlfc[k]:.6f} = de minimis LDSOs' MPANs of groups migrating by this day {held:,.0f} / "
                     f"all LDSOs' {env.lmpc.sum():,.0f} (dlfc_basis active)"))
    add(("ACSMT", f"{env.acsmt[k]:,.2f} = planned CSMT {env.planned_csmt[k]:,.2f} x (1 - DLFC {env.dlfc[k]:.6f})"))
    add(("ULMT", f"{env.ulmt[j]:,.0f}: tier threshold for LMPC {env.lmpc[j]:,.0f}"))
    add(("LRCFC", f"reserve LRC {env.lrc[j]:,.2f} = ULMT x (LRCFC {env.lrcfc[j]:g} - 1), kept out of the planned "
                  f"limit ULMT - LRC = {env.ulmt[j] - env.lrc[j]:,.2f}"))
    if env.de_minimis_ldso[j]:
        add(("DLTF", f"LDSO {ldso} has {env.lmpc[j]:,.0f} < DLT {parameters.thresholds.dlt:,} metering points: "
                     "de minimis LDSO, no envelopes"))
        add(("envelope", "0"))
        return lines
    add(("share", f"{env.share[j]:.6f} = LMPC {env.lmpc[j]:,.0f} / non-de-minimis LDSOs' "
                  f"{env.lmpc[~env.de_minimis_ldso].sum():,.0f}"))
    add(("ALMT", f"{env.almt[j, k]:,.2f} = min(ACSMT x share = {env.acsmt[k] * env.share[j]:,.2f}, "
                 f"ULMT - LRC = {env.ulmt[j] - env.lrc[j]:,.2f})"))
    simple = int(((env.category[:, j] == Category.DE_MINIMIS) | (env.category[:, j] == Category.SMALL))
                 @ (env.islp[:, j] * env.active[:, k]))
    add(("DSLFC", f"{env.dslfc[j, k]:.6f} = active de minimis and small portfolios {simple:,} / "
                  f"LMPC {env.lmpc[j]:,.0f}"))
    add(("pool", f"{env.pool[j, k]:,.4f} = ALMT x (1 - DSLFC)"))
    if cat != Category.ENVELOPE:
        reason = {Category.NONE: "the group holds no MPANs here",
                  Category.DE_MINIMIS: "DE_MINIMIS: no envelope; the de minimis rules apply",
                  Category.SMALL: "SMALL: no envelope and no per-day limit (portfolio below SSLPT)"}[cat]
        add(("category", reason))
        add(("envelope", "0"))
        return lines
    if not env.active[i, k]:
        add(("phase", f"before the group's migration start {ph.migration_start}"))
        add(("envelope", "0"))
        return lines
    if env.share_basis == ShareBasis.ACTIVE:
        denominator = float((env.islp[:, j] * (env.category[:, j] == Category.ENVELOPE)) @ env.active[:, k])
        add(("weight", f"{env.weight[i, j, k]:.6f} = ISLP {env.islp[i, j]:,.0f} / ENVELOPE portfolios active "
                       f"today {denominator:,.0f} (share_basis active)"))
    else:
        add(("weight", f"{env.weight[i, j, k]:.6f} = ISLP {env.islp[i, j]:,.0f} / LMPC {env.lmpc[j]:,.0f} "
                       "(share_basis ldso)"))
    add(("phase", f"{PHASE_NAMES[Phase(env.phase[i, k])]} (start {ph.migration_start}, ramp-up to "
                  f"{ph.ramp_up_end}, core {ph.core_start} to {ph.core_end}, lost days {ph.lost_days})"))
    add(("SLSF", f"{env.slsf[i, k]:g}"))
    raw = env.pool[j, k] * env.weight[i, j, k] * env.slsf[i, k]
    add(("envelope", f"{env.envelope[i, j, k]} = floor(pool {env.pool[j, k]:,.4f} x weight "
                     f"{env.weight[i, j, k]:.6f} x SLSF {env.slsf[i, k]:g} = {raw:,.4f})"))
    return lines
