import os

from celery import shared_task


@shared_task(bind=True)
def worker_identity_task(self) -> dict:
    """Report which process ran this task (used to prove a worker is live)."""
    return {"pid": os.getpid(), "eager": bool(self.request.is_eager),
            "hostname": self.request.hostname}
