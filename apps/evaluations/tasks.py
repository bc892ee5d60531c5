import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task
def finalise_evaluations_task() -> list[int]:
    """Daily: make final the published results whose appeal window closed
    without an appeal, and put their grades in force. Returns their ids."""
    from apps.evaluations.services import finalise_due

    done = [evaluation.pk for evaluation in finalise_due()]
    if done:
        logger.info("Evaluations made final: %s", done)
    return done
