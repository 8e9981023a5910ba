"""Worked examples of the envelope method, each expectation computed by hand (never by the code under test)."""

from __future__ import annotations

from datetime import date

import pytest

from toolkit.domain.calendar import CalendarSettings, CsmtRange, ExcludedRange, MigrationCalendar
from toolkit.domain.envelopes import Category, Phase, calculate, group_phases, reserved_capacity
from toolkit.domain.industry import Industry, Ldso, SupplierGroup
from toolkit.domain.parameters import Capacity, Parameters, ShareBasis

M11, M14, M15 = date(2025, 10, 1), date(2026, 11, 30), date(2027, 5, 28)
PARAMS = Parameters()


def calendar(**extra) -> MigrationCalendar:
    return MigrationCalendar(CalendarSettings(m11=M11, m14=M14, m15=M15, sprint_execution_starts=(M11,), **extra))


def group(mpid: str, start: date, sit: bool = False, **kw) -> SupplierGroup:
    return SupplierGroup(mpid=mpid, name=mpid, suppliers=(mpid,), sit=sit, migration_start=start, **kw)


def test_reserved_capacity_is_800_for_a_40000_threshold():
    assert reserved_capacity(40_000, PARAMS) == 800


def test_sit_group_starting_at_els_start_ramps_up_for_the_whole_els():
    cal = calendar()
    ph = group_phases(group("SITA", M11, sit=True), cal, PARAMS)
    # ELS: 1 Oct 2025 + 13 weeks - 1 day = Tue 30 Dec 2025 (Christmas and Boxing Day are bank holidays)
    assert ph.ramp_up_end == date(2025, 12, 30)
    assert ph.core_start == date(2025, 12, 31)


def test_sit_group_starting_three_months_after_els_start_ramps_up_for_22_migration_days():
    cal = calendar()
    ph = group_phases(group("SITB", date(2026, 1, 5), sit=True), cal, PARAMS)
    # 22 weekdays from Mon 5 Jan 2026 (no bank holidays in January after the 1st): Tue 3 Feb 2026
    assert ph.ramp_up_end == date(2026, 2, 3)


def test_sit_group_starting_inside_els_ramps_up_to_its_end_or_22_days_whichever_is_later():
    cal = calendar()
    # start Mon 1 Dec 2025: 1-5, 8-12, 15-19, 22-24, 29-31 Dec (21; 25, 26 Dec and 1 Jan are bank holidays),
    # Fri 2 Jan 2026 is the 22nd migration day, later than the ELS end (Tue 30 Dec)
    assert group_phases(group("SITC", date(2025, 12, 1), sit=True), cal, PARAMS).ramp_up_end == date(2026, 1, 2)
    # start Mon 3 Nov 2025: 22nd migration day is Tue 2 Dec; ELS ends Tue 30 Dec, which is later
    assert group_phases(group("SITD", date(2025, 11, 3), sit=True), cal, PARAMS).ramp_up_end == date(2025, 12, 30)


def test_non_sit_ramp_up_and_extended_ramp_up():
    cal = calendar()
    # Mon 2 Feb 2026: weekdays 2-6, 9-13, 16-20, 23-27 Feb (20), 2-3 Mar (22)
    assert group_phases(group("NSIT", date(2026, 2, 2)), cal, PARAMS).ramp_up_end == date(2026, 3, 3)
    # with XRUF 44 days: 4-6 Mar (25), 9-13 (30), 16-20 (35), 23-27 (40), 30 Mar-2 Apr (44); Good Friday 3 Apr
    ph = group_phases(group("XRUF", date(2026, 2, 2), extended_ramp_up=True), cal, PARAMS)
    assert ph.ramp_up_end == date(2026, 4, 2) and ph.extended_ramp_up


def test_extended_ramp_up_is_not_available_from_m14():
    cal = calendar()
    ph = group_phases(group("LATE", date(2026, 12, 1), extended_ramp_up=True), cal, PARAMS)
    assert not ph.extended_ramp_up
    # Tue 1 Dec 2026: 1-4 (4), 7-11 (9), 14-18 (14), 21-24 (18), 29-31 (21) Dec 2026 ... Boxing Day observed 28th
    assert ph.ramp_up_end == date(2027, 1, 4)


def test_lost_days_lengthen_the_core_window():
    cal = calendar()
    plain = group_phases(group("PLAN", date(2026, 2, 2)), cal, PARAMS)
    lost = group_phases(group("LOST", date(2026, 2, 2), lost_days=5), cal, PARAMS)
    assert cal.count_migration_days(plain.core_start, plain.core_end) == 132
    assert cal.count_migration_days(lost.core_start, lost.core_end) == 137
    assert lost.core_end > plain.core_end


