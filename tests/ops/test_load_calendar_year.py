"""Entering next year's holiday schedule from a file."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.workdays.checks import coverage_warnings
from apps.workdays.models import CalendarDay, CalendarYear
from apps.workdays.working_days import add_working_days

pytestmark = pytest.mark.django_db

# 2030 is not seeded; the days are made up for the test (Jan 1 is a Tuesday,
# Jan 5 a Saturday, Jan 6 a Sunday).
GOOD = """\
# a test schedule
2030-01-01,holiday,元旦
2030-01-02,holiday,元旦
2030-01-05,workday,元旦
2030-01-06,holiday,元旦
"""


def load(tmp_path, text: str, *args: str) -> str:
    path = tmp_path / "calendar.csv"
    path.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command("load_calendar_year", str(path), *args, stdout=out)
    return out.getvalue()


def test_a_year_is_loaded_and_deadlines_count_it(tmp_path):
    before = add_working_days(date(2029, 12, 31), 1)
    assert (before.date, before.provisional) == (date(2030, 1, 1), True)
    assert any("for 2030" in w.msg for w in coverage_warnings(date(2029, 12, 1)))

    out = load(tmp_path, GOOD, "--source", "test notice 2030")
    assert "2 weekday holidays, 1 make-up working days; 1 weekend holidays skipped" in out
    year = CalendarYear.objects.get(year=2030)
    assert year.source == "test notice 2030"
    assert list(year.days.values_list("date", "is_workday", "name")) == [
        (date(2030, 1, 1), False, "元旦"), (date(2030, 1, 2), False, "元旦"),
        (date(2030, 1, 5), True, "元旦")]
    after = add_working_days(date(2029, 12, 31), 1)
    assert (after.date, after.provisional) == (date(2030, 1, 3), False)
    assert add_working_days(date(2030, 1, 4), 1).date == date(2030, 1, 5)  # make-up Saturday
    assert not any("for 2030" in w.msg for w in coverage_warnings(date(2029, 12, 1)))


@pytest.mark.parametrize(("text", "message"), [
    (GOOD + "2030-01-02,holiday\n", "2030-01-02 is already given on line 3"),
    ("2030-01-07,workday\n", "2030-01-07 is a weekday"),
    ("2030-01-01,holiday\n2031-01-01,holiday\n", "mixes years 2030, 2031"),
    ("2030-13-01,holiday\n", "is not a date"),
    ("2030-01-01,day off\n", "neither holiday nor workday"),
    ("# nothing\n", "lists no days"),
])
def test_a_bad_file_loads_nothing(tmp_path, text, message):
    with pytest.raises(CommandError, match=message):
        load(tmp_path, text, "--source", "test")
    assert not CalendarYear.objects.filter(year__in=[2030, 2031]).exists()
    assert not CalendarDay.objects.filter(date__year=2030).exists()


def test_a_year_already_entered_is_replaced_only_on_purpose(tmp_path):
    load(tmp_path, GOOD, "--source", "first")
    with pytest.raises(CommandError, match="2030 is already entered"):
        load(tmp_path, "2030-01-01,holiday,元旦\n", "--source", "second")
    assert CalendarDay.objects.filter(date__year=2030).count() == 3
    load(tmp_path, "2030-01-01,holiday,元旦\n", "--source", "second", "--replace")
    assert CalendarYear.objects.get(year=2030).source == "second"
    assert CalendarDay.objects.filter(date__year=2030).count() == 1


def test_a_dry_run_writes_nothing(tmp_path):
    out = load(tmp_path, GOOD, "--source", "test", "--dry-run")
    assert out.startswith("checked, nothing written. 2030:")
    assert not CalendarYear.objects.filter(year=2030).exists()


def test_provisional_due_dates_are_counted_again(tmp_path, seeded):
    from tests.factories import ApplicationFactory

    started = date(2030, 1, 2)  # a Wednesday; the initial check takes 5 working days
    application = ApplicationFactory(received_on=started, step_started_on=started,
                                     due_date=date(2030, 1, 9), due_provisional=True)
    out = load(tmp_path, GOOD, "--source", "test")
    assert "provisional due dates recomputed: 1" in out
    application.refresh_from_db()
    # Jan 3, Jan 4, Sat Jan 5 (made up), Jan 7, Jan 8
    assert (application.due_date, application.due_provisional) == (date(2030, 1, 8), False)
