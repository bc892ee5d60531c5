"""The facility screens: scoped lists and pages, the district's forms, the
closure form going through the service, and the district overview."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.facilities.models import Facility, FacilityChange, FacilityFunding, Tier
from tests.facilities.factories import FacilityFactory, fund
from tests.factories import ProviderFactory, RegionFactory, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(tree):
    return staff(Role.DISTRICT_STAFF, region=tree["district"])


@pytest.fixture
def places(tree):
    """A compliant station in the street, an undersized one in the sibling
    street, and a station in another district."""
    station = FacilityFactory(region=tree["street"], name="Compliant station")
    fund(station, 50_000)
    small = FacilityFactory(region=tree["sibling"], name="Small station",
                            floor_area=Decimal(99))
    fund(small, 50_000)
    elsewhere = FacilityFactory(region=tree["other_street"], name="Elsewhere station")
    return {"station": station, "small": small, "elsewhere": elsewhere}


def _names(response):
    return [f.name for f in response.context["object_list"]]


def test_district_staff_list_their_district_with_a_compliance_column(client, officer, places):
    client.force_login(officer)
    response = client.get(reverse("facilities:facility_list"))
    assert response.status_code == 200
    assert sorted(_names(response)) == ["Compliant station", "Small station"]
    flags = {f.name: [x.code for x in f.flags] for f in response.context["object_list"]}
    assert flags == {"Compliant station": [], "Small station": ["area_below_floor"]}
    assert "Compliant" in response.content.decode()


def test_the_list_filters_by_tier_street_status_and_compliance(client, officer, places, tree):
    FacilityFactory.street_platform(tree["street"], name="Platform")
    client.force_login(officer)
    url = reverse("facilities:facility_list")
    assert _names(client.get(url, {"tier": Tier.STREET_PLATFORM})) == ["Platform"]
    assert sorted(_names(client.get(url, {"street": tree["street"].pk}))) == [
        "Compliant station", "Platform"]
    # the platform has no funding recorded this year; the small station is undersized
    assert sorted(_names(client.get(url, {"non_compliant": "on"}))) == [
        "Platform", "Small station"]
    assert _names(client.get(url, {"status": "closed"})) == []


def test_a_street_sees_only_its_own_street(client, tree, places):
    client.force_login(staff(Role.STREET_STAFF, region=tree["street"]))
    assert _names(client.get(reverse("facilities:facility_list"))) == ["Compliant station"]
    detail = reverse("facilities:facility_detail", args=[places["small"].pk])
    assert client.get(detail).status_code == 404


def test_another_district_gets_404_on_the_detail(client, tree, places):
    client.force_login(staff(Role.DISTRICT_STAFF, region=tree["other_district"]))
    for name in ("facility_detail", "facility_update", "facility_funding", "facility_change"):
        url = reverse(f"facilities:{name}", args=[places["station"].pk])
        assert client.get(url).status_code == 404, name


def test_provider_staff_see_only_the_facilities_they_operate(client, tree):
    provider = ProviderFactory(region=tree["district"])
    operated = FacilityFactory(region=tree["street"], run_by="contracted", operator=provider,
                               name="Operated")
    FacilityFactory(region=tree["street"], name="Self-run")
    FacilityFactory(region=tree["street"], run_by="contracted",
                    operator=ProviderFactory(region=tree["district"]), name="Someone else's")
    user = staff(Role.PROVIDER_STAFF, provider=provider)
    assert list(Facility.objects.visible_to(user)) == [operated]
    # with the permission to read facilities, the screens show the same
    user.user_permissions.add(Permission.objects.get(codename="view_facility"))
    client.force_login(user)
    assert _names(client.get(reverse("facilities:facility_list"))) == ["Operated"]
    assert client.get(reverse("facilities:facility_detail", args=[operated.pk])).status_code \
        == 200


def test_the_detail_shows_flags_licences_funding_and_changes(client, officer, tree):
    # a Starlight home with meals: its floor is 50,000 (Art 9)
    station = FacilityFactory(region=tree["street"], kind="starlight_home",
                              meals_licence_number="", medical_licence_number="PDY-OLD",
                              medical_licence_expires=timezone.localdate() - timedelta(days=1))
    fund(station, 40_000)
    client.force_login(officer)
    response = client.get(reverse("facilities:facility_detail", args=[station.pk]))
    codes = [f.code for f in response.context["flags"]]
    assert codes == ["funding_below_floor", "meals_licence_missing", "medical_licence_expired"]
    page = response.content.decode()
    assert "PDY-OLD" in page
    assert "40000.00" in page


def test_district_staff_create_a_facility_open_and_in_its_use(client, officer, tree):
    client.force_login(officer)
    response = client.post(reverse("facilities:facility_create"), {
        "name": "New station", "tier": Tier.COMMUNITY_STATION, "kind": "starlight_home",
        "region": tree["street"].pk, "address": "1 Road", "floor_area": "150",
        "functions": ["meals", "recreation"], "meals_licence_number": "JY-1",
        "run_by": "self", "status": "closed", "current_use": "offices"})
    facility = Facility.objects.get(name="New station")
    assert response.status_code == 302
    assert response["Location"] == reverse("facilities:facility_detail", args=[facility.pk])
    # status and use are not on the form: a closure goes through its approval
    assert (facility.status, facility.current_use) == ("open", "")
    assert facility.functions == ["meals", "recreation"]


def test_the_create_form_refuses_a_region_of_the_wrong_level(client, officer, tree):
    client.force_login(officer)
    response = client.post(reverse("facilities:facility_create"), {
        "name": "Platform", "tier": Tier.STREET_PLATFORM, "region": tree["district"].pk,
        "address": "1 Road", "floor_area": "600", "run_by": "self"})
    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    assert not Facility.objects.exists()


def test_the_create_form_offers_only_regions_and_providers_in_scope(client, officer, tree):
    ProviderFactory(region=tree["other_district"], name="Foreign provider")
    client.force_login(officer)
    form = client.get(reverse("facilities:facility_create")).context["form"]
    assert tree["other_street"] not in form.fields["region"].queryset
    assert not form.fields["operator"].queryset.filter(name="Foreign provider").exists()


def test_street_staff_may_not_create_or_edit(client, tree, places):
    client.force_login(staff(Role.STREET_STAFF, region=tree["street"]))
    assert client.get(reverse("facilities:facility_create")).status_code == 403
    url = reverse("facilities:facility_update", args=[places["station"].pk])
    assert client.get(url).status_code == 403


def test_the_edit_form_cannot_change_the_status(client, officer, places):
    station = places["station"]
    client.force_login(officer)
    response = client.post(reverse("facilities:facility_update", args=[station.pk]), {
        "name": "Renamed", "tier": station.tier, "region": station.region_id,
        "address": station.address, "floor_area": "130", "functions": station.functions,
        "meals_licence_number": "JY-2", "run_by": "self", "status": "closed"})
    assert response.status_code == 302
    station.refresh_from_db()
    assert (station.name, station.floor_area, station.status) == ("Renamed", Decimal(130), "open")


def test_funding_entry_records_the_year(client, officer, places):
    station = places["station"]
    client.force_login(officer)
    url = reverse("facilities:facility_funding", args=[station.pk])
    year = timezone.localdate().year
    response = client.post(url, {"year": year, "amount": "55000", "basis": "2026年预算"})
    assert response.status_code == 302
    funding = FacilityFunding.objects.get(facility=station, year=year)
    assert (funding.amount, funding.recorded_by) == (Decimal(55000), officer)


def test_the_closure_form_shows_field_errors_and_changes_nothing(client, officer, places):
    station = places["station"]
    client.force_login(officer)
    url = reverse("facilities:facility_change", args=[station.pk])
    assert client.get(url).context["form"].initial["approving_authority"].endswith("人民政府")
    today = timezone.localdate()
    response = client.post(url, {
        "kind": "close", "approving_authority": "District One people's government",
        "approval_reference": "ref 1", "approved_on": today.isoformat(),
        "notice_published_on": (today - timedelta(days=2)).isoformat(),
        "effective_on": today.isoformat(), "reported_to_city_on": today.isoformat()})
    assert response.status_code == 200
    assert "notice_published_on" in response.context["form"].errors
    station.refresh_from_db()
    assert station.status == "open"
    assert not FacilityChange.objects.exists()


def test_the_closure_form_requires_the_report_to_the_city(client, officer, places):
    # Art 11: 报市民政局备查
    station = places["station"]
    client.force_login(officer)
    today = timezone.localdate()
    response = client.post(reverse("facilities:facility_change", args=[station.pk]), {
        "kind": "close", "approving_authority": "District One people's government",
        "approval_reference": "ref 1", "approved_on": (today - timedelta(days=10)).isoformat(),
        "notice_published_on": (today - timedelta(days=8)).isoformat(),
        "effective_on": today.isoformat(), "reported_to_city_on": ""})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["reported_to_city_on"]
    station.refresh_from_db()
    assert station.status == "open"
    assert not FacilityChange.objects.exists()


def test_the_closure_form_closes_the_facility_through_the_service(client, officer, places):
    station = places["station"]
    client.force_login(officer)
    today = timezone.localdate()
    response = client.post(reverse("facilities:facility_change", args=[station.pk]), {
        "kind": "close", "approving_authority": "District One people's government",
        "approval_reference": "ref 1", "approved_on": (today - timedelta(days=10)).isoformat(),
        "notice_published_on": (today - timedelta(days=8)).isoformat(),
        "effective_on": today.isoformat(), "reported_to_city_on": today.isoformat()})
    assert response.status_code == 302
    station.refresh_from_db()
    assert station.status == "closed"
    change = FacilityChange.objects.get(facility=station)
    assert change.recorded_by == officer
    page = client.get(reverse("facilities:facility_detail", args=[station.pk])).content.decode()
    assert "ref 1" in page


# --- the district overview --------------------------------------------------


def _overview_world(tree, stations_per_street):
    district = tree["district"]
    FacilityFactory.district_platform(district, name="District platform")
    platform = FacilityFactory.street_platform(tree["street"], clinic_partner="",
                                               has_medical_room=False)
    fund(platform, 600_000)
    for street in (tree["street"], tree["sibling"]):
        for number in range(stations_per_street):
            station = FacilityFactory(region=RegionFactory.community(street) if number % 2
                                      else street, floor_area=Decimal(99 if number == 0 else 120))
            fund(station, 50_000)
    return platform


def test_the_overview_counts_facilities_and_flags_per_street(client, officer, tree):
    _overview_world(tree, stations_per_street=2)
    FacilityFactory(region=tree["sibling"], status="closed")
    client.force_login(officer)
    response = client.get(reverse("facilities:overview"))
    overview = response.context["overview"]
    rows = {row.street.name: row for row in overview.rows}
    assert set(rows) == {"Street A", "Street B"}
    street_a, street_b = rows["Street A"], rows["Street B"]
    assert (street_a.street_platforms, street_a.community_stations, street_a.closed) == (1, 2, 0)
    assert (street_b.street_platforms, street_b.community_stations, street_b.closed) == (0, 2, 1)
    # Street A: the platform lacks a medical room, one station is undersized
    assert (street_a.flagged, street_a.flags) == (2, 2)
    assert street_a.flag_codes == {"no_medical_room": 1, "area_below_floor": 1}
    assert (street_b.flagged, street_b.flags) == (1, 1)
    assert (overview.total.flagged, overview.total.flags, overview.total.closed) == (3, 3, 1)
    # the district platform, its funding not recorded this year
    [(platform, flags)] = overview.platforms
    assert platform.name == "District platform"
    assert [f.code for f in flags] == ["funding_not_recorded"]


def test_the_overview_reads_each_table_once(client, officer, tree):
    # given the overview of a district with a few facilities
    _overview_world(tree, stations_per_street=1)
    client.force_login(officer)
    url = reverse("facilities:overview")
    client.get(url)  # warm the session and content-type caches
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    # when a dozen more facilities open in new communities
    for _number in range(12):
        fund(FacilityFactory(region=RegionFactory.community(tree["sibling"])), 30_000)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    # then the page costs the same number of queries (no query per facility)
    assert len(many) == len(few)
    assert len(few) <= 15


def test_a_street_office_sees_only_its_own_street_in_the_overview(client, tree):
    _overview_world(tree, stations_per_street=2)
    client.force_login(staff(Role.STREET_STAFF, region=tree["street"]))
    overview = client.get(reverse("facilities:overview")).context["overview"]
    assert [row.street.name for row in overview.rows] == ["Street A"]
    assert overview.platforms == []
    assert "Street B" not in client.get(reverse("facilities:overview")).content.decode()


def test_city_staff_choose_the_district(client, tree):
    _overview_world(tree, stations_per_street=1)
    city = tree["district"].parent
    client.force_login(staff(Role.CITY_STAFF, region=city))
    response = client.get(reverse("facilities:overview"), {"district": tree["district"].pk})
    assert response.context["overview"].district == tree["district"]
    assert len(response.context["overview"].rows) == 2


def test_the_menu_offers_facilities_and_the_overview(client, officer):
    client.force_login(officer)
    page = client.get(reverse("core:home")).content.decode()
    assert reverse("facilities:facility_list") in page
    assert reverse("facilities:overview") in page
