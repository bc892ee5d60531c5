"""Every rule and refusal of the plan and agreement services, against the
real database."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.caremanagers.models import CareManager, CaseAssignment
from apps.careplans import services
from apps.careplans.models import (
    AgreementEndReason,
    AgreementStatus,
    PlanStatus,
    ServiceAgreement,
    ServicePlan,
)
from apps.careplans.tasks import expire_agreements_task
from apps.contracts.models import TenderBar
from apps.subsidies.models import Entitlement
from tests.careplans.factories import ServiceAgreementFactory
from tests.contracts.factories import ContractFactory, service_item
from tests.factories import ElderFactory, EntitlementFactory, ProviderFactory, RegionFactory

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 1)


def _code(error: ValidationError, field: str) -> str:
    return error.error_dict[field][0].code


def _plan(area, items=None, starts_on=MARCH, **kwargs):
    if items is None:
        items = [{"service_item": area.life_care, "provider": area.provider,
                  "times_per_month": 8},
                 {"service_item": area.meals, "provider": area.provider,
                  "times_per_month": 20}]
    return services.write_plan(elder=area.elder, items=items, starts_on=starts_on,
                               user=area.clerk, **kwargs)


def _sign(area, provider=None, items=None, **kwargs):
    arguments = {"signed_on": date(2026, 2, 20), "starts_on": MARCH}
    arguments.update(kwargs)
    return services.sign_agreement(
        elder=area.elder, provider=provider or area.provider,
        items=items if items is not None else [(area.life_care, 8), (area.meals, None)],
        user=area.clerk, **arguments)


# --- plans -----------------------------------------------------------------------


def test_a_plan_prices_lines_from_the_contract_and_the_guide_price(area):
    # when the care manager plans life care and meals from the provider, and
    # emotional support with no provider named
    plan = _plan(area, items=[
        {"service_item": area.life_care, "provider": area.provider, "times_per_month": 8},
        {"service_item": area.meals, "provider": area.provider, "times_per_month": 20,
         "unit_price": Decimal("14.00")},
        {"service_item": service_item("ES-VISIT"), "times_per_month": 2,
         "units_per_time": Decimal("1.5")}])
    # then the contract price, the price given and the guide price are used
    prices = {item.service_item.code: item.unit_price for item in plan.items.all()}
    assert prices == {"LC-HOME": Decimal("38.00"), "ML-CANTEEN": Decimal("14.00"),
                      "ES-VISIT": Decimal("30.00")}
    assert plan.status == PlanStatus.ACTIVE
    assert plan.entitlement == area.entitlement
    assert plan.written_by == area.clerk
    # and the month costs 8 x 38 + 20 x 14 + 2 x 1.5 x 30 = 674, 400 of it covered
    budget = services.budget_for(plan)
    assert (budget.cost, budget.subsidy, budget.elder_pays) == (
        Decimal("674.00"), Decimal("400.00"), Decimal("274.00"))


def test_a_plan_needs_an_approved_elder(area):
    elder = ElderFactory(residence_street=area.street)
    with pytest.raises(ValidationError) as error:
        services.write_plan(elder=elder, items=[{"service_item": area.meals,
                                                  "times_per_month": 4}],
                            starts_on=MARCH, user=area.clerk)
    assert _code(error.value, "elder") == "not_approved"
    assert not ServicePlan.objects.exists()


def test_a_plan_cannot_start_before_the_entitlement(area):
    with pytest.raises(ValidationError) as error:
        _plan(area, starts_on=date(2025, 9, 30))
    assert _code(error.value, "elder") == "not_approved"


def test_an_ended_entitlement_does_not_approve(area):
    Entitlement.objects.filter(pk=area.entitlement.pk).update(
        status="ended", valid_until=date(2026, 1, 31))
    with pytest.raises(ValidationError) as error:
        _plan(area)
    assert _code(error.value, "elder") == "not_approved"


def test_an_entitlement_ending_at_the_months_end_still_approves_its_days(area):
    # given an entitlement ended from April (Art 32: the rest of March is served)
    Entitlement.objects.filter(pk=area.entitlement.pk).update(
        status="ended", valid_until=date(2026, 3, 31))
    # then a plan and an agreement from a day of March are accepted
    plan = _plan(area, starts_on=date(2026, 3, 10))
    assert plan.entitlement == area.entitlement
    assert _sign(area, starts_on=date(2026, 3, 10)).plan == plan
    # but not from April
    with pytest.raises(ValidationError) as error:
        _sign(area, provider=area.provider, starts_on=date(2026, 4, 1),
              items=[(area.meals, 20)])
    assert _code(error.value, "elder") == "not_approved"


def test_a_cancelled_entitlement_does_not_approve(area):
    Entitlement.objects.filter(pk=area.entitlement.pk).update(
        status="cancelled", valid_until=date(2026, 3, 31))
    for attempt in (_plan, _sign):
        with pytest.raises(ValidationError) as error:
            attempt(area)
        assert _code(error.value, "elder") == "not_approved"


def test_an_own_cost_elder_may_have_a_plan_and_pays_all(area):
    Entitlement.objects.filter(pk=area.entitlement.pk).update(
        subsidy_class="own_cost", monthly_amount=0, elder_share=1)
    budget = services.budget_for(_plan(area))
    assert (budget.cost, budget.subsidy, budget.elder_pays) == (
        Decimal("624.00"), Decimal("0.00"), Decimal("624.00"))


@pytest.mark.parametrize(("subsidy_class", "amount", "supplement", "share", "expected"), [
    ("class1", "400.00", "0.00", "0.000", ("624.00", "400.00", "224.00")),
    ("class1", "600.00", "200.00", "0.000", ("624.00", "600.00", "24.00")),
    ("class2", "200.00", "0.00", "0.500", ("624.00", "200.00", "424.00")),
])
def test_budget_against_each_entitlement(area, subsidy_class, amount, supplement, share,
                                         expected):
    Entitlement.objects.filter(pk=area.entitlement.pk).update(
        subsidy_class=subsidy_class, monthly_amount=Decimal(amount),
        nursing_supplement=Decimal(supplement), elder_share=Decimal(share))
    # 8 h life care at 38 + 20 meals at 16 = 624
    budget = services.budget_for(_plan(area))
    assert (budget.cost, budget.subsidy, budget.elder_pays) == tuple(map(Decimal, expected))


def test_a_provider_without_a_contract_for_the_street_is_refused(area):
    stranger = ProviderFactory(region=area.tree["district"])
    ContractFactory(street=area.tree["sibling"], provider=stranger,
                    covered_area=[area.tree["sibling"]])
    with pytest.raises(ValidationError) as error:
        _plan(area, items=[{"service_item": area.meals, "provider": stranger,
                            "times_per_month": 20}])
    assert _code(error.value, "items") == "not_contracted"


def test_a_provider_whose_contract_lacks_the_item_is_refused(area):
    with pytest.raises(ValidationError) as error:
        _plan(area, items=[{"service_item": service_item("RN-HOME"), "provider": area.provider,
                            "times_per_month": 4}])
    assert _code(error.value, "items") == "not_contracted"


def test_a_contract_not_yet_started_does_not_price_the_plan(area):
    with pytest.raises(ValidationError) as error:
        _plan(area, starts_on=date(2025, 12, 1))
    assert _code(error.value, "items") == "not_contracted"


def test_an_item_without_guide_price_or_provider_needs_a_price(area):
    consult = service_item("HC-CONSULT")
    with pytest.raises(ValidationError) as error:
        _plan(area, items=[{"service_item": consult, "times_per_month": 2}])
    assert _code(error.value, "items") == "no_price"
    plan = _plan(area, items=[{"service_item": consult, "times_per_month": 2,
                               "unit_price": Decimal("25.00")}])
    assert plan.items.get().unit_price == Decimal("25.00")


@pytest.mark.parametrize(("items", "code"), [
    ([], "required"),
    ([{"service_item": "meals", "provider": "provider", "times_per_month": 4},
      {"service_item": "meals", "provider": "provider", "times_per_month": 8}],
     "duplicate_item"),
    ([{"service_item": "meals", "times_per_month": 0}], "times_per_month"),
    ([{"service_item": "meals", "times_per_month": 2, "units_per_time": Decimal(0)}],
     "units_per_time"),
    ([{"service_item": "meals", "times_per_month": 2, "unit_price": Decimal(-1)}],
     "negative_price"),
])
def test_malformed_lines_are_refused(area, items, code):
    rows = [{key: getattr(area, value) if key in ("service_item", "provider") else value
             for key, value in row.items()} for row in items]
    with pytest.raises(ValidationError) as error:
        _plan(area, items=rows)
    assert _code(error.value, "items") == code


def test_a_new_plan_supersedes_the_one_in_force(area):
    first = _plan(area)
    second = _plan(area, starts_on=date(2026, 6, 1),
                   items=[{"service_item": area.meals, "provider": area.provider,
                           "times_per_month": 22}])
    first.refresh_from_db()
    assert (first.status, first.ends_on) == (PlanStatus.SUPERSEDED, date(2026, 5, 31))
    assert second.status == PlanStatus.ACTIVE
    # the superseded plan still covers its days
    assert list(ServicePlan.objects.in_force_on(date(2026, 5, 31))) == [first]
    assert list(ServicePlan.objects.in_force_on(date(2026, 6, 1))) == [second]


def test_a_new_plan_must_start_after_the_current_one(area):
    first = _plan(area)
    with pytest.raises(ValidationError) as error:
        _plan(area, starts_on=MARCH)
    assert _code(error.value, "starts_on") == "not_after_current"
    first.refresh_from_db()
    assert first.status == PlanStatus.ACTIVE
    assert ServicePlan.objects.count() == 1


def test_the_care_manager_defaults_to_the_assigned_one(area):
    manager = CareManager.objects.create(street=area.street, name="Li", since=date(2024, 1, 1))
    CaseAssignment.objects.create(elder=area.elder, care_manager=manager,
                                  starts_on=date(2025, 10, 1))
    assert _plan(area).care_manager == manager


def test_a_care_manager_of_another_street_is_refused(area):
    other = CareManager.objects.create(street=area.tree["sibling"], name="Zhao",
                                       since=date(2024, 1, 1))
    with pytest.raises(ValidationError) as error:
        _plan(area, care_manager=other)
    assert _code(error.value, "care_manager") == "wrong_street"


def test_the_residence_decides_the_area_not_the_service_street(area):
    # given an elder living in street A whose entitlement is served by the
    # sibling street (hukou there; Art 30: same district, another street)
    sibling = area.tree["sibling"]
    Entitlement.objects.filter(pk=area.entitlement.pk).update(service_street=sibling)
    # then a provider contracted only for the service street does not serve the elder
    stranger = ProviderFactory(region=area.tree["district"])
    ContractFactory(street=sibling, provider=stranger, covered_area=[sibling],
                    items=[(area.meals, Decimal("17.00"))])
    with pytest.raises(ValidationError) as error:
        _plan(area, items=[{"service_item": area.meals, "provider": stranger,
                            "times_per_month": 20}])
    assert _code(error.value, "items") == "not_contracted"
    # and the provider contracted for where the elder lives does
    plan = _plan(area)
    assert {i.unit_price for i in plan.items.all()} == {Decimal("38.00"), Decimal("16.00")}


@pytest.fixture
def cross_district(area):
    """An elder whose hukou is in street C of district Two and who lives in
    street A of district One (Art 30: the hukou street picks a provider near
    the residence, the hukou district pays); a provider contracted only for
    the hukou street."""
    hukou = area.tree["other_street"]
    elder = ElderFactory(name="Chen Jie", residence_street=area.street, hukou_street=hukou)
    EntitlementFactory(elder=elder, service_street=hukou,
                       paying_district=area.tree["other_district"])
    hukou_provider = ProviderFactory(region=area.tree["other_district"])
    ContractFactory(street=hukou, provider=hukou_provider, covered_area=[hukou],
                    items=[(area.meals, Decimal("15.00"))])
    return elder, hukou_provider


def test_a_cross_district_elder_signs_with_a_provider_near_the_residence(area,
                                                                         cross_district):
    elder, hukou_provider = cross_district
    # the provider contracted for the residence street is signed
    agreement = services.sign_agreement(elder=elder, provider=area.provider,
                                        items=[(area.meals, 20)],
                                        signed_on=date(2026, 2, 20), starts_on=MARCH)
    assert agreement.contract == area.contract
    assert agreement.items.get().unit_price == Decimal("16.00")
    # the number is the hukou (paying) district's
    assert agreement.reference.startswith(f"SA-{area.tree['other_district'].code}-2026-")
    # one contracted only for the hukou street is refused
    with pytest.raises(ValidationError) as error:
        services.sign_agreement(elder=elder, provider=hukou_provider,
                                items=[(area.meals, 20)],
                                signed_on=date(2026, 2, 20), starts_on=MARCH)
    assert _code(error.value, "provider") == "not_contracted"
    assert "Street A" in str(error.value)


def test_a_cross_district_elders_plan_names_providers_near_the_residence(area,
                                                                         cross_district):
    elder, hukou_provider = cross_district
    plan = services.write_plan(elder=elder, starts_on=MARCH, items=[
        {"service_item": area.meals, "provider": area.provider, "times_per_month": 20}])
    assert plan.items.get().unit_price == Decimal("16.00")
    with pytest.raises(ValidationError) as error:
        services.write_plan(elder=elder, starts_on=date(2026, 4, 1), items=[
            {"service_item": area.meals, "provider": hukou_provider, "times_per_month": 20}])
    assert _code(error.value, "items") == "not_contracted"


def test_a_referral_goes_to_a_provider_near_the_residence(area, cross_district, rival):
    elder, hukou_provider = cross_district
    agreement = services.sign_agreement(elder=elder, provider=area.provider,
                                        items=[(area.meals, 20)],
                                        signed_on=date(2026, 2, 20), starts_on=MARCH)
    with pytest.raises(ValidationError) as error:
        services.end_agreement(agreement=agreement, reason="mutual_consent",
                               ended_on=date(2026, 4, 30), referred_to=hukou_provider)
    assert _code(error.value, "referred_to") == "not_contracted"
    ended = services.end_agreement(agreement=agreement, reason="mutual_consent",
                                   ended_on=date(2026, 4, 30), referred_to=rival)
    assert ended.status == AgreementStatus.REFERRED


def test_a_contract_covering_the_elders_community_serves_the_elder(area):
    community = RegionFactory.community(area.street)
    area.elder.community = community
    area.elder.save(update_fields=["community"])
    provider = ProviderFactory(region=area.tree["district"])
    ContractFactory(street=area.street, provider=provider, covered_area=[community],
                    items=[(area.meals, Decimal("14.50"))])
    plan = _plan(area, items=[{"service_item": area.meals, "provider": provider,
                               "times_per_month": 20}])
    assert plan.items.get().unit_price == Decimal("14.50")


# --- signing ---------------------------------------------------------------------------


def test_an_agreement_copies_the_contract_prices_and_is_numbered(area):
    plan = _plan(area)
    agreement = _sign(area)
    district = area.tree["district"].code
    assert agreement.reference == f"SA-{district}-2026-00001"
    assert agreement.contract == area.contract
    assert agreement.plan == plan
    assert agreement.status == AgreementStatus.ACTIVE
    assert agreement.signatory_name == area.elder.name
    assert agreement.created_by == area.clerk
    rows = {i.service_item.code: (i.unit_price, i.times_per_month)
            for i in agreement.items.all()}
    assert rows == {"LC-HOME": (Decimal("38.00"), 8), "ML-CANTEEN": (Decimal("16.00"), None)}
    # the next agreement of the district that year takes the next number
    elder = ElderFactory(residence_street=area.street)
    EntitlementFactory(elder=elder)
    second = services.sign_agreement(elder=elder, provider=area.provider,
                                     items=[(area.meals, 20)], signed_on=date(2026, 2, 20),
                                     starts_on=MARCH)
    assert second.reference == f"SA-{district}-2026-00002"


def test_an_agreement_needs_an_approved_elder(area):
    Entitlement.objects.filter(pk=area.entitlement.pk).delete()
    with pytest.raises(ValidationError) as error:
        _sign(area)
    assert _code(error.value, "elder") == "not_approved"
    assert not ServiceAgreement.objects.exists()


def test_an_own_cost_elder_may_sign(area):
    Entitlement.objects.filter(pk=area.entitlement.pk).update(
        subsidy_class="own_cost", monthly_amount=0, elder_share=1)
    assert _sign(area).status == AgreementStatus.ACTIVE


@pytest.mark.parametrize("where", ["sibling", "ended", "expired_term"])
def test_a_provider_not_contracted_for_the_area_on_the_first_day_is_refused(area, where):
    provider = ProviderFactory(region=area.tree["district"])
    street = area.tree["sibling"] if where == "sibling" else area.street
    ContractFactory(street=street, provider=provider, covered_area=[street],
                    status="ended" if where == "ended" else "active",
                    ended_on=date(2026, 2, 1) if where == "ended" else None,
                    ends_on=date(2026, 2, 28) if where == "expired_term"
                    else date(2028, 12, 31))
    with pytest.raises(ValidationError) as error:
        _sign(area, provider=provider, items=[(area.meals, 20)])
    assert _code(error.value, "provider") == "not_contracted"


@pytest.mark.parametrize("barred_from", [date(2026, 2, 1), date(2026, 3, 1)])
def test_a_barred_provider_is_refused(area, barred_from):
    # barred on the signing day, or from the first day
    TenderBar.objects.create(provider=area.provider, starts_on=barred_from,
                             lifts_on=date(2028, 3, 1), reason="unqualified twice")
    with pytest.raises(ValidationError) as error:
        _sign(area)
    assert _code(error.value, "provider") == "barred"


def test_an_item_outside_the_contract_is_refused(area):
    with pytest.raises(ValidationError) as error:
        _sign(area, items=[(service_item("RN-HOME"), 4)])
    assert _code(error.value, "items") == "not_in_contract"


@pytest.mark.parametrize(("items", "code"), [
    ([], "required"),
    ([("meals", 4), ("meals", 8)], "duplicate_item"),
    ([("meals", 0)], "times_per_month"),
])
def test_malformed_agreed_items_are_refused(area, items, code):
    with pytest.raises(ValidationError) as error:
        _sign(area, items=[(getattr(area, name), times) for name, times in items])
    assert _code(error.value, "items") == code


def test_one_agreement_in_force_per_elder_and_provider(area, rival):
    first = _sign(area)
    with pytest.raises(ValidationError) as error:
        _sign(area)
    assert _code(error.value, "provider") == "already_active"
    # another provider is fine
    assert _sign(area, provider=rival, items=[(area.meals, 20)]).status == "active"
    # and once the first has ended, the provider may be signed again
    services.end_agreement(agreement=first, reason="mutual_consent",
                           ended_on=date(2026, 4, 30))
    assert _sign(area, starts_on=date(2026, 5, 1)).status == "active"


@pytest.mark.parametrize(("dates", "field", "code"), [
    ({"signed_on": "tomorrow"}, "signed_on", "future"),
    ({"signed_on": date(2026, 3, 2)}, "starts_on", "before_signed"),
    ({"ends_on": date(2026, 2, 28)}, "ends_on", "ends_before_start"),
])
def test_dates_are_checked(area, dates, field, code):
    if dates.get("signed_on") == "tomorrow":
        dates = {"signed_on": timezone.localdate() + timedelta(days=1),
                 "starts_on": timezone.localdate() + timedelta(days=1)}
    with pytest.raises(ValidationError) as error:
        _sign(area, **dates)
    assert _code(error.value, field) == code


def test_an_agent_who_signs_is_named(area):
    with pytest.raises(ValidationError) as error:
        _sign(area, signed_by_agent=True)
    assert _code(error.value, "signatory") == "required"
    agreement = _sign(area, signed_by_agent=True, signatory="Wang Jun (son)")
    assert (agreement.signed_by_agent, agreement.signatory_name) == (True, "Wang Jun (son)")


def test_the_plan_must_be_the_elders(area):
    other = ElderFactory(residence_street=area.street)
    EntitlementFactory(elder=other)
    plan = services.write_plan(elder=other, starts_on=MARCH, items=[
        {"service_item": area.meals, "times_per_month": 4}])
    with pytest.raises(ValidationError) as error:
        _sign(area, plan=plan)
    assert _code(error.value, "plan") == "other_elder"


def test_the_database_refuses_a_second_agreement_in_force(area):
    # the service checks first; the constraint is the last word
    agreement = _sign(area)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceAgreementFactory(elder=area.elder, provider=area.provider,
                                contract=agreement.contract)


# --- ending and referral ----------------------------------------------------------------


@pytest.mark.parametrize("reason", [AgreementEndReason.INFECTIOUS_DISEASE,
                                    AgreementEndReason.MENTAL_ILLNESS])
def test_art_17_illness_needs_the_family_notified(area, reason):
    agreement = _sign(area)
    with pytest.raises(ValidationError) as error:
        services.end_agreement(agreement=agreement, reason=reason, ended_on=date(2026, 4, 10))
    assert _code(error.value, "family_notified_on") == "family_notice_required"
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE
    ended = services.end_agreement(agreement=agreement, reason=reason,
                                   ended_on=date(2026, 4, 10),
                                   family_notified_on=date(2026, 4, 9), user=area.clerk)
    assert (ended.status, ended.end_reason, ended.family_notified_on, ended.ended_by) == (
        AgreementStatus.ENDED, reason, date(2026, 4, 9), area.clerk)


def test_art_17_without_agent_or_relative_the_street_notes_what_it_did(area):
    # "无委托人或近亲属的，按相关政策规定办理": no family to notify, a note instead
    agreement = _sign(area)
    with pytest.raises(ValidationError) as error:
        services.end_agreement(agreement=agreement, reason="infectious_disease",
                               ended_on=date(2026, 4, 10), no_family=True)
    assert _code(error.value, "end_note") == "no_family_note_required"
    ended = services.end_agreement(
        agreement=agreement, reason="infectious_disease", ended_on=date(2026, 4, 10),
        no_family=True, note="无委托人及近亲属，街道已联系区救助管理站送院。", user=area.clerk)
    assert (ended.status, ended.family_notified_on) == (AgreementStatus.ENDED, None)
    assert ended.end_note.startswith("无委托人")


def test_the_family_cannot_be_notified_in_the_future(area):
    agreement = _sign(area)
    with pytest.raises(ValidationError) as error:
        services.end_agreement(agreement=agreement, reason="mental_illness",
                               ended_on=date(2026, 4, 10),
                               family_notified_on=timezone.localdate() + timedelta(days=1))
    assert _code(error.value, "family_notified_on") == "future"


@pytest.mark.parametrize("reason", ["breach", "impossible", "mutual_consent"])
def test_other_art_17_grounds_end_without_notice(area, reason):
    agreement = services.end_agreement(agreement=_sign(area), reason=reason,
                                       ended_on=date(2026, 4, 30), note="see file")
    assert (agreement.status, agreement.ended_on, agreement.end_note) == (
        AgreementStatus.ENDED, date(2026, 4, 30), "see file")
    # services end with the agreement
    assert not ServiceAgreement.objects.in_force_on(date(2026, 5, 1)).exists()
    assert ServiceAgreement.objects.in_force_on(date(2026, 4, 30)).exists()


def test_a_referral_names_another_contracted_provider(area, rival):
    agreement = services.end_agreement(agreement=_sign(area), reason="impossible",
                                       ended_on=date(2026, 4, 30), referred_to=rival)
    assert (agreement.status, agreement.referred_to) == (AgreementStatus.REFERRED, rival)


def test_a_referral_to_the_same_provider_is_refused(area):
    with pytest.raises(ValidationError) as error:
        services.end_agreement(agreement=_sign(area), reason="impossible",
                               ended_on=date(2026, 4, 30), referred_to=area.provider)
    assert _code(error.value, "referred_to") == "same_provider"


def test_a_referral_to_an_uncontracted_or_barred_provider_is_refused(area, rival):
    agreement = _sign(area)
    stranger = ProviderFactory(region=area.tree["district"])
    with pytest.raises(ValidationError) as error:
        services.end_agreement(agreement=agreement, reason="impossible",
                               ended_on=date(2026, 4, 30), referred_to=stranger)
    assert _code(error.value, "referred_to") == "not_contracted"
    TenderBar.objects.create(provider=rival, starts_on=date(2026, 4, 1),
                             lifts_on=date(2028, 4, 1), reason="unqualified twice")
    with pytest.raises(ValidationError) as error:
        services.end_agreement(agreement=agreement, reason="impossible",
                               ended_on=date(2026, 4, 30), referred_to=rival)
    assert _code(error.value, "referred_to") == "barred"


def test_ending_dates_and_state_are_checked(area):
    agreement = _sign(area, ends_on=date(2026, 12, 31))
    cases = [({"ended_on": date(2026, 2, 28)}, "ended_on", "before_start"),
             ({"ended_on": date(2027, 1, 1)}, "ended_on", "after_end"),
             ({"reason": "expired"}, "end_reason", "invalid_reason"),
             ({"reason": "entitlement_ended"}, "end_reason", "invalid_reason")]
    for change, field, code in cases:
        arguments = {"reason": "breach", "ended_on": date(2026, 4, 30), **change}
        with pytest.raises(ValidationError) as error:
            services.end_agreement(agreement=agreement, **arguments)
        assert _code(error.value, field) == code
    services.end_agreement(agreement=agreement, reason="breach", ended_on=MARCH)
    with pytest.raises(ValidationError) as error:
        services.end_agreement(agreement=agreement, reason="breach", ended_on=MARCH)
    assert _code(error.value, "status") == "not_active"


# --- expiry -----------------------------------------------------------------------------


def test_agreements_past_their_term_expire(area, rival):
    today = date(2026, 7, 1)
    past = _sign(area, ends_on=date(2026, 6, 30))
    running = _sign(area, provider=rival, items=[(area.meals, 20)], ends_on=today)
    counts = services.expire_agreements(today=today)
    past.refresh_from_db()
    running.refresh_from_db()
    assert (past.status, past.end_reason, past.ended_on) == (
        AgreementStatus.ENDED, AgreementEndReason.EXPIRED, date(2026, 6, 30))
    assert running.status == AgreementStatus.ACTIVE
    assert counts == {"expired": 1, "entitlement_ended": 0, "plans_ended": 0}
    # a second run changes nothing
    assert services.expire_agreements(today=today) == {
        "expired": 0, "entitlement_ended": 0, "plans_ended": 0}


def test_an_ended_entitlement_without_successor_ends_agreements_and_plan(area):
    plan = _plan(area)
    agreement = _sign(area)
    Entitlement.objects.filter(pk=area.entitlement.pk).update(
        status="ended", valid_until=date(2026, 5, 31), end_reason="moved_away")
    # not before the entitlement's last day has passed
    assert services.expire_agreements(today=date(2026, 5, 31))["entitlement_ended"] == 0
    counts = services.expire_agreements(today=date(2026, 6, 1))
    agreement.refresh_from_db()
    plan.refresh_from_db()
    assert counts == {"expired": 0, "entitlement_ended": 1, "plans_ended": 1}
    assert (agreement.status, agreement.end_reason, agreement.ended_on) == (
        AgreementStatus.ENDED, AgreementEndReason.ENTITLEMENT_ENDED, date(2026, 5, 31))
    assert (plan.status, plan.ends_on) == (PlanStatus.ENDED, date(2026, 5, 31))


def test_an_entitlement_with_a_successor_keeps_the_agreement(area):
    agreement = _sign(area)
    Entitlement.objects.filter(pk=area.entitlement.pk).update(
        status="ended", valid_until=date(2026, 5, 31), end_reason="reassessed")
    EntitlementFactory(elder=area.elder, predecessor=area.entitlement,
                       valid_from=date(2026, 6, 1), monthly_amount=Decimal("600.00"))
    assert services.expire_agreements(today=date(2026, 6, 2))["entitlement_ended"] == 0
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE


def test_the_daily_task_runs_the_expiry(area):
    agreement = _sign(area, ends_on=date(2026, 6, 30))
    result = expire_agreements_task.apply().get()
    agreement.refresh_from_db()
    assert result["expired"] == 1
    assert agreement.end_reason == AgreementEndReason.EXPIRED
