"""/api/facilities/: scoped, filtered, each facility with its compliance
flags, funding and recorded changes; in the OpenAPI schema."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.roles import Role
from apps.facilities import services
from tests.facilities.factories import FacilityFactory, fund
from tests.factories import ProviderFactory, RegionFactory, staff

pytestmark = pytest.mark.django_db

URL = "/api/facilities/"


@pytest.fixture
def officer(tree):
    return staff(Role.DISTRICT_STAFF, region=tree["district"])


@pytest.fixture
def facilities(tree):
    station = FacilityFactory(region=RegionFactory.community(tree["street"]), name="Station",
                              floor_area=Decimal("99.50"))
    fund(station, 50_000)
    platform = FacilityFactory.street_platform(tree["sibling"], name="Platform")
    fund(platform, 600_000)
    elsewhere = FacilityFactory(region=tree["other_street"], name="Elsewhere")
    return {"station": station, "platform": platform, "elsewhere": elsewhere}


def _names(response):
    return sorted(row["name"] for row in response.json()["results"])


def test_the_list_is_scoped_and_carries_the_flags(client, officer, facilities):
    client.force_login(officer)
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.json()["results"]}
    assert set(rows) == {"Station", "Platform"}
    assert rows["Platform"]["compliance_flags"] == []
    [flag] = rows["Station"]["compliance_flags"]
    assert flag["code"] == "area_below_floor"
    assert flag["numbers"] == {"area": "99.5", "floor": "100"}
    assert "add 0.5 m²" in flag["message"]
    assert rows["Station"]["funding"] == [
        {"year": timezone.localdate().year, "amount": "50000.00", "basis": ""}]


def test_flag_messages_follow_the_request_language(client, officer, facilities):
    client.force_login(officer)
    url = f"{URL}{facilities['station'].pk}/"
    [english] = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["compliance_flags"]
    [chinese] = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["compliance_flags"]
    assert english["code"] == chinese["code"] == "area_below_floor"
    assert english["message"].startswith("Floor area 99.5 m²")
    assert "99.5" in chinese["message"]
    assert "平方米" in chinese["message"]


def test_filters_by_tier_region_and_status(client, officer, facilities, tree):
    client.force_login(officer)
    assert _names(client.get(URL, {"tier": "street_platform"})) == ["Platform"]
    # a street filters the facilities of its communities too
    assert _names(client.get(URL, {"region": tree["street"].pk})) == ["Station"]
    assert _names(client.get(URL, {"region": tree["district"].pk})) == ["Platform", "Station"]
    assert _names(client.get(URL, {"status": "closed"})) == []
    # a region outside the scope answers like one that does not exist
    outside = client.get(URL, {"region": tree["other_street"].pk})
    assert outside.status_code == 400
    assert client.get(URL, {"region": 999_999}).json() == outside.json()


def test_another_district_gets_404_on_the_detail(client, tree, facilities):
    client.force_login(staff(Role.DISTRICT_STAFF, region=tree["other_district"]))
    assert client.get(f"{URL}{facilities['station'].pk}/").status_code == 404
    assert client.get(f"{URL}{facilities['elsewhere'].pk}/").status_code == 200


def test_the_detail_shows_a_recorded_closure(client, officer, facilities):
    station = facilities["station"]
    services.record_change(facility=station, kind="close", approving_authority="区人民政府",
                           approval_reference="文号1", approved_on=date(2026, 1, 5),
                           notice_published_on=date(2026, 1, 6),
                           effective_on=date(2026, 1, 31),
                           reported_to_city_on=date(2026, 2, 1), by=officer,
                           on=date(2026, 2, 1))
    client.force_login(officer)
    body = client.get(f"{URL}{station.pk}/").json()
    assert body["status"] == "closed"
    assert body["compliance_flags"] == []
    [change] = body["changes"]
    assert (change["kind"], change["approval_reference"], change["effective_on"]) == (
        "close", "文号1", "2026-01-31")


def test_the_api_is_read_only(client, officer, facilities):
    client.force_login(officer)
    assert client.post(URL, {"name": "x"}).status_code == 405
    response = client.patch(f"{URL}{facilities['station'].pk}/", {"status": "closed"},
                            content_type="application/json")
    assert response.status_code == 405


def test_provider_staff_read_only_the_facilities_they_operate(client, tree):
    provider = ProviderFactory(region=tree["district"])
    FacilityFactory(region=tree["street"], run_by="contracted", operator=provider,
                    name="Operated")
    FacilityFactory(region=tree["street"], name="Not theirs")
    user = staff(Role.PROVIDER_STAFF, provider=provider)
    user.user_permissions.add(Permission.objects.get(codename="view_facility"))
    client.force_login(user)
    assert _names(client.get(URL)) == ["Operated"]


def test_the_list_costs_the_same_queries_for_more_facilities(client, officer, tree):
    for _number in range(3):
        fund(FacilityFactory(region=tree["street"]), 50_000)
    client.force_login(officer)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for _number in range(10):
        FacilityFactory(region=RegionFactory.community(tree["sibling"]))
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
    assert len(many) == len(few)


def test_the_endpoint_is_in_the_openapi_schema(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(target))
    schema = target.read_text()
    assert "/api/facilities/" in schema
    assert "/api/facilities/{id}/" in schema
    assert "compliance_flags" in schema
