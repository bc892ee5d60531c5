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


def test_a_confirmed_finding_is_withheld_once_and_never_beyond_what_was_paid(w, people):
    paid = visit(w, date(2025, 9, 2))
    close(compute(w.district, SEPTEMBER), people)
    first = _finding(w, "a", D("50.00"), paid)
    # a second finding on the same visit cannot take what is already taken
    second = _finding(w, "b", D("50.00"), paid)
    _finding(w, "c", D("30.00"), None, confirmed=False)  # still open: nothing
    visit(w, date(2025, 10, 2))

    october = compute(w.district, OCTOBER)

    assert list(Withholding.objects.filter(run=october).values_list("finding", "amount")) == [
        (first.pk, D("50.00"))]
    row = provider_row(october, w)
    assert (row.subsidy, row.withheld, row.payable) == (D("50.00"), D("50.00"), D("0.00"))
    assert (october.withheld, october.payable) == (D("50.00"), D("0.00"))
    close(october, people)
    november = compute(w.district, NOVEMBER)
    assert not Withholding.objects.filter(run=november).exists()
    assert not second.withholdings.exists()


def test_a_withholding_alone_gives_the_provider_a_row(w, people):
    paid = visit(w, date(2025, 9, 2))
    close(compute(w.district, SEPTEMBER), people)
    _finding(w, "a", D("20.00"), paid)
    october = compute(w.district, OCTOBER)  # no visit in October
    row = provider_row(october, w)
    assert (row.visits, row.withheld, row.payable) == (0, D("20.00"), D("-20.00"))


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
    assert (september.city_share, september.district_share) == (D("140.00"), D("210.00"))
    september = close(september, people)
    paid_on = timezone.localdate() + timedelta(days=0)
    services.record_payment(run=september, paid_on=paid_on, reference="GK-1")
    issued.refresh_from_db()
    assert (issued.status, issued.paid_on) == (FeeStatementStatus.PAID, paid_on)
    # the next run does not pay it again
    assert compute(w.district, OCTOBER).assessment_fees == 0
