"""Deadlines read from the seeded calendar (chinesecalendar 2004–2026)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from apps.workdays.checks import calendar_coverage_check
from apps.workdays.models import CalendarDay, CalendarYear
from apps.workdays.tasks import check_calendar_coverage_task
from apps.workdays.working_days import add_working_days

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # National Day 2025: Sun 28 Sep and Sat 11 Oct are make-up working days.
        (date(2025, 9, 30), 5, date(2025, 10, 14)),
        (date(2025, 9, 27), 5, date(2025, 10, 10)),  # from a Saturday
        (date(2025, 10, 1), 5, date(2025, 10, 14)),  # from the holiday itself
        (date(2025, 9, 26), 1, date(2025, 9, 28)),  # Friday → the make-up Sunday
        (date(2025, 10, 5), 10, date(2025, 10, 21)),  # from a Sunday in the holiday
        # Spring Festival 2025: 28 Jan–4 Feb off; Sun 26 Jan and Sat 8 Feb worked.
        (date(2025, 1, 24), 1, date(2025, 1, 26)),
        (date(2025, 1, 25), 2, date(2025, 1, 27)),  # from a Saturday
        (date(2025, 1, 27), 1, date(2025, 2, 5)),
        (date(2025, 1, 29), 5, date(2025, 2, 10)),  # from a holiday; counts Sat 8 Feb
        (date(2025, 2, 1), 15, date(2025, 2, 24)),
        (date(2025, 11, 14), 5, date(2025, 11, 21)),
        (date(2025, 11, 15), 5, date(2025, 11, 21)),
    ],
)
def test_add_working_days_follows_the_official_calendar(start, n, due):
    result = add_working_days(start, n)
    assert result.date == due
    assert result.provisional is False


def test_datetime_is_taken_as_its_shanghai_date():
    # 23:30 UTC on Friday 26 Sep is Saturday 27 Sep 07:30 in Guangzhou
    moment = datetime(2025, 9, 26, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert add_working_days(moment, 5).date == date(2025, 10, 10)


def test_across_2026_into_2027_is_provisional_not_an_error():
    result = add_working_days(date(2026, 12, 29), 5)
    # 2027 has no schedule: Monday–Friday, flagged provisional
    assert result.date == date(2027, 1, 5)
    assert result.provisional is True


def test_entering_a_year_changes_the_result_and_clears_provisional():
    # given the State Council publishes 2027 with 1 Jan (Fri) and 4 Jan off
    year = CalendarYear.objects.create(year=2027, source="test notice")
    CalendarDay.objects.create(year=year, date=date(2027, 1, 1), is_workday=False, name="元旦")
    CalendarDay.objects.create(year=year, date=date(2027, 1, 4), is_workday=False, name="元旦")
    # when the deadline is recomputed
    result = add_working_days(date(2026, 12, 29), 5)
    # then it moves and is final
    assert result == type(result)(date(2027, 1, 7), False)


def _expected_missing():
    today = timezone.localdate()
    known = set(CalendarYear.objects.values_list("year", flat=True))
    return sorted({today.year, (today + timedelta(days=60)).year} - known)


def test_system_check_warns_for_a_missing_year_within_60_days():
    # given no schedule for 2027 and (as on 2026-11-23) 2027 within 60 days
    CalendarYear.objects.filter(year__gte=2027).delete()
    expected = _expected_missing()
    # when the system checks run
    warnings = calendar_coverage_check()
    # then each missing year is named in a calendar.W001 warning
    assert [w.id for w in warnings] == ["calendar.W001"] * len(expected)
    assert [str(y) in w.msg for y, w in zip(expected, warnings, strict=True)] == [True] * len(
        expected
    )


def test_system_check_is_silent_once_the_years_are_entered():
    this_year = timezone.localdate().year
    for year in (this_year, this_year + 1):
        CalendarYear.objects.get_or_create(year=year, defaults={"source": "test"})
    assert calendar_coverage_check() == []


def test_daily_task_reports_missing_years_and_mails_admins(mailoutbox, settings):
    settings.ADMINS = [("Admin", "admin@example.org")]
    CalendarYear.objects.get_or_create(year=timezone.localdate().year, defaults={"source": "t"})
    # when the daily task runs with next year's schedule entered
    CalendarYear.objects.get_or_create(year=timezone.localdate().year + 1,
                                       defaults={"source": "t"})
    assert check_calendar_coverage_task.apply().get() == []
    assert mailoutbox == []
    # and when it runs without it, for a date 60 days before the year ends
    CalendarYear.objects.filter(year=timezone.localdate().year + 1).delete()
    missing = check_calendar_coverage_task.apply().get()
    assert missing == _expected_missing()
    assert len(mailoutbox) == (1 if missing else 0)


def test_seed_covers_2004_to_2026():
    years = set(CalendarYear.objects.values_list("year", flat=True))
    assert set(range(2004, 2027)) <= years
    assert CalendarDay.objects.get(date=date(2025, 10, 11)).is_workday is True
    assert CalendarDay.objects.get(date=date(2025, 1, 28)).is_workday is False
