"""Plan and agreement factories, written straight to the tables (no rule
checked) so a test can place any plan or agreement. An agreement's provider
is of the elder's district and its contract covers the elder's street."""

from datetime import date
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from apps.careplans.models import ServiceAgreement, ServicePlan
from tests.contracts.factories import ContractFactory, service_item
from tests.factories import ElderFactory, ProviderFactory, RegionFactory


class ServicePlanFactory(DjangoModelFactory):
    """A plan in force from 1 January 2026 with 20 canteen meals a month at 15."""

    class Meta:
        model = ServicePlan
        skip_postgeneration_save = True

    elder = factory.SubFactory(ElderFactory)
    starts_on = date(2026, 1, 1)

    @factory.post_generation
    def items(self, create, extracted, **kwargs):
        if not create:
            return
        for item, times, price in (extracted if extracted is not None
                                   else [(service_item(), 20, Decimal("15.00"))]):
            self.items.create(service_item=item, times_per_month=times, unit_price=price)


class ServiceAgreementFactory(DjangoModelFactory):
    """An agreement in force from 1 January 2026 with no end, for canteen
    meals at 15 (``items``: (service item, times per month, price) rows)."""

    class Meta:
        model = ServiceAgreement
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"SA-T-2026-{n:05d}")
    elder = factory.SubFactory(ElderFactory)
    provider = factory.LazyAttribute(
        lambda o: ProviderFactory(region=o.elder.residence_street.parent))
    contract = factory.LazyAttribute(
        lambda o: ContractFactory(street=o.elder.residence_street, provider=o.provider,
                                  covered_area=[o.elder.residence_street]))
    signed_on = date(2026, 1, 1)
    starts_on = date(2026, 1, 1)

    @factory.post_generation
    def items(self, create, extracted, **kwargs):
        if not create:
            return
        for item, times, price in (extracted if extracted is not None
                                   else [(service_item(), 20, Decimal("15.00"))]):
            self.items.create(service_item=item, times_per_month=times, unit_price=price)


def rehab_nursing_clients(provider, count: int, **kwargs) -> list[ServiceAgreement]:
    """``count`` elders of a new street of the provider's district, each
    with an agreement for home rehabilitation nursing with ``provider``
    under one contract covering that street."""
    street = RegionFactory.street(provider.region)
    contract = ContractFactory(street=street, provider=provider, covered_area=[street],
                               items=[(service_item("RN-HOME"), Decimal("80.00"))])
    return [ServiceAgreementFactory(
        elder=ElderFactory(residence_street=street, hukou_street=street), provider=provider,
        contract=contract, items=[(service_item("RN-HOME"), 8, Decimal("80.00"))], **kwargs)
        for _n in range(count)]
