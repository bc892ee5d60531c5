import logging

from celery import shared_task
from django.core.mail import mail_admins
from django.utils import timezone

from apps.workdays.checks import WARNING_HORIZON_DAYS
from apps.workdays.working_days import years_missing

logger = logging.getLogger(__name__)


@shared_task
def check_calendar_coverage_task() -> list[int]:
    """Daily: alert administrators before deadlines reach an unknown year."""
    missing = years_missing(timezone.localdate(), WARNING_HORIZON_DAYS)
    if missing:
        message = f"No official holiday schedule entered for: {', '.join(map(str, missing))}"
        logger.warning(message)
        mail_admins("Working-day calendar needs the next year's schedule", message)
    return missing
