"""The one way to read a policy value: the version in force on a date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from apps.policy.models import PolicyValue
from apps.policy.parameters import PARAMETERS


class PolicyValueMissing(LookupError):
    pass


def value_on(key: str, day: date) -> Decimal:
    """Return the value of ``key`` in force on ``day``."""
    if key not in PARAMETERS:
        raise KeyError(key)
    version = (
        PolicyValue.objects.filter(key=key, valid_from__lte=day)
        .order_by("-valid_from")
        .values_list("value", flat=True)
        .first()
    )
    if version is None:
        raise PolicyValueMissing(
            _("No value of %(key)s is in force on %(day)s.") % {"key": key, "day": day}
        )
    return version


def values_on(day: date) -> dict[str, Decimal]:
    """Return every parameter in force on ``day`` (one query), for pure rules."""
    return dict(PolicyValue.objects.in_force(day).values_list("key", "value"))
