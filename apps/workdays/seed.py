"""Seed the calendar tables from the ``chinesecalendar`` package."""

from datetime import date, timedelta

import chinese_calendar

PACKAGE_SOURCE = f"chinesecalendar {getattr(chinese_calendar, '__version__', '1.11.0')}"


_CHINESE_NAMES = {h.value: h.chinese for h in chinese_calendar.Holiday}


def departures_for_year(year: int) -> list[tuple[date, bool, str]]:
    """Days of ``year`` that depart from Monday–Friday, with their occasion
    in Chinese as the State Council notices name it (春节, 国庆节, …)."""
    rows = []
    day = date(year, 1, 1)
    while day.year == year:
        worked = chinese_calendar.is_workday(day)
        if worked != (day.weekday() < 5):
            _on_holiday, name = chinese_calendar.get_holiday_detail(day)
            rows.append((day, worked, _CHINESE_NAMES.get(name, name or "")))
        day += timedelta(days=1)
    return rows


def covered_years() -> range:
    years = [d.year for d in chinese_calendar.holidays]
    return range(min(years), max(years) + 1)
