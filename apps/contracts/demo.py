"""Demo contract: one active contract of the demo provider covering the
district's first street, with two priced items."""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from apps.catalogue.models import ServiceItem
from apps.contracts import services
from apps.contracts.models import Contract
from apps.regions.models import Region


def build_demo_contracts(district: Region, provider) -> Contract:
    """Create the demo contract once; later calls return it unchanged."""
    reference = f"DEMO-{district.code}-{provider.pk}"
    existing = Contract.objects.filter(reference=reference).first()
    if existing is not None:
        return existing
    street = district.children.order_by("code").first()
    today = timezone.localdate()
    starts_on = date(today.year, 1, 1)
    items = [(item, price) for code, price in (("LC-HOME", Decimal("38.00")),
                                                     ("ML-CANTEEN", Decimal("16.00")))
             if (item := ServiceItem.objects.filter(code=code).first()) is not None]
    return services.create_contract(
        reference=reference, purchaser=district, provider=provider, covered_area=[street],
        signed_on=date(today.year - 1, 12, 15), starts_on=starts_on,
        ends_on=date(today.year + 2, 12, 31),
        items=items)
