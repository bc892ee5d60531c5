"""The follow-up screens: the street's queue, the call page (the phone
shown there only, and logged), the district's overview and "sample now"."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.audit.models import AccessLog
from apps.findings.models import Finding
from apps.visits.models import FollowUp, FollowUpStatus
from tests.core.scope_walk import almighty
from tests.factories import staff
from tests.visits.factories import local, make_visit, world

pytestmark = pytest.mark.django_db

SEPTEMBER = date(2025, 9, 1)


@pytest.fixture
def place(tree):
    """A world in the tree's first street, with two calls there: one overdue,
    one due later; and one call in the sibling street."""
    w = world(district=tree["district"], street=tree["street"])
    w.elder.phone = "13912345678"
    w.elder.save(update_fields=["phone"])
    today = timezone.localdate()
    overdue = FollowUp.objects.create(
        visit=make_visit(w, check_in_at=local(date(2025, 9, 3))), month=SEPTEMBER,
        street=tree["street"], due_on=today - timedelta(days=2))
    later = FollowUp.objects.create(
        visit=make_visit(w, check_in_at=local(date(2025, 9, 4))), month=SEPTEMBER,
        street=tree["street"], due_on=today + timedelta(days=5))
    s = world(district=tree["district"], street=tree["sibling"])
    sibling = FollowUp.objects.create(
        visit=make_visit(s, check_in_at=local(date(2025, 9, 5))), month=SEPTEMBER,
        street=tree["sibling"], due_on=today + timedelta(days=1))
    return {"world": w, "overdue": overdue, "later": later, "sibling": sibling,
            "sibling_world": s}


def test_the_street_queue_lists_its_calls_by_due_date_and_marks_the_overdue(
        client, street_user, place):
    client.force_login(street_user)
    response = client.get(reverse("visits:followup_list"))
    assert response.status_code == 200
    rows = list(response.context["object_list"])
    assert rows == [place["overdue"], place["later"]]
    html = response.content.decode()
    assert f'data-pk="{place["overdue"].pk}" data-status="pending" data-overdue="1"' in html
    assert f'data-pk="{place["later"].pk}" data-status="pending">' in html
    # no district overview and no phone numbers in the queue
    assert "per-street" not in html
    assert "13912345678" not in html


def test_done_calls_come_after_the_pending_ones(client, street_user, place):
    FollowUp.objects.filter(pk=place["overdue"].pk).update(
        status=FollowUpStatus.DONE, outcome="confirmed", satisfaction=5)
    client.force_login(street_user)
    rows = list(client.get(reverse("visits:followup_list")).context["object_list"])
    assert rows == [place["later"], place["overdue"]]


def test_the_call_page_shows_the_visit_and_the_phone_and_logs_it(client, street_user, place):
    follow_up = place["overdue"]
    client.force_login(street_user)
    response = client.get(reverse("visits:followup_call", args=[follow_up.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "13912345678" in html
    assert place["world"].elder.name in html
    assert place["world"].caregiver.name in html
    assert place["world"].rehab.name in html
    assert 'id="call-form"' in html
    log = AccessLog.objects.get()
    assert log.user == street_user
    assert log.object_type == "elders.elder"
    assert log.object_id == str(place["world"].elder.pk)


def test_recording_not_received_on_the_page_raises_a_finding(client, street_user, place):
    follow_up = place["overdue"]
    client.force_login(street_user)
    called = timezone.localtime().replace(second=0, microsecond=0) - timedelta(hours=1)
    response = client.post(reverse("visits:followup_call", args=[follow_up.pk]), {
        "outcome": "not_received", "satisfaction": "1", "note": "Nobody came",
        "called_at": called.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.DONE
    finding = Finding.objects.get()
    assert finding.amount == follow_up.visit.amount
    # the call page then links the finding and offers no form
    html = client.get(reverse("visits:followup_call", args=[follow_up.pk])).content.decode()
    assert f'href="{reverse("findings:finding_detail", args=[finding.pk])}"' in html
    assert 'id="call-form"' not in html
    # and the street's findings page shows it
    listing = client.get(reverse("findings:finding_list")).content.decode()
    assert f'data-pk="{finding.pk}"' in listing


def test_recording_a_done_call_again_shows_a_form_error(client, street_user, place):
    follow_up = place["overdue"]
    FollowUp.objects.filter(pk=follow_up.pk).update(status=FollowUpStatus.DONE,
                                                    outcome="confirmed", satisfaction=5)
    client.force_login(street_user)
    called = timezone.localtime() - timedelta(hours=1)
    response = client.post(reverse("visits:followup_call", args=[follow_up.pk]), {
        "outcome": "not_received", "satisfaction": "1",
        "called_at": called.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 200
    assert response.context["form"].errors["__all__"]
    assert not Finding.objects.exists()


def test_unreachable_on_the_page_needs_a_note(client, street_user, place):
    follow_up = place["later"]
    client.force_login(street_user)
    called = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    url = reverse("visits:followup_call", args=[follow_up.pk])
    response = client.post(url, {"outcome": "unreachable", "called_at": called})
    assert response.status_code == 200
    assert response.context["form"].errors["note"]
    response = client.post(url, {"outcome": "unreachable", "called_at": called,
                                 "note": "No answer"})
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.UNREACHABLE


def test_a_sibling_street_gets_404_for_the_call(client, tree, place):
    sibling_clerk = staff(Role.STREET_STAFF, region=tree["sibling"])
    client.force_login(sibling_clerk)
    url = reverse("visits:followup_call", args=[place["overdue"].pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"outcome": "confirmed", "satisfaction": "5"}).status_code == 404
    rows = list(client.get(reverse("visits:followup_list")).context["object_list"])
    assert rows == [place["sibling"]]
    assert not AccessLog.objects.filter(object_id=str(place["world"].elder.pk)).exists()


def test_provider_staff_see_no_follow_ups(client, place):
    # even holding every permission, a provider's account sees none
    user = almighty(provider=place["world"].provider)
    client.force_login(user)
    response = client.get(reverse("visits:followup_list"))
    assert list(response.context["object_list"]) == []
    url = reverse("visits:followup_call", args=[place["overdue"].pk])
    assert client.get(url).status_code == 404
    # and their role has no follow-up screen at all
    client.force_login(place["world"].user)
    assert client.get(reverse("visits:followup_list")).status_code == 403


def test_the_district_sees_counts_per_street_and_satisfaction_per_provider(
        client, district_user, place):
    FollowUp.objects.filter(pk=place["later"].pk).update(
        status=FollowUpStatus.DONE, outcome="confirmed", satisfaction=4)
    FollowUp.objects.filter(pk=place["sibling"].pk).update(
        status=FollowUpStatus.DONE, outcome="not_received", satisfaction=1)
    client.force_login(district_user)
    response = client.get(reverse("visits:followup_list"))
    assert len(response.context["object_list"]) == 3
    per_street = {row["street__name"]: row for row in response.context["per_street"]}
    assert per_street["Street A"]["total"] == 2
    assert per_street["Street A"]["overdue"] == 1
    assert per_street["Street A"]["done"] == 1
    assert per_street["Street B"]["done"] == 1
    per_provider = {row["visit__provider__name"]: row
                    for row in response.context["per_provider"]}
    assert per_provider[place["world"].provider.name]["satisfaction"] == 4
    assert per_provider[place["sibling_world"].provider.name]["not_received"] == 1
    html = response.content.decode()
    assert 'id="per-street"' in html
    assert 'id="per-provider"' in html
    assert 'id="sample-now"' in html


def test_the_district_samples_a_month_now(client, tree, district_user):
    w = world(district=tree["district"], street=tree["street"])
    for day in range(1, 4):
        make_visit(w, check_in_at=local(date(2025, 9, day)))
    client.force_login(district_user)
    response = client.post(reverse("visits:followup_sample"), {"month": "2025-09"})
    assert response.status_code == 302
    assert response["Location"].endswith("?month=2025-09")
    assert FollowUp.objects.filter(month=SEPTEMBER, street=tree["street"]).count() == 1
    # a second run tops up to nothing
    client.post(reverse("visits:followup_sample"), {"month": "2025-09"})
    assert FollowUp.objects.count() == 1


def test_a_month_to_come_cannot_be_sampled(client, district_user):
    client.force_login(district_user)
    future = (timezone.localdate() + timedelta(days=40)).strftime("%Y-%m")
    response = client.post(reverse("visits:followup_sample"), {"month": future}, follow=True)
    assert not FollowUp.objects.exists()
    assert "message error" in response.content.decode()


def test_a_street_cannot_sample(client, street_user):
    client.force_login(street_user)
    assert client.post(reverse("visits:followup_sample"),
                       {"month": "2025-09"}).status_code == 403


def test_staff_who_only_read_calls_see_no_phone(client, tree, place):
    # city staff read the follow-ups but make no calls
    city = staff(Role.CITY_STAFF, region=tree["district"].parent)
    client.force_login(city)
    response = client.get(reverse("visits:followup_call", args=[place["overdue"].pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "13912345678" not in html
    assert 'id="call-form"' not in html
