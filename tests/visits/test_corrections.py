"""Correcting an accepted visit from the office form: a new version with
its reason, through the intake; the old version stays readable."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.visits import intake
from apps.visits.models import ServiceVisit
from tests.factories import staff
from tests.visits.factories import visit_input, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return world()


@pytest.fixture
def accepted(w):
    row = visit_input(w, notes="康复训练", minutes=45)
    [result] = intake.submit(w.provider, [row], channel="api", user=w.user)
    assert result.outcome == "accepted"
    return ServiceVisit.objects.get(pk=result.visit_id)


def form_data(visit, **changes):
    check_in = timezone.localtime(visit.check_in_at)
    check_out = timezone.localtime(visit.check_out_at)
    data = {"elder": visit.elder_id, "service_item": visit.service_item_id,
            "caregiver": visit.caregiver_id, "check_in_at": f"{check_in:%Y-%m-%dT%H:%M}",
            "check_in_method": visit.check_in_method, "check_in_reason": "",
            "check_out_at": f"{check_out:%Y-%m-%dT%H:%M}",
            "check_out_method": visit.check_out_method, "check_out_reason": "",
            "notes": visit.notes, "confirmation": visit.confirmation,
            "confirmed_by_name": "", "correction_reason": ""}
    data.update(changes)
    return data


def test_a_correction_is_version_2_with_its_reason(client, w, accepted):
    client.force_login(w.user)
    url = reverse("visits:visit_correct", args=[accepted.pk])
    html = client.get(url).content.decode()
    # prefilled from the visit
    assert f'value="{timezone.localtime(accepted.check_in_at):%Y-%m-%dT%H:%M}"' in html
    assert "康复训练" in html
    later = timezone.localtime(accepted.check_out_at) + timedelta(minutes=15)
    data = form_data(accepted, check_out_at=f"{later:%Y-%m-%dT%H:%M}",
                     check_out_method="manual", check_out_reason="忘记刷卡离开",
                     notes="康复训练，延长 15 分钟")
    # no reason for the correction: refused on the form, nothing written
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert ServiceVisit.objects.filter(provider_visit_id=accepted.provider_visit_id).count() == 1
    data["correction_reason"] = "离开时间少录了 15 分钟"
    response = client.post(url, data)
    new = ServiceVisit.objects.get(provider_visit_id=accepted.provider_visit_id, version=2)
    assert response["Location"] == reverse("visits:visit_detail", args=[new.pk])
    assert new.supersedes_id == accepted.pk
    assert new.is_current
    assert new.correction_reason == "离开时间少录了 15 分钟"
    assert new.check_out_method == "manual"
    assert new.check_out_reason == "忘记刷卡离开"
    assert new.channel == "form"
    assert new.submitted_by == w.user
    accepted.refresh_from_db()
    assert not accepted.is_current
    # the chain reads both ways, with the reason
    html = client.get(response["Location"]).content.decode()
    assert "离开时间少录了 15 分钟" in html
    assert reverse("visits:visit_detail", args=[accepted.pk]) in html
    old = client.get(reverse("visits:visit_detail", args=[accepted.pk])).content.decode()
    assert reverse("visits:visit_detail", args=[new.pk]) in old
    # a superseded version is not corrected again
    assert client.get(url).status_code == 404


def test_a_correction_that_changes_nothing_writes_nothing(client, w, accepted):
    client.force_login(w.user)
    # the API named the elder by number, the form names them by id: the
    # first pass through the form is a new version (with its reason)
    first = client.post(reverse("visits:visit_correct", args=[accepted.pk]),
                        form_data(accepted, correction_reason="核对"))
    current = ServiceVisit.objects.get(provider_visit_id=accepted.provider_visit_id,
                                       is_current=True)
    assert first["Location"] == reverse("visits:visit_detail", args=[current.pk])
    assert current.version == 2
    # the same again: unchanged, nothing written, the visit as it was
    again = client.post(reverse("visits:visit_correct", args=[current.pk]),
                        form_data(current, correction_reason="再看一次"), follow=True)
    assert again.redirect_chain[0][0] == reverse("visits:visit_detail", args=[current.pk])
    assert ServiceVisit.objects.filter(provider_visit_id=accepted.provider_visit_id).count() == 2
    current.refresh_from_db()
    assert current.is_current
    assert current.correction_reason == "核对"


def test_a_refused_correction_leaves_the_visit_as_it_was(client, w, accepted):
    client.force_login(w.user)
    url = reverse("visits:visit_correct", args=[accepted.pk])
    short = timezone.localtime(accepted.check_in_at) + timedelta(minutes=10)
    response = client.post(url, form_data(accepted, check_out_at=f"{short:%Y-%m-%dT%H:%M}",
                                          correction_reason="缩短"))
    assert response.status_code == 200
    assert "errorlist" in response.content.decode() or "message error" in \
        response.content.decode()
    accepted.refresh_from_db()
    assert accepted.is_current
    assert accepted.version == 1


def test_only_the_visits_provider_corrects(client, w, accepted):
    url = reverse("visits:visit_correct", args=[accepted.pk])
    other = world(district=w.district, street=w.street)
    client.force_login(other.user)
    assert client.get(url).status_code == 404
    # the street sees the visit but does not record visits
    client.force_login(staff(Role.STREET_STAFF, region=w.street))
    assert client.get(url).status_code == 403
    assert client.post(url, form_data(accepted, correction_reason="x")).status_code == 403
    assert ServiceVisit.objects.filter(provider_visit_id=accepted.provider_visit_id).count() == 1
