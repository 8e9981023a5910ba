"""Issue 17: a grant never gives away another group's request or grant. On an oversubscribed LDSO-day with fewer
than the disclosure minimum of other requesters, sharing by the UCA rule (METHOD 8; Choreography 3.2.2) lets a
group work out the other's request from its own grant (pro rata to within 1, equal share exactly), and the
capacity its form showed minus its grant is the other's grant, a figure of that group's baseline plan. With
``[capacity] uca_few_requesters = "capped"`` (the default) each group there gets at most a 1/minimum share, and
where the capacity was not shown, its request in full or nothing: its grant is a function of its own request and
the capacity alone."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.domain.allocation import Sharing, allocate, explain_grants, notice_grants
from toolkit.domain.parameters import AllocationRule, FewRequesters, Parameters

CAPPED = Sharing(AllocationRule.PRO_RATA, FewRequesters.CAPPED, 3)
SHARED = Sharing(AllocationRule.PRO_RATA, FewRequesters.SHARED, 3)


def _grants(sharing, requests: list[int], cap: int, shown: bool = True) -> list[int]:
    r = np.array(requests, dtype=np.int64).reshape(len(requests), 1, 1)
    disclosed = np.array([[shown]])
    return allocate(r, np.array([[cap]]), [f"G{k}" for k in range(len(requests))], sharing, disclosed)[:, 0, 0].tolist()


def test_shared_gives_the_other_request_away_and_capped_does_not():
    """The leak the red-team found, then the rule that closes it: AAUC asks 12,000 of a shown 22,816."""
    seen_shared = {_grants(SHARED, [12_000, other], 22_816)[0] for other in (11_000, 18_000, 30_000)}
    assert len(seen_shared) == 3  # its grant differs with the other's request: the other's request is recoverable
    for rule in AllocationRule:
        capped = Sharing(rule, FewRequesters.CAPPED, 3)
        for other in (11_000, 18_000, 30_000):
            mine, theirs = _grants(capped, [12_000, other], 22_816)
            assert mine == 22_816 // 3 == 7_605  # the same whatever the other asked
            assert theirs == 7_605 and 22_816 - mine != theirs  # capacity minus its grant is not the other's grant


def test_hidden_capacity_is_granted_in_full_or_not_at_all():
    """Where the form did not show the capacity, a partial grant would tell the group the hidden figure."""
    assert _grants(CAPPED, [5_000, 40_000], 22_816, shown=False) == [5_000, 0]
    assert _grants(CAPPED, [8_000, 40_000], 22_816, shown=False) == [0, 0]
    assert _grants(CAPPED, [8_000, 40_000], 22_816, shown=True) == [7_605, 7_605]


def test_enough_other_requesters_share_by_the_rule_as_before():
    """Four groups asking (three others, the minimum): pro rata, every migration handed out."""
    got = _grants(CAPPED, [5_000, 6_000, 7_000, 8_000], 20_000)
    assert got == _grants(SHARED, [5_000, 6_000, 7_000, 8_000], 20_000) and sum(got) == 20_000


def test_requests_that_fit_are_granted_in_full():
    assert _grants(CAPPED, [9_000, 4_000], 22_816) == [9_000, 4_000]


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 50_000), st.lists(st.integers(0, 50_000), min_size=1, max_size=2), st.integers(1, 60_000),
       st.booleans(), st.integers(1, 5), st.sampled_from(list(AllocationRule)))
def test_a_grant_depends_on_nothing_another_group_asked(mine, others, cap, shown, minimum, rule):
    """For every request of the others (fewer than the minimum of them asking), the group's grant is the one it
    gets if the others ask more than the whole capacity, or less; no grant exceeds its request and their sum
    fits the capacity."""
    sharing = Sharing(rule, FewRequesters.CAPPED, minimum)
    if len([o for o in others if o > 0]) >= minimum:
        return
    got = _grants(sharing, [mine, *others], cap, shown)
    assert sum(got) <= cap and all(g <= r for g, r in zip(got, [mine, *others], strict=True))
    if mine + sum(others) > cap:  # oversubscribed: the cap, whatever the others asked
        flooded = _grants(sharing, [mine, *[cap + 1 if o else 0 for o in others]], cap, shown)[0]
        assert got[0] == flooded


def test_notices_and_explanations_say_the_cap_without_the_other_request():
    r = np.array([[[12_000]], [[18_000]]])
    uc = np.array([[22_816]])
    from datetime import date, timedelta

    from toolkit.domain.schedule import Schedule
    days = [date(2027, 1, 6)]
    s = Schedule(groups=["AAUC", "JONV"], ldsos=["EELC"], weeks=[days[0] - timedelta(days=2)], days=days,
                 weekly=np.zeros((2, 1, 1), dtype=np.int64), daily=np.zeros((2, 1, 1), dtype=np.int64),
                 planned=np.ones(2, dtype=bool), daily_limit=np.array([[50_000.0]]), national_limit=np.array([1e6]),
                 weekly_limit=np.zeros((1, 1)), national_weekly_limit=np.zeros(1), de_minimis_ldso=np.array([False]))
    grants = allocate(r, uc, s.groups, CAPPED)
    explained = explain_grants(r, grants, uc, s, CAPPED)
    assert "fewer than 3 other groups asked" in explained[0].why and "7,605" in explained[0].why
    (aauc,) = notice_grants(explained, "AAUC", 3, {("EELC", days[0])}, CAPPED)
    assert aauc.granted == 7_605 and "1/3 share" in aauc.why and "(7,605)" in aauc.why
    assert "18,000" not in aauc.why and "30,000" not in aauc.why and aauc.requested_total == 0
    (hidden,) = notice_grants(explained, "AAUC", 3, set(), CAPPED)
    assert "7,605" not in hidden.why and "22,816" not in hidden.why and "in full or nothing" in hidden.why


def test_capped_is_the_default_and_shared_can_be_chosen():
    assert Parameters().capacity.uca_few_requesters == FewRequesters.CAPPED
    assert Sharing.of(Parameters().capacity) == Sharing(AllocationRule.PRO_RATA, FewRequesters.CAPPED, 3)
    assert "1/3 share" in Sharing.of(Parameters().capacity).describe()
    chosen = Parameters.model_validate({"capacity": {"uca_few_requesters": "shared"}})
    assert Sharing.of(chosen.capacity).few == FewRequesters.SHARED
    assert "1/3" not in Sharing.of(chosen.capacity).describe()
