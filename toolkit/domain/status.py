"""The one vocabulary of submission statuses and kinds: the ledger records them, the inbox reports them, the
commands count them. Nowhere else is a status spelled as a string.

A file that cannot be judged gets the verdict ``UNREADABLE`` (the word its feedback and ``mcc validate`` use) and is
recorded as ``QUARANTINED`` (its bytes kept aside in ``workbooks/quarantine/``): ``Status.recorded`` maps one to
the other.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    RECEIVED = "received"  # recorded in the ledger, not judged yet
    VALIDATING = "validating"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    UNREADABLE = "unreadable"  # the verdict on a file that is not a workbook the MCC can judge ...
    QUARANTINED = "quarantined"  # ... and how the ledger records it
    DUPLICATE = "duplicate"  # the same bytes as an earlier submission: not judged again

    @property
    def recorded(self) -> Status:
        """The status the ledger records for this verdict."""
        return Status.QUARANTINED if self is Status.UNREADABLE else self

    @property
    def final(self) -> bool:
        return self in FINAL


FINAL = frozenset({Status.ACCEPTED, Status.REJECTED, Status.QUARANTINED, Status.DUPLICATE})
JUDGED = frozenset({Status.ACCEPTED, Status.REJECTED, Status.QUARANTINED})
PENDING = frozenset({Status.RECEIVED, Status.VALIDATING})


class Kind(StrEnum):
    """What a submission is."""

    PLAN = "plan"  # a returned plan template
    UCA_REQUEST = "uca-request"  # a returned unused capacity request form
    OUTTURN = "outturn"  # execution outturn (inbox/outturn/)
    LOST_DAYS_CLAIM = "lost-days-claim"  # a returned Lost Migration Day claim form (inbox/lostdays/)
    BULK_COA_PLAN = "bulk-coa-plan"  # a returned bulk change of agent plan (inbox/bulkcoa/)


# the inbox folders that are not a group's, by what they take in (upper case, as the inbox names its folders:
# letters and digits only)
INBOX_FOLDERS = {Kind.OUTTURN: "OUTTURN", Kind.LOST_DAYS_CLAIM: "LOSTDAYS", Kind.BULK_COA_PLAN: "BULKCOA"}
