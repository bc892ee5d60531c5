"""Django admin: a closure added there goes through the service; a recorded
one is read-only; a facility's status is not editable."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.roles import Role
from apps.facilities.models import FacilityChange
from tests.facilities.factories import FacilityFactory
from tests.factories import staff

pytestmark = pytest.mark.django_db

ADD = "/admin/facilities/facilitychange/add/"


@pytest.fixture
def officer(tree):
    return staff(Role.DISTRICT_STAFF, region=tree["district"])


def _closure(facility, **changes):
    today = timezone.localdate()
    return {"facility": facility.pk, "kind": "close", "new_use": "",
            "approving_authority": "区人民政府", "approval_reference": "文号 7",
            "approved_on": (today - timedelta(days=9)).isoformat(),
            "notice_published_on": (today - timedelta(days=7)).isoformat(),
            "notice_channel": "", "reported_to_city_on": today.isoformat(),
            "effective_on": today.isoformat(), "note": "", **changes}


def test_a_closure_added_in_admin_goes_through_the_service(client, officer, tree):
    station = FacilityFactory(region=tree["street"])
    client.force_login(officer)
    response = client.post(ADD, _closure(station))
    assert response.status_code == 302, response.context["adminform"].form.errors
    station.refresh_from_db()
    assert station.status == "closed"
    change = FacilityChange.objects.get(facility=station)
    assert (change.recorded_by, change.previous_status) == (officer, "open")


def test_admin_refuses_a_closure_effective_before_its_approval(client, officer, tree):
    station = FacilityFactory(region=tree["street"])
    client.force_login(officer)
    today = timezone.localdate()
    response = client.post(ADD, _closure(
        station, effective_on=(today - timedelta(days=20)).isoformat()))
    assert response.status_code == 200
    assert "effective_on" in response.context["adminform"].form.errors
    station.refresh_from_db()
    assert station.status == "open"
    assert not FacilityChange.objects.exists()


def test_admin_refuses_a_closure_not_reported_to_the_city(client, officer, tree):
    # Art 11: 报市民政局备查
    station = FacilityFactory(region=tree["street"])
    client.force_login(officer)
    response = client.post(ADD, _closure(station, reported_to_city_on=""))
    assert response.status_code == 200
    assert "reported_to_city_on" in response.context["adminform"].form.errors
    station.refresh_from_db()
    assert station.status == "open"
    assert not FacilityChange.objects.exists()


def test_a_recorded_change_is_read_only(client, officer, tree):
    station = FacilityFactory(region=tree["street"])
    client.force_login(officer)
    client.post(ADD, _closure(station))
    change = FacilityChange.objects.get()
    url = f"/admin/facilities/facilitychange/{change.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="approval_reference"' not in page.content.decode()
    assert client.post(url, _closure(station, approval_reference="forged")).status_code == 403
    change.refresh_from_db()
    assert change.approval_reference == "文号 7"


def test_a_facility_status_is_not_editable_in_admin(client, officer, tree):
    station = FacilityFactory(region=tree["street"])
    client.force_login(officer)
    page = client.get(f"/admin/facilities/facility/{station.pk}/change/").content.decode()
    assert 'name="name"' in page
    assert 'name="status"' not in page
    assert 'name="current_use"' not in page
