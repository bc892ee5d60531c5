"""Seed holidays and make-up working days for the years chinesecalendar
covers (2004–2026 in 1.11.0). Later years are entered by administrators."""

from django.db import migrations

from apps.workdays.seed import PACKAGE_SOURCE, covered_years, departures_for_year


def seed(apps, schema_editor):
    CalendarYear = apps.get_model("workdays", "CalendarYear")
    CalendarDay = apps.get_model("workdays", "CalendarDay")
    for year in covered_years():
        if CalendarYear.objects.filter(year=year).exists():
            continue
        calendar_year = CalendarYear.objects.create(year=year, source=PACKAGE_SOURCE)
        CalendarDay.objects.bulk_create(
            [CalendarDay(year=calendar_year, date=d, is_workday=w, name=n)
             for d, w, n in departures_for_year(year)],
            ignore_conflicts=True,
        )


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
