"""METHOD section 6 invariants as hypothesis properties over generated industries."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.domain.calendar import CalendarSettings, CsmtRange, ExcludedRange, MigrationCalendar
from toolkit.domain.envelopes import Category, calculate
from toolkit.domain.industry import Industry, Ldso, SupplierGroup
from toolkit.domain.parameters import Capacity, Parameters, ShareBasis

M11, M14, M15 = date(2025, 10, 1), date(2026, 5, 1), date(2026, 10, 30)
WINDOW = (M15 - M11).days

# LDSO sizes across all five tiers and below the de minimis line
LDSO_SIZES = st.one_of(st.integers(1_000, 149_999), st.integers(150_000, 899_999), st.integers(900_000, 1_399_999),
                       st.integers(1_400_000, 1_999_999), st.integers(2_000_000, 2_999_999),
                       st.integers(3_000_000, 4_500_000))


@st.composite
def industries(draw):
    n_ldsos = draw(st.integers(1, 5))
    ldsos = tuple(Ldso(f"L{j:03d}", f"L{j}", draw(LDSO_SIZES)) for j in range(n_ldsos))
    n_groups = draw(st.integers(1, 7))
    groups, portfolio = [], {}
    for i in range(n_groups):
        mpid = f"G{i:03d}"
        sit = draw(st.booleans())
        start = M11 + timedelta(days=draw(st.integers(0, WINDOW)))
        groups.append(SupplierGroup(mpid=mpid, name=mpid, suppliers=(mpid,), sit=sit, migration_start=start,
                                    extended_ramp_up=not sit and draw(st.booleans()),
                                    lost_days=draw(st.integers(0, 10))))
    for ldso in ldsos:
        shares = draw(st.lists(st.floats(0, 1), min_size=n_groups, max_size=n_groups))
        total = sum(shares) or 1.0
        for i, s in enumerate(shares):
            count = int(ldso.mpan_count * s / total)
            if count > 0:
                portfolio[(groups[i].mpid, ldso.mpid)] = count
    return Industry(ldsos=ldsos, groups=tuple(groups), portfolio=portfolio)


@st.composite
def calendars(draw):
    csmt = []
    if draw(st.booleans()):
        start = M11 + timedelta(days=draw(st.integers(0, WINDOW)))
        csmt.append(CsmtRange(start=start, end=start + timedelta(days=draw(st.integers(0, 120))),
                              value=draw(st.integers(200_000, 280_000))))
    excluded = []
    if draw(st.booleans()):
        start = M11 + timedelta(days=draw(st.integers(0, WINDOW)))
        excluded.append(ExcludedRange(start=start, end=start + timedelta(days=draw(st.integers(0, 14))),
                                      reason="generated"))
    return MigrationCalendar(CalendarSettings(m11=M11, m14=M14, m15=M15, csmt=tuple(csmt), excluded=tuple(excluded),
                                              csmt_default=draw(st.integers(150_000, 280_000)),
                                              sprint_execution_starts=(M11,)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(industry=industries(), calendar=calendars(), basis=st.sampled_from(list(ShareBasis)))
def test_method_section_6_invariants(industry, calendar, basis):
    params = Parameters(capacity=Capacity(share_basis=basis))
    env = calculate(industry, calendar, params)
    tol = 1e-6
    # 1. sum over g of SSLCE <= ALMT <= ULMT - LRC
    assert (env.envelope.sum(axis=0) <= env.almt + tol).all()
    assert (env.almt <= (env.ulmt - env.lrc)[:, None] + tol).all()
    # 2. sum over l of ALMT <= ACSMT <= CSMT <= 280,000
    assert (env.almt.sum(axis=0) <= env.acsmt + tol).all()
    assert (env.acsmt <= env.csmt + tol).all()
    assert (env.csmt <= 280_000).all()
    # 3. non-negative integers; 0 on non-migration days, before MWSD, and for pairs without an envelope
    assert env.envelope.dtype.kind == "i" and (env.envelope >= 0).all()
    assert (env.envelope[:, :, ~env.migration] == 0).all()
    day = np.array(env.dates, dtype="datetime64[D]")
    for i, g in enumerate(industry.groups):
        assert (env.envelope[i][:, day < np.datetime64(g.migration_start)] == 0).all()
    assert (env.envelope[env.category != Category.ENVELOPE] == 0).all()
    # weekly envelopes are the sums of the daily ones
    assert env.weekly().sum() == env.envelope.sum()
