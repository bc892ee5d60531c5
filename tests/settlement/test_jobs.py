"""The worker's side of a run: one run per district and month however often
it is started, items claimed from the database, a dead worker's claim taken
again, and a re-run giving the same totals."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.settlement import jobs
from apps.settlement.models import ItemStatus, ProviderSettlement, RunStatus, SettlementRun
from apps.settlement.services import start_run

pytestmark = pytest.mark.django_db

MONTH = date(2025, 9, 1)


def _totals(run):
    run.refresh_from_db()
    items = sorted((p.provider_id, p.visits, p.subsidy, p.bonus, p.payable)
                   for p in ProviderSettlement.objects.filter(run=run))
    return (run.status, run.visits, run.subsidy, run.payable, run.city_share,
            run.district_share, items)


def test_a_run_is_computed_through_its_provider_items(tree, month_of_visits):
    run, _created = start_run(district=tree["district"], month=MONTH)
    done = jobs.compute_run(run.pk)
    assert done.status == RunStatus.COMPUTED
    items = ProviderSettlement.objects.filter(run=run)
    assert items.count() == 2
    assert set(items.values_list("status", flat=True)) == {ItemStatus.DONE}
    assert done.visits == 7
    assert done.payable == sum(p.payable for p in items)
    assert done.payable > 0
    assert done.city_share == (done.subsidy * Decimal("0.4")).quantize(Decimal("0.01"))
    assert done.city_share + done.district_share == done.payable


def test_a_rerun_gives_the_same_totals(tree, month_of_visits):
    run, _created = start_run(district=tree["district"], month=MONTH)
    first = _totals(jobs.compute_run(run.pk))
    second = _totals(jobs.compute_run(run.pk))
    assert first == second


def test_a_dead_workers_claim_is_taken_again(tree, month_of_visits):
    run, _created = start_run(district=tree["district"], month=MONTH)
    expected = _totals(jobs.compute_run(run.pk))
    # a fresh start: the lines and items are written, then a worker claims an
    # item and dies before totalling it
    SettlementRun.objects.filter(pk=run.pk).update(status=RunStatus.DRAFT)
    run = jobs.prepare(run.pk)
    claimed = jobs.claim_next(run)
    assert claimed.status == ItemStatus.CLAIMED
    # no second worker takes a fresh claim ...
    others = [jobs.claim_next(run)]
    assert others[0].pk != claimed.pk
    jobs.work(others[0])
    assert jobs.claim_next(run) is None
    assert jobs.finish(run.pk) is None  # not every item is done: no totals yet
    # ... but once the claim is stale the re-run takes it and finishes the job
    later = timezone.now() + jobs.STALE_CLAIM + timedelta(seconds=1)
    retaken = jobs.claim_next(run, now=later)
    assert (retaken.pk, retaken.attempts) == (claimed.pk, 2)
    jobs.work(retaken)
    assert _totals(jobs.finish(run.pk)) == expected


def test_an_approved_run_is_not_recomputed(tree, month_of_visits):
    from apps.accounts.roles import Role
    from apps.settlement import services
    from tests.factories import staff

    run, _created = start_run(district=tree["district"], month=MONTH)
    jobs.compute_run(run.pk)
    run = services.review(run=run, user=staff(Role.DISTRICT_STAFF, region=tree["district"]))
    run = services.approve(run=run, user=staff(Role.FINANCE_OFFICER, region=tree["district"]))
    before = _totals(run)
    assert jobs.compute_run(run.pk).status == RunStatus.APPROVED
    assert _totals(run) == before


def test_runs_start_on_the_third_working_day(tree, settings):
    settings.SETTLEMENT_WORKING_DAY = 3
    # October 2025: 1–8 are the National Day holiday, 9 and 10 are worked, 11 is
    # a make-up working Saturday: the third working day is 11 October
    assert jobs.settlement_day(date(2025, 10, 20)) == date(2025, 10, 11)
    assert jobs.start_due_runs(date(2025, 10, 10)) == []
    started = jobs.start_due_runs(date(2025, 10, 11))
    assert SettlementRun.objects.filter(pk__in=started, month=MONTH).count() == len(started)
    assert tree["district"].pk in set(SettlementRun.objects.filter(pk__in=started)
                                       .values_list("district_id", flat=True))
    # started again the same day: no second run
    assert jobs.start_due_runs(date(2025, 10, 11)) == []
    assert SettlementRun.objects.filter(district=tree["district"], month=MONTH).count() == 1
