from datetime import date

from django.core.checks import Warning, register
from django.db import DatabaseError
from django.utils import timezone

WARNING_HORIZON_DAYS = 60


def coverage_warnings(today: date) -> list[Warning]:
    """One warning per year within the horizon that has no schedule."""
    from apps.workdays.working_days import years_missing

    return [
        Warning(
            f"The working-day calendar has no official holiday schedule for {year}, "
            f"and dates within the next {WARNING_HORIZON_DAYS} days fall in it.",
            hint="Enter the State Council's schedule for that year in the admin "
            "(Working-day calendar); until then deadlines there are provisional.",
            id="calendar.W001",
        )
        for year in years_missing(today, WARNING_HORIZON_DAYS)
    ]


@register("calendar")
def calendar_coverage_check(app_configs=None, **kwargs):
    """Warn when a date within the next 60 days has no official schedule."""
    try:
        return coverage_warnings(timezone.localdate())
    except DatabaseError:
        return []  # not migrated yet: nothing to check against
