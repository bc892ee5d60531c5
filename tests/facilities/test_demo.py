import pytest
from django.utils import timezone

from apps.facilities.demo import build_demo_facilities
from apps.facilities.models import Facility, FacilityFunding
from apps.facilities.queries import flags_for
from apps.regions.models import Region

pytestmark = pytest.mark.django_db


def test_demo_facilities_are_built_once_with_one_non_compliant_station():
    tianhe = Region.objects.get(code="440106")
    first_street = tianhe.children.order_by("code").first()
    facilities = build_demo_facilities(tianhe)
    assert [f.tier for f in facilities] == ["street_platform", "community_station",
                                            "community_station"]
    assert all(f.region == first_street or f.region.parent == first_street for f in facilities)
    flags = flags_for(Facility.objects.with_places(), timezone.localdate())
    assert [f.name for f in facilities if flags[f.pk]] == [facilities[2].name]
    assert {flag.code for flag in flags[facilities[2].pk]} == {
        "area_below_floor", "funding_below_floor", "meals_licence_missing"}
    # idempotent
    build_demo_facilities(tianhe)
    assert Facility.objects.count() == 3
    assert FacilityFunding.objects.count() == 3
