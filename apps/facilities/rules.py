"""Whether a facility meets the floors of Art 7–9: pure functions.

No database and no settings: a facility's facts come in as ``FacilityFacts``
and the floors in force as the dict ``apps.policy.lookup.values_on(day,
district, keys=FLOOR_KEYS)`` returns (a district's own value wins over the
city's). The answer is a list of flags, each with a code, a message that says
what to fix, and the numbers behind it.

Licence convention: a licence is valid up to and including the last day it
states ("valid until 30 June" covers 30 June) and expired from the day after.
A licence with no end date recorded does not expire.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from apps.facilities.models import FacilityKind, Function, Tier

FLOOR_KEYS = (
    "facility.district_platform.min_funding",
    "facility.district_platform.min_funding_direct",
    "facility.street_platform.min_area",
    "facility.street_platform.min_funding",
    "facility.street_platform.small_street_elders",
    "facility.community_station.min_area",
    "facility.community_station.min_funding",
    "facility.community_station.min_funding_meals",
)

# The functions Art 7 requires of each tier. A community station's day care
# is "where possible", so it is not required.
REQUIRED_FUNCTIONS: dict[str, tuple[str, ...]] = {
    Tier.DISTRICT_PLATFORM: (
        Function.STAFF_TRAINING, Function.CARE_LEVEL_ASSESSMENT, Function.SERVICE_EVALUATION,
        Function.PRODUCT_DISPLAY, Function.DEMONSTRATION),
    Tier.STREET_PLATFORM: (
        Function.DAY_CARE, Function.RESPITE, Function.LIFE_CARE, Function.MEALS,
        Function.HEALTHCARE, Function.REHABILITATION_NURSING, Function.DEVICE_RENTAL,
        Function.NEEDS_ASSESSMENT),
    Tier.COMMUNITY_STATION: (Function.MEALS, Function.RECREATION),
    Tier.OTHER: (),
}

# How a message names a tier.
TIER_NAMES = {
    Tier.DISTRICT_PLATFORM: lambda: _("district platform"),
    Tier.STREET_PLATFORM: lambda: _("street platform"),
    Tier.COMMUNITY_STATION: lambda: _("community station"),
    Tier.OTHER: lambda: _("facility"),
}

AREA_FLOOR_KEYS = {
    Tier.STREET_PLATFORM: "facility.street_platform.min_area",
    Tier.COMMUNITY_STATION: "facility.community_station.min_area",
}


@dataclass(frozen=True)
class Licence:
    number: str = ""
    valid_until: date | None = None

    @property
    def held(self) -> bool:
        return bool(self.number.strip())

    def expired_on(self, day: date) -> bool:
        """Expired on ``day``: valid through ``valid_until``, not after it."""
        return self.held and self.valid_until is not None and day > self.valid_until


@dataclass(frozen=True)
class FacilityFacts:
    """What the office knows of a facility, with one year's funding."""

    tier: str
    floor_area: Decimal
    functions: frozenset[str] = frozenset()
    kind: str = ""
    is_open: bool = True
    has_medical_room: bool = False
    clinic_partner: str = ""
    serves_residents_directly: bool = False
    meals_licence: Licence = field(default_factory=Licence)
    medical_licence: Licence = field(default_factory=Licence)
    institution_permit: Licence = field(default_factory=Licence)
    funding_year: int | None = None
    funding: Decimal | None = None  # None: nothing recorded for funding_year
    street_elders: int | None = None  # registered elders of a street platform's street


@dataclass(frozen=True)
class Flag:
    code: str
    message: str
    numbers: dict[str, Any] = field(default_factory=dict)


def plain_number(value: Decimal | int) -> Decimal:
    """600000.0000 -> 600000; 99.50 -> 99.5 (no trailing zeros, no exponent)."""
    value = Decimal(value)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() \
        else value.normalize()


def _fmt(value: Decimal | int) -> str:
    """600000.0000 -> '600,000'; 99.50 -> '99.5'."""
    return f"{plain_number(value):,}"


def area_floor(tier: str, floors: Mapping[str, Decimal]) -> Decimal | None:
    key = AREA_FLOOR_KEYS.get(tier)
    return floors[key] if key else None


def is_starlight_home_with_meals(facts: FacilityFacts) -> bool:
    """Art 9: "社区老年人活动站点、农村五保互助安居点运营经费每年每个不少于3万元，
    其中设立助餐配餐功能的社区星光老年之家每年每个不少于5万元". The higher floor is
    for a Starlight home (星光老年之家) that offers meals; any other community
    station or rural five-guarantee point stays at the lower floor, meals or
    not."""
    return (facts.tier == Tier.COMMUNITY_STATION
            and facts.kind == FacilityKind.STARLIGHT_HOME
            and Function.MEALS in facts.functions)


def funding_floor(facts: FacilityFacts, floors: Mapping[str, Decimal]) -> Decimal | None:
    """The yearly operating-funding floor of Art 9 for the facility (None: none)."""
    if facts.tier == Tier.DISTRICT_PLATFORM:
        key = ("facility.district_platform.min_funding_direct"
               if facts.serves_residents_directly
               else "facility.district_platform.min_funding")
    elif facts.tier == Tier.STREET_PLATFORM:
        key = "facility.street_platform.min_funding"
    elif facts.tier == Tier.COMMUNITY_STATION:
        key = ("facility.community_station.min_funding_meals"
               if is_starlight_home_with_meals(facts)
               else "facility.community_station.min_funding")
    else:
        return None
    return floors[key]


