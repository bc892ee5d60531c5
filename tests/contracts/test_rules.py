"""Contract rules without a database: term limit, bar, prices, renewal."""

from datetime import date
from decimal import Decimal

import pytest

from apps.contracts import rules


@pytest.mark.parametrize(("starts_on", "ends_on", "allowed"), [
    (date(2026, 1, 1), date(2028, 12, 31), True),   # three years exactly
    (date(2026, 1, 1), date(2029, 1, 1), False),    # one day more
    (date(2026, 3, 15), date(2029, 3, 14), True),
    (date(2026, 3, 15), date(2029, 3, 15), False),
])
def test_term_limit_is_three_years_less_a_day(starts_on, ends_on, allowed):
    assert rules.term_within_limit(starts_on, ends_on, 3) is allowed


@pytest.mark.parametrize(("day", "in_force"), [
    (date(2026, 5, 31), False),  # the day before the bar
    (date(2026, 6, 1), True),    # its first day
    (date(2028, 5, 31), True),   # its last day
    (date(2028, 6, 1), False),   # the lift day
])
def test_bar_holds_two_years_and_lifts_on_the_anniversary(day, in_force):
    starts_on = date(2026, 6, 1)
    lifts_on = rules.bar_lifts_on(starts_on, 2)
    assert lifts_on == date(2028, 6, 1)
    assert rules.bar_in_force(starts_on, lifts_on, day) is in_force


@pytest.mark.parametrize(("price", "guide", "above", "below", "amount"), [
    (Decimal("40.00"), Decimal("40.00"), False, False, Decimal("0.00")),
    (Decimal("44.00"), Decimal("40.00"), True, False, Decimal("4.00")),
    (Decimal("36.00"), Decimal("40.00"), False, True, Decimal("-4.00")),
])
def test_price_against_the_guide_price(price, guide, above, below, amount):
    deviation = rules.price_deviation(price, guide)
    assert deviation.above_guide is above
    assert deviation.below_guide is below
    assert deviation.amount == amount


def test_price_above_guide_shows_its_share():
    deviation = rules.price_deviation(Decimal("44.00"), Decimal("40.00"))
    assert deviation.share == Decimal("0.1000")
    assert deviation.percent == Decimal("10.0")


def test_no_guide_price_is_noted_not_flagged():
    deviation = rules.price_deviation(Decimal("99.00"), None)
    assert not deviation.has_guide_price
    assert not deviation.above_guide
    assert deviation.amount is None


@pytest.mark.parametrize(("grades", "blocked"), [
    ({"meals": "qualified", "life_care": "excellent"}, []),
    ({"meals": "unqualified", "life_care": "good"}, ["meals"]),
    ({"meals": None, "life_care": "good"}, ["meals"]),
    ({"meals": None, "life_care": "unqualified"}, ["life_care", "meals"]),
])
def test_renewal_is_blocked_by_unqualified_or_missing_grades(grades, blocked):
    assert [b.category for b in rules.renewal_blocks(grades)] == blocked


@pytest.mark.parametrize(("day", "year"), [
    (date(2026, 1, 1), 1), (date(2026, 12, 31), 1), (date(2027, 1, 1), 2),
    (date(2028, 12, 31), 3),
])
def test_contract_year(day, year):
    assert rules.contract_year(date(2026, 1, 1), day) == year


def test_a_stopped_year_cuts_the_term_to_the_day_before_it():
    assert rules.last_day_before_year(date(2026, 1, 1), 2) == date(2026, 12, 31)
    assert rules.last_day_before_year(date(2026, 3, 15), 3) == date(2028, 3, 14)


@pytest.mark.parametrize(("today", "decided", "due"), [
    (date(2026, 11, 1), set(), None),    # year 2 begins in 61 days
    (date(2026, 11, 2), set(), 2),       # in 60 days
    (date(2026, 12, 31), {2}, None),     # decided
    (date(2027, 3, 1), set(), 2),        # already in year 2, still undecided
    (date(2027, 3, 1), {2}, None),
    (date(2027, 11, 2), {2}, 3),         # year 3 in 60 days
    (date(2027, 11, 2), set(), 2),       # the open year first
    (date(2028, 3, 1), set(), 3),        # year 2 is over: it can no longer be decided
    (date(2028, 11, 2), {2, 3}, None),   # no year 4 in the term
    (date(2029, 1, 1), set(), None),     # the term is over
    (date(2025, 12, 1), set(), None),    # not started
])
def test_renewal_year_due(today, decided, due):
    assert rules.renewal_year_due(date(2026, 1, 1), date(2028, 12, 31), today, decided) == due
