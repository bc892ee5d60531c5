"""Complaint services: numbering, the answer deadline in working days, the
links checked, and the transitions with their field errors."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.complaints import rules, services
from apps.complaints.models import Complaint, ComplaintStatus
from apps.visits.models import FollowUp
from tests.complaints.factories import make_complaint
from tests.factories import ElderFactory, ProviderFactory, RegionFactory
from tests.visits.factories import local, make_visit, world

pytestmark = pytest.mark.django_db


def code_of(error: ValidationError, field: str) -> str:
    return error.error_dict[field][0].code


def test_complaints_are_numbered_per_district_and_year(tree):
    first = make_complaint(tree["street"])
    second = make_complaint(tree["sibling"])
    other = make_complaint(tree["other_street"])
    next_year = make_complaint(tree["street"], received_on=date(2026, 1, 5))
    code = tree["district"].code
    assert first.reference == f"TS-{code}-2025-0001"
    assert second.reference == f"TS-{code}-2025-0002"
    assert other.reference == f"TS-{tree['other_district'].code}-2025-0001"
    assert next_year.reference == f"TS-{code}-2026-0001"


def test_numbering_goes_past_9999(tree):
    code = tree["district"].code
    Complaint.objects.create(
        reference=f"TS-{code}-2025-9999", provider=ProviderFactory(region=tree["district"]),
        street=tree["street"], received_on=date(2025, 9, 1), source="phone",
        category="other", description="x")
    assert make_complaint(tree["street"]).reference == f"TS-{code}-2025-10000"


def test_the_answer_is_due_in_working_days_across_national_day(tree):
    # received Friday 26 September 2025: 15 working days, 1–8 October off,
    # Sunday 28 September and Saturday 11 October worked
    complaint = make_complaint(tree["street"], received_on=date(2025, 9, 26))
    assert complaint.due_on == date(2025, 10, 23)
    assert complaint.status == ComplaintStatus.OPEN


def test_the_street_defaults_to_the_elders_residence(tree):
    elder = ElderFactory(residence_street=tree["sibling"], hukou_street=tree["street"])
    complaint = services.record_complaint(
        provider=ProviderFactory(region=tree["district"]), elder=elder,
        received_on=date(2025, 9, 26), source="window", category="attitude",
        description="Rude")
    assert complaint.street == tree["sibling"]


def test_the_elder_defaults_to_the_visits():
    w = world()
    visit = make_visit(w, check_in_at=local(date(2025, 9, 3)))
    complaint = services.record_complaint(
        provider=w.provider, visit=visit, received_on=date(2025, 9, 26), source="phone",
        category="time", description="Left after 20 minutes")
    assert (complaint.elder, complaint.street) == (w.elder, w.street)


@pytest.mark.parametrize(("change", "field", "code"), [
    ({"street": "district"}, "street", "not_a_street"),
    ({"street": None}, "street", "required"),
    ({"received_on": "tomorrow"}, "received_on", "future_date"),
    ({"description": "  "}, "description", "required"),
    ({"category": "bogus"}, "category", "invalid_choice"),
])
def test_recording_is_refused_with_field_errors(tree, change, field, code):
    arguments = {"provider": ProviderFactory(region=tree["district"]),
                 "street": tree["street"], "received_on": date(2025, 9, 26),
                 "source": "phone", "category": "quality", "description": "Cold meals"}
    arguments.update(change)
    if change.get("street") == "district":
        arguments["street"] = tree["district"]
    if change.get("received_on") == "tomorrow":
        arguments["received_on"] = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.record_complaint(**arguments)
    assert code_of(error.value, field) == code
    assert not Complaint.objects.exists()


def test_a_visit_of_another_elder_or_provider_is_refused():
    w = world()
    visit = make_visit(w, check_in_at=local(date(2025, 9, 3)))
    with pytest.raises(ValidationError) as error:
        services.record_complaint(provider=w.provider, visit=visit,
                                  elder=ElderFactory(residence_street=w.street),
                                  received_on=date(2025, 9, 26), source="phone",
                                  category="time", description="x")
    assert code_of(error.value, "visit") == "visit_elder"
    with pytest.raises(ValidationError) as error:
        services.record_complaint(provider=ProviderFactory(region=w.district), visit=visit,
                                  received_on=date(2025, 9, 26), source="phone",
                                  category="time", description="x")
    assert code_of(error.value, "visit") == "visit_provider"


def test_a_follow_up_opens_one_complaint_only():
    w = world()
    visit = make_visit(w, check_in_at=local(date(2025, 9, 3)))
    follow_up = FollowUp.objects.create(visit=visit, month=date(2025, 9, 1), street=w.street)
    arguments = {"provider": w.provider, "visit": visit, "follow_up": follow_up,
                 "received_on": date(2025, 10, 9), "source": "follow_up",
                 "category": "quality", "description": "x"}
    services.record_complaint(**arguments)
    with pytest.raises(ValidationError) as error:
        services.record_complaint(**arguments)
    assert code_of(error.value, "follow_up") == "already_recorded"


def test_a_complaint_is_taken_up_once(tree, street_user):
    complaint = make_complaint(tree["street"])
    services.start_handling(complaint=complaint, by=street_user,
                            provider_response="The provider apologises")
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.INVESTIGATING
    assert complaint.handled_by == street_user
    assert complaint.provider_response == "The provider apologises"
    with pytest.raises(ValidationError) as error:
        services.start_handling(complaint=complaint, by=street_user)
    assert code_of(error.value, "status") == "not_open"


def test_an_upheld_complaint_is_resolved(tree, street_user):
    complaint = make_complaint(tree["street"])
    services.start_handling(complaint=complaint, by=street_user)
    services.resolve(complaint=complaint, resolution="Meals reheated; staff retrained",
                     upheld=True, closed_on=date(2025, 10, 10), by=street_user)
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RESOLVED
    assert complaint.upheld is True
    assert complaint.closed_on == date(2025, 10, 10)


def test_a_complaint_not_upheld_is_closed_unfounded_straight_from_open(tree, street_user):
    complaint = make_complaint(tree["street"])
    services.resolve(complaint=complaint, resolution="The visit log and the elder agree",
                     upheld=False, closed_on=date(2025, 9, 30), by=street_user)
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.CLOSED_UNFOUNDED
    assert complaint.handled_by == street_user


@pytest.mark.parametrize(("change", "field", "code"), [
    ({"upheld": None}, "upheld", "required"),
    ({"resolution": ""}, "resolution", "required"),
    ({"closed_on": date(2025, 9, 1)}, "closed_on", "before_received"),
    ({"closed_on": "tomorrow"}, "closed_on", "future_date"),
])
def test_resolving_is_refused_with_field_errors(tree, street_user, change, field, code):
    complaint = make_complaint(tree["street"])
    arguments = {"resolution": "Done", "upheld": True, "closed_on": date(2025, 10, 1)}
    arguments.update(change)
    if change.get("closed_on") == "tomorrow":
        arguments["closed_on"] = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.resolve(complaint=complaint, by=street_user, **arguments)
    assert code_of(error.value, field) == code
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.OPEN


def test_a_closed_complaint_cannot_be_resolved_taken_up_or_changed(tree, street_user):
    complaint = make_complaint(tree["street"])
    services.resolve(complaint=complaint, resolution="Done", upheld=True,
                     closed_on=date(2025, 10, 1), by=street_user)
    with pytest.raises(ValidationError) as error:
        services.resolve(complaint=complaint, resolution="Again", upheld=False,
                         closed_on=date(2025, 10, 2), by=street_user)
    assert code_of(error.value, "status") == "already_closed"
    with pytest.raises(ValidationError) as error:
        services.start_handling(complaint=complaint, by=street_user)
    assert code_of(error.value, "status") == "not_open"
    with pytest.raises(ValidationError) as error:
        services.update_complaint(complaint=complaint, category="other", description="x")
    assert code_of(error.value, "status") == "closed"


def test_an_open_complaint_can_be_corrected(tree):
    complaint = make_complaint(tree["street"])
    services.update_complaint(complaint=complaint, category="safety",
                              description="The heater was left on",
                              complainant_name="Daughter", complainant_phone="13800001111")
    complaint.refresh_from_db()
    assert complaint.category == "safety"
    assert complaint.complainant_phone == "13800001111"


@pytest.mark.parametrize(("current", "target", "allowed"), [
    ("open", "investigating", True),
    ("open", "resolved", True),
    ("investigating", "unfounded", True),
    ("investigating", "open", False),
    ("resolved", "investigating", False),
    ("unfounded", "resolved", False),
])
def test_transitions(current, target, allowed):
    assert rules.allowed_transition(current, target) is allowed


def test_overdue_is_open_after_the_due_day():
    today = date(2025, 10, 24)
    assert rules.is_overdue("open", date(2025, 10, 23), today)
    assert rules.is_overdue("investigating", date(2025, 10, 23), today)
    assert not rules.is_overdue("open", date(2025, 10, 24), today)
    assert not rules.is_overdue("resolved", date(2025, 10, 23), today)


def test_a_street_of_another_district_gets_its_own_number():
    district = RegionFactory.district()
    street = RegionFactory.street(district)
    assert make_complaint(street).reference.startswith(f"TS-{district.code}-2025-")
