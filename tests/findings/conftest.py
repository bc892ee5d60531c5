"""Shared helpers of the audit tests: a world of September 2025 in the
first district, the audit of it, and the findings of one rule."""

from datetime import date
from decimal import Decimal

import pgtrigger
import pytest

from apps.findings.audit import audit_month
from apps.findings.models import Finding
from apps.policy.models import PolicyValue
from tests.visits.factories import world

SEPTEMBER = date(2025, 9, 1)


@pytest.fixture
def w(tree):
    """A ready world (tests/visits/factories.py) in the first district."""
    return world(district=tree["district"], street=tree["street"])


def audit(w, month=SEPTEMBER) -> dict[str, int]:
    return audit_month(w.district, month)


def found(rule: str, **filters) -> list[Finding]:
    return list(Finding.objects.filter(rule=rule, **filters).order_by("visit_id", "pk"))


def visits_of(rule: str) -> set[int]:
    return {finding.visit_id for finding in found(rule)}


def district_value(key: str, value, district) -> PolicyValue:
    """A district's own version of a policy value, in force since 2016."""
    with pgtrigger.ignore("policy.PolicyValue:policy_value_not_backdated"):
        return PolicyValue.objects.create(key=key, value=Decimal(value),
                                          valid_from=date(2016, 1, 1), region=district)
