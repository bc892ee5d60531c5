"""The floors of Art 7–9 at their boundaries, without a database."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from apps.facilities.models import FacilityKind, Function, Tier
from apps.facilities.rules import FacilityFacts, Licence, check_facility
from apps.policy.parameters import SEED_VALUES

FLOORS = {key: value for key, value, _from in SEED_VALUES if key.startswith("facility.")}
DAY = date(2026, 6, 30)
YEAR = DAY.year

STATION = [Function.MEALS, Function.RECREATION]
STREET_PLATFORM = [Function.DAY_CARE, Function.RESPITE, Function.LIFE_CARE, Function.MEALS,
                   Function.HEALTHCARE, Function.REHABILITATION_NURSING,
                   Function.DEVICE_RENTAL, Function.NEEDS_ASSESSMENT]
DISTRICT_PLATFORM = [Function.STAFF_TRAINING, Function.CARE_LEVEL_ASSESSMENT,
                     Function.SERVICE_EVALUATION, Function.PRODUCT_DISPLAY,
                     Function.DEMONSTRATION]
MEALS_OK = Licence("JY-1", None)
MEDICAL_OK = Licence("PDY-1", None)


def station(**facts) -> FacilityFacts:
    """A community station that meets every floor (unless told otherwise)."""
    defaults = {"tier": Tier.COMMUNITY_STATION, "floor_area": Decimal(120),
                "functions": frozenset(STATION), "meals_licence": MEALS_OK,
                "funding_year": YEAR, "funding": Decimal(50_000)}
    return FacilityFacts(**{**defaults, **facts})


def street_platform(**facts) -> FacilityFacts:
    defaults = {"tier": Tier.STREET_PLATFORM, "floor_area": Decimal(600),
                "functions": frozenset(STREET_PLATFORM), "has_medical_room": True,
                "meals_licence": MEALS_OK, "medical_licence": MEDICAL_OK,
                "funding_year": YEAR, "funding": Decimal(600_000), "street_elders": 5000}
    return FacilityFacts(**{**defaults, **facts})


def district_platform(**facts) -> FacilityFacts:
    defaults = {"tier": Tier.DISTRICT_PLATFORM, "floor_area": Decimal(0),
                "functions": frozenset(DISTRICT_PLATFORM), "funding_year": YEAR,
                "funding": Decimal(1_000_000)}
    return FacilityFacts(**{**defaults, **facts})


def codes(facts, floors=FLOORS, day=DAY) -> list[str]:
    return [flag.code for flag in check_facility(facts, floors, day=day)]


def flag(facts, code, floors=FLOORS, day=DAY):
    return next(f for f in check_facility(facts, floors, day=day) if f.code == code)


def test_the_defaults_meet_every_floor():
    assert codes(station()) == []
    assert codes(street_platform()) == []
    assert codes(district_platform()) == []


@pytest.mark.parametrize(("make", "area", "flagged"), [
    (station, "99", True), (station, "99.99", True), (station, "100", False),
    (street_platform, "499", True), (street_platform, "499.99", True),
    (street_platform, "500", False),
])
def test_area_exactly_at_the_floor_passes(make, area, flagged):
    facts = make(floor_area=Decimal(area))
    assert ("area_below_floor" in codes(facts)) is flagged


def test_area_flag_says_how_much_is_missing():
    found = flag(station(floor_area=Decimal(99)), "area_below_floor")
    assert found.numbers == {"area": Decimal(99), "floor": Decimal(100)}
    assert "99" in found.message
    assert "100" in found.message
    assert "add 1 m²" in found.message


def test_district_platform_and_other_facilities_have_no_area_floor():
    assert "area_below_floor" not in codes(district_platform(floor_area=Decimal(10)))
    other = FacilityFacts(tier=Tier.OTHER, kind=FacilityKind.DAY_CARE_CENTRE,
                          floor_area=Decimal(10), functions=frozenset([Function.DAY_CARE]))
    assert codes(other) == []


@pytest.mark.parametrize(("facts", "floor"), [
    (station(functions=frozenset([Function.RECREATION]), meals_licence=Licence()), 30_000),
    (station(), 30_000),
    (station(kind=FacilityKind.STARLIGHT_HOME), 50_000),
    (street_platform(), 600_000),
    (district_platform(), 1_000_000),
    (district_platform(serves_residents_directly=True), 2_000_000),
])
def test_funding_exactly_at_the_floor_passes_and_a_cent_below_does_not(facts, floor):
    at_floor = FacilityFacts(**{**facts.__dict__, "funding": Decimal(floor)})
    below = FacilityFacts(**{**facts.__dict__, "funding": Decimal(floor) - Decimal("0.01")})
    assert not [c for c in codes(at_floor) if c.startswith("funding")]
    found = flag(below, "funding_below_floor")
    assert found.numbers["floor"] == Decimal(floor)
    assert found.numbers["shortfall"] == Decimal("0.01")
    assert str(YEAR) in found.message


def test_a_starlight_home_with_meals_needs_the_higher_floor():
    # Art 9: 50,000 for a Starlight home (星光老年之家) that offers meals
    found = flag(station(kind=FacilityKind.STARLIGHT_HOME, funding=Decimal(30_000)),
                 "funding_below_floor")
    assert found.numbers["floor"] == Decimal(50_000)
    assert "20,000" in found.message  # what to add
    at_floor = station(kind=FacilityKind.STARLIGHT_HOME, funding=Decimal(50_000))
    assert codes(at_floor) == []


@pytest.mark.parametrize("kind", [
    "", FacilityKind.ACTIVITY_STATION, FacilityKind.RURAL_STATION, FacilityKind.WUBAO_POINT])
def test_other_stations_with_meals_keep_the_lower_floor(kind):
    # Art 9: other stations and rural five-guarantee points: 30,000, meals or not
    assert codes(station(kind=kind, funding=Decimal(30_000))) == []
    found = flag(station(kind=kind, funding=Decimal("29999.99")), "funding_below_floor")
    assert found.numbers["floor"] == Decimal(30_000)


def test_a_starlight_home_without_meals_keeps_the_lower_floor():
    facts = station(kind=FacilityKind.STARLIGHT_HOME, functions=frozenset([Function.RECREATION]),
                    meals_licence=Licence(), funding=Decimal(30_000))
    assert [c for c in codes(facts) if c.startswith("funding")] == []
    below = FacilityFacts(**{**facts.__dict__, "funding": Decimal("29999.99")})
    assert flag(below, "funding_below_floor").numbers["floor"] == Decimal(30_000)


def test_a_district_platform_serving_residents_directly_needs_two_million():
    facts = district_platform(serves_residents_directly=True, funding=Decimal(1_500_000))
    assert flag(facts, "funding_below_floor").numbers["floor"] == Decimal(2_000_000)
    assert codes(district_platform(funding=Decimal(1_500_000))) == []


def test_no_funding_recorded_for_the_year_is_a_flag():
    found = flag(station(funding=None), "funding_not_recorded")
    assert found.numbers == {"year": YEAR, "floor": Decimal(30_000)}
    found = flag(station(kind=FacilityKind.STARLIGHT_HOME, funding=None), "funding_not_recorded")
    assert found.numbers == {"year": YEAR, "floor": Decimal(50_000)}


def test_other_facilities_have_no_funding_floor():
    other = FacilityFacts(tier=Tier.OTHER, kind=FacilityKind.MEAL_CENTRE,
                          floor_area=Decimal(80), functions=frozenset([Function.MEALS]),
                          meals_licence=MEALS_OK, funding=None)
    assert codes(other) == []


@pytest.mark.parametrize(("elders", "mentioned"), [(2999, True), (3000, False), (None, False)])
def test_a_small_street_is_told_the_district_may_lower_its_floor(elders, mentioned):
    found = flag(street_platform(funding=Decimal(400_000), street_elders=elders),
                 "funding_below_floor")
    assert ("district may set a lower floor" in found.message) is mentioned
    assert ("street_elders" in found.numbers) is mentioned


def test_the_floor_is_the_district_value_when_the_district_sets_one():
    # given a district that set 400,000 for its small streets' platforms
    floors = {**FLOORS, "facility.street_platform.min_funding": Decimal(400_000)}
    facts = street_platform(funding=Decimal(400_000), street_elders=2500)
    # then 400,000 meets it; 399,999 does not, and the message names that floor
    assert codes(facts, floors) == []
    below = FacilityFacts(**{**facts.__dict__, "funding": Decimal(399_999)})
    found = flag(below, "funding_below_floor", floors)
    assert found.numbers["floor"] == Decimal(400_000)
    assert "400,000" in found.message
    assert "2,500" in found.message


def test_missing_functions_are_listed():
    facts = street_platform(functions=frozenset(STREET_PLATFORM) - {Function.RESPITE,
                                                                      Function.DEVICE_RENTAL})
    found = flag(facts, "functions_missing")
    assert found.numbers == {"missing": [Function.RESPITE, Function.DEVICE_RENTAL]}
    assert "Temporary respite" in found.message
    assert "Assistive-device rental" in found.message


def test_day_care_is_optional_for_a_community_station():
    assert codes(station(functions=frozenset(STATION))) == []
    assert flag(station(functions=frozenset([Function.RECREATION]), meals_licence=Licence(),
                        funding=Decimal(30_000)),
                "functions_missing").numbers == {"missing": [Function.MEALS]}


@pytest.mark.parametrize(("room", "partner", "flagged"), [
    (False, "", True), (False, "  ", True), (True, "", False),
    (False, "天河社区卫生服务中心", False),
])
def test_a_street_platform_needs_a_medical_room_or_a_clinic_partner(room, partner, flagged):
    facts = street_platform(has_medical_room=room, clinic_partner=partner)
    assert ("no_medical_room" in codes(facts)) is flagged


def test_meals_without_a_food_licence_is_a_flag():
    assert codes(station(meals_licence=Licence())) == ["meals_licence_missing"]


def test_healthcare_without_a_medical_licence_is_a_flag():
    assert codes(street_platform(medical_licence=Licence())) == ["medical_licence_missing"]


def test_a_community_nursing_home_needs_an_institution_permit():
    home = FacilityFacts(tier=Tier.OTHER, kind=FacilityKind.NURSING_HOME,
                         floor_area=Decimal(800), functions=frozenset([Function.LIFE_CARE]))
    assert codes(home) == ["institution_permit_missing"]
    assert codes(FacilityFacts(**{**home.__dict__,
                                  "institution_permit": Licence("YL-1", None)})) == []


# Convention (rules.py): a licence is valid through the day it states and
# expired from the day after.
@pytest.mark.parametrize(("valid_until", "expired"), [
    (DAY, False),                       # expiring today: still valid today
    (DAY - timedelta(days=1), True),    # expired yesterday's evening
    (DAY + timedelta(days=1), False),
])
def test_a_licence_expiring_today_is_valid_today(valid_until, expired):
    facts = station(meals_licence=Licence("JY-9", valid_until))
    assert codes(facts) == (["meals_licence_expired"] if expired else [])


def test_a_licence_expiring_today_has_expired_tomorrow():
    facts = station(meals_licence=Licence("JY-9", DAY))
    assert codes(facts, day=DAY) == []
    found = flag(facts, "meals_licence_expired", day=DAY + timedelta(days=1))
    assert found.numbers == {"number": "JY-9", "valid_until": DAY}
    assert "JY-9" in found.message


def test_any_expired_licence_is_flagged_even_if_not_required():
    facts = station(medical_licence=Licence("PDY-7", DAY - timedelta(days=30)))
    assert codes(facts) == ["medical_licence_expired"]


def test_a_closed_facility_is_not_checked():
    assert codes(station(is_open=False, floor_area=Decimal(1), funding=None)) == []


def test_every_shortfall_is_reported_at_once():
    facts = street_platform(floor_area=Decimal(300), has_medical_room=False,
                            functions=frozenset([Function.MEALS]), funding=None,
                            meals_licence=Licence())
    assert codes(facts) == ["area_below_floor", "functions_missing", "no_medical_room",
                            "funding_not_recorded", "meals_licence_missing"]
