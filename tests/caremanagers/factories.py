from datetime import date

import factory
from factory.django import DjangoModelFactory

from apps.caremanagers.models import CareManager, Qualification
from tests.factories import RegionFactory


class CareManagerFactory(DjangoModelFactory):
    class Meta:
        model = CareManager

    street = factory.LazyFunction(lambda: RegionFactory.street(RegionFactory.district()))
    name = factory.Sequence(lambda n: f"管理员{n}")
    qualification = Qualification.JUNIOR
    certificate_number = factory.Sequence(lambda n: f"ZL{n:06d}")
    since = date(2024, 1, 1)
