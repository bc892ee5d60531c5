"""Follow-up calls (回访): sampling a month's share of the visits, recording
what the call found (a finding for "not received", a complaint for
"complaint"), and the task."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.complaints.models import Complaint, ComplaintSource
from apps.findings.models import Finding
from apps.visits.followups import record_follow_up, sample_month, sample_target
from apps.visits.models import FollowUp, FollowUpStatus
from apps.visits.tasks import sample_follow_ups_task
from tests.factories import RegionFactory
from tests.visits.factories import add_elder, local, make_visit, world

pytestmark = pytest.mark.django_db

SEPTEMBER = date(2025, 9, 1)


def visits_in_september(w, count, *, elder=None):
    """``count`` visits of the world's elder (or ``elder``), one a day, 9:00."""
    return [make_visit(w, elder=elder, check_in_at=local(SEPTEMBER + timedelta(days=i % 30),
                                                         9 + i // 30))
            for i in range(count)]


@pytest.mark.parametrize(("total", "share", "expected"), [
    (0, Decimal("0.05"), 0),
    (1, Decimal("0.05"), 1),
    (19, Decimal("0.05"), 1),
    (21, Decimal("0.05"), 2),
    (40, Decimal("0.05"), 2),
    (41, Decimal("0.05"), 3),
    (10, Decimal("0.25"), 3),
    (3, Decimal("2"), 3),
    (50, Decimal("0"), 0),  # a district that set the share to 0 calls no one
])
def test_the_target_is_the_share_rounded_up_and_at_least_one(total, share, expected):
    assert sample_target(total, share) == expected


def test_a_month_samples_the_policy_share_rounded_up():
    # given 30 September visits in the district (the seeded share is 5 %)
    w = world()
    visits_in_september(w, 30)
    # when the month is sampled
    created = sample_month(w.district, SEPTEMBER, seed=1, today=date(2025, 10, 9))
    # then 5 % of 30, rounded up, are assigned to the elder's street
    assert created == 2
    calls = FollowUp.objects.filter(month=SEPTEMBER)
    assert calls.count() == 2
    assert {c.street_id for c in calls} == {w.street.pk}
    assert {c.status for c in calls} == {FollowUpStatus.PENDING}


def test_a_month_with_few_visits_still_gets_one_call():
    w = world()
    visits_in_september(w, 3)
    assert sample_month(w.district, SEPTEMBER, seed=2, today=date(2025, 10, 9)) == 1


def test_a_month_without_visits_gets_none():
    w = world()
    make_visit(w, check_in_at=local(date(2025, 8, 20)))
    assert sample_month(w.district, SEPTEMBER, today=date(2025, 10, 9)) == 0
    assert not FollowUp.objects.exists()


def test_only_the_districts_current_visits_of_the_month_are_sampled():
    # given one visit of the district in September, a superseded version,
    # a visit in August, and a September visit in another district
    w = world()
    old = make_visit(w, check_in_at=local(date(2025, 9, 3)), is_current=False)
    make_visit(w, check_in_at=local(date(2025, 9, 3), 14), provider_visit_id=old.provider_visit_id,
               version=2, supersedes=old)
    make_visit(w, check_in_at=local(date(2025, 8, 3)))
    other = world()
    make_visit(other, check_in_at=local(date(2025, 9, 4)))
    # when the district is sampled with every visit to be called
    created = sample_month(w.district, SEPTEMBER, share=Decimal("1"), today=date(2025, 10, 9))
    # then only the current September version of its own visit is called
    assert created == 1
    call = FollowUp.objects.get()
    assert call.visit.version == 2
    assert call.visit.provider_id == w.provider.pk


def test_an_explicit_share_overrides_the_policy():
    w = world()
    visits_in_september(w, 10)
    assert sample_month(w.district, SEPTEMBER, share=Decimal("0.25"), seed=3,
                        today=date(2025, 10, 9)) == 3


def test_sampling_again_tops_up_instead_of_doubling():
    # given a sampled month
    w = world()
    visits_in_september(w, 30)
    assert sample_month(w.district, SEPTEMBER, seed=4, today=date(2025, 10, 9)) == 2
    # when it is sampled again: nothing more
    assert sample_month(w.district, SEPTEMBER, seed=5, today=date(2025, 10, 9)) == 0
    # and after 20 late visits came in (50 in all: 3 wanted), one more
    visits_in_september(w, 20, elder=add_elder(w)["elder"])
    assert sample_month(w.district, SEPTEMBER, seed=6, today=date(2025, 10, 9)) == 1
    assert FollowUp.objects.filter(month=SEPTEMBER).count() == 3
    # never the same visit twice
    assert FollowUp.objects.values("visit").distinct().count() == 3


def test_a_corrected_visit_already_called_is_not_called_again():
    # given a called visit that was later corrected (a new current version)
    w = world()
    old = make_visit(w, check_in_at=local(date(2025, 9, 3)))
    assert sample_month(w.district, SEPTEMBER, share=Decimal("1"), today=date(2025, 10, 9)) == 1
    type(old).objects.filter(pk=old.pk).update(is_current=False)
    make_visit(w, check_in_at=local(date(2025, 9, 3), 14),
               provider_visit_id=old.provider_visit_id, version=2, supersedes=old)
    # when the month is sampled again with every visit wanted
    created = sample_month(w.district, SEPTEMBER, share=Decimal("1"), today=date(2025, 10, 9))
    # then the new version of the same visit is not called a second time
    assert created == 0


def test_the_same_seed_picks_the_same_visits():
    w = world()
    visits_in_september(w, 40)
    sample_month(w.district, SEPTEMBER, share=Decimal("0.1"), seed=42, today=date(2025, 10, 9))
    first = set(FollowUp.objects.values_list("visit", flat=True))
    FollowUp.objects.all().delete()
    sample_month(w.district, SEPTEMBER, share=Decimal("0.1"), seed=42, today=date(2025, 10, 9))
    assert set(FollowUp.objects.values_list("visit", flat=True)) == first


def test_the_call_is_due_in_working_days_across_national_day():
    # given September sampled on 30 September 2025, the eve of the National
    # Day holiday (1–8 October off, Saturday 11 October worked)
    w = world()
    visits_in_september(w, 2)
    sample_month(w.district, SEPTEMBER, today=date(2025, 9, 30))
    # then the call is due 10 working days later, the holiday not counted
    assert FollowUp.objects.get().due_on == date(2025, 10, 21)


def test_the_monthly_task_samples_every_district():
    a, b = world(), world()
    visits_in_september(a, 3)
    visits_in_september(b, 25)
    result = sample_follow_ups_task.apply(kwargs={"month": "2025-09"}).get()
    assert result["created"][a.district.code] == 1
    assert result["created"][b.district.code] == 2
    assert result["total"] == 3


def test_the_task_samples_on_the_first_and_tops_up_for_late_visits():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["sample-follow-ups"]
    assert entry["task"] == "apps.visits.tasks.sample_follow_ups_task"
    assert entry["schedule"].day_of_month == {1, 10, 20}


# --- recording a call ------------------------------------------------------------


@pytest.fixture
def call(db):
    """A pending call about a visit of 3 September 2025, 45 minutes."""
    w = world()
    visit = make_visit(w, check_in_at=local(date(2025, 9, 3), 9))
    follow_up = FollowUp.objects.create(visit=visit, month=SEPTEMBER, street=w.street,
                                        due_on=date(2025, 10, 21))
    return w, follow_up


CALLED = local(date(2025, 10, 9), 10)


def test_a_confirmed_call_is_done_with_its_satisfaction(call, street_user):
    _w, follow_up = call
    result = record_follow_up(follow_up=follow_up, outcome="confirmed", satisfaction=5,
                              note="", user=street_user, called_at=CALLED)
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.DONE
    assert (follow_up.outcome, follow_up.satisfaction) == ("confirmed", 5)
    assert follow_up.called_by == street_user
    assert result.finding is None
    assert result.complaint is None
    assert not Finding.objects.exists()
    assert not Complaint.objects.exists()


def test_not_received_raises_exactly_one_finding_with_amount_and_evidence(call, street_user):
    # given a pending call about a visit of 50.00
    w, follow_up = call
    visit = follow_up.visit
    # when the elder says the service was not received
    result = record_follow_up(follow_up=follow_up, outcome="not_received", satisfaction=1,
                              note="Nobody came that day", user=street_user, called_at=CALLED)
    # then one finding is raised for the district, with the visit's amount
    finding = Finding.objects.get()
    assert result.finding == finding
    assert finding.rule == "followup_not_received"
    assert finding.source_key == f"followup:{follow_up.pk}"
    assert finding.district == w.district
    assert finding.month == SEPTEMBER
    assert (finding.provider, finding.elder, finding.visit) == (w.provider, w.elder, visit)
    assert finding.amount == visit.amount == Decimal("50.00")
    assert finding.status == "open"
    # and the evidence names the visit and the call
    evidence = finding.evidence
    assert evidence["visit_id"] == visit.pk
    assert evidence["service_date"] == "2025-09-03"
    assert evidence["service_item"] == w.rehab.name
    assert evidence["caregiver"] == w.caregiver.name
    assert evidence["check_in_at"].startswith("2025-09-03T09:00")
    assert evidence["check_out_at"].startswith("2025-09-03T09:45")
    assert (evidence["check_in_method"], evidence["check_out_method"]) == ("card", "card")
    assert evidence["called_at"].startswith("2025-10-09T10:00")
    assert evidence["called_by"] == street_user.username
    assert evidence["note"] == "Nobody came that day"
    assert w.provider.name in finding.summary


def test_a_finding_is_raised_once_even_if_raised_again(call, street_user):
    from apps.visits.followups import _raise_not_received

    _w, follow_up = call
    record_follow_up(follow_up=follow_up, outcome="not_received", satisfaction=1,
                     note="老人称当天无人上门。",
                     user=street_user, called_at=CALLED)
    follow_up.refresh_from_db()
    _finding, created = _raise_not_received(follow_up, follow_up.visit)
    assert created is False
    assert Finding.objects.count() == 1


def test_a_complaint_outcome_opens_a_complaint(call, street_user):
    w, follow_up = call
    result = record_follow_up(follow_up=follow_up, outcome="complaint", satisfaction=2,
                              note="The caregiver was rude", user=street_user,
                              called_at=CALLED, complaint_category="attitude")
    complaint = Complaint.objects.get()
    assert result.complaint == complaint
    assert complaint.source == ComplaintSource.FOLLOW_UP
    assert complaint.follow_up == follow_up
    assert (complaint.visit, complaint.elder, complaint.provider) == (
        follow_up.visit, w.elder, w.provider)
    assert complaint.street == w.street
    assert complaint.category == "attitude"
    assert complaint.description == "The caregiver was rude"
    assert complaint.received_on == date(2025, 10, 9)
    assert complaint.recorded_by == street_user
    assert not Finding.objects.exists()


def test_a_complaint_needs_its_words(call, street_user):
    _w, follow_up = call
    with pytest.raises(ValidationError) as error:
        record_follow_up(follow_up=follow_up, outcome="complaint", satisfaction=2, note="",
                         user=street_user, called_at=CALLED)
    assert error.value.error_dict["note"][0].code == "required"
    assert not Complaint.objects.exists()


def test_a_done_call_cannot_be_recorded_again(call, street_user):
    _w, follow_up = call
    record_follow_up(follow_up=follow_up, outcome="partly", satisfaction=3, note="",
                     user=street_user, called_at=CALLED)
    with pytest.raises(ValidationError) as error:
        record_follow_up(follow_up=follow_up, outcome="not_received", satisfaction=1, note="",
                         user=street_user, called_at=CALLED)
    assert error.value.error_dict["status"][0].code == "already_done"
    follow_up.refresh_from_db()
    assert follow_up.outcome == "partly"
    assert not Finding.objects.exists()


def test_an_unreachable_elder_needs_a_note_and_may_be_tried_again(call, street_user):
    _w, follow_up = call
    with pytest.raises(ValidationError) as error:
        record_follow_up(follow_up=follow_up, user=street_user, called_at=CALLED,
                         unreachable=True)
    assert error.value.error_dict["note"][0].code == "required"
    record_follow_up(follow_up=follow_up, user=street_user, called_at=CALLED,
                     unreachable=True, note="No answer at 10:00")
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.UNREACHABLE
    assert follow_up.outcome == ""
    # tried again the next day, the call is done
    record_follow_up(follow_up=follow_up, outcome="confirmed", satisfaction=4,
                     user=street_user, called_at=CALLED + timedelta(days=1))
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.DONE


@pytest.mark.parametrize(("kwargs", "field", "code"), [
    ({"outcome": "", "satisfaction": 4}, "outcome", "required"),
    ({"outcome": "maybe", "satisfaction": 4}, "outcome", "required"),
    ({"outcome": "confirmed", "satisfaction": None}, "satisfaction", "required"),
    ({"outcome": "partly", "satisfaction": None}, "satisfaction", "required"),
    ({"outcome": "not_received", "satisfaction": None, "note": ""}, "note", "required"),
    ({"outcome": "confirmed", "satisfaction": 6}, "satisfaction", "out_of_range"),
    ({"outcome": "confirmed", "satisfaction": 0}, "satisfaction", "out_of_range"),
])
def test_a_call_is_refused_with_field_errors(call, street_user, kwargs, field, code):
    _w, follow_up = call
    with pytest.raises(ValidationError) as error:
        record_follow_up(follow_up=follow_up, user=street_user, called_at=CALLED, **kwargs)
    assert error.value.error_dict[field][0].code == code


def test_a_call_cannot_be_in_the_future_or_before_the_visit(call, street_user):
    _w, follow_up = call
    with pytest.raises(ValidationError) as error:
        record_follow_up(follow_up=follow_up, outcome="confirmed", satisfaction=4,
                         user=street_user, called_at=timezone.now() + timedelta(hours=1))
    assert error.value.error_dict["called_at"][0].code == "future"
    with pytest.raises(ValidationError) as error:
        record_follow_up(follow_up=follow_up, outcome="confirmed", satisfaction=4,
                         user=street_user, called_at=local(date(2025, 9, 3), 9, 30))
    assert error.value.error_dict["called_at"][0].code == "before_visit"


def test_a_refused_complaint_rolls_the_whole_call_back(call, street_user):
    # given a complaint the complaint service refuses (an unknown category)
    _w, follow_up = call
    with pytest.raises(ValidationError) as error:
        record_follow_up(follow_up=follow_up, outcome="complaint", satisfaction=2,
                         note="Rude", user=street_user, called_at=CALLED,
                         complaint_category="bogus")
    assert "category" in error.value.error_dict
    # then neither the call nor a complaint is stored
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.PENDING
    assert not Complaint.objects.exists()


def test_the_district_of_a_finding_is_the_elders_residence(street_user):
    # an elder living in the world's street with a hukou elsewhere
    w = world()
    elsewhere = RegionFactory.street(RegionFactory.district())
    elder = add_elder(w, local_hukou=False)["elder"]
    elder.hukou_street = elsewhere
    elder.save(update_fields=["hukou_street"])
    visit = make_visit(w, elder=elder, agreement=elder.service_agreements.get(),
                       check_in_at=local(date(2025, 9, 3)))
    follow_up = FollowUp.objects.create(visit=visit, month=SEPTEMBER, street=w.street)
    record_follow_up(follow_up=follow_up, outcome="not_received", satisfaction=1,
                     note="老人称未获服务。", user=street_user, called_at=CALLED)
    assert Finding.objects.get().district == w.district


def test_a_service_not_received_is_not_rated(call, street_user):
    # nothing was received, so nothing is rated; what the elder said is the evidence
    _w, follow_up = call
    result = record_follow_up(follow_up=follow_up, outcome="not_received", satisfaction=None,
                              note="老人称当月无人上门。", user=street_user, called_at=CALLED)
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.satisfaction) == (FollowUpStatus.DONE, None)
    assert result.finding.evidence["note"] == "老人称当月无人上门。"
