"""Deadlines in working days, read from the calendar tables."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache

from django.utils import timezone

from apps.workdays import rules
from apps.workdays.models import CalendarDay, CalendarYear
from apps.workdays.rules import DueDate


def local_date(moment: date | datetime) -> date:
    """The calendar day in Asia/Shanghai of a date or an aware datetime."""
    if isinstance(moment, datetime):
        return timezone.localdate(moment)
    return moment


def add_working_days(start: date | datetime, n: int) -> DueDate:
    """Return the n-th working day strictly after ``start`` (local date).

    For a year with no official schedule entered the result counts Monday to
    Friday and is marked provisional; it never raises for a missing year.
    """
    known = set(CalendarYear.objects.values_list("year", flat=True))

    @cache
    def exceptions_for_year(year: int) -> dict[date, bool]:
        return dict(
            CalendarDay.objects.filter(date__year=year).values_list("date", "is_workday")
        )

    return rules.add_working_days(local_date(start), n, exceptions_for_year, known)


def years_missing(start: date, days: int) -> list[int]:
    """Years touched by [start, start + days] with no schedule entered."""
    end = start + timedelta(days=days)
    wanted = set(range(start.year, end.year + 1))
    known = set(CalendarYear.objects.filter(year__in=wanted).values_list("year", flat=True))
    return sorted(wanted - known)
