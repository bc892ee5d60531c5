"""The state machine and the Art 30 routing, without a database."""

import pytest

from apps.applications import rules
from apps.applications.rules import Action, Kind, Status

WINDOW_KINDS = [Kind.SUBSIDY, Kind.OWN_COST, Kind.REASSESSMENT]


@pytest.mark.parametrize("kind", WINDOW_KINDS)
@pytest.mark.parametrize(
    ("current", "action", "expected"),
    [
        (Status.RECEIVED, Action.PASS_INITIAL_CHECK, Status.DISTRICT_VERIFICATION),
        (Status.RECEIVED, Action.RETURN_FOR_MATERIALS, Status.RETURNED),
        (Status.RETURNED, Action.RESUBMIT, Status.RECEIVED),
        (Status.RECEIVED, Action.WITHDRAW, Status.WITHDRAWN),
        (Status.DISTRICT_VERIFICATION, Action.APPROVE, Status.APPROVED),
        (Status.DISTRICT_VERIFICATION, Action.REFUSE, Status.REFUSED),
        # out of order
        (Status.RECEIVED, Action.APPROVE, None),
        (Status.RETURNED, Action.PASS_INITIAL_CHECK, None),
        (Status.DISTRICT_VERIFICATION, Action.RETURN_FOR_MATERIALS, None),
        (Status.DISTRICT_VERIFICATION, Action.WITHDRAW, None),
    ],
)
def test_window_path(kind, current, action, expected):
    assert rules.next_status(kind, current, action) == expected


@pytest.mark.parametrize("kind", list(Kind))
@pytest.mark.parametrize("final", sorted(rules.FINAL))
def test_nothing_leaves_a_final_status(kind, final):
    assert rules.allowed_actions(kind, final) == []


def test_objection_starts_in_re_review_and_is_decided_once():
    assert rules.initial_status(Kind.OBJECTION) == Status.RE_REVIEW
    assert set(rules.allowed_actions(Kind.OBJECTION, Status.RE_REVIEW)) == {
        Action.APPROVE, Action.REFUSE, Action.WITHDRAW}
    assert rules.next_status(Kind.OBJECTION, Status.RE_REVIEW, Action.PASS_INITIAL_CHECK) is None


def test_every_clocked_step_names_a_deadline_and_an_office():
    assert rules.STEPS[Status.RECEIVED] == rules.Step(rules.Level.STREET,
                                                      "deadline.initial_check")
    assert rules.STEPS[Status.DISTRICT_VERIFICATION].deadline_key == (
        "deadline.district_verification")
    assert rules.STEPS[Status.RE_REVIEW].deadline_key == "deadline.re_review"
    assert rules.STEPS[Status.RETURNED].office is None


def test_every_status_a_transition_reaches_is_open_or_final():
    reached = {to for table in rules.TRANSITIONS.values() for to in table.values()}
    assert reached <= set(rules.STEPS) | rules.FINAL


@pytest.mark.parametrize(
    ("hukou", "hukou_district", "residence", "residence_district", "kind", "expected"),
    [
        # hukou and residence in one street: everything there
        ("A", "D1", "A", "D1", Kind.SUBSIDY, ("A", "A", "A", "D1", "local", False)),
        # Art 30(1): same district, other street: hand in at residence, hukou checks
        ("A", "D1", "B", "D1", Kind.SUBSIDY, ("B", "A", "B", "D1", "same_district", False)),
        # Art 30(2): other district: hukou street, entrustment, hukou district pays
        ("A", "D1", "C", "D2", Kind.SUBSIDY, ("A", "A", "A", "D1", "cross_district", True)),
        ("A", "D1", "C", "D2", Kind.REASSESSMENT,
         ("A", "A", "A", "D1", "cross_district", True)),
        # Art 16: non-local hukou and services at own cost go to the residence street
        (None, None, "B", "D1", Kind.OWN_COST, ("B", "B", "B", "D1", "non_local", False)),
        ("A", "D1", "C", "D2", Kind.OWN_COST, ("C", "C", "C", "D2", "own_cost", False)),
    ],
)
def test_route_follows_art_28_and_30(hukou, hukou_district, residence, residence_district,
                                     kind, expected):
    route = rules.route(kind=kind, hukou_street=hukou, hukou_district=hukou_district,
                        residence_street=residence, residence_district=residence_district)
    assert (route.receiving_street, route.checking_street, route.service_street,
            route.paying_district, route.case, route.entrustment_required) == expected
