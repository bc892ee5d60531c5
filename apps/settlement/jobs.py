"""Running a settlement: the worker's side (ECOSYSTEM.md §2.3).

``compute_run`` writes the month's lines in one transaction, creates one
work item per provider, then claims the items from the database one at a
time (``FOR UPDATE SKIP LOCKED``, so several workers share them and a
killed worker's claim goes stale and is taken again) and totals each in its
own transaction; last, the run's totals. Each step either happens whole or
not at all, so a worker killed anywhere leaves no partial result and the
re-run finishes the job. No chord, no per-visit Python.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.policy.lookup import value_on
from apps.settlement import adjustments, compute, documents, fees, lifecycle, withholdings
from apps.settlement.lifecycle import Step
from apps.settlement.models import (
    RUN_TOTALS,
    ItemStatus,
    ProviderSettlement,
    RunStatus,
    SettlementRun,
)
from apps.subsidies.rules import month_end, month_start, previous_month_start
from apps.workdays.working_days import add_working_days

# A claim older than this is taken to belong to a worker that died.
STALE_CLAIM = timedelta(minutes=10)


def settlement_day(month: date) -> date:
    """The day the previous month's runs start in ``month``: the n-th working
    day (``SETTLEMENT_WORKING_DAY``, 3 by default) on the holiday calendar."""
    first = month_start(month)
    return add_working_days(first - timedelta(days=1), settings.SETTLEMENT_WORKING_DAY).date


def _lock_run(run_id: int) -> None:
    """One computation of a run at a time, however many workers are asked."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7, run_id])


def prepare(run_id: int) -> SettlementRun | None:
    """Write the lines and the work items of a run (whole or not at all);
    None when the run is no longer computable (approved meanwhile)."""
    with transaction.atomic():
        _lock_run(run_id)
        run = SettlementRun.objects.select_for_update(no_key=True).get(pk=run_id)
        if not lifecycle.allowed(Step.COMPUTE, run.status):
            return None
        # Every computation starts afresh (a recompute too, and a re-run after
        # a worker died): the lines are rewritten and a review no longer holds.
        ProviderSettlement.objects.filter(run=run).delete()
        SettlementRun.objects.filter(pk=run.pk).update(computation=F("computation") + 1)
        run.refresh_from_db(fields=["computation"])
        compute.write_lines(run)
        adjustments.write_adjustments(run)
        withholdings.write_withholdings(run)
        fees.write_fee_lines(run)
        compute.create_provider_items(run)
        SettlementRun.objects.filter(pk=run.pk).update(
            status=RunStatus.DRAFT, computed_at=None, reviewed_by=None, reviewed_at=None,
            **dict.fromkeys(RUN_TOTALS, 0))
        return run


def claim_next(run: SettlementRun, now=None) -> ProviderSettlement | None:
    """Claim one waiting (or stale) provider item of ``run``, or None."""
    now = now or timezone.now()
    with transaction.atomic():
        item = (ProviderSettlement.objects.select_for_update(skip_locked=True)
                .filter(run=run)
                .filter(Q(status=ItemStatus.PENDING)
                        | Q(status=ItemStatus.CLAIMED, claimed_at__lt=now - STALE_CLAIM))
                .order_by("pk").first())
        if item is None:
            return None
        ProviderSettlement.objects.filter(pk=item.pk).update(
            status=ItemStatus.CLAIMED, claimed_at=now, attempts=F("attempts") + 1)
    item.refresh_from_db()
    return item


def work(item: ProviderSettlement) -> None:
    """Total one provider's lines; the item is done only if the totals are."""
    with transaction.atomic():
        compute.total_provider(item)
        ProviderSettlement.objects.filter(pk=item.pk).update(
            status=ItemStatus.DONE, finished_at=timezone.now())


def finish(run_id: int) -> SettlementRun | None:
    """The run's totals and its funding split, once every item of the run's
    current computation is done (whichever worker totalled them); items a
    reset to draft made stale (``SettlementRun.computation``) are not."""
    with transaction.atomic():
        _lock_run(run_id)
        run = SettlementRun.objects.select_for_update(no_key=True).get(pk=run_id)
        if not lifecycle.allowed(Step.COMPUTE, run.status):
            return run
        items = ProviderSettlement.objects.filter(run=run)
        if (items.exclude(status=ItemStatus.DONE).exists()
                or items.exclude(computation=run.computation).exists()):
            return None
        city_share = value_on("funding.city_share", month_end(run.month), run.district)
        compute.total_run(run, city_share)
        SettlementRun.objects.filter(pk=run.pk).update(
            status=lifecycle.next_status(Step.COMPUTE), computed_at=timezone.now())
        documents.queue_rendering(run.pk)  # the statements, on the pdf queue
        run.refresh_from_db()
        return run


def compute_run(run_id: int) -> SettlementRun | None:
    """Prepare, work through the items, finish. Safe to run twice at once
    and to run again after a worker died at any point."""
    run = prepare(run_id)
    if run is None:
        return SettlementRun.objects.get(pk=run_id)
    while (item := claim_next(run)) is not None:
        work(item)
    return finish(run_id)


def start_due_runs(today: date | None = None, *, user=None) -> list[int]:
    """On the settlement day, a draft run of the previous month for every
    district that has none (one per district and month, by constraint);
    returns the runs created, whose computation the caller queues."""
    from apps.regions.models import Region, RegionKind
    from apps.settlement.services import start_run

    today = today or timezone.localdate()
    if today != settlement_day(today):
        return []
    month = previous_month_start(today)
    runs = []
    for district in Region.objects.filter(kind=RegionKind.DISTRICT):
        run, created = start_run(district=district, month=month, user=user)
        if created:
            runs.append(run.pk)
    return runs
