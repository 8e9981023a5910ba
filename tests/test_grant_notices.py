"""Issue 17, case 5: a grant notice says what the group asked and got and the rule, and gives the other groups'
requests only where at least the minimum of other groups asked (two groups asking learnt each other's request from
"requests of 30,000 exceed the 22,816 available")."""

from __future__ import annotations

from datetime import date

from toolkit.domain.allocation import Grant, notice_grants
from toolkit.domain.parameters import AllocationRule

DAY = date(2027, 1, 6)


def _explained(requests: dict[str, int], available: int, granted: dict[str, int]) -> list[Grant]:
    total = sum(requests.values())
    return [Grant(g, "EELC", DAY, r, available, total, granted[g], f"requests of {total:,} exceed the "
                  f"{available:,} available: pro rata") for g, r in requests.items()]


def test_two_groups_asking_learn_nothing_of_each_others_request():
    explained = _explained({"AAUC": 12_000, "JONV": 18_000}, 22_816, {"AAUC": 9_126, "JONV": 13_690})
    (aauc,) = notice_grants(explained, "AAUC", 3, {("EELC", DAY)}, AllocationRule.PRO_RATA)
    assert (aauc.requested, aauc.granted) == (12_000, 9_126)
    assert "30,000" not in aauc.why and "18,000" not in aauc.why and aauc.requested_total == 0
    assert "pro rata" in aauc.why and "22,816 available" in aauc.why  # the group was shown the unused capacity
    # not shown the unused capacity: it is not told it either
    (hidden,) = notice_grants(explained, "AAUC", 3, set(), AllocationRule.PRO_RATA)
    assert "22,816" not in hidden.why and hidden.available == 0


def test_the_total_of_requests_is_given_where_enough_other_groups_asked():
    requests = {"AAUC": 5_000, "JONV": 6_000, "XDNO": 7_000, "AFCF": 8_000}
    explained = _explained(requests, 20_000, {"AAUC": 3_846, "JONV": 4_615, "XDNO": 5_384, "AFCF": 6_155})
    (aauc,) = notice_grants(explained, "AAUC", 3, {("EELC", DAY)}, AllocationRule.PRO_RATA)
    assert "4 groups asked 26,000 for the 20,000 available" in aauc.why
    (full,) = notice_grants(_explained({"AAUC": 10, "JONV": 20}, 500, {"AAUC": 10, "JONV": 20}), "AAUC", 3, set())
    assert full.why == "granted in full"
