"""Issue 17, case 2: a UCA request is judged only against what its group was shown. A request above a suppressed
figure got a uca.available finding and one at or below it none, so 19 probes recovered every suppressed cell; and
the request form greyed the cells whose hidden figure was 0."""

from __future__ import annotations

from datetime import date

import numpy as np

from toolkit.domain.findings import RuleId
from toolkit.domain.rules import Identity, RequestForm, validate_request
from toolkit.domain.submission import Area, Grid, Submission

DAYS = [date(2027, 1, 6), date(2027, 1, 7)]
LDSOS = ["EELC", "LOND"]
# (day, LDSO): EELC's figures are suppressed (0 on the 6th, 31,983 on the 7th), LOND's shown (500, then 0)
UNUSED = np.array([[0, 500], [31_983, 0]])
DISCLOSED = np.array([[False, True], [False, True]])


def _judged(requests: list[list[int | None]], entitlement=None):
    grid = Grid("UcaRequest", Area("UCA request", 4, 1, 5, 2), list(LDSOS), [], list(DAYS),
                [list(row) for row in requests])
    sub = Submission("request.xlsx", {"template_id": "S8-AAUC-r1-v01", "group": "AAUC", "cycle": "S8"},
                     ["UCA request"], {}, {"UcaRequest": grid})
    facts = Identity(signature_ok=True, known_group=True, known_cycle=True, registered=True, current_version=None,
                     current_digest=None)
    form = RequestForm("AAUC", LDSOS, DAYS, UNUSED, DISCLOSED, entitlement=entitlement)
    return [(f.rule, f.cell) for f in validate_request(sub, facts, form).findings]


def test_requests_on_suppressed_figures_tell_nothing_of_them():
    # any amount on a suppressed figure: no finding, whatever the figure (the allocation settles it)
    for probe in (1, 31_983, 31_984, 10**6):
        assert _judged([[probe, None], [probe, None]]) == []


def test_on_suppressed_figures_the_groups_own_envelope_caps_the_request():
    # the group knows its own envelope: a request above it is refused whatever the hidden figure, one at or below
    # it is taken whatever the hidden figure (here EELC's envelope: 2,000 then 1,500)
    own = np.array([[2_000, 3_000], [1_500, 3_000]])
    assert _judged([[2_001, None], [1_501, None]], own) == [(RuleId.UCA_AVAILABLE, "B5"), (RuleId.UCA_AVAILABLE, "B6")]
    assert _judged([[2_000, None], [1_500, None]], own) == []


def test_requests_on_shown_figures_are_judged_against_them():
    assert _judged([[None, 501], [None, 1]]) == [(RuleId.UCA_AVAILABLE, "C5"), (RuleId.UCA_ELIGIBLE, "C6")]
    assert _judged([[None, 500], [None, None]]) == []


def test_the_request_form_does_not_style_cells_by_hidden_figures(tmp_path):
    from openpyxl import load_workbook

    from toolkit.excel.writers.uca import write_uca_request

    path = tmp_path / "form.xlsx"
    write_uca_request(path, "AAUC", "Pioneer Power", LDSOS, DAYS, UNUSED, DISCLOSED,
                      {"format": "1", "template_id": "t", "group": "AAUC", "cycle": "S8", "version": "1"},
                      b"k" * 32, date(2026, 12, 9), "mcc@example.org")
    ws = load_workbook(path)["UCA request"]
    fill = {(r, c): ws.cell(6 + r, 2 + c).fill.fgColor.rgb for r in range(2) for c in range(2)}
    # EELC: suppressed 0 and suppressed 31,983 look alike (open); LOND: 500 shown open, 0 shown closed
    assert fill[(0, 0)] == fill[(1, 0)] == fill[(0, 1)] != fill[(1, 1)]


def test_a_request_form_carrying_another_groups_metadata_is_not_its_form(tmp_path):
    from tests.test_confidentiality import carry_metadata
    from toolkit.domain.rules import check_identity, group_in_doubt
    from toolkit.excel import contract as C
    from toolkit.excel.reader import read_template
    from toolkit.excel.writers.uca import write_uca_request

    key = b"k" * 32

    def form(group: str, ldsos: list[str], unused) -> object:
        meta = {"format": "1", "template_id": f"S8-{group}-uca-v01", "group": group, "cycle": "S8", "version": "1"}
        path = tmp_path / f"{group}.xlsx"
        write_uca_request(path, group, group.title(), ldsos, DAYS, unused, np.ones_like(unused, bool), meta, key,
                          date(2026, 12, 9), "mcc@example.org")
        return path

    mine = form("AAUC", LDSOS, UNUSED)
    theirs = form("JONV", LDSOS, UNUSED + 7)
    forged = read_template(carry_metadata(mine, theirs, tmp_path / "forged.xlsx"))
    facts = Identity(signature_ok=C.signature_valid(forged.meta, key), known_group=True, known_cycle=True,
                     registered=True, current_version=None, current_digest=None)
    assert facts.signature_ok and forged.meta["group"] == "JONV"
    assert any("locked content" in f.message for f in check_identity(forged, facts)) and group_in_doubt(forged,
                                                                                                         facts)
    genuine = read_template(mine)
    assert check_identity(genuine, facts) == [] and not group_in_doubt(genuine, facts)
