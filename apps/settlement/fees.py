"""The assessment fees a run pays (Art 21; issue 7 §1): every assessment
fee statement the district issued for the run's month or before that no
closed run has paid yet. Recording the run's payment marks them paid."""

from __future__ import annotations

from datetime import date

from apps.assessments.models import FeeStatement, FeeStatementStatus
from apps.settlement.models import CLOSED, AssessmentFeeLine, SettlementRun


def payable_statements(run: SettlementRun):
    return (FeeStatement.objects
            .filter(district_id=run.district_id, status=FeeStatementStatus.ISSUED,
                    month__lte=run.month)
            .exclude(settlement_lines__run__status__in=CLOSED)
            .order_by("month", "pk"))


def write_fee_lines(run: SettlementRun) -> int:
    """Replace the run's fee lines; returns how many. The caller holds the
    run's transaction."""
    if run.is_closed:
        raise ValueError(f"settlement run {run.pk} is {run.status}: it cannot change")
    AssessmentFeeLine.objects.filter(run=run).delete()
    return len(AssessmentFeeLine.objects.bulk_create(
        AssessmentFeeLine(run=run, statement=statement, body_id=statement.body_id,
                          month=statement.month, amount=statement.district_total)
        for statement in payable_statements(run)))


def mark_paid(run: SettlementRun, paid_on: date) -> int:
    """The statements the run paid are paid on the run's payment day."""
    return (FeeStatement.objects
            .filter(settlement_lines__run=run, status=FeeStatementStatus.ISSUED)
            .update(status=FeeStatementStatus.PAID, paid_on=paid_on))