def test_lost_days_do_not_apply_to_groups_starting_from_m14():
    cal = calendar()
    assert group_phases(group("LATE", date(2026, 12, 1), lost_days=5), cal, PARAMS).lost_days == 0


def small_industry(start_g2: date = date(2026, 2, 2)) -> Industry:
    ldsos = (Ldso("AAAA", "A", 3_700_000), Ldso("BBBB", "B", 100_000))
    groups = (group("GONE", M11, sit=True), group("GTWO", start_g2), group("GSML", M11), group("GDEM", M11))
    portfolio = {("GONE", "AAAA"): 2_000_000, ("GTWO", "AAAA"): 1_000_000, ("GSML", "AAAA"): 400,
                 ("GDEM", "AAAA"): 30_000, ("GDEM", "BBBB"): 100_000}
    return Industry(ldsos=ldsos, groups=groups, portfolio=portfolio)


def test_categories():
    env = calculate(small_industry(), calendar(), PARAMS)
    cat = {(g, x): Category(env.category[i, j]) for i, g in enumerate(env.groups) for j, x in enumerate(env.ldsos)}
    assert cat[("GONE", "AAAA")] == Category.ENVELOPE
    assert cat[("GSML", "AAAA")] == Category.SMALL  # 400 < SSLPT 500
    assert cat[("GDEM", "AAAA")] == Category.DE_MINIMIS  # 30,000 < DSLTT 40,000
    assert cat[("GDEM", "BBBB")] == Category.DE_MINIMIS  # LDSO below DLT 150,000
    assert cat[("GONE", "BBBB")] == Category.NONE


def test_worked_envelope_figures():
    env = calculate(small_industry(), calendar(), PARAMS)
    g1, g2, a = env.groups.index("GONE"), env.groups.index("GTWO"), env.ldsos.index("AAAA")
    # DLFC = 100,000 / 3,800,000; ACSMT = 200,000 x 37/38 = 194,736.84; ALMT = min(194,736.84, 40,000 - 800)
    k = env.index_of("GONE", "AAAA", date(2026, 1, 14))[2]
    assert env.almt[a, k] == pytest.approx(39_200)
    # core day of GONE before GTWO starts: DSLFC = 30,400 / 3,700,000; pool = 39,200 x (1 - DSLFC) = 38,877.92
    assert env.envelope[g1, a, k] == 38_877
    # Mon 9 Feb 2026: GTWO in ramp-up. Weights 2/3 and 1/3: floor(25,918.62) and floor(12,959.31 x 0.1)
    k = env.index_of("GONE", "AAAA", date(2026, 2, 9))[2]
    assert env.envelope[g1, a, k] == 25_918
    assert env.envelope[g2, a, k] == 1_295
    # GTWO before its start
    assert env.envelope[g2, a, env.index_of("GTWO", "AAAA", date(2026, 1, 30))[2]] == 0


def test_share_basis_ldso_weighs_by_the_ldso_count():
    params = Parameters(capacity=Capacity(share_basis=ShareBasis.LDSO))
    env = calculate(small_industry(), calendar(), params)
    g1, a = env.groups.index("GONE"), env.ldsos.index("AAAA")
    k = env.index_of("GONE", "AAAA", date(2026, 1, 14))[2]
    # weight = 2,000,000 / 3,700,000; 38,877.924 x 0.540541 = 21,015.09
    assert env.envelope[g1, a, k] == 21_015


def test_zero_on_excluded_days_weekends_and_holidays():
    excluded = (ExcludedRange(start=date(2026, 3, 10), end=date(2026, 3, 11), reason="contract round"),)
    env = calculate(small_industry(), calendar(excluded=excluded), PARAMS)
    for day in (date(2026, 3, 10), date(2026, 3, 11), date(2026, 3, 14), date(2026, 4, 3)):
        k = (day - env.dates[0]).days
        assert env.envelope[:, :, k].sum() == 0
    assert env.envelope[:, :, (date(2026, 3, 12) - env.dates[0]).days].sum() > 0


def test_ramp_down_runs_to_m15():
    env = calculate(small_industry(), calendar(), PARAMS)
    g1 = env.groups.index("GONE")
    ph = env.phases[g1]
    k15 = (M15 - env.dates[0]).days
    assert Phase(env.phase[g1, k15]) == Phase.RAMP_DOWN
    after = [(d - env.dates[0]).days for d in env.dates if d > ph.core_end]
    assert all(env.phase[g1, k] == Phase.RAMP_DOWN for k in after)
    assert env.slsf[g1, k15] == 0.1


def test_csmt_override_raises_acsmt():
    csmt = (CsmtRange(start=date(2026, 4, 1), end=M15, value=280_000),)
    env = calculate(small_industry(), calendar(csmt=csmt), PARAMS)
    k = (date(2026, 4, 7) - env.dates[0]).days
    assert env.acsmt[k] == pytest.approx(280_000 * 37 / 38)
