"""The one way to read a policy value: the version in force on a date.

Where a district has its own version of a parameter (its share of the
funding, say), that version wins over the city-wide one.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from apps.policy.models import PolicyValue
from apps.policy.parameters import PARAMETERS


class PolicyValueMissing(LookupError):
    pass


def _versions(day: date, district, keys=None):
    versions = PolicyValue.objects.all()
    if keys is not None:
        versions = versions.filter(key__in=keys)
    if district is None:
        return versions.filter(region__isnull=True)
    return versions.filter(region__isnull=True) | versions.filter(region=district)


def values_on(day: date, district=None, keys=None) -> dict[str, Decimal]:
    """Every parameter (or ``keys``) in force on ``day``, in one query.

    For each key the latest district version wins over the latest city-wide
    one; rules receive the result as plain values.
    """
    values: dict[str, Decimal] = {}
    for key, region_id, value in _versions(day, district, keys).in_force(day).values_list(
        "key", "region_id", "value"
    ):
        if region_id is not None or key not in values:
            values[key] = value
    return values


def value_on(key: str, day: date, district=None) -> Decimal:
    """Return the value of ``key`` in force on ``day`` (for ``district``)."""
    if key not in PARAMETERS:
        raise KeyError(key)
    values = values_on(day, district, keys=[key])
    if key not in values:
        raise PolicyValueMissing(
            _("No value of %(key)s is in force on %(day)s.") % {"key": key, "day": day}
        )
    return values[key]
