"""Compliance read from the database: the year's funding, a district's own
floor, the registered elders of a platform's street."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.facilities.models import Facility
from apps.facilities.queries import flags_for
from apps.policy.models import PolicyValue
from tests.facilities.factories import FacilityFactory, fund
from tests.factories import ElderFactory

pytestmark = pytest.mark.django_db


def _codes(facility, day):
    facility = Facility.objects.with_places().get(pk=facility.pk)
    return [f.code for f in flags_for([facility], day)[facility.pk]]


def test_a_district_floor_overrides_the_city_floor_from_its_date(tree):
    # given two street platforms with 450,000 for next year, one in each district
    tomorrow = timezone.localdate() + timedelta(days=1)
    ours = FacilityFactory.street_platform(tree["street"])
    theirs = FacilityFactory.street_platform(tree["other_street"])
    for platform in (ours, theirs):
        fund(platform, 450_000, year=tomorrow.year)
    # when the first district sets its own floor of 400,000 from tomorrow
    PolicyValue.objects.create(key="facility.street_platform.min_funding",
                               value=Decimal(400_000), valid_from=tomorrow,
                               region=tree["district"])
    # then its platform meets the floor from tomorrow; the other district's does not
    assert _codes(ours, tomorrow) == []
    assert _codes(theirs, tomorrow) == ["funding_below_floor"]
    if tomorrow.year == timezone.localdate().year:
        assert _codes(ours, timezone.localdate()) == ["funding_below_floor"]


def test_the_small_street_note_counts_the_streets_registered_elders(tree):
    platform = FacilityFactory.street_platform(tree["street"])
    fund(platform, 500_000)
    for _number in range(2):
        ElderFactory(residence_street=tree["street"])
    ElderFactory(residence_street=tree["street"], life_status="deceased",
                 life_status_since=timezone.localdate())
    facility = Facility.objects.with_places().get(pk=platform.pk)
    [flag] = flags_for([facility], timezone.localdate())[platform.pk]
    assert flag.code == "funding_below_floor"
    assert flag.numbers["street_elders"] == 2
    assert "2 registered elders" in flag.message


def test_funding_of_another_year_does_not_count(tree):
    station = FacilityFactory(region=tree["street"])
    today = timezone.localdate()
    fund(station, 50_000, year=today.year - 1)
    assert _codes(station, today) == ["funding_not_recorded"]


@pytest.mark.parametrize(("kind", "codes"), [
    ("starlight_home", ["funding_below_floor"]),   # Starlight home with meals: 50,000
    ("activity_station", []),                       # other stations: 30,000 even with meals
    ("wubao_point", []),
])
def test_only_a_starlight_home_with_meals_needs_fifty_thousand(tree, kind, codes):
    station = FacilityFactory(region=tree["street"], kind=kind)
    fund(station, 30_000)
    assert _codes(station, timezone.localdate()) == codes
