"""Art 26–27 eligibility and entitlement, without a database."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.policy.parameters import SEED_VALUES
from apps.subsidies.rules import (
    CareLevel,
    ElderFacts,
    Entitlement,
    ModelWorker,
    SubsidyClass,
    decide,
    share_cost,
    share_lines,
)

ON = date(2026, 11, 23)


def values(on=ON):
    """The seeded Guangzhou values in force on ``on`` (latest version wins)."""
    chosen = {}
    for key, value, valid_from in sorted(SEED_VALUES, key=lambda row: row[2]):
        if valid_from <= on:
            chosen[key] = value
    return chosen


def born(age, days_after_birthday=0):
    """A birth date making the elder exactly ``age`` on ON (+/- days)."""
    birthday = ON.replace(year=ON.year - age)
    return date.fromordinal(birthday.toordinal() - days_after_birthday)


def facts(age=70, **kwargs):
    kwargs.setdefault("local_hukou", True)
    return ElderFacts(birth_date=born(age), **kwargs)


def met(decision, table="class1"):
    return {c.code for c in getattr(decision, table) if c.met}


# --- Class 1, criterion by criterion ----------------------------------------

@pytest.mark.parametrize(("elder", "code"), [
    (facts(sanwu_or_wubao=True), "c1_sanwu_wubao"),
    (facts(dibao=True, care_level=CareLevel.MILD), "c1_household_disabled"),
    (facts(low_income=True, care_level=CareLevel.MODERATE), "c1_household_disabled"),
    (facts(youfu=True, care_level=CareLevel.SEVERE), "c1_household_disabled"),
    (facts(dibao=True, lives_alone=True), "c1_alone"),
    (facts(low_income=True, lives_only_with_severely_disabled_child=True), "c1_alone"),
    (facts(age=80, lives_alone=True), "c1_alone"),
    (facts(model_worker=ModelWorker.MUNICIPAL, care_level=CareLevel.MILD), "c1_model_worker"),
    (facts(model_worker=ModelWorker.NATIONAL, care_level=CareLevel.SEVERE), "c1_model_worker"),
    (facts(age=100), "c1_centenarian"),
    (facts(family_planning_special_support=True), "c1_family_planning"),
])
def test_each_class1_criterion_alone_gives_class1(elder, code):
    decision = decide(elder, ON, values())
    assert met(decision) == {code}
    assert decision.entitlement.subsidy_class == SubsidyClass.CLASS_1
    assert decision.entitlement.elder_share == 0
    for criterion in decision.class1:
        assert str(criterion.reason)


@pytest.mark.parametrize("elder", [
    facts(dibao=True),  # household member, not disabled, not alone
    facts(care_level=CareLevel.SEVERE),  # disabled, no household status
    facts(age=79, lives_alone=True),  # alone but under 80
    facts(dibao=True, lives_alone=False, gugua=True),  # 孤寡 is not criterion 3
    facts(model_worker=ModelWorker.BELOW_MUNICIPAL, care_level=CareLevel.SEVERE),
    facts(model_worker=ModelWorker.MUNICIPAL),  # not disabled
    facts(age=99),
])
def test_near_misses_are_not_class1(elder):
    decision = decide(elder, ON, values())
    assert met(decision) == set()
    assert decision.entitlement is None


# --- Ages on the boundary -----------------------------------------------------

@pytest.mark.parametrize(("birth", "eligible"), [
    (born(60), True),  # 60th birthday today
    (born(60, days_after_birthday=-1), False),  # turns 60 tomorrow
])
def test_sixty_is_reached_on_the_birthday(birth, eligible):
    elder = ElderFacts(birth_date=birth, local_hukou=True, family_planning_special_support=True)
    assert decide(elder, ON, values()).eligible is eligible


@pytest.mark.parametrize(("birth", "alone_criterion"), [
    (born(80), True), (born(80, days_after_birthday=-1), False),
])
def test_eighty_living_alone_boundary(birth, alone_criterion):
    elder = ElderFacts(birth_date=birth, local_hukou=True, lives_alone=True)
    assert ("c1_alone" in met(decide(elder, ON, values()))) is alone_criterion


@pytest.mark.parametrize(("birth", "centenarian"), [
    (born(100), True), (born(100, days_after_birthday=-1), False),
])
def test_hundred_boundary(birth, centenarian):
    elder = ElderFacts(birth_date=birth, local_hukou=True)
    assert decide(elder, ON, values()).eligible is centenarian


def test_leap_day_birthdays_turn_over_on_the_first_of_march():
    elder = ElderFacts(birth_date=date(1966, 2, 28), local_hukou=True,
                       family_planning_special_support=True)
    assert decide(elder, date(2026, 2, 27), values()).eligible is False
    assert decide(elder, date(2026, 2, 28), values()).eligible is True
    leap = ElderFacts(birth_date=date(1964, 2, 29), local_hukou=True,
                      family_planning_special_support=True)
    assert decide(leap, date(2024, 2, 28), values()).eligible is False
    assert decide(leap, date(2024, 2, 29), values()).eligible is True


# --- Class 2 --------------------------------------------------------------

def class2(age=80, pension=Decimal(2000), **kwargs):
    kwargs.setdefault("care_level", CareLevel.MILD)
    kwargs.setdefault("willing_to_pay_half", True)
    return facts(age=age, monthly_pension=pension, **kwargs)


@pytest.mark.parametrize("elder", [
    class2(age=80),
    class2(age=70, pure_elderly_household=True),
    class2(age=70, gugua=True),
    class2(age=75, lives_alone=False, pure_elderly_household=True),
])
def test_class2_when_every_condition_holds(elder):
    decision = decide(elder, ON, values())
    assert met(decision, "class2") == {"c2_pension", "c2_pays_half", "c2_disabled",
                                       "c2_age_or_household"}
    assert decision.entitlement == Entitlement(SubsidyClass.CLASS_2, Decimal(200), Decimal(0),
                                               Decimal("0.5"))


@pytest.mark.parametrize(("elder", "missed"), [
    (class2(pension=Decimal(2500)), "c2_pension"),  # equal to the 2025 minimum wage
    (class2(pension=None), "c2_pension"),
    (class2(willing_to_pay_half=False), "c2_pays_half"),
    (class2(care_level=CareLevel.NONE), "c2_disabled"),
    (class2(age=79), "c2_age_or_household"),
])
def test_class2_misses_one_condition(elder, missed):
    decision = decide(elder, ON, values())
    assert {c.code for c in decision.class2 if not c.met} == {missed}
    assert decision.entitlement is None


def test_minimum_wage_in_force_on_the_date_decides():
    elder = class2(pension=Decimal(2400), pure_elderly_household=True)
    assert decide(elder, date(2025, 2, 28), values(date(2025, 2, 28))).entitlement is None
    assert decide(elder, date(2025, 3, 1), values(date(2025, 3, 1))).entitlement is not None


# --- Amounts, several criteria, hukou -------------------------------------

@pytest.mark.parametrize(("level", "amount", "supplement"), [
    (CareLevel.MILD, 400, 0), (CareLevel.MODERATE, 400, 0), (CareLevel.SEVERE, 600, 200),
])
def test_class1_amount_and_nursing_supplement(level, amount, supplement):
    decision = decide(facts(dibao=True, care_level=level), ON, values())
    assert decision.entitlement.monthly_amount == Decimal(amount)
    assert decision.entitlement.nursing_supplement == Decimal(supplement)


def test_several_criteria_give_the_highest_single_entitlement():
    # both class 1 (dibao + disabled, alone at 80) and class 2 hold
    elder = class2(age=85, dibao=True, lives_alone=True, care_level=CareLevel.SEVERE)
    decision = decide(elder, ON, values())
    assert met(decision) == {"c1_household_disabled", "c1_alone"}
    assert all(c.met for c in decision.class2)
    assert decision.entitlement == Entitlement(SubsidyClass.CLASS_1, Decimal(600),
                                               Decimal(200), Decimal(0))


def test_non_local_hukou_gets_services_at_own_cost_only():
    decision = decide(facts(age=101, local_hukou=False, sanwu_or_wubao=True), ON, values())
    assert decision.entitlement is None
    assert decision.own_cost_only is True
    assert [c.code for c in decision.prerequisites if not c.met] == ["local_hukou"]


def test_living_outside_the_city_is_not_eligible():
    decision = decide(facts(age=101, lives_in_city=False), ON, values())
    assert decision.entitlement is None


def test_new_policy_values_change_the_amounts():
    raised = {**values(), "subsidy.class1.monthly": Decimal(450)}
    assert decide(facts(age=100), ON, raised).entitlement.monthly_amount == Decimal(450)


# --- Sharing a month's cost -----------------------------------------------

@pytest.mark.parametrize(("entitlement", "cost", "subsidy", "own"), [
    (Entitlement(SubsidyClass.CLASS_1, Decimal(400), Decimal(0), Decimal(0)),
     Decimal("350.00"), Decimal("350.00"), Decimal("0.00")),
    (Entitlement(SubsidyClass.CLASS_1, Decimal(600), Decimal(200), Decimal(0)),
     Decimal("700.00"), Decimal("600.00"), Decimal("100.00")),
    (Entitlement(SubsidyClass.CLASS_2, Decimal(200), Decimal(0), Decimal("0.5")),
     Decimal("300.00"), Decimal("150.00"), Decimal("150.00")),
    (Entitlement(SubsidyClass.CLASS_2, Decimal(200), Decimal(0), Decimal("0.5")),
     Decimal("500.00"), Decimal("200.00"), Decimal("300.00")),  # over the cap
    (Entitlement(SubsidyClass.CLASS_2, Decimal(200), Decimal(0), Decimal("0.5")),
     Decimal("0.01"), Decimal("0.01"), Decimal("0.00")),  # half a cent rounds up
    (None, Decimal("80.00"), Decimal("0.00"), Decimal("80.00")),
])
def test_share_cost(entitlement, cost, subsidy, own):
    share = share_cost(entitlement, cost)
    assert (share.subsidy, share.elder_pays) == (subsidy, own)


@given(
    st.decimals(min_value=0, max_value=5000, places=2),
    st.sampled_from([(Decimal(400), Decimal(0)), (Decimal(600), Decimal(0)),
                     (Decimal(200), Decimal("0.5"))]),
)
def test_subsidy_never_exceeds_entitlement_and_adds_up(cost, terms):
    amount, share = terms
    entitlement = Entitlement(SubsidyClass.CLASS_1 if share == 0 else SubsidyClass.CLASS_2,
                              amount, Decimal(0), share)
    result = share_cost(entitlement, cost)
    assert Decimal(0) <= result.subsidy <= amount
    assert result.subsidy <= cost
    assert result.subsidy + result.elder_pays == cost


def test_reasons_are_in_the_users_language():
    from django.utils import translation

    with translation.override("zh-hans"):
        decision = decide(facts(age=100), ON, values())
    reason = next(c.reason for c in decision.class1 if c.code == "c1_centenarian")
    assert reason == "100周岁及以上（第二十六条第一类第5项）。"


@st.composite
def _covered_lines(draw):
    """(cost, covered cost) rows: each covered fully, not at all, or in part
    (any cent amount up to its cost)."""
    cost = draw(st.decimals(min_value=0, max_value=500, places=2))
    covered = draw(st.one_of(st.just(cost), st.just(Decimal("0.00")),
                             st.decimals(min_value=0, max_value=cost, places=2)))
    return cost, covered


@given(st.sampled_from([
    None,
    Entitlement(SubsidyClass.CLASS_1, Decimal("400.00"), Decimal("0"), Decimal("0")),
    Entitlement(SubsidyClass.CLASS_1, Decimal("600.00"), Decimal("200"), Decimal("0")),
    Entitlement(SubsidyClass.CLASS_2, Decimal("200.00"), Decimal("0"), Decimal("0.5")),
]), st.lists(_covered_lines(), max_size=30))
def test_share_lines_add_up_to_the_month(entitlement, lines):
    shares = share_lines(entitlement, lines)
    covered = sum((covered_cost for _cost, covered_cost in lines), Decimal("0"))
    month = share_cost(entitlement, covered)
    # the lines' subsidies are exactly the month's split of the covered total,
    # and never above the entitlement
    assert sum((s.subsidy for s in shares), Decimal("0")) == month.subsidy
    for (cost, covered_cost), share in zip(lines, shares, strict=True):
        assert share.subsidy + share.elder_pays == cost
        assert share.subsidy >= 0
        assert share.elder_pays >= 0
        # the subsidy pays only within the plan: beyond it the elder pays all
        assert share.subsidy <= covered_cost
        assert share.elder_pays >= cost - covered_cost


def test_share_lines_class2_over_the_cap():
    class2 = Entitlement(SubsidyClass.CLASS_2, Decimal("200.00"), Decimal("0"), Decimal("0.5"))
    shares = share_lines(class2, [(Decimal("300"), Decimal("300")),
                                  (Decimal("200"), Decimal("200")),
                                  (Decimal("50"), Decimal("0"))])
    # half of 300 is 150; the next 200 would add 100 but only 50 of the cap is left
    assert [(s.subsidy, s.elder_pays) for s in shares] == [
        (Decimal("150.00"), Decimal("150.00")), (Decimal("50.00"), Decimal("150.00")),
        (Decimal("0.00"), Decimal("50.00"))]


def test_share_lines_a_service_partly_within_the_plan():
    class2 = Entitlement(SubsidyClass.CLASS_2, Decimal("200.00"), Decimal("0"), Decimal("0.5"))
    # 76.00 of which 38.00 within the plan: the subsidy pays half of the 38.00,
    # the elder the other half and all 38.00 beyond the plan
    shares = share_lines(class2, [(Decimal("76.00"), Decimal("38.00")),
                                  (Decimal("38.01"), Decimal("38.01"))])
    assert [(s.subsidy, s.elder_pays) for s in shares] == [
        (Decimal("19.00"), Decimal("57.00")), (Decimal("19.01"), Decimal("19.00"))]
