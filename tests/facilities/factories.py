"""Facility factories. A facility sits where its tier belongs (a new street
unless told), offers what its tier requires and meets its area floor, so a
test changes only the fact it is about."""

from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from apps.facilities.models import Facility, FacilityFunding, Function, Tier
from tests.factories import RegionFactory

STATION_FUNCTIONS = [Function.MEALS, Function.RECREATION]
STREET_PLATFORM_FUNCTIONS = [
    Function.DAY_CARE, Function.RESPITE, Function.LIFE_CARE, Function.MEALS,
    Function.HEALTHCARE, Function.REHABILITATION_NURSING, Function.DEVICE_RENTAL,
    Function.NEEDS_ASSESSMENT]
DISTRICT_PLATFORM_FUNCTIONS = [
    Function.STAFF_TRAINING, Function.CARE_LEVEL_ASSESSMENT, Function.SERVICE_EVALUATION,
    Function.PRODUCT_DISPLAY, Function.DEMONSTRATION]


class FacilityFactory(DjangoModelFactory):
    """A compliant community station (meals with a licence, 120 m²)."""

    class Meta:
        model = Facility

    name = factory.Sequence(lambda n: f"Facility {n}")
    tier = Tier.COMMUNITY_STATION
    region = factory.LazyFunction(lambda: RegionFactory.street(RegionFactory.district()))
    address = factory.Sequence(lambda n: f"{n} Example Road")
    floor_area = Decimal("120.00")
    functions = factory.LazyFunction(lambda: list(STATION_FUNCTIONS))
    meals_licence_number = "JY-TEST-0001"

    @classmethod
    def street_platform(cls, street, **kwargs):
        defaults = {"tier": Tier.STREET_PLATFORM, "region": street,
                    "floor_area": Decimal("600.00"),
                    "functions": list(STREET_PLATFORM_FUNCTIONS), "has_medical_room": True,
                    "medical_licence_number": "PDY-TEST-0001"}
        return cls(**{**defaults, **kwargs})

    @classmethod
    def district_platform(cls, district, **kwargs):
        defaults = {"tier": Tier.DISTRICT_PLATFORM, "region": district,
                    "floor_area": Decimal("1500.00"),
                    "functions": list(DISTRICT_PLATFORM_FUNCTIONS), "meals_licence_number": ""}
        return cls(**{**defaults, **kwargs})


def fund(facility, amount, year=None) -> FacilityFunding:
    return FacilityFunding.objects.create(facility=facility, year=year or timezone.localdate().year,
                                          amount=Decimal(amount))
