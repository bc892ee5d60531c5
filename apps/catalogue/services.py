"""State changes of the catalogue: the city publishes a new guide price."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from apps.catalogue.models import GuidePrice, ServiceItem


@transaction.atomic
def publish_guide_price(*, item: ServiceItem, price: Decimal, valid_from: date, basis: str,
                        by=None) -> GuidePrice:
    """Add a version of ``item``'s guide price in force from ``valid_from``
    (today or later; the earlier version stays, in force until then)."""
    version = GuidePrice(item=item, price=price, valid_from=valid_from, basis=basis,
                         created_by=by)
    version.full_clean()
    version.save()
    return version
