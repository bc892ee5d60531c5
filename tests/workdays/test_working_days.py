"""Deadlines read from the seeded calendar (chinesecalendar 2004–2026)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from apps.workdays.checks import calendar_coverage_check, coverage_warnings
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


@pytest.mark.parametrize(("today", "missing"), [
    (date(2026, 11, 23), [2027]),  # 2027 is 39 days away and not entered
    (date(2026, 11, 1), []),  # 61 days before the new year: not yet
    (date(2026, 6, 1), []),
    (date(2027, 3, 1), [2027]),  # inside a year with no schedule
])
def test_coverage_check_warns_60_days_ahead(today, missing):
    warnings = coverage_warnings(today)
    assert [w.id for w in warnings] == ["calendar.W001"] * len(missing)
    assert [str(year) in w.msg for year, w in zip(missing, warnings, strict=True)] == [
        True] * len(missing)


def test_coverage_check_is_silent_once_the_year_is_entered():
    CalendarYear.objects.create(year=2027, source="State Council notice")
    assert coverage_warnings(date(2026, 11, 23)) == []


def test_registered_check_runs_against_today():
    today = timezone.localdate()
    assert [w.msg for w in calendar_coverage_check()] == [
        w.msg for w in coverage_warnings(today)]


def test_daily_task_mails_administrators_about_missing_years(mailoutbox, settings):
    settings.ADMINS = [("Admin", "admin@example.org")]
    this_year = timezone.localdate().year
    for year in (this_year, this_year + 1):
        CalendarYear.objects.get_or_create(year=year, defaults={"source": "t"})
    assert check_calendar_coverage_task.apply().get() == []
    assert mailoutbox == []
    # when neither this year nor the next is entered, this year is missing today
    CalendarYear.objects.filter(year__gte=this_year).delete()
    missing = check_calendar_coverage_task.apply().get()
    assert this_year in missing
    assert len(mailoutbox) == 1
    assert str(this_year) in mailoutbox[0].body


def test_a_year_and_its_days_are_entered_together_in_admin(client, db):
    from apps.accounts.roles import Role
    from apps.regions.models import Region
    from tests.factories import staff

    client.force_login(staff(Role.ADMINISTRATOR, region=Region.objects.get(kind="city")))
    form = {"year": "2027", "source": "国办发明电〔2026〕X号",
            "days-TOTAL_FORMS": "2", "days-INITIAL_FORMS": "0",
            "days-0-date": "2027-01-01", "days-0-name": "元旦",
            "days-1-date": "2027-02-20", "days-1-is_workday": "on", "days-1-name": "春节"}
    response = client.post("/admin/workdays/calendaryear/add/", form)
    assert response.status_code == 302
    assert add_working_days(date(2026, 12, 31), 1).date == date(2027, 1, 4)
    assert add_working_days(date(2026, 12, 31), 1).provisional is False
    # a day outside its year is refused with a field error and nothing is saved
    form.update({"year": "2028", "days-0-date": "2027-05-01", "days-TOTAL_FORMS": "1"})
    response = client.post("/admin/workdays/calendaryear/add/", form)
    assert response.status_code == 200
    assert not CalendarYear.objects.filter(year=2028).exists()


def test_seed_covers_2004_to_2026():
    years = set(CalendarYear.objects.values_list("year", flat=True))
    assert set(range(2004, 2027)) <= years
    assert CalendarDay.objects.get(date=date(2025, 10, 11)).is_workday is True
    assert CalendarDay.objects.get(date=date(2025, 1, 28)).is_workday is False
