"""Contract factories. A contract's purchaser is its covered street's
district; it is written straight to the table (no term or bar check), so a
test can place any contract, and carries one item unless told otherwise."""

from datetime import date
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from apps.catalogue.models import ServiceItem
from apps.contracts.models import CarerAgreement, Contract
from tests.factories import ElderFactory, ProviderFactory, RegionFactory


def service_item(code: str = "ML-CANTEEN") -> ServiceItem:
    return ServiceItem.objects.get(code=code)


class ContractFactory(DjangoModelFactory):
    class Meta:
        model = Contract
        skip_postgeneration_save = True

    class Params:
        street = factory.LazyFunction(lambda: RegionFactory.street(RegionFactory.district()))

    reference = factory.Sequence(lambda n: f"HT-{n:05d}")
    purchaser = factory.LazyAttribute(lambda o: o.street.parent)
    provider = factory.LazyAttribute(lambda o: ProviderFactory(region=o.purchaser))
    signed_on = date(2025, 12, 20)
    starts_on = date(2026, 1, 1)
    ends_on = date(2028, 12, 31)

    @factory.post_generation
    def covered_area(self, create, extracted, **kwargs):
        if create:
            self.covered_area.set(extracted if extracted is not None
                                  else [self.purchaser.children.order_by("pk").first()])

    @factory.post_generation
    def items(self, create, extracted, **kwargs):
        if not create:
            return
        for item, price in (extracted if extracted is not None
                            else [(service_item(), Decimal("15.00"))]):
            self.items.create(service_item=item, price=price,
                              guide_price=item.guide_price_on(self.starts_on))


class CarerAgreementFactory(DjangoModelFactory):
    class Meta:
        model = CarerAgreement
        skip_postgeneration_save = True

    elder = factory.SubFactory(ElderFactory)
    carer_name = factory.Sequence(lambda n: f"Carer {n}")
    relationship = "neighbour"
    carer_phone = "13800000000"
    street = factory.LazyAttribute(lambda o: o.elder.residence_street)
    signed_on = date(2026, 1, 1)
    starts_on = date(2026, 1, 1)
    ends_on = date(2026, 12, 31)

    @factory.post_generation
    def items(self, create, extracted, **kwargs):
        if not create:
            return
        for item, price in (extracted if extracted is not None
                            else [(service_item("LC-HOME"), Decimal("30.00"))]):
            self.items.create(service_item=item, price=price)
