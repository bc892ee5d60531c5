import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=30 * 60,
             soft_time_limit=28 * 60, queue="settlement")
def compute_run_task(run_id: int) -> dict:
    """Compute one run (kill-safe: a re-delivered task finishes the job)."""
    from apps.settlement.jobs import compute_run

    run = compute_run(run_id)
    result = {"run": run_id, "status": run.status if run else "waiting",
              "payable": str(run.payable) if run else None}
    logger.info("settlement computed: %s", result)
    return result


@shared_task
def start_due_runs_task() -> list[int]:
    """Daily: on the settlement day, start the previous month's runs and
    queue their computation."""
    from apps.settlement.jobs import start_due_runs

    runs = start_due_runs()
    for run_id in runs:
        compute_run_task.delay(run_id)
    logger.info("settlement runs started: %s", runs)
    return runs


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=30 * 60,
             soft_time_limit=28 * 60, queue="pdf")
def render_documents_task(run_id: int) -> dict:
    """Render and store a run's statements on the ``pdf`` queue (a re-delivered
    task renders again; the rows are replaced in one transaction)."""
    from apps.settlement.documents import render_documents

    documents = render_documents(run_id)
    result = {"run": run_id, "documents": len(documents)}
    logger.info("settlement documents rendered: %s", result)
    return result