def missing_functions(facts: FacilityFacts) -> list[str]:
    return [f for f in REQUIRED_FUNCTIONS.get(facts.tier, ()) if f not in facts.functions]


def check_facility(facts: FacilityFacts, floors: Mapping[str, Decimal], *,
                   day: date) -> list[Flag]:
    """Flag every way the facility falls short of Art 7–9 on ``day``.

    A closed facility is not checked. Meeting a floor exactly passes.
    """
    if not facts.is_open:
        return []
    tier_label = TIER_NAMES[facts.tier]()
    return [
        *_area_flags(facts, floors, tier_label),
        *_function_flags(facts, tier_label),
        *_medical_room_flags(facts),
        *_funding_flags(facts, floors),
        *_licence_flags(facts, day),
    ]


def _area_flags(facts, floors, tier_label):
    floor = area_floor(facts.tier, floors)
    if floor is None or facts.floor_area >= floor:
        return []
    return [Flag("area_below_floor", _(
        "Floor area %(area)s m² is below the %(floor)s m² a %(tier)s needs (Art 7): "
        "add %(short)s m² or move to larger premises.") % {
            "area": _fmt(facts.floor_area), "floor": _fmt(floor), "tier": tier_label,
            "short": _fmt(floor - facts.floor_area)},
        {"area": facts.floor_area, "floor": floor})]


def _function_flags(facts, tier_label):
    missing = missing_functions(facts)
    if not missing:
        return []
    return [Flag("functions_missing", _(
        "A %(tier)s must offer these functions (Art 7); add: %(missing)s.") % {
            "tier": tier_label, "missing": ", ".join(str(Function(f).label) for f in missing)},
        {"missing": missing})]


def _medical_room_flags(facts):
    if facts.tier != Tier.STREET_PLATFORM or facts.has_medical_room \
            or facts.clinic_partner.strip():
        return []
    return [Flag("no_medical_room", _(
        "A street platform needs a medical room or medical service point set up with a "
        "clinic (Art 7(2)): record the medical room or the partner clinic."))]


def _funding_flags(facts, floors):
    floor = funding_floor(facts, floors)
    if floor is None:
        return []
    year = facts.funding_year
    numbers: dict[str, Any] = {"year": year, "floor": floor}
    if facts.funding is None:
        code = "funding_not_recorded"
        message = _("No operating funding is recorded for %(year)s; the floor is %(floor)s "
                    "yuan a year (Art 9): record the year's funding.") % {
            "year": year, "floor": _fmt(floor)}
    elif facts.funding < floor:
        code = "funding_below_floor"
        numbers.update(amount=facts.funding, shortfall=floor - facts.funding)
        message = _("Operating funding for %(year)s is %(amount)s yuan, below the floor of "
                    "%(floor)s yuan (Art 9): add %(short)s yuan.") % {
            "year": year, "amount": _fmt(facts.funding), "floor": _fmt(floor),
            "short": _fmt(floor - facts.funding)}
    else:
        return []
    threshold = floors.get("facility.street_platform.small_street_elders")
    if (facts.tier == Tier.STREET_PLATFORM and facts.street_elders is not None
            and threshold is not None and facts.street_elders < threshold):
        numbers.update(street_elders=facts.street_elders, small_street_elders=threshold)
        message += " " + _(
            "The street has %(elders)s registered elders, fewer than %(threshold)s: the "
            "district may set a lower floor (Art 9); the floor used is the district's own "
            "value.") % {"elders": _fmt(facts.street_elders), "threshold": _fmt(threshold)}
    return [Flag(code, message, numbers)]


LICENCES = (
    # attribute (also the flag's prefix), name
    ("meals_licence", lambda: _("food-business licence")),
    ("medical_licence", lambda: _("medical-institution licence")),
    ("institution_permit", lambda: _("eldercare-institution permit")),
)


def _licence_needed(facts: FacilityFacts) -> dict[str, str]:
    """Which licences Art 8 requires, and the message when one is missing."""
    needed = {}
    if Function.MEALS in facts.functions:
        needed["meals_licence"] = _(
            "Meals are offered without a food-business licence (Art 8): record the licence "
            "or stop the meal service.")
    if Function.HEALTHCARE in facts.functions:
        needed["medical_licence"] = _(
            "Healthcare is offered without a medical-institution licence (Art 8): record the "
            "licence (the partner clinic's, where it provides the service) or stop the "
            "service.")
    if facts.tier == Tier.OTHER and facts.kind == FacilityKind.NURSING_HOME:
        needed["institution_permit"] = _(
            "A community nursing home needs an eldercare-institution permit (Art 8): record "
            "the permit.")
    return needed


def _licence_flags(facts, day):
    flags = []
    needed = _licence_needed(facts)
    for attribute, name in LICENCES:
        licence: Licence = getattr(facts, attribute)
        if not licence.held and attribute in needed:
            flags.append(Flag(f"{attribute}_missing", needed[attribute]))
        elif licence.expired_on(day):
            flags.append(Flag(f"{attribute}_expired", _(
                "The %(licence)s %(number)s was valid until %(until)s and has expired: record "
                "the renewed one.") % {"licence": name(), "number": licence.number,
                                       "until": licence.valid_until.isoformat()},
                {"number": licence.number, "valid_until": licence.valid_until}))
    return flags
