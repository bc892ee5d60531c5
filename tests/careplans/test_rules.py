"""The plan budget and the numbering, without a database."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from apps.careplans import rules
from apps.subsidies import rules as subsidy_rules


def _class1(amount="400.00", supplement="0.00"):
    return subsidy_rules.as_entitlement("class1", Decimal(amount), Decimal(supplement), Decimal(0))


def _class2():
    return subsidy_rules.as_entitlement("class2", Decimal("200.00"), Decimal(0), Decimal("0.5"))


# 8 hours of home life care at 38 and 20 canteen meals at 16: 304 + 320 = 624
LINES = [rules.Line(8, Decimal(1), Decimal("38.00")), rules.Line(20, Decimal(1),
                                                                  Decimal("16.00"))]


@pytest.mark.parametrize(("entitlement", "lines", "expected"), [
    # class 1: the subsidy covers up to 400, the elder pays the rest
    (_class1(), LINES, ("624.00", "400.00", "224.00")),
    # class 1 with the severe-disability nursing supplement: up to 600
    (_class1("600.00", "200.00"), LINES, ("624.00", "600.00", "24.00")),
    # class 1 below the amount: all covered (the rest lapses)
    (_class1(), LINES[:1], ("304.00", "304.00", "0.00")),
    # class 2: half the cost, up to 200
    (_class2(), LINES, ("624.00", "200.00", "424.00")),
    # class 2 under the cap: exactly half (8 x 1.5 h x 25 = 300)
    (_class2(), [rules.Line(8, Decimal("1.5"), Decimal("25.00"))], ("300.00", "150.00",
                                                                     "150.00")),
    # services at own cost: the elder pays everything
    (None, LINES, ("624.00", "0.00", "624.00")),
    # no services
    (_class1(), [], ("0.00", "0.00", "0.00")),
])
def test_plan_budget(entitlement, lines, expected):
    budget = rules.plan_budget(lines, entitlement)
    assert (budget.cost, budget.subsidy, budget.elder_pays) == tuple(map(Decimal, expected))


def test_own_cost_class_is_no_entitlement():
    assert subsidy_rules.as_entitlement("own_cost", Decimal(0), Decimal(0), Decimal(1)) is None


def test_a_line_costs_times_units_price_to_the_cent():
    # 3 x 0.75 h x 33.33 = 74.9925 -> 74.99
    assert rules.Line(3, Decimal("0.75"), Decimal("33.33")).cost == Decimal("74.99")


def test_class_2_half_rounds_half_up():
    # 0.01 x 0.5 = 0.005 -> 0.01 subsidy
    budget = rules.plan_budget([rules.Line(1, Decimal(1), Decimal("0.01"))], _class2())
    assert (budget.subsidy, budget.elder_pays) == (Decimal("0.01"), Decimal("0.00"))


def test_agreement_numbers():
    prefix = rules.reference_prefix("440106", 2026)
    assert prefix == "SA-440106-2026-"
    assert rules.agreement_reference("440106", 2026, 7) == "SA-440106-2026-00007"
    assert rules.next_sequence(prefix, []) == 1
    assert rules.next_sequence(prefix, ["SA-440106-2026-00041", "SA-440106-2025-00099",
                                        "SA-440106-2026-junk"]) == 42
    assert rules.next_sequence(prefix, ["SA-440106-2026-100000"]) == 100001


def test_a_new_plan_starts_after_the_current_one():
    assert rules.may_supersede(date(2026, 3, 1), date(2026, 3, 2))
    assert not rules.may_supersede(date(2026, 3, 1), date(2026, 3, 1))
    assert rules.superseded_until(date(2026, 3, 1)) == date(2026, 2, 28)


# --- where a service is given (Art 30) -------------------------------------------


def test_the_service_area_is_where_the_elder_lives():
    assert rules.service_area_ids(11, 111) == [11, 111]
    assert rules.service_area_ids(11, None) == [11]


# --- what the plan covers (Art 29) -------------------------------------------------

REHAB, LIFE_CARE, MEALS = 1, 2, 3
MINE, OTHER = 10, 20


def _visit(pk, day, item=REHAB, units="1", amount="50.00", provider=MINE, plan="p"):
    return rules.CoverageVisit(
        pk=pk, check_in_at=datetime(2025, 10, day, 9, tzinfo=ZoneInfo("Asia/Shanghai")),
        service_item_id=item, provider_id=provider, units=Decimal(units),
        amount=Decimal(amount), plan=plan)


def _plan(*lines):
    return {"p": rules.plan_allowances(rules.PlanAllowanceLine(*line) for line in lines)}


def _covered(result):
    return [part.covered_cost for part in result]


def test_plan_allowances_are_times_by_units_per_item_and_provider():
    allowances = rules.plan_allowances([
        rules.PlanAllowanceLine(REHAB, MINE, 8, Decimal(1)),
        rules.PlanAllowanceLine(LIFE_CARE, None, 4, Decimal("1.5"))])
    assert allowances == {(REHAB, MINE): Decimal(8), (LIFE_CARE, None): Decimal("6.0")}


def test_coverage_walks_the_visits_in_chronological_order():
    # two visits planned; three recorded, the earliest one recorded last
    plan = _plan((REHAB, MINE, 2, Decimal(1)))
    visits = [_visit(1, 20), _visit(2, 25), _visit(3, 5)]
    result = rules.plan_coverage(visits, plan)
    # the 25th is the third of the month: beyond the plan
    assert _covered(result) == [Decimal("50.00"), Decimal("0.00"), Decimal("50.00")]
    assert [part.fully for part in result] == [True, False, True]
    assert result[1].uncovered_cost == Decimal("50.00")


def test_hours_beyond_the_plan_are_beyond_it_even_within_the_frequency():
    # life care twice a month, an hour each time; two visits of 1.5 h at 38 an hour
    plan = _plan((LIFE_CARE, MINE, 2, Decimal(1)))
    visits = [_visit(1, 3, LIFE_CARE, "1.5", "57.00"), _visit(2, 10, LIFE_CARE, "1.5", "57.00")]
    result = rules.plan_coverage(visits, plan)
    # the first is covered, of the second half an hour of 1.5: 57 x 0.5 / 1.5 = 19
    assert _covered(result) == [Decimal("57.00"), Decimal("19.00")]
    assert result[1].partly
    assert result[1].covered_units == Decimal("0.5")
    assert result[1].uncovered_cost == Decimal("38.00")


def test_a_partly_covered_cost_rounds_half_up_to_the_cent():
    # 1 of 3 units of 10.01: 3.3366.. -> 3.34
    plan = _plan((LIFE_CARE, MINE, 1, Decimal(1)))
    result = rules.plan_coverage([_visit(1, 3, LIFE_CARE, "3", "10.01")], plan)
    assert (result[0].covered_cost, result[0].uncovered_cost) == (Decimal("3.34"),
                                                                  Decimal("6.67"))


def test_lines_of_the_provider_are_used_before_lines_of_no_provider():
    # once from this provider, twice from any provider
    plan = _plan((REHAB, MINE, 1, Decimal(1)), (REHAB, None, 2, Decimal(1)))
    visits = [_visit(1, 1), _visit(2, 2, provider=OTHER), _visit(3, 3),
              _visit(4, 4, provider=OTHER)]
    result = rules.plan_coverage(visits, plan)
    # mine: the own line, then the shared one; the other provider's two take the rest
    assert _covered(result) == [Decimal("50.00")] * 3 + [Decimal("0.00")]


def test_an_item_the_plan_does_not_hold_is_beyond_it():
    plan = _plan((REHAB, MINE, 8, Decimal(1)))
    result = rules.plan_coverage([_visit(1, 1, MEALS, amount="16.00"),
                                  _visit(2, 2, REHAB, provider=OTHER)], plan)
    assert _covered(result) == [Decimal("0.00"), Decimal("0.00")]


def test_without_a_plan_in_force_every_visit_is_covered():
    result = rules.plan_coverage([_visit(1, 1, plan=None), _visit(2, 2, plan=None)], {})
    assert _covered(result) == [Decimal("50.00"), Decimal("50.00")]


def test_what_one_plan_used_counts_against_the_next_in_the_month():
    allowances = {"old": {(REHAB, MINE): Decimal(2)}, "new": {(REHAB, MINE): Decimal(3)}}
    visits = [_visit(1, 1, plan="old"), _visit(2, 2, plan="old"), _visit(3, 20, plan="new"),
              _visit(4, 21, plan="new")]
    result = rules.plan_coverage(visits, allowances)
    assert _covered(result) == [Decimal("50.00")] * 3 + [Decimal("0.00")]


def test_the_plan_in_force_on_a_day():
    periods = [("old", date(2025, 1, 1), date(2025, 10, 14)), ("new", date(2025, 10, 15), None)]
    assert rules.plan_on(periods, date(2025, 10, 14)) == "old"
    assert rules.plan_on(periods, date(2025, 10, 15)) == "new"
    assert rules.plan_on(periods, date(2024, 12, 31)) is None


def test_agreed_items_outside_the_plan():
    planned = {(REHAB, MINE), (LIFE_CARE, None), (MEALS, OTHER)}
    assert rules.outside_plan([REHAB, LIFE_CARE, MEALS], planned, MINE) == [MEALS]
