from celery import shared_task
from django.utils import timezone

from apps.careplans import services


@shared_task
def expire_agreements_task() -> dict[str, int]:
    """End agreements whose term ran out or whose elder's entitlement ended."""
    return services.expire_agreements(today=timezone.localdate())
