"""State changes of audit findings.

A finding is raised by the check that notices something (a follow-up call
that finds a service was not received; the monthly audit,
``apps.findings.audit``) and is raised once: ``(rule, source_key)`` names
what raised it, so running the check again adds nothing.

District staff decide an open finding once: ``confirm`` (its amount is
withheld or recovered in the district's next settlement run) or
``dismiss`` (with a reason). Each decision is atomic, locks the row, records
who decided, when and why (and the change history keeps it), and refuses
with a field error: a finding already decided, a dismissal without a
reason, a user outside the finding's district.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.scoping import scope_for
from apps.findings.models import Finding, FindingStatus


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


def may_decide(user, finding: Finding) -> bool:
    """Whether ``finding``'s district is within ``user``'s jurisdiction (a
    street sees the findings about its elders but does not decide them)."""
    scope = scope_for(user)
    return scope.everything or finding.district_id in scope.region_ids


def _decide(finding: Finding, user, status: str, reason: str) -> Finding:
    finding = _locked(finding)
    if not may_decide(user, finding):
        raise _error("decided_by", _("Only staff of the finding's district may decide it."),
                     "out_of_scope")
    if finding.status != FindingStatus.OPEN:
        raise _error("status", _("This finding is already decided: %(status)s."),
                     "already_decided", status=finding.get_status_display())
    finding.status = status
    finding.decided_by, finding.decided_at = user, timezone.now()
    finding.decision_reason = reason
    finding.save(update_fields=["status", "decided_by", "decided_at", "decision_reason",
                                "updated_at"])
    return finding


@transaction.atomic
def confirm(*, finding: Finding, user, reason: str = "") -> Finding:
    """Confirm an open finding: its amount is to be withheld (or recovered)
    from the provider in the district's next settlement run."""
    return _decide(finding, user, FindingStatus.CONFIRMED, (reason or "").strip())


@transaction.atomic
def dismiss(*, finding: Finding, user, reason: str) -> Finding:
    """Dismiss an open finding, saying why: nothing is withheld."""
    reason = (reason or "").strip()
    if not reason:
        raise _error("decision_reason", _("Say why the finding is dismissed."), "required")
    return _decide(finding, user, FindingStatus.DISMISSED, reason)
