"""State changes of a settlement run: start, review, approve, record the
payment. Each is atomic, locks the run and refuses a step out of order with
a field error; the figures are computed elsewhere (the settlement job)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.settlement import documents, fees, lifecycle
from apps.settlement.lifecycle import Step
from apps.settlement.models import CLOSED, RunStatus, SettlementRun
from apps.subsidies.rules import month_start


def _error(field: str, message: str, code: str, **params) -> ValidationError:
    return ValidationError({field: ValidationError(message % params if params else message,
                                                   code=code)})


def _locked(run: SettlementRun) -> SettlementRun:
    return SettlementRun.objects.select_for_update().get(pk=run.pk)


def _check_step(run: SettlementRun, step: Step) -> None:
    if not lifecycle.allowed(step, run.status):
        raise _error("status", _("A run that is %(status)s cannot take this step."),
                     "out_of_order", status=run.get_status_display())


def start_run(*, district, month: date, user=None) -> tuple[SettlementRun, bool]:
    """The run of ``district`` for ``month`` (created as a draft if there is
    none): one run per district and month, however often it is started."""
    month = month_start(month)
    if month >= month_start(timezone.localdate()):
        raise _error("month", _("Only a month that is over can be settled."), "not_over")
    try:
        with transaction.atomic():
            return SettlementRun.objects.get_or_create(
                district=district, month=month, defaults={"requested_by": user})
    except IntegrityError:
        # started at the same moment elsewhere: the unique constraint kept one
        return SettlementRun.objects.get(district=district, month=month), False


@transaction.atomic
def review(*, run: SettlementRun, user, note: str = "") -> SettlementRun:
    run = _locked(run)
    _check_step(run, Step.REVIEW)
    run.status = lifecycle.next_status(Step.REVIEW)
    run.reviewed_by, run.reviewed_at, run.review_note = user, timezone.now(), note
    run.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note",
                            "updated_at"])
    return run


@transaction.atomic
def approve(*, run: SettlementRun, user) -> SettlementRun:
    run = _locked(run)
    _check_step(run, Step.APPROVE)
    if not lifecycle.may_approve(run.reviewed_by_id, user.pk):
        raise _error("approved_by", _("The run was reviewed by you: another finance "
                                      "officer approves it (maker-checker)."), "maker_checker")
    earlier = (SettlementRun.objects.filter(district_id=run.district_id, month__lt=run.month)
               .exclude(status__in=CLOSED).order_by("month").first())
    if earlier is not None:
        raise _error("month", _("The run of %(month)s is not approved yet: a district's "
                                "months are approved in order."), "earlier_month_open",
                     month=f"{earlier.month:%Y-%m}")
    run.status = lifecycle.next_status(Step.APPROVE)
    run.approved_by, run.approved_at = user, timezone.now()
    run.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    _recompute_later_runs(run)
    documents.queue_rendering(run.pk)  # the approved statements replace the drafts
    return run


def _recompute_later_runs(run: SettlementRun) -> None:
    """The district's later runs not yet approved were computed without
    this month closed: their adjustments may change, so they go back to
    draft (a review no longer holds) and are computed again."""
    later = list(SettlementRun.objects.select_for_update()
                 .filter(district_id=run.district_id, month__gt=run.month)
                 .exclude(status__in=CLOSED).values_list("pk", flat=True))
    if not later:
        return
    SettlementRun.objects.filter(pk__in=later).update(
        status=RunStatus.DRAFT, computed_at=None, reviewed_by=None, reviewed_at=None,
        computation=F("computation") + 1, updated_at=timezone.now())
    from apps.settlement.tasks import compute_run_task

    for pk in later:
        transaction.on_commit(lambda pk=pk: compute_run_task.delay(pk), robust=True)


@transaction.atomic
def record_payment(*, run: SettlementRun, paid_on: date, reference: str,
                   user=None) -> SettlementRun:
    run = _locked(run)
    _check_step(run, Step.PAY)
    if not reference.strip():
        raise _error("payment_reference", _("Give the payment reference."), "required")
    if paid_on > timezone.localdate():
        raise _error("paid_on", _("The day cannot be in the future."), "future")
    if run.approved_at is not None and paid_on < timezone.localdate(run.approved_at):
        raise _error("paid_on", _("A run is paid after it is approved."), "before_approval")
    run.status = lifecycle.next_status(Step.PAY)
    run.paid_on, run.payment_reference = paid_on, reference.strip()
    run.save(update_fields=["status", "paid_on", "payment_reference", "updated_at"])
    fees.mark_paid(run, paid_on)
    return run
