import logging
from datetime import date
from decimal import Decimal

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task
def compile_fee_statements_task(month: str | None = None) -> dict:
    """Monthly: compile the draft fee statements of ``month`` (YYYY-MM; by
    default the month before today's local date) so the districts can issue
    them. Returns the month, how many statements were updated and their fees."""
    from django.utils import timezone

    from apps.assessments.services import compile_fee_statements
    from apps.subsidies.rules import previous_month_start

    if month:
        first = date.fromisoformat(f"{month}-01")
    else:
        first = previous_month_start(timezone.localdate())
    statements = compile_fee_statements(month=first)
    result = {
        "month": f"{first:%Y-%m}",
        "statements": len(statements),
        "assessments": sum(s.assessment_count for s in statements),
        "fee_total": str(sum((s.fee_total for s in statements), start=Decimal("0.00"))),
    }
    logger.info("fee statements compiled: %s", result)
    return result


@shared_task
def request_routine_reassessments_task() -> int:
    """Daily: request the routine re-assessments that have fallen due."""
    from apps.assessments.services import request_routine_reassessments

    requested = request_routine_reassessments()
    logger.info("routine re-assessments requested: %s", requested)
    return requested
