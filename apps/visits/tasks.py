import logging
from datetime import date

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task
def sample_follow_ups_task(month: str | None = None) -> dict:
    """Monthly: assign the follow-up calls of ``month`` (YYYY-MM; by default
    the month before today's local date) in every district. Returns the
    month and the calls created per district code; re-running tops up."""
    from django.utils import timezone

    from apps.subsidies.rules import previous_month_start
    from apps.visits.followups import sample_all_districts

    first = (date.fromisoformat(f"{month}-01") if month
             else previous_month_start(timezone.localdate()))
    created = sample_all_districts(first)
    result = {"month": f"{first:%Y-%m}", "created": created,
              "total": sum(created.values())}
    logger.info("follow-up calls sampled: %s", result)
    return result
