"""Contracts, bars, renewals and three-party agreements through the
services, on the real database."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.contracts import services
from apps.contracts.models import CarerAgreement, Contract, ContractStatus, TenderBar
from apps.evaluations.models import ProviderGrade
from tests.contracts.factories import CarerAgreementFactory, ContractFactory, service_item
from tests.factories import ElderFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def _contract(tree, provider, *, starts_on=date(2026, 1, 1), ends_on=date(2028, 12, 31),
              reference="HT-1", items=None):
    return services.create_contract(
        reference=reference, purchaser=tree["district"], provider=provider,
        covered_area=[tree["street"]], signed_on=date(2025, 12, 1), starts_on=starts_on,
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


def test_stopping_ends_the_contract(tree):
    provider = ProviderFactory(region=tree["district"])
    contract = _contract(tree, provider)
    _grade(provider, "unqualified")
    renewal = services.record_renewal(contract=contract, year=2, on=date(2026, 12, 1),
                                      decision="stop", note="unqualified")
    assert renewal.grades == {"meals": "unqualified"}
    contract.refresh_from_db()
    assert (contract.status, contract.ended_on) == (ContractStatus.ENDED, date(2026, 12, 1))


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
              "starts_on": date(2026, 2, 1), "ends_on": date(2026, 12, 31)}
    return services.create_carer_agreement(elder=elder, items=items, **{**values, **kwargs})


def test_agreement_refused_where_a_contract_covers_the_street(tree):
    ContractFactory(purchaser=tree["district"], covered_area=[tree["street"]],
                    items=[(service_item("LC-HOME"), Decimal("40"))])
    elder = ElderFactory(residence_street=tree["street"])
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
    elder = ElderFactory(residence_street=tree["street"])
    agreement = _agreement(elder, [(service_item("LC-HOME"), Decimal("30"))])
    assert agreement.items.get().price == Decimal("30")
    assert CarerAgreement.objects.get().carer_phone == "13800000000"


def test_agreement_street_is_the_elders(tree):
    elder = ElderFactory(residence_street=tree["street"])
    with pytest.raises(ValidationError) as error:
        _agreement(elder, [(service_item("LC-HOME"), Decimal("30"))], street=tree["sibling"])
    assert _code(error.value, "street") == "not_elder_street"


def test_agreement_factory_is_consistent(tree):
    agreement = CarerAgreementFactory(elder=ElderFactory(residence_street=tree["street"]))
    assert agreement.street == tree["street"]


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
