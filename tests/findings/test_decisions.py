"""Deciding a finding: confirmed (with an optional note) or dismissed with
a reason, once, by staff of its district; each decision stored with who and
when and kept in the change history. Every refusal leaves the finding as it
was."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from apps.accounts.roles import Role
from apps.findings import services
from apps.findings.models import FindingStatus
from tests.factories import staff
from tests.findings.conftest import audit, found
from tests.visits.factories import local, make_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def finding(w):
    make_visit(w, check_in_at=local(date(2025, 9, 3)), distance_m=900)
    audit(w)
    return found("far_from_address")[0]


def _code(error: ValidationError, field: str) -> str:
    return error.value.error_dict[field][0].code


def _unchanged(finding):
    finding.refresh_from_db()
    assert (finding.status, finding.decided_by, finding.decided_at,
            finding.decision_reason) == (FindingStatus.OPEN, None, None, "")


def test_confirming_records_who_when_and_the_note(finding, district_user):
    decided = services.confirm(finding=finding, user=district_user, reason=" Seen twice ")

    finding.refresh_from_db()
    assert decided.status == finding.status == FindingStatus.CONFIRMED
    assert finding.decided_by == district_user
    assert finding.decided_at is not None
    assert finding.decision_reason == "Seen twice"


def test_a_confirmation_needs_no_reason(finding, district_user):
    services.confirm(finding=finding, user=district_user)

    finding.refresh_from_db()
    assert (finding.status, finding.decision_reason) == (FindingStatus.CONFIRMED, "")


def test_dismissing_needs_a_reason(finding, district_user):
    with pytest.raises(ValidationError) as error:
        services.dismiss(finding=finding, user=district_user, reason="   ")

    assert _code(error, "decision_reason") == "required"
    _unchanged(finding)


def test_dismissing_with_a_reason(finding, district_user):
    services.dismiss(finding=finding, user=district_user, reason="GPS drift in the lift")

    finding.refresh_from_db()
    assert finding.status == FindingStatus.DISMISSED
    assert finding.decision_reason == "GPS drift in the lift"
    assert finding.decided_by == district_user


@pytest.mark.parametrize(("first", "second"), [("confirm", "dismiss"), ("dismiss", "confirm"),
                                                ("confirm", "confirm")])
def test_a_finding_is_decided_once(finding, district_user, first, second):
    getattr(services, first)(finding=finding, user=district_user, reason="first")
    finding.refresh_from_db()
    before = (finding.status, finding.decided_at, finding.decision_reason)
    other = staff(Role.DISTRICT_STAFF, region=finding.district)

    with pytest.raises(ValidationError) as error:
        getattr(services, second)(finding=finding, user=other, reason="second")

    assert _code(error, "status") == "already_decided"
    finding.refresh_from_db()
    assert (finding.status, finding.decided_at, finding.decision_reason) == before
    assert finding.decided_by == district_user


def test_a_stale_copy_cannot_decide_again(finding, district_user):
    stale = type(finding).objects.get(pk=finding.pk)
    services.confirm(finding=finding, user=district_user)

    with pytest.raises(ValidationError) as error:
        services.dismiss(finding=stale, user=district_user, reason="too late")

    assert _code(error, "status") == "already_decided"


def test_staff_of_another_district_or_a_street_cannot_decide(finding, tree, street_user):
    for user in (staff(Role.DISTRICT_STAFF, region=tree["other_district"]), street_user):
        with pytest.raises(ValidationError) as error:
            services.confirm(finding=finding, user=user)
        assert _code(error, "decided_by") == "out_of_scope"
        with pytest.raises(ValidationError):
            services.dismiss(finding=finding, user=user, reason="not mine")
    _unchanged(finding)


def test_every_decision_is_in_the_change_history(finding, district_user):
    services.dismiss(finding=finding, user=district_user, reason="GPS drift")

    events = list(finding.events.order_by("pgh_id"))
    assert [e.pgh_label for e in events] == ["insert", "update"]
    assert (events[-1].status, events[-1].decided_by_id, events[-1].decision_reason) == (
        FindingStatus.DISMISSED, district_user.pk, "GPS drift")
