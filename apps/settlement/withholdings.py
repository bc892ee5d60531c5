"""Withholding the amounts of confirmed audit findings that name no visit
(issue 7 §6).

A confirmed finding on a visit needs no withholding: the visit is no longer
paid (``compute.MONTH_LINES`` leaves it out), and if its month is closed the
next run takes back what was paid for it as an adjustment, once, whatever
versions the visit has (``apps.settlement.adjustments``). A confirmed
finding with an amount that names a provider but no visit is withheld (or,
for a month already paid, recovered) from the provider in the next run of
its district that closes: each run computed takes every such finding that
no closed run has withheld.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from apps.findings.models import Finding, FindingStatus
from apps.settlement.models import CLOSED, SettlementLine, SettlementRun, Withholding


def pending_findings(run: SettlementRun):
    """Confirmed findings of the run's district with an amount, a provider
    and no visit, that no closed run has withheld, oldest decision first."""
    return (Finding.objects
            .filter(district_id=run.district_id, status=FindingStatus.CONFIRMED,
                    amount__gt=0, provider__isnull=False, visit__isnull=True)
            .exclude(withholdings__run__status__in=CLOSED)
            .order_by("decided_at", "pk"))


def write_withholdings(run: SettlementRun) -> int:
    """Replace the run's withholdings (two queries). The caller holds the
    run's transaction."""
    if run.is_closed:
        raise ValueError(f"settlement run {run.pk} is {run.status}: it cannot change")
    Withholding.objects.filter(run=run).delete()
    rows = [Withholding(run=run, provider_id=finding.provider_id, finding=finding,
                        amount=finding.amount)
            for finding in pending_findings(run)]
    Withholding.objects.bulk_create(rows)
    return len(rows)


@dataclass(frozen=True)
class Recovery:
    run: SettlementRun
    amount: Decimal

    @property
    def run_id(self) -> int:
        return self.run.pk


def recoveries(finding: Finding) -> list[Recovery]:
    """Where a confirmed finding's money was taken: for a finding on a visit,
    the adjustment lines of its district's runs that took the visit (any
    version) back; otherwise its withholdings. One query."""
    if finding.visit_id is None:
        return [Recovery(w.run, w.amount)
                for w in finding.withholdings.select_related("run").order_by("run__month")]
    visit = finding.visit
    lines = (SettlementLine.objects
             .filter(run__district_id=finding.district_id, is_adjustment=True,
                     visit__provider_id=visit.provider_id,
                     visit__provider_visit_id=visit.provider_visit_id)
             .values("run").annotate(paid=Sum("subsidy") + Sum("bonus"))
             .filter(paid__lt=0).order_by("run"))
    runs = SettlementRun.objects.in_bulk([row["run"] for row in lines])
    return [Recovery(runs[row["run"]], -row["paid"]) for row in lines]
