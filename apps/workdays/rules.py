"""Working-day arithmetic over plain values (no database).

A deadline of "n working days" is the n-th working day strictly after the
start day (Civil Code art. 201: the start day is not counted). A working day
is Monday to Friday unless the official schedule says otherwise (holidays,
and make-up working Saturdays and Sundays).
"""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class DueDate:
    date: date
    provisional: bool  # some day counted lies in a year with no official schedule


def is_working_day(day: date, exceptions: Mapping[date, bool]) -> bool:
    """Return whether ``day`` is worked, given the schedule's departures."""
    if day in exceptions:
        return exceptions[day]
    return day.weekday() < 5


def add_working_days(
    start: date,
    n: int,
    exceptions_for_year: Callable[[int], Mapping[date, bool]],
    known_years: Container[int],
) -> DueDate:
    """Return the ``n``-th working day strictly after ``start``.

    ``exceptions_for_year(y)`` gives year y's departures from Monday–Friday;
    a year not in ``known_years`` falls back to Monday–Friday and marks the
    result provisional instead of failing.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    day = start
    counted = 0
    provisional = False
    while counted < n:
        day += timedelta(days=1)
        if day.year not in known_years:
            provisional = True
        if is_working_day(day, exceptions_for_year(day.year)):
            counted += 1
    return DueDate(day, provisional)
