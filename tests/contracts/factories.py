"""Contract factories. A contract's purchaser is its covered street's
district; it is written straight to the table (no term or bar check), so a
test can place any contract, and carries one item unless told otherwise.
A three-party agreement is written straight too, but with data the service
would accept."""

from datetime import date
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from apps.catalogue.models import ServiceItem
from apps.contracts.models import CarerAgreement, Contract
from apps.subsidies.models import Entitlement
from tests.factories import ElderFactory, EntitlementFactory, ProviderFactory, RegionFactory


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


def subsidised(elder, subsidy_class: str = "class1"):
    """Give ``elder`` a current entitlement (a subsidised elder, Art 31)
    unless they hold one; return the current one."""
    current = Entitlement.objects.current().filter(elder=elder).first()
    return current or EntitlementFactory(elder=elder, subsidy_class=subsidy_class)


class CarerAgreementFactory(DjangoModelFactory):
    """A valid agreement (Art 31): the elder is subsidised (a current class 1
    entitlement is added unless one exists) and the district centre has
    consented before the signing."""

    class Meta:
        model = CarerAgreement
        skip_postgeneration_save = True

    elder = factory.SubFactory(ElderFactory)
    carer_name = factory.Sequence(lambda n: f"Carer {n}")
    relationship = "neighbour"
    carer_phone = "13800000000"
    street = factory.LazyAttribute(lambda o: o.elder.residence_street)
    district_approved_on = date(2025, 12, 15)
    district_approval_reference = factory.Sequence(lambda n: f"QZX-2025-{n:04d}")
    signed_on = date(2026, 1, 1)
    starts_on = date(2026, 1, 1)
    ends_on = date(2026, 12, 31)

    @factory.post_generation
    def entitlement(self, create, extracted, **kwargs):
        # entitlement=False leaves the elder as they are (not subsidised)
        if create and extracted is not False:
            subsidised(self.elder)

    @factory.post_generation
    def items(self, create, extracted, **kwargs):
        if not create:
            return
        for item, price in (extracted if extracted is not None
                            else [(service_item("LC-HOME"), Decimal("30.00"))]):
            self.items.create(service_item=item, price=price)
