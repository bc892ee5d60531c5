"""The plan budget and the numbering, without a database."""

from datetime import date
from decimal import Decimal

import pytest

from apps.careplans import rules


def _class1(amount="400.00", supplement="0.00"):
    return rules.as_entitlement("class1", Decimal(amount), Decimal(supplement), Decimal(0))


def _class2():
    return rules.as_entitlement("class2", Decimal("200.00"), Decimal(0), Decimal("0.5"))


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
    assert rules.as_entitlement("own_cost", Decimal(0), Decimal(0), Decimal(1)) is None


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
