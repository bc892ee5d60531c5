"""State changes of audit findings.

A finding is raised by the check that notices something (a follow-up call
that finds a service was not received; later the monthly audit of the
settlement) and is raised once: ``(rule, source_key)`` names what raised it,
so running the check again adds nothing.

The decisions on a finding (confirm: the amount is withheld or recovered;
dismiss, with a reason) belong to the settlement issue and are added here
then, in the same shape: ``@transaction.atomic``, the row locked with
``_locked``, refusals as ``_error(field, message, code)``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.findings.models import Finding


def _error(field: str, message: str, code: str, **params) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params or None)})


def _locked(finding: Finding) -> Finding:
    """The finding's row, locked for a decision on it."""
    return Finding.objects.select_for_update().get(pk=finding.pk)


@transaction.atomic
def raise_finding(*, rule: str, source_key: str, district, month: date, summary: str,
                  amount: Decimal = Decimal("0.00"), evidence: dict | None = None,
                  provider=None, elder=None, visit=None) -> tuple[Finding, bool]:
    """Raise the finding ``(rule, source_key)`` unless it was raised before.

    Returns the finding and whether it is new; a finding already raised is
    returned as it stands (its status and decision untouched).
    """
    finding, created = Finding.objects.get_or_create(
        rule=rule, source_key=source_key,
        defaults={
            "district": district, "month": month.replace(day=1), "summary": summary[:300],
            "amount": Decimal(amount).quantize(Decimal("0.01")), "evidence": evidence or {},
            "provider": provider, "elder": elder, "visit": visit,
        })
    return finding, created
