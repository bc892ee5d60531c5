"""Which step a settlement run may take from which status: one table.

draft ──compute──► computed ──review──► reviewed ──approve──► approved ──pay──► paid
  ▲                   │  ▲                  │
  └── (recompute) ────┘  └──── recompute ───┘   (a recompute clears the review)

An approved or paid run never changes (the database refuses it); what
arrives later is settled as an adjustment in a later month's run.
"""

from __future__ import annotations

from enum import StrEnum


class Step(StrEnum):
    COMPUTE = "compute"
    REVIEW = "review"
    APPROVE = "approve"
    PAY = "pay"


# step -> (the statuses it may start from, the status it leads to)
TRANSITIONS: dict[Step, tuple[frozenset[str], str]] = {
    Step.COMPUTE: (frozenset({"draft", "computed", "reviewed"}), "computed"),
    Step.REVIEW: (frozenset({"computed"}), "reviewed"),
    Step.APPROVE: (frozenset({"reviewed"}), "approved"),
    Step.PAY: (frozenset({"approved"}), "paid"),
}


def allowed(step: Step, status: str) -> bool:
    return status in TRANSITIONS[step][0]


def next_status(step: Step) -> str:
    return TRANSITIONS[step][1]


def may_approve(reviewer_id: int | None, approver_id: int) -> bool:
    """Maker-checker: a run is approved by someone other than its reviewer."""
    return reviewer_id is not None and reviewer_id != approver_id
