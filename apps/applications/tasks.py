import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task
def flag_deadlines_task() -> dict:
    """Daily: tell each responsible office of its overdue and due-soon steps."""
    from apps.applications.services import flag_deadlines

    result = flag_deadlines()
    logger.info("deadline flags: %s", result)
    return result
