"""A settlement run as a business object: one per district and month,
reviewed by one person and approved by another, and frozen by the database
once approved (not only by the views)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InternalError, connection, transaction
from django.utils import timezone

from apps.accounts.roles import Role
from apps.settlement import services
from apps.settlement.lifecycle import TRANSITIONS, Step, allowed
from apps.settlement.models import ProviderSettlement, RunStatus, SettlementLine, SettlementRun
from tests.factories import staff
from tests.visits.factories import make_visit, world

pytestmark = pytest.mark.django_db

MONTH = date(2025, 9, 1)


@pytest.fixture
def people(tree):
    return {"reviewer": staff(Role.DISTRICT_STAFF, region=tree["district"]),
            "finance": staff(Role.FINANCE_OFFICER, region=tree["district"])}


def _computed(district) -> SettlementRun:
    run, _created = services.start_run(district=district, month=MONTH)
    SettlementRun.objects.filter(pk=run.pk).update(status=RunStatus.COMPUTED,
                                                   computed_at=timezone.now())
    run.refresh_from_db()
    return run


def _approved(tree, people) -> SettlementRun:
    run = services.review(run=_computed(tree["district"]), user=people["reviewer"])
    return services.approve(run=run, user=people["finance"])


def _sql(statement: str, *params) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_one_run_per_district_and_month(tree):
    first, created = services.start_run(district=tree["district"], month=date(2025, 9, 17))
    again, created_again = services.start_run(district=tree["district"], month=MONTH)
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert first.month == MONTH
    # and the database refuses a second one whoever tries
    with pytest.raises(IntegrityError), transaction.atomic():
        SettlementRun.objects.create(district=tree["district"], month=MONTH)


def test_a_month_not_over_cannot_be_settled(tree):
    with pytest.raises(ValidationError) as error:
        services.start_run(district=tree["district"], month=timezone.localdate())
    assert error.value.error_dict["month"][0].code == "not_over"


def test_review_then_approval_by_someone_else(tree, people):
    run = services.review(run=_computed(tree["district"]), user=people["reviewer"], note="ok")
    assert (run.status, run.reviewed_by) == (RunStatus.REVIEWED, people["reviewer"])
    # maker-checker: the reviewer cannot approve
    with pytest.raises(ValidationError) as error:
        services.approve(run=run, user=people["reviewer"])
    assert error.value.error_dict["approved_by"][0].code == "maker_checker"
    run = services.approve(run=run, user=people["finance"])
    assert (run.status, run.approved_by) == (RunStatus.APPROVED, people["finance"])


def test_the_database_refuses_the_reviewer_as_approver(tree, people):
    run = services.review(run=_computed(tree["district"]), user=people["reviewer"])
    with pytest.raises(IntegrityError), transaction.atomic():
        SettlementRun.objects.filter(pk=run.pk).update(
            status=RunStatus.APPROVED, approved_by=people["reviewer"], approved_at=timezone.now())


@pytest.mark.parametrize("step", list(Step))
def test_steps_out_of_order_are_refused(tree, people, step):
    run, _created = services.start_run(district=tree["district"], month=MONTH)
    assert not allowed(step, run.status) or step == Step.COMPUTE
    if step == Step.COMPUTE:
        return
    call = {Step.REVIEW: lambda: services.review(run=run, user=people["reviewer"]),
            Step.APPROVE: lambda: services.approve(run=run, user=people["finance"]),
            Step.PAY: lambda: services.record_payment(run=run, paid_on=MONTH,
                                                      reference="X")}[step]
    with pytest.raises(ValidationError) as error:
        call()
    assert error.value.error_dict["status"][0].code == "out_of_order"


def test_every_step_but_a_recompute_leads_forward():
    # a recompute of a reviewed run clears the review; nothing leaves approval
    order = ["draft", "computed", "reviewed", "approved", "paid"]
    for step, (sources, target) in TRANSITIONS.items():
        if step != Step.COMPUTE:
            assert all(order.index(target) > order.index(s) for s in sources), step
    leaving_approval = [step for step, (sources, _target) in TRANSITIONS.items()
                        if sources & {"approved", "paid"}]
    assert leaving_approval == [Step.PAY]


def test_payment_is_recorded_once_approved(tree, people):
    run = _approved(tree, people)
    with pytest.raises(ValidationError) as error:
        services.record_payment(run=run, paid_on=timezone.localdate(), reference=" ")
    assert error.value.error_dict["payment_reference"][0].code == "required"
    with pytest.raises(ValidationError) as error:
        services.record_payment(run=run, paid_on=timezone.localdate() + timedelta(days=1),
                                reference="GK-2025-09-001")
    assert error.value.error_dict["paid_on"][0].code == "future"
    run = services.record_payment(run=run, paid_on=timezone.localdate(),
                                  reference="GK-2025-09-001")
    assert (run.status, run.payment_reference) == (RunStatus.PAID, "GK-2025-09-001")


def test_an_approved_run_cannot_change_at_the_database(tree, people):
    run = _approved(tree, people)
    # not its figures, not its status back, not deleted: even in plain SQL
    for statement in (
            "UPDATE settlement_settlementrun SET subsidy = 1 WHERE id = %s",
            "UPDATE settlement_settlementrun SET status = 'computed' WHERE id = %s",
            "DELETE FROM settlement_settlementrun WHERE id = %s"):
        with pytest.raises(InternalError):
            _sql(statement, run.pk)
    run.refresh_from_db()
    assert (run.status, run.subsidy) == (RunStatus.APPROVED, 0)


def test_recording_the_payment_changes_no_figure(tree, people):
    run = _approved(tree, people)
    with pytest.raises(InternalError):
        _sql("UPDATE settlement_settlementrun SET status = 'paid', paid_on = %s, "
             "payment_reference = 'R', payable = 99 WHERE id = %s", timezone.localdate(), run.pk)
    services.record_payment(run=run, paid_on=timezone.localdate(), reference="R")
    with pytest.raises(InternalError):
        _sql("UPDATE settlement_settlementrun SET payment_reference = 'S' WHERE id = %s",
             run.pk)


def test_the_rows_of_an_approved_run_are_frozen_with_it(tree, people):
    w = world(district=tree["district"], street=tree["street"])
    visit = make_visit(w)
    run = _computed(tree["district"])
    provider_row = ProviderSettlement.objects.create(run=run, provider=w.provider)
    line = SettlementLine.objects.create(
        run=run, provider=w.provider, elder=w.elder, visit=visit, service_month=MONTH,
        cost=visit.amount, covered=visit.amount, subsidy=visit.amount, elder_pays=0, bonus=0)
    run = services.review(run=run, user=people["reviewer"])
    services.approve(run=run, user=people["finance"])
    for statement, pk in (
            ("UPDATE settlement_settlementline SET subsidy = 0 WHERE id = %s", line.pk),
            ("DELETE FROM settlement_settlementline WHERE id = %s", line.pk),
            ("UPDATE settlement_providersettlement SET payable = 1 WHERE id = %s",
             provider_row.pk)):
        with pytest.raises(InternalError):
            _sql(statement, pk)
    with pytest.raises(InternalError), transaction.atomic():
        SettlementLine.objects.create(
            run=run, provider=w.provider, elder=w.elder,
            visit=make_visit(w, check_in_at=visit.check_in_at + timedelta(hours=3)),
            service_month=MONTH, cost=1, covered=1, subsidy=1, elder_pays=0, bonus=0)


def test_the_rows_of_a_draft_may_be_rewritten(tree):
    w = world(district=tree["district"], street=tree["street"])
    run = _computed(tree["district"])
    row = ProviderSettlement.objects.create(run=run, provider=w.provider)
    ProviderSettlement.objects.filter(pk=row.pk).update(payable=10)
    ProviderSettlement.objects.filter(pk=row.pk).delete()
    assert not ProviderSettlement.objects.exists()
