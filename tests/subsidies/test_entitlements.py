"""Entitlements through the services: granted from the month of approval,
changed or ended from the month after a change (Art 32), cancelled for fraud
with the amount to recover (Art 36); the chain keeps the history."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.applications import services as applications
from apps.elders import services as elders
from apps.subsidies import services
from apps.subsidies.models import Entitlement
from tests.factories import RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entitled(window):
    """The window's elder (82, living alone) approved in October 2025, moderate."""
    application = applications.receive_application(
        elder=window["elder"], kind="subsidy", by=window["clerk"], received_on=date(2025, 10, 9))
    applications.take_action(application=application, action="pass_initial_check",
                             by=window["clerk"], on=date(2025, 10, 10))
    applications.decide_application(application=application, approve=True,
                                    by=window["officer"], care_level="moderate",
                                    assessed_on=date(2025, 10, 15), on=date(2025, 10, 16))
    return Entitlement.objects.get(elder=window["elder"])


def test_approval_starts_the_entitlement_on_the_first_of_the_month(entitled):
    assert (entitled.valid_from, entitled.monthly_amount, entitled.subsidy_class) == (
        date(2025, 10, 1), Decimal("400.00"), "class1")
    assert entitled.criteria == ["c1_alone", "c2_disabled", "c2_age_or_household"]


@pytest.mark.parametrize("status", ["deceased", "moved_away", "in_institution"])
def test_death_moving_away_or_an_institution_ends_it_at_month_end(window, entitled, status):
    elders.record_life_status(elder=window["elder"], status=status, since=date(2025, 11, 15))
    entitled.refresh_from_db()
    assert (entitled.valid_until, entitled.end_reason) == (date(2025, 11, 30), status)
    assert Entitlement.objects.filter(elder=window["elder"]).count() == 1


def test_a_stay_in_hospital_does_not_end_it(window, entitled):
    elders.record_life_status(elder=window["elder"], status="in_hospital",
                              since=date(2025, 11, 15))
    entitled.refresh_from_db()
    assert entitled.valid_until is None


def test_no_longer_living_alone_ends_class_1_and_no_successor(window, entitled):
    elders.update_elder(elder=window["elder"], changed_on=date(2025, 12, 3), lives_alone=False)
    entitled.refresh_from_db()
    assert (entitled.valid_until, entitled.end_reason) == (date(2025, 12, 31), "circumstances")
    assert not Entitlement.objects.filter(valid_from=date(2026, 1, 1)).exists()


def test_a_new_level_of_severe_adds_the_nursing_supplement_from_next_month(window, entitled):
    request = applications.receive_application(
        elder=window["elder"], kind="reassessment", by=window["clerk"],
        received_on=date(2025, 11, 3))
    applications.take_action(application=request, action="pass_initial_check",
                             by=window["clerk"], on=date(2025, 11, 4))
    applications.decide_application(application=request, approve=True, by=window["officer"],
                                    care_level="severe", assessed_on=date(2025, 11, 10),
                                    on=date(2025, 11, 11))
    successor = Entitlement.objects.get(predecessor=entitled)
    entitled.refresh_from_db()
    assert entitled.valid_until == date(2025, 11, 30)
    assert (successor.valid_from, successor.monthly_amount, successor.nursing_supplement) == (
        date(2025, 12, 1), Decimal("600.00"), Decimal("200.00"))


def test_a_move_to_another_street_moves_the_service_from_next_month(window, entitled, tree):
    new_street = RegionFactory.street(tree["district"])
    elders.update_elder(elder=window["elder"], changed_on=date(2025, 11, 20),
                        residence_street=new_street)
    successor = Entitlement.objects.get(predecessor=entitled)
    assert (successor.service_street, successor.valid_from, successor.monthly_amount) == (
        new_street, date(2025, 12, 1), Decimal("400.00"))


def test_unchanged_terms_make_no_new_row(window, entitled):
    elders.update_elder(elder=window["elder"], changed_on=date(2025, 11, 20),
                        monthly_pension=Decimal("3100.00"))
    assert Entitlement.objects.filter(elder=window["elder"]).count() == 1


def test_class_2_ends_when_the_pension_reaches_the_minimum_wage(window, tree):
    from tests.factories import ElderFactory

    elder = ElderFactory(born=date(1940, 1, 1), residence_street=tree["street"],
                         hukou_street=tree["street"], pure_elderly_household=True,
                         monthly_pension=Decimal("1800.00"))
    application = applications.receive_application(
        elder=elder, kind="subsidy", by=window["clerk"], received_on=date(2025, 10, 9),
        willing_to_pay_half=True)
    applications.take_action(application=application, action="pass_initial_check",
                             by=window["clerk"], on=date(2025, 10, 10))
    applications.decide_application(application=application, approve=True,
                                    by=window["officer"], care_level="mild",
                                    assessed_on=date(2025, 10, 15), on=date(2025, 10, 16))
    entitlement = Entitlement.objects.get(elder=elder)
    assert (entitlement.subsidy_class, entitlement.monthly_amount, entitlement.elder_share) == (
        "class2", Decimal("200.00"), Decimal("0.500"))
    # a pension equal to the minimum wage (2,500 since March 2025) is not below it
    elders.update_elder(elder=elder, changed_on=date(2025, 12, 10),
                        monthly_pension=Decimal("2500.00"))
    entitlement.refresh_from_db()
    assert entitlement.valid_until == date(2025, 12, 31)
    assert not Entitlement.objects.filter(elder=elder, valid_from=date(2026, 1, 1)).exists()


def test_fraud_cancels_and_records_the_amount_to_recover(window, entitled):
    cancelled = services.cancel_for_fraud(entitlement=entitled, found_on=date(2026, 2, 10),
                                          recovery_amount=Decimal("1600"),
                                          reason="隐瞒家庭收入", by=window["officer"])
    assert (cancelled.status, cancelled.recovery_amount, cancelled.valid_until) == (
        "cancelled", Decimal("1600.00"), date(2026, 2, 10))
    assert services.paid_upper_bound(cancelled, date(2026, 3, 1)) == Decimal("2000.00")
    with pytest.raises(ValidationError) as again:
        services.cancel_for_fraud(entitlement=entitled, found_on=date(2026, 2, 11),
                                  recovery_amount=Decimal(0), reason="x", by=window["officer"])
    assert again.value.error_dict["__all__"][0].code == "already_cancelled"


@pytest.mark.parametrize(
    ("amount", "reason", "field"),
    [(Decimal("-1"), "骗取", "recovery_amount"), (Decimal("10"), " ", "end_note")],
)
def test_fraud_cancellation_needs_a_reason_and_a_sane_amount(window, entitled, amount, reason,
                                                             field):
    with pytest.raises(ValidationError) as error:
        services.cancel_for_fraud(entitlement=entitled, found_on=date(2026, 2, 10),
                                  recovery_amount=amount, reason=reason, by=window["officer"])
    assert field in error.value.error_dict
    entitled.refresh_from_db()
    assert entitled.status == "active"
