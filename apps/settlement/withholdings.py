"""Withholding the amounts of confirmed audit findings (issue 7 §6).

A finding confirmed by the district is withheld (or, for a month already
paid, recovered) from its provider in the next run of its district that
closes: each run computed takes every confirmed finding not yet withheld by
a closed run. Never more is withheld for a visit than was paid for it, net
of adjustments and of what earlier findings on the same visit took.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Q, Sum

from apps.findings.models import Finding, FindingStatus
from apps.settlement.models import CLOSED, SettlementLine, SettlementRun, Withholding

ZERO = Decimal("0.00")


def pending_findings(run: SettlementRun):
    """Confirmed findings of the run's district, with an amount and a
    provider, that no closed run has withheld, oldest decision first."""
    return (Finding.objects
            .filter(district_id=run.district_id, status=FindingStatus.CONFIRMED,
                    amount__gt=0, provider__isnull=False)
            .exclude(withholdings__run__status__in=CLOSED)
            .order_by("decided_at", "pk"))


def paid_for_visits(run: SettlementRun, visit_ids) -> dict[int, Decimal]:
    """Subsidy and performance subsidy paid for each visit by the district's
    closed runs and by this run (adjustments included), less what closed
    runs already withheld for findings on it."""
    paid = defaultdict(lambda: ZERO)
    lines = (SettlementLine.objects
             .filter(visit_id__in=visit_ids, run__district_id=run.district_id)
             .filter(Q(run__status__in=CLOSED) | Q(run=run))
             .values("visit_id").annotate(paid=Sum("subsidy") + Sum("bonus")))
    for row in lines:
        paid[row["visit_id"]] += row["paid"]
    taken = (Withholding.objects
             .filter(finding__visit_id__in=visit_ids, run__status__in=CLOSED)
             .values("finding__visit_id").annotate(taken=Sum("amount")))
    for row in taken:
        paid[row["finding__visit_id"]] -= row["taken"]
    return paid


def write_withholdings(run: SettlementRun) -> int:
    """Replace the run's withholdings, after its lines are written; a fixed
    number of queries. The caller holds the run's transaction."""
    if run.is_closed:
        raise ValueError(f"settlement run {run.pk} is {run.status}: it cannot change")
    Withholding.objects.filter(run=run).delete()
    findings = list(pending_findings(run))
    room = paid_for_visits(run, {f.visit_id for f in findings if f.visit_id})
    rows = []
    for finding in findings:
        amount = finding.amount
        if finding.visit_id is not None:
            amount = max(ZERO, min(amount, room[finding.visit_id]))
            room[finding.visit_id] -= amount
        if amount > 0:
            rows.append(Withholding(run=run, provider_id=finding.provider_id,
                                    finding=finding, amount=amount))
    Withholding.objects.bulk_create(rows)
    return len(rows)
