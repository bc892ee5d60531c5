import logging
from datetime import date

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=30 * 60,
             soft_time_limit=28 * 60, queue="settlement")
def audit_month_task(district_id: int, month: str) -> dict:
    """Audit one district's month (YYYY-MM). Safe to retry and to kill: the
    audit runs in one transaction and raises each finding once."""
    from apps.findings.audit import audit_month
    from apps.regions.models import Region

    district = Region.objects.get(pk=district_id)
    raised = audit_month(district, date.fromisoformat(f"{month}-01"))
    result = {"district": district.code, "month": month, "raised": raised,
              "total": sum(raised.values())}
    logger.info("audit findings raised: %s", result)
    return result


@shared_task
def audit_previous_month_task(month: str | None = None) -> list[int]:
    """Monthly: queue the audit of ``month`` (YYYY-MM; by default the month
    before today's local date) for every district."""
    from django.utils import timezone

    from apps.regions.models import Region, RegionKind
    from apps.subsidies.rules import previous_month_start

    first = (date.fromisoformat(f"{month}-01") if month
             else previous_month_start(timezone.localdate()))
    districts = list(Region.objects.filter(kind=RegionKind.DISTRICT).order_by("path")
                     .values_list("pk", flat=True))
    for district_id in districts:
        audit_month_task.delay(district_id, f"{first:%Y-%m}")
    logger.info("audits queued for %s: %s districts", f"{first:%Y-%m}", len(districts))
    return districts
