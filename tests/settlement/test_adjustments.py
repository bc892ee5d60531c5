"""What a run pays besides its month's visits: adjustments for visits of a
closed month that arrived or were corrected after its approval, the amounts
of confirmed findings withheld, and the assessment fee statements; and the
order in which a district's months are approved. Hand-computed."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pgtrigger
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.accounts.roles import Role
from apps.assessments.models import FeeStatement, FeeStatementStatus
from apps.findings.models import Finding, FindingStatus
from apps.policy.models import PolicyValue
from apps.settlement import jobs, services
from apps.settlement.models import (
    AssessmentFeeLine,
    ProviderSettlement,
    RunStatus,
    SettlementLine,
    SettlementRun,
    Withholding,
)
from apps.subsidies.models import Entitlement
from tests.factories import AssessmentBodyFactory, staff
from tests.visits.factories import local, make_visit, world

pytestmark = pytest.mark.django_db

SEPTEMBER, OCTOBER, NOVEMBER = date(2025, 9, 1), date(2025, 10, 1), date(2025, 11, 1)
D = Decimal


@pytest.fixture
def w(tree):
    """One provider, one class-1 elder (400 a month) of the district, whose
    funding ratio is 4:6; rehabilitation nursing at 50.00 a visit, no grade
    (so no performance subsidy)."""
    with pgtrigger.ignore("policy.PolicyValue:policy_value_not_backdated"):
        PolicyValue.objects.create(key="funding.city_share", value=D("0.4"),
                                   valid_from=date(2016, 1, 1), region=tree["district"])
    return world(district=tree["district"], street=tree["street"])


@pytest.fixture
def people(tree):
    return {"reviewer": staff(Role.DISTRICT_STAFF, region=tree["district"]),
            "finance": staff(Role.FINANCE_OFFICER, region=tree["district"])}


def visit(w, day: date, hour: int = 9, **fields):
    return make_visit(w, check_in_at=local(day, hour), **fields)


def compute(district, month: date) -> SettlementRun:
    run, _created = services.start_run(district=district, month=month)
    return jobs.compute_run(run.pk)


def close(run: SettlementRun, people) -> SettlementRun:
    run = services.review(run=run, user=people["reviewer"])
    return services.approve(run=run, user=people["finance"])


def adjustments(run) -> dict[int, tuple]:
    """visit id -> (service month, cost, subsidy, elder pays) of the run's
    adjustment lines."""
    return {line.visit_id: (line.service_month, line.cost, line.subsidy, line.elder_pays)
            for line in SettlementLine.objects.filter(run=run, is_adjustment=True)}


def provider_row(run, w) -> ProviderSettlement:
    return ProviderSettlement.objects.get(run=run, provider=w.provider)


def test_a_late_visit_after_approval_is_paid_as_an_adjustment_of_the_next_run(w, people):
    for day in (2, 9, 16):
        visit(w, date(2025, 9, day))
    september = close(compute(w.district, SEPTEMBER), people)
    assert september.subsidy == D("150.00")
    # submitted after September was approved, for a day in September
    late = visit(w, date(2025, 9, 23))
    visit(w, date(2025, 10, 7))

    october = compute(w.district, OCTOBER)

    assert adjustments(october) == {late.pk: (SEPTEMBER, D("50.00"), D("50.00"), D("0.00"))}
    row = provider_row(october, w)
    # the month's own visit, and the adjustment apart from it
    assert (row.visits, row.subsidy, row.adjustments, row.payable) == (
        1, D("50.00"), D("50.00"), D("100.00"))
    assert (october.visits, october.adjustments, october.payable) == (1, D("50.00"),
                                                                       D("100.00"))
    assert (october.city_share, october.district_share) == (D("40.00"), D("60.00"))
    # the closed month is never edited
    september.refresh_from_db()
    assert (september.subsidy, september.visits) == (D("150.00"), 3)
    assert not SettlementLine.objects.filter(run=september, visit=late).exists()


def test_a_late_visit_beyond_the_class_2_cap_adds_nothing_to_the_subsidy(w, people):
    Entitlement.objects.filter(pk=w.entitlement.pk).update(
        subsidy_class="class2", monthly_amount=D("200.00"), elder_share=D("0.5"))
    for day in range(1, 9):  # 8 x 50 = 400: half is 200, the cap
        visit(w, date(2025, 9, day))
    september = close(compute(w.district, SEPTEMBER), people)
    assert (september.subsidy, september.elder_pays) == (D("200.00"), D("200.00"))
    late = visit(w, date(2025, 9, 20))

    october = compute(w.district, OCTOBER)

    # the elder pays all of it: the month's subsidy was already at its cap
    assert adjustments(october) == {late.pk: (SEPTEMBER, D("50.00"), D("0.00"), D("50.00"))}
    assert provider_row(october, w).adjustments == 0


def test_a_correction_after_approval_takes_back_the_old_line_and_pays_the_new(w, people):
    first = visit(w, date(2025, 9, 2))
    visit(w, date(2025, 9, 9))
    close(compute(w.district, SEPTEMBER), people)
    # the provider corrects the first visit: it was home life care of 2 hours (2 x 38)
    from apps.visits.models import ServiceVisit

    ServiceVisit.objects.filter(pk=first.pk).update(is_current=False)
    corrected = make_visit(w, check_in_at=first.check_in_at, minutes=120, code="LC-HOME",
                           provider_visit_id=first.provider_visit_id, version=2,
                           supersedes=first, correction_reason="wrong item")

    october = compute(w.district, OCTOBER)

    assert adjustments(october) == {
        first.pk: (SEPTEMBER, D("-50.00"), D("-50.00"), D("0.00")),
        corrected.pk: (SEPTEMBER, D("76.00"), D("76.00"), D("0.00")),
    }
    assert provider_row(october, w).adjustments == D("26.00")


def test_adjustments_are_taken_once(w, people):
    visit(w, date(2025, 9, 2))
    close(compute(w.district, SEPTEMBER), people)
    late = visit(w, date(2025, 9, 20))
    october = compute(w.district, OCTOBER)
    # a recompute gives the same adjustment, not a second one
    assert jobs.compute_run(october.pk).adjustments == D("50.00")
    assert adjustments(october) == {late.pk: (SEPTEMBER, D("50.00"), D("50.00"), D("0.00"))}
    close(october, people)
    # once October paid it, November has nothing left to adjust
    november = compute(w.district, NOVEMBER)
    assert november.adjustments == 0
    assert not SettlementLine.objects.filter(run=november, is_adjustment=True).exists()


def test_a_month_not_closed_is_not_adjusted(w):
    visit(w, date(2025, 9, 2))
    compute(w.district, SEPTEMBER)  # computed, not approved
    visit(w, date(2025, 9, 20))
    october = compute(w.district, OCTOBER)
    # September's own run will pay it when it is recomputed
    assert october.adjustments == 0


def test_months_are_approved_in_order(w, people):
    visit(w, date(2025, 9, 2))
    visit(w, date(2025, 10, 2))
    september = compute(w.district, SEPTEMBER)
    october = services.review(run=compute(w.district, OCTOBER), user=people["reviewer"])
    with pytest.raises(ValidationError) as error:
        services.approve(run=october, user=people["finance"])
    assert error.value.error_dict["month"][0].code == "earlier_month_open"
    # approving September sends October back to be computed again
    close(september, people)
    october.refresh_from_db()
    assert (october.status, october.reviewed_by) == (RunStatus.DRAFT, None)


def _finding(w, source: str, amount: D, visit=None, *, confirmed: bool = True) -> Finding:
    return Finding.objects.create(
        rule="followup_not_received", source_key=source, district=w.district,
        month=SEPTEMBER, provider=w.provider, elder=w.elder, visit=visit,
        summary="not received", amount=amount,
        status=FindingStatus.CONFIRMED if confirmed else FindingStatus.OPEN,
        decided_at=timezone.now() if confirmed else None)


def test_a_confirmed_finding_takes_the_visit_back_once(w, people):
    fraud = visit(w, date(2025, 9, 2))
    visit(w, date(2025, 9, 9))
    close(compute(w.district, SEPTEMBER), people)
    _finding(w, "a", D("50.00"), fraud)
    _finding(w, "b", D("50.00"), fraud)  # a second finding on the same visit
    _finding(w, "c", D("30.00"), None, confirmed=False)  # still open: nothing
    visit(w, date(2025, 10, 2))

    october = compute(w.district, OCTOBER)

    # the visit is taken back as an adjustment; nothing is withheld besides
    assert adjustments(october) == {fraud.pk: (SEPTEMBER, D("-50.00"), D("-50.00"),
                                               D("0.00"))}
    assert not Withholding.objects.filter(run=october).exists()
    row = provider_row(october, w)
    assert (row.subsidy, row.adjustments, row.withheld, row.payable) == (
        D("50.00"), D("-50.00"), D("0.00"), D("0.00"))
    close(october, people)
    november = compute(w.district, NOVEMBER)
    assert november.adjustments == 0
    assert not SettlementLine.objects.filter(run=november, is_adjustment=True).exists()


def test_a_visit_corrected_after_its_finding_is_still_not_paid(w, people):
    fraud = visit(w, date(2025, 9, 2))
    close(compute(w.district, SEPTEMBER), people)
    _finding(w, "a", D("50.00"), fraud)
    # the provider resubmits the same visit as version 2
    from apps.visits.models import ServiceVisit

    ServiceVisit.objects.filter(pk=fraud.pk).update(is_current=False)
    again = make_visit(w, check_in_at=fraud.check_in_at, provider_visit_id=fraud.provider_visit_id,
                       version=2, supersedes=fraud, correction_reason="resent")

    october = compute(w.district, OCTOBER)

    assert adjustments(october) == {fraud.pk: (SEPTEMBER, D("-50.00"), D("-50.00"),
                                               D("0.00"))}
    assert again.pk not in adjustments(october)


def test_a_finding_confirmed_within_the_month_leaves_the_visit_unpaid(w):
    fraud = visit(w, date(2025, 9, 2))
    paid = visit(w, date(2025, 9, 9))
    _finding(w, "a", D("50.00"), fraud)
    september = compute(w.district, SEPTEMBER)
    assert set(SettlementLine.objects.filter(run=september).values_list("visit", flat=True)) \
        == {paid.pk}
    assert september.subsidy == D("50.00")


def test_a_finding_without_a_visit_is_withheld_once(w, people):
    visit(w, date(2025, 9, 2))
    close(compute(w.district, SEPTEMBER), people)
    finding = _finding(w, "a", D("20.00"), None)
    october = compute(w.district, OCTOBER)  # no visit in October
    row = provider_row(october, w)
    assert (row.visits, row.withheld, row.payable) == (0, D("20.00"), D("-20.00"))
    assert (october.withheld, october.payable) == (D("20.00"), D("-20.00"))
    close(october, people)
    november = compute(w.district, NOVEMBER)
    assert not Withholding.objects.filter(run=november).exists()
    assert list(finding.withholdings.values_list("run", flat=True)) == [october.pk]


def test_a_month_closed_late_does_not_hide_a_later_months_late_visit(w, people):
    """October closes before September has a run; a late October visit
    arrives; September is then settled and closed: November still pays it."""
    now = timezone.now()
    visit(w, date(2025, 10, 2), submitted_at=now - timedelta(days=20))
    october = compute(w.district, OCTOBER)
    SettlementRun.objects.filter(pk=october.pk).update(computed_at=now - timedelta(days=10))
    close(october, people)
    late = visit(w, date(2025, 10, 20), submitted_at=now - timedelta(days=5))
    visit(w, date(2025, 9, 3), submitted_at=now - timedelta(days=4))
    close(compute(w.district, SEPTEMBER), people)

    november = compute(w.district, NOVEMBER)

    assert adjustments(november) == {late.pk: (OCTOBER, D("50.00"), D("50.00"), D("0.00"))}


def test_a_computation_overtaken_by_an_approval_leaves_the_run_alone(w, people):
    visit(w, date(2025, 9, 2))
    visit(w, date(2025, 10, 2))
    september = services.review(run=compute(w.district, SEPTEMBER), user=people["reviewer"])
    october, _created = services.start_run(district=w.district, month=OCTOBER)
    prepared = jobs.prepare(october.pk)  # a worker is computing October...
    services.approve(run=september, user=people["finance"])  # ...when September closes
    while (item := jobs.claim_next(prepared)) is not None:
        jobs.work(item)
    # the old computation may not mark October computed with stale figures
    assert jobs.finish(october.pk) is None
    october.refresh_from_db()
    assert (october.status, october.payable) == (RunStatus.DRAFT, 0)
    # the recompute queued by the approval does
    assert jobs.compute_run(october.pk).status == RunStatus.COMPUTED


def test_issued_assessment_fees_are_paid_by_the_run(w, people):
    body = AssessmentBodyFactory()
    issued = FeeStatement.objects.create(body=body, district=w.district, month=SEPTEMBER,
                                         status=FeeStatementStatus.ISSUED,
                                         district_total=D("300.00"), fee_total=D("300.00"))
    FeeStatement.objects.create(body=body, district=w.district, month=OCTOBER,
                                district_total=D("99.00"))  # a draft: not yet
    visit(w, date(2025, 9, 2))

    september = compute(w.district, SEPTEMBER)

    assert list(AssessmentFeeLine.objects.filter(run=september)
                .values_list("statement", "amount")) == [(issued.pk, D("300.00"))]
    assert (september.assessment_fees, september.payable) == (D("300.00"), D("350.00"))
    # the fees are the district's alone (Art 21): only the subsidy is shared
    assert (september.city_share, september.district_share) == (D("20.00"), D("330.00"))
    september = close(september, people)
    paid_on = timezone.localdate() + timedelta(days=0)
    services.record_payment(run=september, paid_on=paid_on, reference="GK-1")
    issued.refresh_from_db()
    assert (issued.status, issued.paid_on) == (FeeStatementStatus.PAID, paid_on)
    # the next run does not pay it again
    assert compute(w.district, OCTOBER).assessment_fees == 0
