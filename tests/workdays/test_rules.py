"""Working-day arithmetic without a database."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.workdays.rules import add_working_days, is_working_day

# Departures from Monday–Friday around National Day 2025 (State Council notice).
OCTOBER_2025 = {
    date(2025, 9, 28): True,  # Sunday worked
    **{date(2025, 10, d): False for d in (1, 2, 3, 6, 7, 8)},
    date(2025, 10, 11): True,  # Saturday worked
}


def _calendar(exceptions, known=frozenset({2025})):
    return lambda year: exceptions, known


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (date(2025, 9, 30), 5, date(2025, 10, 14)),
        (date(2025, 9, 27), 5, date(2025, 10, 10)),  # Saturday start; Sunday 28th is worked
        (date(2025, 10, 1), 5, date(2025, 10, 14)),  # holiday start; Saturday 11th is worked
        (date(2025, 9, 26), 1, date(2025, 9, 28)),  # Friday → make-up Sunday
    ],
)
def test_nth_working_day_strictly_after(start, n, due):
    exceptions, known = _calendar(OCTOBER_2025)
    assert add_working_days(start, n, exceptions, known).date == due


def test_unknown_year_counts_monday_to_friday_and_is_provisional():
    result = add_working_days(date(2026, 12, 30), 3, lambda y: {}, {2026})
    assert result.date == date(2027, 1, 4)
    assert result.provisional is True


def test_known_years_are_not_provisional():
    assert add_working_days(date(2025, 3, 3), 5, lambda y: {}, {2025}).provisional is False


def test_n_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"):
        add_working_days(date(2025, 3, 3), 0, lambda y: {}, {2025})


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)),
       st.integers(min_value=1, max_value=40))
def test_result_is_a_working_day_after_start_with_n_working_days(start, n):
    result = add_working_days(start, n, lambda y: {}, set())
    assert result.date > start
    assert is_working_day(result.date, {})
    counted = sum(
        is_working_day(date.fromordinal(o), {})
        for o in range(start.toordinal() + 1, result.date.toordinal() + 1)
    )
    assert counted == n
