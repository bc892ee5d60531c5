"""Demo facilities: a street platform and two community stations in the
first street of a district, one station short of its floors (synthetic)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.facilities.models import Facility, FacilityFunding, FacilityKind, Function, RunBy, Tier
from apps.providers.models import Provider
from apps.regions.models import Region, RegionKind

DEMO_PROVIDER_CODE = "DEMO00000000000001"


def build_demo_facilities(district: Region, *, today: date | None = None) -> list[Facility]:
    """Create the demo facilities of ``district``'s first street (by code);
    safe to run twice. The street platform is contracted to the demo
    provider where one exists; the second community station (an activity
    station, so its floor is 30,000 yuan even with meals, Art 9) offers meals
    with 85 m², no food licence and 28,000 yuan, so it shows flags."""
    today = today or timezone.localdate()
    street = district.children.filter(kind=RegionKind.STREET).order_by("code").first()
    if street is None:
        return []
    communities = list(street.children.filter(kind=RegionKind.COMMUNITY).order_by("code")[:2])
    station_regions = [*communities, street, street][:2]
    provider = Provider.objects.filter(credit_code=DEMO_PROVIDER_CODE).first()
    base = street.name.removesuffix("街道").removesuffix("镇")
    licence_until = today.replace(month=12, day=31) + timedelta(days=366)
    plans = [
        ({"name": f"{base}街居家养老综合服务平台（演示）", "tier": Tier.STREET_PLATFORM,
          "region": street},
         {"address": f"{street.name}示例路1号", "floor_area": Decimal("620.00"),
          "functions": [Function.DAY_CARE, Function.RESPITE, Function.LIFE_CARE,
                        Function.MEALS, Function.HEALTHCARE, Function.REHABILITATION_NURSING,
                        Function.DEVICE_RENTAL, Function.NEEDS_ASSESSMENT,
                        Function.RECREATION],
          "has_medical_room": True, "clinic_partner": f"{base}街社区卫生服务中心（演示）",
          "meals_licence_number": "JY34401060000001", "meals_licence_expires": licence_until,
          "medical_licence_number": "PDY-DEMO-0001", "medical_licence_expires": licence_until,
          "run_by": RunBy.CONTRACTED if provider else RunBy.SELF, "operator": provider},
         Decimal("650000.00")),
        ({"name": f"{station_regions[0].name.removesuffix('（演示）')}星光老年之家（演示）",
          "tier": Tier.COMMUNITY_STATION, "region": station_regions[0]},
         {"kind": FacilityKind.STARLIGHT_HOME, "address": f"{street.name}示例路20号",
          "floor_area": Decimal("128.00"),
          "functions": [Function.MEALS, Function.RECREATION, Function.DAY_CARE],
          "meals_licence_number": "JY34401060000002", "meals_licence_expires": licence_until},
         Decimal("50000.00")),
        ({"name": f"{station_regions[1].name.removesuffix('（演示）')}老年人活动站点（演示）",
          "tier": Tier.COMMUNITY_STATION, "region": station_regions[1]},
         {"kind": FacilityKind.ACTIVITY_STATION, "address": f"{street.name}示例路35号",
          "floor_area": Decimal("85.00"), "functions": [Function.MEALS, Function.RECREATION]},
         Decimal("28000.00")),
    ]
    facilities = []
    with transaction.atomic():
        for lookup, details, amount in plans:
            facility = Facility.objects.filter(**lookup).first()
            if facility is None:
                facility = Facility(**lookup, **details, is_demo=True)
                facility.full_clean()
                facility.save()
            FacilityFunding.objects.get_or_create(
                facility=facility, year=today.year,
                defaults={"amount": amount, "basis": "区民政局部门预算（演示）"})
            facilities.append(facility)
    return facilities
