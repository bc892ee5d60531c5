"""Contracts, bars, renewals and three-party agreements through the
services, on the real database."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.contracts import services
from apps.contracts.models import CarerAgreement, Contract, ContractStatus, TenderBar
from apps.evaluations.models import ProviderGrade
from tests.contracts.factories import (
    CarerAgreementFactory,
    ContractFactory,
    service_item,
    subsidised,
)
from tests.factories import ElderFactory, EntitlementFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def _contract(tree, provider, *, starts_on=date(2026, 1, 1), ends_on=date(2028, 12, 31),
              reference="HT-1", items=None, signed_on=date(2025, 12, 1)):
    return services.create_contract(
        reference=reference, purchaser=tree["district"], provider=provider,
        covered_area=[tree["street"]], signed_on=signed_on, starts_on=starts_on,
        ends_on=ends_on,
        items=items if items is not None else [(service_item(), Decimal("15.00"))])


def _code(error: ValidationError, field: str) -> str:
    return error.error_dict[field][0].code


# --- term limit --------------------------------------------------------------


def test_three_years_exactly_is_allowed(tree):
    contract = _contract(tree, ProviderFactory(region=tree["district"]),
                         ends_on=date(2028, 12, 31))
    assert contract.status == ContractStatus.ACTIVE
    assert list(contract.covered_area.all()) == [tree["street"]]


def test_one_day_over_three_years_is_refused(tree):
    with pytest.raises(ValidationError) as error:
        _contract(tree, ProviderFactory(region=tree["district"]), ends_on=date(2029, 1, 1))
    assert _code(error.value, "ends_on") == "term_too_long"
    assert not Contract.objects.exists()


def test_covered_area_must_lie_in_the_purchasers_district(tree):
    with pytest.raises(ValidationError) as error:
        services.create_contract(
            reference="HT-X", purchaser=tree["district"],
            provider=ProviderFactory(region=tree["district"]),
            covered_area=[tree["other_street"]], signed_on=date(2026, 1, 1),
            starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
    assert _code(error.value, "covered_area") == "outside_purchaser"


def test_items_take_the_guide_price_in_force_on_the_first_day(tree):
    item = service_item("LC-HOME")
    contract = _contract(tree, ProviderFactory(region=tree["district"]),
                         items=[(item, Decimal("45.00"))])
    row = contract.items.get()
    assert row.guide_price == item.guide_price_on(date(2026, 1, 1))
    assert row.guide_price is not None
    assert row.deviation.above_guide is (Decimal("45.00") > row.guide_price)


# --- tender bar --------------------------------------------------------------


def test_end_contracts_and_bar_ends_every_active_contract_and_bars(tree):
    provider = ProviderFactory(region=tree["district"])
    first = _contract(tree, provider, reference="HT-1")
    second = _contract(tree, provider, reference="HT-2", starts_on=date(2026, 3, 1),
                       ends_on=date(2027, 2, 28))
    other = _contract(tree, ProviderFactory(region=tree["district"]), reference="HT-3")
    bar = services.end_contracts_and_bar(provider=provider, on=date(2026, 6, 1),
                                         reason="unqualified twice", by=None)
    for contract in (first, second):
        contract.refresh_from_db()
        assert contract.status == ContractStatus.ENDED
        assert contract.ended_on == date(2026, 6, 1)
        assert contract.end_reason == "unqualified twice"
    other.refresh_from_db()
    assert other.status == ContractStatus.ACTIVE
    assert (bar.starts_on, bar.lifts_on) == (date(2026, 6, 1), date(2028, 6, 1))
    assert services.bar_in_force(provider, date(2026, 6, 1)) == bar


@pytest.mark.parametrize(("starts_on", "barred"), [
    (date(2028, 5, 31), True),   # the last barred day
    (date(2028, 6, 1), False),   # the bar lifts
])
def test_bar_blocks_on_its_last_day_and_lifts_the_next(tree, starts_on, barred):
    provider = ProviderFactory(region=tree["district"])
    services.end_contracts_and_bar(provider=provider, on=date(2026, 6, 1), reason="Art 25")
    if barred:
        with pytest.raises(ValidationError) as error:
            _contract(tree, provider, starts_on=starts_on, ends_on=date(2029, 5, 30))
        assert _code(error.value, "provider") == "barred"
        assert not Contract.objects.filter(provider=provider).exists()
    else:
        contract = _contract(tree, provider, starts_on=starts_on, ends_on=date(2029, 5, 31))
        assert contract.is_active


def test_a_contract_signed_during_the_bar_is_refused_though_it_starts_after(tree):
    provider = ProviderFactory(region=tree["district"])
    services.end_contracts_and_bar(provider=provider, on=date(2026, 6, 1), reason="Art 25")
    # signed on the last barred day, to start on the day the bar lifts
    with pytest.raises(ValidationError) as error:
        _contract(tree, provider, signed_on=date(2028, 5, 31), starts_on=date(2028, 6, 1),
                  ends_on=date(2029, 5, 31))
    assert _code(error.value, "provider") == "barred"
    assert not Contract.objects.filter(provider=provider).exists()
    # signed on the lift day, it stands
    assert _contract(tree, provider, signed_on=date(2028, 6, 1), starts_on=date(2028, 6, 1),
                     ends_on=date(2029, 5, 31)).is_active


def _update(contract, **changes):
    values = {"reference": contract.reference, "purchaser": contract.purchaser,
              "provider": contract.provider, "covered_area": list(contract.covered_area.all()),
              "signed_on": contract.signed_on, "starts_on": contract.starts_on,
              "ends_on": contract.ends_on,
              "items": [(i.service_item, i.price) for i in contract.items.all()]}
    return services.update_contract(contract=contract, **{**values, **changes})


def test_update_checks_the_bar_again_when_the_signing_day_moves_into_it(tree):
    provider = ProviderFactory(region=tree["district"])
    services.end_contracts_and_bar(provider=provider, on=date(2026, 6, 1), reason="Art 25")
    contract = _contract(tree, provider, signed_on=date(2028, 6, 1),
                         starts_on=date(2028, 7, 1), ends_on=date(2029, 6, 30))
    with pytest.raises(ValidationError) as error:
        _update(contract, signed_on=date(2028, 5, 20))
    assert _code(error.value, "provider") == "barred"
    contract.refresh_from_db()
    assert contract.signed_on == date(2028, 6, 1)
    with pytest.raises(ValidationError) as error:
        _update(contract, starts_on=date(2028, 5, 31))
    assert _code(error.value, "provider") == "barred"


def test_update_keeping_the_dates_is_not_refused_for_a_later_bar(tree):
    provider = ProviderFactory(region=tree["district"])
    contract = ContractFactory(provider=provider, purchaser=tree["district"],
                               covered_area=[tree["street"]], signed_on=date(2026, 6, 15),
                               starts_on=date(2026, 7, 1), ends_on=date(2027, 6, 30))
    # a bar recorded straight over the signing day (an evaluation elsewhere)
    TenderBar.objects.create(provider=provider, starts_on=date(2026, 6, 1),
                             lifts_on=date(2026, 6, 30), reason="test")
    updated = _update(contract, ends_on=date(2027, 5, 31))
    assert updated.ends_on == date(2027, 5, 31)


def _street_contract(tree, provider, street, reference):
    """A contract bought by a street office."""
    return services.create_contract(
        reference=reference, purchaser=street, provider=provider, covered_area=[street],
        signed_on=date(2025, 12, 1), starts_on=date(2026, 1, 1), ends_on=date(2028, 12, 31),
        items=[(service_item(), Decimal("15.00"))])


def test_end_contracts_and_bar_under_a_purchaser_ends_only_its_contracts(tree):
    provider = ProviderFactory(region=tree["district"])
    districts = _contract(tree, provider, reference="HT-D")
    streets = _street_contract(tree, provider, tree["sibling"], "HT-S")
    elsewhere = services.create_contract(
        reference="HT-O", purchaser=tree["other_district"], provider=provider,
        covered_area=[tree["other_street"]], signed_on=date(2025, 12, 1),
        starts_on=date(2026, 1, 1), ends_on=date(2028, 12, 31))
    bar = services.end_contracts_and_bar(provider=provider, on=date(2026, 6, 1),
                                         reason="still unqualified", by=None,
                                         evaluation_reference="PJ-2026-1",
                                         purchaser_under=tree["district"])
    for contract in (districts, streets):
        contract.refresh_from_db()
        assert (contract.status, contract.ended_on) == (ContractStatus.ENDED, date(2026, 6, 1))
    elsewhere.refresh_from_db()
    assert elsewhere.status == ContractStatus.ACTIVE
    assert bar.evaluation_reference == "PJ-2026-1"
    # the bar holds city-wide: the other district cannot contract with it either
    with pytest.raises(ValidationError) as error:
        services.create_contract(
            reference="HT-O2", purchaser=tree["other_district"], provider=provider,
            covered_area=[tree["other_street"]], signed_on=date(2026, 7, 1),
            starts_on=date(2026, 8, 1), ends_on=date(2027, 7, 31))
    assert _code(error.value, "provider") == "barred"


def test_end_contracts_and_bar_under_a_street_leaves_its_district(tree):
    provider = ProviderFactory(region=tree["district"])
    districts = _contract(tree, provider, reference="HT-D")
    streets = _street_contract(tree, provider, tree["street"], "HT-S")
    services.end_contracts_and_bar(provider=provider, on=date(2026, 6, 1), reason="Art 25",
                                   purchaser_under=tree["street"])
    districts.refresh_from_db()
    streets.refresh_from_db()
    assert districts.status == ContractStatus.ACTIVE
    assert streets.status == ContractStatus.ENDED


def test_end_contracts_and_bar_without_a_purchaser_ends_them_everywhere(tree):
    provider = ProviderFactory(region=tree["district"])
    here = _contract(tree, provider, reference="HT-D")
    elsewhere = services.create_contract(
        reference="HT-O", purchaser=tree["other_district"], provider=provider,
        covered_area=[tree["other_street"]], signed_on=date(2025, 12, 1),
        starts_on=date(2026, 1, 1), ends_on=date(2028, 12, 31))
    services.end_contracts_and_bar(provider=provider, on=date(2026, 6, 1), reason="Art 25",
                                   by=None, evaluation_reference="PJ-1")
    for contract in (here, elsewhere):
        contract.refresh_from_db()
        assert contract.status == ContractStatus.ENDED


def test_plain_end_records_no_bar(tree):
    contract = _contract(tree, ProviderFactory(region=tree["district"]))
    services.end_contract(contract=contract, on=date(2026, 9, 30), reason="mutual consent")
    contract.refresh_from_db()
    assert (contract.status, contract.ended_on) == (ContractStatus.ENDED, date(2026, 9, 30))
    assert not TenderBar.objects.exists()


def test_an_ended_contract_cannot_end_again(tree):
    contract = _contract(tree, ProviderFactory(region=tree["district"]))
    services.end_contract(contract=contract, on=date(2026, 9, 30), reason="breach")
    with pytest.raises(ValidationError) as error:
        services.end_contract(contract=contract, on=date(2026, 10, 30), reason="again")
    assert _code(error.value, "status") == "not_active"


# --- renewal -----------------------------------------------------------------


def _grade(provider, grade, category="meals"):
    return ProviderGrade.objects.create(provider=provider, category=category, year=2026,
                                        grade=grade, effective_from=date(2026, 6, 1))


@pytest.mark.parametrize("grade", ["qualified", "good", "excellent"])
def test_renewal_continues_on_a_passing_grade(tree, grade):
    provider = ProviderFactory(region=tree["district"])
    contract = _contract(tree, provider)
    _grade(provider, grade)
    renewal = services.record_renewal(contract=contract, year=2, on=date(2026, 12, 1),
                                      decision="continue")
    assert renewal.grades == {"meals": grade}
    contract.refresh_from_db()
    assert contract.is_active


@pytest.mark.parametrize(("grade", "code"), [("unqualified", "unqualified"), (None, "ungraded")])
def test_renewal_is_refused_when_unqualified_or_ungraded(tree, grade, code):
    provider = ProviderFactory(region=tree["district"])
    contract = _contract(tree, provider)
    if grade:
        _grade(provider, grade)
    with pytest.raises(ValidationError) as error:
        services.record_renewal(contract=contract, year=2, on=date(2026, 12, 1),
                                decision="continue")
    assert _code(error.value, "decision") == code
    assert not contract.renewals.exists()


def test_renewal_is_refused_when_one_category_is_ungraded(tree):
    provider = ProviderFactory(region=tree["district"])
    contract = _contract(tree, provider, items=[(service_item("ML-CANTEEN"), Decimal("15")),
                                                (service_item("LC-HOME"), Decimal("40"))])
    _grade(provider, "good", "meals")
    with pytest.raises(ValidationError) as error:
        services.record_renewal(contract=contract, year=2, on=date(2026, 12, 1),
                                decision="continue")
    assert _code(error.value, "decision") == "ungraded"


def test_a_grade_not_yet_in_force_does_not_count(tree):
    provider = ProviderFactory(region=tree["district"])
    contract = _contract(tree, provider)
    _grade(provider, "good")  # in force from 1 June 2026
    with pytest.raises(ValidationError):
        services.record_renewal(contract=contract, year=2, on=date(2026, 5, 31),
                                decision="continue")


def test_stopping_runs_the_contract_to_the_end_of_the_current_year(tree):
    provider = ProviderFactory(region=tree["district"])
    contract = _contract(tree, provider)
    _grade(provider, "unqualified")
    renewal = services.record_renewal(contract=contract, year=2, on=date(2026, 12, 1),
                                      decision="stop", note="unqualified")
    assert renewal.grades == {"meals": "unqualified"}
    contract.refresh_from_db()
    # still active on the last day of year 1, the day before year 2
    assert (contract.status, contract.ended_on, contract.ends_on) == (
        ContractStatus.ACTIVE, None, date(2026, 12, 31))
    assert contract.end_reason.endswith("unqualified")  # the note, after the reason
    # no later year is in the term any more
    with pytest.raises(ValidationError) as error:
        services.record_renewal(contract=contract, year=3, on=date(2026, 12, 2),
                                decision="stop")
    assert _code(error.value, "year") == "year_outside_term"
    # the expiry job ends it once its last day is past
    services.expire_contracts(today=date(2026, 12, 31))
    contract.refresh_from_db()
    assert contract.is_active
    services.expire_contracts(today=date(2027, 1, 1))
    contract.refresh_from_db()
    assert contract.status == ContractStatus.EXPIRED


def test_stopping_year_3_keeps_year_2(tree):
    provider = ProviderFactory(region=tree["district"])
    contract = _contract(tree, provider, starts_on=date(2026, 3, 15),
                         ends_on=date(2029, 3, 14))
    services.record_renewal(contract=contract, year=3, on=date(2027, 11, 1), decision="stop")
    contract.refresh_from_db()
    assert (contract.is_active, contract.ends_on) == (True, date(2028, 3, 14))


def test_a_stop_decided_late_runs_the_contract_to_the_decision_day(tree):
    provider = ProviderFactory(region=tree["district"])
    contract = _contract(tree, provider)
    # year 2 began on 1 January 2027 without a decision
    services.record_renewal(contract=contract, year=2, on=date(2027, 2, 10), decision="stop")
    contract.refresh_from_db()
    assert (contract.is_active, contract.ends_on) == (True, date(2027, 2, 10))


def test_renewal_due_lists_contracts_entering_a_year_without_a_decision(tree):
    provider = ProviderFactory(region=tree["district"])
    kwargs = {"provider": provider, "purchaser": tree["district"],
              "covered_area": [tree["street"]]}
    due = ContractFactory(reference="HT-DUE", **kwargs)  # year 2 from 1 Jan 2027
    later = ContractFactory(reference="HT-LATER", starts_on=date(2026, 3, 1),
                            ends_on=date(2029, 2, 28), **kwargs)
    decided = ContractFactory(reference="HT-DECIDED", **kwargs)
    decided.renewals.create(year=2, decided_on=date(2026, 10, 1), decision="continue")
    ContractFactory(reference="HT-ENDED", status="ended", ended_on=date(2026, 10, 1),
                    **kwargs)
    ContractFactory(reference="HT-SHORT", ends_on=date(2026, 12, 31), **kwargs)  # one year
    already_in = ContractFactory(reference="HT-IN", starts_on=date(2025, 12, 1),
                                 ends_on=date(2028, 11, 30), **kwargs)  # year 2 from 1 Dec 2026

    def listed(today):
        return set(Contract.objects.renewal_due(today).values_list("reference", flat=True))

    assert listed(date(2026, 11, 1)) == {"HT-IN"}  # HT-DUE's year 2 is 61 days away
    assert listed(date(2026, 11, 2)) == {"HT-DUE", "HT-IN"}
    assert listed(date(2026, 12, 31)) == {"HT-DUE", "HT-LATER", "HT-IN"}
    assert due.renewal_year_due(date(2026, 11, 2)) == 2
    assert later.renewal_year_due(date(2026, 11, 2)) is None
    assert already_in.renewal_year_due(date(2026, 12, 31)) == 2
    # scoped querysets chain with it
    assert Contract.objects.filter(provider=provider).renewal_due(
        date(2026, 11, 2)).count() == 2


def test_a_stopped_contract_is_no_longer_due(tree):
    provider = ProviderFactory(region=tree["district"])
    contract = _contract(tree, provider)
    assert list(Contract.objects.renewal_due(date(2026, 12, 1))) == [contract]
    services.record_renewal(contract=contract, year=2, on=date(2026, 12, 1), decision="stop")
    assert not Contract.objects.renewal_due(date(2026, 12, 1)).exists()


def test_a_contract_year_is_decided_once(tree):
    provider = ProviderFactory(region=tree["district"])
    contract = _contract(tree, provider)
    _grade(provider, "good")
    services.record_renewal(contract=contract, year=2, on=date(2026, 12, 1),
                            decision="continue")
    with pytest.raises(ValidationError) as error:
        services.record_renewal(contract=contract, year=2, on=date(2026, 12, 2),
                                decision="continue")
    assert _code(error.value, "year") == "already_decided"


# --- three-party agreements ---------------------------------------------------


def _agreement(elder, items, **kwargs):
    values = {"carer_name": "王阿姨", "relationship": "neighbour", "carer_phone": "13800000000",
              "street": elder.residence_street, "signed_on": date(2026, 2, 1),
              "starts_on": date(2026, 2, 1), "ends_on": date(2026, 12, 31),
              "district_approved_on": date(2026, 1, 20),
              "district_approval_reference": "QZX-2026-001"}
    return services.create_carer_agreement(elder=elder, items=items, **{**values, **kwargs})


def _subsidised_elder(street):
    elder = ElderFactory(residence_street=street)
    subsidised(elder)
    return elder


def test_agreement_refused_where_a_contract_covers_the_street(tree):
    ContractFactory(purchaser=tree["district"], covered_area=[tree["street"]],
                    items=[(service_item("LC-HOME"), Decimal("40"))])
    elder = _subsidised_elder(tree["street"])
    with pytest.raises(ValidationError) as error:
        _agreement(elder, [(service_item("LC-HOME"), Decimal("30"))])
    assert _code(error.value, "items") == "covered_by_contract"
    assert not CarerAgreement.objects.exists()


def test_agreement_allowed_where_no_contract_covers(tree):
    # a contract for the sibling street, one for another service, one ended
    ContractFactory(purchaser=tree["district"], covered_area=[tree["sibling"]],
                    items=[(service_item("LC-HOME"), Decimal("40"))])
    ContractFactory(purchaser=tree["district"], covered_area=[tree["street"]],
                    items=[(service_item("ML-CANTEEN"), Decimal("15"))])
    ContractFactory(purchaser=tree["district"], covered_area=[tree["street"]],
                    status="ended", ended_on=date(2026, 1, 31),
                    items=[(service_item("LC-HOME"), Decimal("40"))])
    elder = _subsidised_elder(tree["street"])
    agreement = _agreement(elder, [(service_item("LC-HOME"), Decimal("30"))])
    assert agreement.items.get().price == Decimal("30")
    stored = CarerAgreement.objects.get()
    assert stored.carer_phone == "13800000000"
    assert (stored.district_approved_on, stored.district_approval_reference) == (
        date(2026, 1, 20), "QZX-2026-001")


def test_agreement_street_is_the_elders(tree):
    elder = _subsidised_elder(tree["street"])
    with pytest.raises(ValidationError) as error:
        _agreement(elder, [(service_item("LC-HOME"), Decimal("30"))], street=tree["sibling"])
    assert _code(error.value, "street") == "not_elder_street"


def test_agreement_factory_is_consistent(tree):
    agreement = CarerAgreementFactory(elder=ElderFactory(residence_street=tree["street"]))
    assert agreement.street == tree["street"]
    agreement.full_clean()
    # the service accepts the factory's data as it stands
    services.update_carer_agreement(
        agreement=agreement, carer_name=agreement.carer_name,
        relationship=agreement.relationship, carer_phone=agreement.carer_phone,
        signed_on=agreement.signed_on, starts_on=agreement.starts_on,
        ends_on=agreement.ends_on + timedelta(days=1),
        district_approved_on=agreement.district_approved_on,
        district_approval_reference=agreement.district_approval_reference,
        items=[(i.service_item, i.price) for i in agreement.items.all()])


@pytest.mark.parametrize("entitlement", [
    None,                                                          # never approved
    {"subsidy_class": "own_cost"},                                 # services at own cost
    {"status": "ended", "valid_until": date(2026, 1, 31)},         # no longer current
])
def test_agreement_only_for_a_subsidised_elder(tree, entitlement):
    elder = ElderFactory(residence_street=tree["street"])
    if entitlement is not None:
        EntitlementFactory(elder=elder, **entitlement)
    with pytest.raises(ValidationError) as error:
        _agreement(elder, [(service_item("LC-HOME"), Decimal("30"))])
    assert _code(error.value, "elder") == "not_subsidised"
    assert not CarerAgreement.objects.exists()


@pytest.mark.parametrize("subsidy_class", ["class1", "class2"])
def test_agreement_for_either_subsidised_class(tree, subsidy_class):
    elder = ElderFactory(residence_street=tree["street"])
    EntitlementFactory(elder=elder, subsidy_class=subsidy_class)
    assert _agreement(elder, [(service_item("LC-HOME"), Decimal("30"))]).pk


def test_agreement_needs_the_district_centres_approval(tree):
    elder = _subsidised_elder(tree["street"])
    with pytest.raises(ValidationError) as error:
        _agreement(elder, [(service_item("LC-HOME"), Decimal("30"))],
                   district_approved_on=None, district_approval_reference="  ")
    assert _code(error.value, "district_approved_on") == "required"
    assert _code(error.value, "district_approval_reference") == "required"
    with pytest.raises(ValidationError) as error:
        _agreement(elder, [(service_item("LC-HOME"), Decimal("30"))],
                   district_approved_on=timezone.localdate() + timedelta(days=1))
    assert _code(error.value, "district_approved_on") == "future"
    assert not CarerAgreement.objects.exists()
    # today is not the future
    assert _agreement(elder, [(service_item("LC-HOME"), Decimal("30"))],
                      district_approved_on=timezone.localdate()).pk


def test_agreement_update_keeps_the_approval_required(tree):
    agreement = CarerAgreementFactory(elder=ElderFactory(residence_street=tree["street"]))
    with pytest.raises(ValidationError) as error:
        services.update_carer_agreement(
            agreement=agreement, carer_name="x", relationship="relative",
            carer_phone="1", signed_on=agreement.signed_on, starts_on=agreement.starts_on,
            ends_on=agreement.ends_on, district_approved_on=None,
            district_approval_reference="", items=[(service_item("LC-HOME"), Decimal("30"))])
    assert set(error.value.error_dict) == {"district_approved_on",
                                           "district_approval_reference"}


def test_agreement_of_an_elder_no_longer_subsidised_may_be_shortened_not_extended(tree):
    agreement = CarerAgreementFactory(elder=ElderFactory(residence_street=tree["street"]))
    agreement.elder.entitlements.update(status="ended", valid_until=date(2026, 5, 31))
    values = {"carer_name": agreement.carer_name, "relationship": agreement.relationship,
              "carer_phone": agreement.carer_phone, "signed_on": agreement.signed_on,
              "starts_on": agreement.starts_on,
              "district_approved_on": agreement.district_approved_on,
              "district_approval_reference": agreement.district_approval_reference,
              "items": [(service_item("LC-HOME"), Decimal("30"))]}
    with pytest.raises(ValidationError) as error:
        services.update_carer_agreement(agreement=agreement, ends_on=date(2027, 6, 30),
                                        **values)
    assert _code(error.value, "elder") == "not_subsidised"
    shortened = services.update_carer_agreement(agreement=agreement,
                                                ends_on=date(2026, 5, 31), **values)
    assert shortened.ends_on == date(2026, 5, 31)


def test_demo_contract_is_built_once(tree):
    from apps.contracts.demo import build_demo_contracts

    provider = ProviderFactory(region=tree["district"])
    first = build_demo_contracts(tree["district"], provider)
    again = build_demo_contracts(tree["district"], provider)
    assert first == again
    assert first.is_active
    assert first.items.count() == 2
    assert list(first.covered_area.all()) == [
        tree["district"].children.order_by("code").first()]
