"""The application path of Art 28 and the cross-area routing of Art 30, as
pure functions and tables: no database, no settings.

Every application kind walks the same explicit state machine; the table
``TRANSITIONS`` is the whole of it. A step that an office must finish within
a number of working days names the policy key of that deadline and the
level of the office responsible for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Kind(StrEnum):
    SUBSIDY = "subsidy"  # 服务资助申请 (Art 26–28)
    OWN_COST = "own_cost"  # services at the elder's own cost (Art 16)
    REASSESSMENT = "reassessment"  # 动态评估 after a change of condition (Art 20)
    OBJECTION = "objection"  # 复核 of a decided application (Art 28)


class Status(StrEnum):
    RECEIVED = "received"  # at the window, awaiting the street's initial check
    RETURNED = "returned"  # returned to the applicant for missing materials
    DISTRICT_VERIFICATION = "district_verification"  # verification and assessment
    RE_REVIEW = "re_review"  # an objection under re-review
    APPROVED = "approved"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class Action(StrEnum):
    RECEIVE = "receive"
    PASS_INITIAL_CHECK = "pass_initial_check"
    RETURN_FOR_MATERIALS = "return_for_materials"
    RESUBMIT = "resubmit"
    WITHDRAW = "withdraw"
    APPROVE = "approve"
    REFUSE = "refuse"


class Level(StrEnum):
    STREET = "street"
    DISTRICT = "district"


@dataclass(frozen=True)
class Step:
    """An open step: who must act, and the deadline key (None: no clock)."""

    office: Level | None
    deadline_key: str | None


STEPS: dict[Status, Step] = {
    Status.RECEIVED: Step(Level.STREET, "deadline.initial_check"),
    # The applicant holds the file; no office clock runs.
    Status.RETURNED: Step(None, None),
    Status.DISTRICT_VERIFICATION: Step(Level.DISTRICT, "deadline.district_verification"),
    Status.RE_REVIEW: Step(Level.DISTRICT, "deadline.re_review"),
}

FINAL = frozenset({Status.APPROVED, Status.REFUSED, Status.WITHDRAWN})

# (kind family, from, action) -> to. Objections have their own short path:
# received straight into re-review, decided once and for all.
_WINDOW_PATH = {
    (Status.RECEIVED, Action.PASS_INITIAL_CHECK): Status.DISTRICT_VERIFICATION,
    (Status.RECEIVED, Action.RETURN_FOR_MATERIALS): Status.RETURNED,
    (Status.RETURNED, Action.RESUBMIT): Status.RECEIVED,
    (Status.RECEIVED, Action.WITHDRAW): Status.WITHDRAWN,
    (Status.RETURNED, Action.WITHDRAW): Status.WITHDRAWN,
    (Status.DISTRICT_VERIFICATION, Action.APPROVE): Status.APPROVED,
    (Status.DISTRICT_VERIFICATION, Action.REFUSE): Status.REFUSED,
}
_OBJECTION_PATH = {
    (Status.RE_REVIEW, Action.APPROVE): Status.APPROVED,
    (Status.RE_REVIEW, Action.REFUSE): Status.REFUSED,
    (Status.RE_REVIEW, Action.WITHDRAW): Status.WITHDRAWN,
}
TRANSITIONS: dict[Kind, dict[tuple[Status, Action], Status]] = {
    Kind.SUBSIDY: _WINDOW_PATH,
    Kind.OWN_COST: _WINDOW_PATH,
    Kind.REASSESSMENT: _WINDOW_PATH,
    Kind.OBJECTION: _OBJECTION_PATH,
}

# Which office level may take each action.
ACTION_LEVEL: dict[Action, Level] = {
    Action.PASS_INITIAL_CHECK: Level.STREET,
    Action.RETURN_FOR_MATERIALS: Level.STREET,
    Action.RESUBMIT: Level.STREET,
    Action.WITHDRAW: Level.STREET,
    Action.APPROVE: Level.DISTRICT,
    Action.REFUSE: Level.DISTRICT,
}

# Actions whose reason is required (it goes to the applicant or the file).
REASON_REQUIRED = frozenset({Action.RETURN_FOR_MATERIALS, Action.REFUSE, Action.WITHDRAW})


def initial_status(kind: Kind) -> Status:
    return Status.RE_REVIEW if kind == Kind.OBJECTION else Status.RECEIVED


def next_status(kind: Kind, current: Status, action: Action) -> Status | None:
    """The status ``action`` leads to from ``current``, or None if not allowed."""
    return TRANSITIONS[kind].get((current, action))


def allowed_actions(kind: Kind, current: Status) -> list[Action]:
    return [action for (status, action) in TRANSITIONS[kind] if status == current]


@dataclass(frozen=True)
class Route:
    """Who does what for one application under Art 28 and Art 30.

    Streets and districts are given by any hashable key (ids in practice).
    """

    receiving_street: object  # where the application must be handed in
    checking_street: object  # who does the initial check
    service_street: object  # who picks the provider and follows up
    paying_district: object  # whose civil-affairs bureau pays
    case: str  # "local", "same_district", "cross_district", "non_local"
    entrustment_required: bool  # Art 30(2): an entrustment agreement is signed


def route(*, kind: Kind, hukou_street, hukou_district, residence_street,
          residence_district) -> Route:
    """Route an application by the elder's hukou and residence (Art 16, 28, 30).

    Subsidy applications go to the hukou street (Art 28); where hukou and
    residence lie in one district but different streets, to the residence
    street, with the hukou street doing the initial check (Art 30(1)); across
    districts, to the hukou street, which picks a provider near the residence
    under an entrustment agreement (Art 30(2)). Services at own cost and
    non-local elders go to the residence street (Art 16).
    """
    if hukou_street is None or kind == Kind.OWN_COST:
        return Route(residence_street, residence_street, residence_street, residence_district,
                     "non_local" if hukou_street is None else "own_cost", False)
    if hukou_street == residence_street:
        return Route(hukou_street, hukou_street, hukou_street, hukou_district, "local", False)
    if hukou_district == residence_district:
        return Route(residence_street, hukou_street, residence_street, hukou_district,
                     "same_district", False)
    return Route(hukou_street, hukou_street, hukou_street, hukou_district, "cross_district",
                 True)


CASE_LABELS = {
    "local": _("Hukou and residence in the same street"),
    "same_district": _("Same district, different streets (Art 30(1))"),
    "cross_district": _("Different districts, entrustment agreement (Art 30(2))"),
    "non_local": _("Non-local hukou: services at own cost (Art 16)"),
    "own_cost": _("Services at own cost (Art 16)"),
}
