"""Disclosure control of the publication (METHOD 8): an aggregate built from fewer than the minimum of groups is
hidden, and no hidden one can be worked out from what is shown, by subtraction or by any combination of the sums
the publication holds. The oracle here is plain linear algebra over sums written out by the test, independent of
the suppression code."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.domain.disclosure import Cells, publication_masks
from toolkit.domain.schedule import Schedule, baseline

MINIMUM = 3


def _schedule(rng, n_g: int, n_l: int, n_d: int, density: float) -> Schedule:
    days = [date(2027, 1, 6) + timedelta(days=k) for k in range(n_d)]  # a Wednesday first: a partial first week
    weeks = sorted({d - timedelta(days=d.weekday()) for d in days})
    daily = rng.integers(1, 900, (n_g, n_l, n_d)) * (rng.random((n_g, n_l, n_d)) < density)
    weekly = np.zeros((n_g, n_l, len(weeks)), dtype=np.int64)
    for k, d in enumerate(days):
        weekly[:, :, weeks.index(d - timedelta(days=d.weekday()))] += daily[:, :, k]
    return Schedule(groups=[f"G{k:02d}" for k in range(n_g)], ldsos=[f"L{k:02d}" for k in range(n_l)], weeks=weeks,
                    days=days, weekly=weekly, daily=daily.astype(np.int64), planned=np.ones(n_g, bool),
                    daily_limit=np.zeros((n_l, n_d)), national_limit=np.zeros(n_d),
                    weekly_limit=np.zeros((n_l, len(weeks))), national_weekly_limit=np.zeros(len(weeks)),
                    de_minimis_ldso=np.zeros(n_l, bool))


class Oracle:
    """Cells as columns, sums as rows; what an outsider knows is the shown cells."""

    def __init__(self):
        self.values, self.counts, self.shown, self.rows = [], [], [], []

    def grid(self, values, counts, hidden=None) -> np.ndarray:
        start = len(self.values)
        self.values += list(np.asarray(values).reshape(-1))
        self.counts += list(np.asarray(counts).reshape(-1))
        size = np.asarray(values).size
        if hidden is False:  # not published at all
            self.shown += [False] * size
        else:
            self.shown += list(np.ones(size, bool) if hidden is None else ~np.asarray(hidden).reshape(-1))
        return np.arange(start, len(self.values)).reshape(np.asarray(values).shape)

    def schedule(self, s: Schedule, hidden: dict | None):
        n = {k: None for k in ("nd", "nw", "ld", "lw")}
        h = hidden or {}
        n["nd"] = self.grid(s.national_daily, (s.daily.sum(axis=1) > 0).sum(axis=0), h.get("national_daily"))
        n["nw"] = self.grid(s.national_weekly, (s.weekly.sum(axis=1) > 0).sum(axis=0), h.get("national_weekly"))
        n["ld"] = self.grid(s.ldso_daily, (s.daily > 0).sum(axis=0), h.get("ldso_daily"))
        n["lw"] = self.grid(s.ldso_weekly, (s.weekly > 0).sum(axis=0), h.get("ldso_weekly"))
        for k in range(len(s.days)):
            self.rows.append((n["nd"][k], list(n["ld"][:, k])))
        for w in range(len(s.weeks)):
            self.rows.append((n["nw"][w], list(n["lw"][:, w])))
        for w, monday in enumerate(s.weeks):
            ks = [k for k, d in enumerate(s.days) if monday <= d < monday + timedelta(days=7)]
            self.rows.append((n["nw"][w], list(n["nd"][ks])))
            for j in range(len(s.ldsos)):
                self.rows.append((n["lw"][j, w], list(n["ld"][j, ks])))
        return n

    def worked_out(self) -> list[int]:
        """Sensitive cells an outsider can compute from the shown ones."""
        shown = np.array(self.shown)
        values = np.array(self.values, dtype=np.float64)
        a = np.zeros((len(self.rows), len(self.values)))
        for r, (total, members) in enumerate(self.rows):
            a[r, total] = 1
            a[r, members] = -1
            assert abs(values[total] - values[members].sum()) < 1e-9  # the sums really hold
        unknown = np.flatnonzero(~shown)
        au = a[:, unknown]
        rank = np.linalg.matrix_rank(au) if au.size else 0
        out = []
        for k, c in enumerate(unknown):
            if 0 < self.counts[c] < MINIMUM:
                probe = np.zeros((1, len(unknown)))
                probe[0, k] = 1
                if np.linalg.matrix_rank(np.vstack([au, probe])) == rank:
                    out.append(int(c))
        return out


@st.composite
def cases(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    s = _schedule(rng, draw(st.integers(1, 7)), draw(st.integers(1, 5)), draw(st.integers(1, 16)),
                  draw(st.sampled_from([0.15, 0.4, 0.8])))
    return s, rng


@settings(max_examples=150, deadline=None)
@given(cases())
def test_no_hidden_aggregate_can_be_worked_out_from_the_draft(case):
    s, _ = case
    masks = publication_masks(s, MINIMUM)
    oracle = Oracle()
    cells = oracle.schedule(s, masks)
    for name, key in (("national_daily", "nd"), ("national_weekly", "nw"), ("ldso_daily", "ld"),
                      ("ldso_weekly", "lw")):
        counts = np.array(oracle.counts)[cells[key]]
        assert (masks[name][(counts > 0) & (counts < MINIMUM)]).all()  # primary suppression
    assert oracle.worked_out() == []


@settings(max_examples=100, deadline=None)
@given(cases())
def test_the_baseline_minus_the_draft_gives_away_no_small_grant(case):
    s, rng = case
    grants = rng.integers(1, 300, s.daily.shape) * (rng.random(s.daily.shape) < 0.2)
    base = baseline(s, grants.astype(np.int64))
    draft_masks = publication_masks(s, MINIMUM)
    masks = publication_masks(base, MINIMUM, draft=s)
    oracle = Oracle()
    new = oracle.schedule(base, masks)
    old = oracle.schedule(s, draft_masks)
    for key, g in (("nd", grants.sum(axis=1)), ("ld", grants)):
        cells = oracle.grid(g.sum(axis=0), (g > 0).sum(axis=0), hidden=False)
        for total, part, rest in zip(new[key].reshape(-1), old[key].reshape(-1), cells.reshape(-1), strict=True):
            oracle.rows.append((total, [part, rest]))
    assert oracle.worked_out() == []


def test_a_lone_hidden_ldso_takes_a_second_one_with_it():
    # one day, three LDSOs: A from 2 groups (hidden), B and C from 4 (each contributor sees 3 others: issue 17);
    # the national figure is shown
    daily = np.zeros((4, 3, 1), dtype=np.int64)
    daily[:2, 0, 0] = [10, 20]
    daily[:, 1, 0] = [5, 6, 7, 8]
    daily[:, 2, 0] = [50, 60, 70, 80]
    s = _schedule(np.random.default_rng(0), 4, 3, 1, 0.0)
    s.daily[:] = daily
    s.weekly[:] = daily
    masks = publication_masks(s, MINIMUM)
    assert masks["ldso_daily"][:, 0].tolist() == [True, True, False]  # B (26) goes with A: smaller than C (260)
    assert masks["national_daily"].tolist() == [False]


def test_sums_that_fix_a_cell_only_together_are_caught_by_the_audit():
    # x0 (from one group) is hidden; x0 + x1 = t0 shows it, so x1 (the smaller) goes; x0 + x2 = t1 shows it, so
    # x2 goes. Now each sum has two unknowns, yet t0 + t1 - t2 = 2 x0 fixes it: the audit hides t0 (the smallest
    # sum), after which x0 can move with x1, x2 and t0 and is no longer fixed
    cells = Cells(MINIMUM)
    x = cells.add("x", np.array([1, 2, 3]), np.array([1, 5, 5]))
    t = cells.add("t", np.array([3, 4, 5]), np.array([5, 5, 5]))
    cells.relate(t[0], [x[0], x[1]])
    cells.relate(t[1], [x[0], x[2]])
    cells.relate(t[2], [x[1], x[2]])
    masks = cells.suppress()
    assert masks["x"].tolist() == [True, True, True]
    assert masks["t"].tolist() == [True, False, False]
