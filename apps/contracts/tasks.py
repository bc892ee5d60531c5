from celery import shared_task
from django.utils import timezone

from apps.contracts import services


@shared_task
def expire_contracts_task() -> int:
    """Mark contracts whose term has run out expired."""
    return services.expire_contracts(today=timezone.localdate())
