"""Compliance of many facilities at once, and the district overview.

Each read is one query per table whatever the number of facilities: the
year's funding, the elders of the streets with a platform, and the floors
in force (one ``values_on`` per district). The rules themselves are the
pure functions of ``apps.facilities.rules``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count

from apps.elders.models import Elder, LifeStatus
from apps.facilities import rules
from apps.facilities.models import Facility, FacilityFunding, Tier
from apps.policy.lookup import values_on
from apps.regions.models import Region, RegionKind


def facts_of(facility: Facility, *, year: int, funding=None,
             street_elders: int | None = None) -> rules.FacilityFacts:
    """The rules' view of one facility, with ``year``'s funding."""
    return rules.FacilityFacts(
        tier=facility.tier,
        kind=facility.kind,
        floor_area=facility.floor_area,
        functions=frozenset(facility.functions or ()),
        is_open=facility.is_open,
        has_medical_room=facility.has_medical_room,
        clinic_partner=facility.clinic_partner,
        serves_residents_directly=facility.serves_residents_directly,
        meals_licence=rules.Licence(facility.meals_licence_number,
                                    facility.meals_licence_expires),
        medical_licence=rules.Licence(facility.medical_licence_number,
                                      facility.medical_licence_expires),
        institution_permit=rules.Licence(facility.institution_permit_number,
                                         facility.institution_permit_expires),
        funding_year=year,
        funding=funding,
        street_elders=street_elders,
    )


def floors_on(day: date, district_id: int | None) -> dict:
    """The facility floors in force on ``day`` for a district (its own
    values win over the city's)."""
    return values_on(day, district_id, keys=rules.FLOOR_KEYS)


def street_elder_counts(street_ids: Iterable[int]) -> dict[int, int]:
    """Registered elders living at home in each street (one query)."""
    street_ids = set(street_ids)
    if not street_ids:
        return {}
    return dict(Elder.objects.filter(residence_street__in=street_ids,
                                     life_status=LifeStatus.ACTIVE)
                .values("residence_street").annotate(n=Count("pk"))
                .values_list("residence_street", "n"))


def flags_for(facilities: Iterable[Facility], day: date) -> dict[int, list[rules.Flag]]:
    """Flags of each facility on ``day`` against ``day.year``'s funding.

    ``facilities`` should come with their places loaded
    (``Facility.objects.with_places()``).
    """
    facilities = list(facilities)
    if not facilities:
        return {}
    year = day.year
    funding = dict(FacilityFunding.objects.filter(
        facility__in=[f.pk for f in facilities], year=year).values_list("facility_id", "amount"))
    elders = street_elder_counts(f.street.pk for f in facilities
                                 if f.tier == Tier.STREET_PLATFORM and f.street is not None)
    floors = {district_id: floors_on(day, district_id)
              for district_id in {f.district_id for f in facilities}}
    result = {}
    for facility in facilities:
        street = facility.street
        platform_street = street if facility.tier == Tier.STREET_PLATFORM else None
        facts = facts_of(facility, year=year, funding=funding.get(facility.pk),
                         street_elders=elders.get(platform_street.pk, 0)
                         if platform_street else None)
        result[facility.pk] = rules.check_facility(facts, floors[facility.district_id],
                                                   day=day)
    return result


@dataclass
class StreetRow:
    street: Region
    by_tier: Counter = field(default_factory=Counter)
    closed: int = 0
    flagged: int = 0
    flags: int = 0
    flag_codes: Counter = field(default_factory=Counter)

    @property
    def street_platforms(self) -> int:
        return self.by_tier[Tier.STREET_PLATFORM]

    @property
    def community_stations(self) -> int:
        return self.by_tier[Tier.COMMUNITY_STATION]

    @property
    def others(self) -> int:
        return self.by_tier[Tier.OTHER]

    @property
    def open_total(self) -> int:
        return sum(self.by_tier.values())


@dataclass
class Overview:
    district: Region
    day: date
    rows: list[StreetRow]
    total: StreetRow
    platforms: list[tuple[Facility, list[rules.Flag]]]


def district_overview(*, district: Region, user, day: date) -> Overview:
    """Per street of ``district`` that ``user`` sees: open facilities by
    tier, closed ones, facilities with flags and the number of flags; and
    the district platform with its flags. One query per table."""
    streets = list(Region.objects.visible_to(user)
                   .filter(kind=RegionKind.STREET, parent=district).order_by("code"))
    facilities = list(Facility.objects.visible_to(user).with_places().under(district))
    flags = flags_for(facilities, day)
    rows = {street.pk: StreetRow(street) for street in streets}
    total = StreetRow(district)
    platforms = []
    for facility in facilities:
        if facility.tier == Tier.DISTRICT_PLATFORM:
            platforms.append((facility, flags[facility.pk]))
            continue
        street = facility.street
        row = rows.get(street.pk) if street else None
        if row is None:
            continue
        for target in (row, total):
            if facility.is_open:
                target.by_tier[facility.tier] += 1
            else:
                target.closed += 1
            found = flags[facility.pk]
            target.flagged += bool(found)
            target.flags += len(found)
            target.flag_codes.update(flag.code for flag in found)
    platforms.sort(key=lambda pair: (not pair[0].is_open, pair[0].name))
    return Overview(district=district, day=day, rows=list(rows.values()), total=total,
                    platforms=platforms)
