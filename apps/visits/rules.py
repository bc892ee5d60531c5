"""The per-row checks of a service visit as plain functions (DOMAIN.md §3,
§5; Art 16, 24, 29, 32). No database, no settings: ``apps.visits.validation``
reads the rows a batch needs in a fixed number of queries and passes plain
values in.

Each check answers a list of ``(reason, field)`` pairs, empty when the row
passes; a row may fail several checks and every failure is reported.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from apps.visits.reasons import Reason

CENT = Decimal("0.01")
HALF = Decimal("0.5")
# A clock a few minutes fast on a caregiver's phone is not a visit in the future.
CLOCK_SKEW = timedelta(minutes=5)
# Overlaps are looked for among visits that began at most this long before:
# an elder's stay may last days (respite), a caregiver's visit lasts hours.
LONGEST_VISIT = timedelta(days=7)
LONGEST_CAREGIVER_VISIT = timedelta(days=1)
EARTH_RADIUS_M = 6_371_008.8
CARD, MANUAL = "card", "manual"
METHODS = (CARD, MANUAL)
HOURLY, PER_VISIT, PER_DAY = "hour", "visit", "day"
# The units of a service that needs the elder at home and excludes another
# at the same time; a meal, a day of day care or respite, a monthly service
# like the emergency-call service do not exclude another visit.
EXCLUSIVE_UNITS = frozenset({PER_VISIT, HOURLY})

# Entitlement end reasons (apps.subsidies EndReason) that say why the elder
# is no longer served; anything else is a plain termination.
DECEASED_ENDINGS = frozenset({"deceased"})
MOVED_ENDINGS = frozenset({"moved", "moved_away"})

Problem = tuple[str, str]  # (Reason, field)


# --- time ---------------------------------------------------------------------


def duration_minutes(check_in: datetime, check_out: datetime) -> int:
    """Whole minutes from check-in to check-out."""
    return int((check_out - check_in).total_seconds() // 60)


def time_problems(check_in: datetime, check_out: datetime, now: datetime,
                  min_minutes: int | None) -> list[Problem]:
    """Check-out after check-in, neither in the future (beyond the clock
    skew), and at least the item's minimum duration (Art 24)."""
    problems: list[Problem] = []
    if check_out <= check_in:
        problems.append((Reason.CHECKOUT_BEFORE_CHECKIN, "check_out_at"))
    latest = now + CLOCK_SKEW
    if check_in > latest:
        problems.append((Reason.FUTURE_DATE, "check_in_at"))
    if check_out > latest:
        problems.append((Reason.FUTURE_DATE, "check_out_at"))
    if (check_out > check_in and min_minutes
            and duration_minutes(check_in, check_out) < min_minutes):
        problems.append((Reason.BELOW_MIN_DURATION, "check_out_at"))
    return problems


def elders_overlap(unit_a: str | None, unit_b: str | None) -> bool:
    """Whether two visits of one elder at the same time exclude each other:
    only when both need the elder at home (``EXCLUSIVE_UNITS``)."""
    return unit_a in EXCLUSIVE_UNITS and unit_b in EXCLUSIVE_UNITS


def overlaps(a_in: datetime, a_out: datetime, b_in: datetime, b_out: datetime) -> bool:
    """Whether the intervals [a_in, a_out) and [b_in, b_out) intersect."""
    return a_in < b_out and b_in < a_out


# --- how the visit was confirmed (Art 16) --------------------------------------


def method_problems(method: str, reason: str, *, local_hukou: bool | None,
                    method_field: str, reason_field: str) -> list[Problem]:
    """A citizen-card swipe is only for a local-hukou elder; a manual entry
    needs its reason. ``local_hukou`` None: the elder is not known."""
    if method == CARD and local_hukou is False:
        return [(Reason.CARD_NOT_ISSUED, method_field)]
    if method == MANUAL and not reason.strip():
        return [(Reason.MANUAL_REASON_REQUIRED, reason_field)]
    return []


# --- the elder on the service date (Art 32) -------------------------------------


@dataclass(frozen=True)
class EntitlementPeriod:
    valid_from: date
    valid_until: date | None
    cancelled: bool
    end_reason: str = ""


def in_force(starts_on: date | None, ends_on: date | None, day: date) -> bool:
    """Whether a period from ``starts_on`` to ``ends_on`` (open: None) holds on ``day``."""
    return (starts_on is None or starts_on <= day) and (ends_on is None or day <= ends_on)


def life_status_problem(status: str, since: date | None, day: date) -> str | None:
    """The elder had died or moved away by ``day``."""
    if since is None or since > day:
        return None
    if status == "deceased":
        return Reason.ELDER_DECEASED
    if status == "moved_away":
        return Reason.ELDER_MOVED
    return None


def entitlement_problem(periods: Iterable[EntitlementPeriod], day: date) -> str | None:
    """None when an entitlement (of any class, own cost included) is in force
    on ``day``; otherwise why not, from the latest one begun by then: its end
    for death or moving away, any other ending or a cancellation is a
    termination, and none at all is no approval."""
    begun = [p for p in periods if p.valid_from <= day]
    if any(not p.cancelled and in_force(p.valid_from, p.valid_until, day) for p in begun):
        return None
    if not begun:
        return Reason.ELDER_NOT_APPROVED
    latest = max(begun, key=lambda p: (p.valid_until or date.max, p.valid_from))
    if latest.cancelled:
        return Reason.ELDER_TERMINATED
    if latest.end_reason in DECEASED_ENDINGS:
        return Reason.ELDER_DECEASED
    if latest.end_reason in MOVED_ENDINGS:
        return Reason.ELDER_MOVED
    return Reason.ELDER_TERMINATED


# --- the provider on the service date ------------------------------------------


def contract_in_force(starts_on: date, ends_on: date, ended_on: date | None, day: date) -> bool:
    """A contract holds from its start to its end, or to the day it was ended early."""
    last = min(ends_on, ended_on) if ended_on else ends_on
    return starts_on <= day <= last


def bar_in_force(starts_on: date, lifts_on: date, day: date) -> bool:
    """A tender bar holds from ``starts_on`` until the day before ``lifts_on``."""
    return starts_on <= day < lifts_on


# --- units and money -----------------------------------------------------------


def default_units(unit: str, minutes: int) -> Decimal:
    """1 for a visit, meal, day or month; for an hourly item the duration in
    hours rounded down to the half hour, at least half an hour."""
    if unit != HOURLY:
        return Decimal(1)
    halves = Decimal(max(minutes, 0) // 30)
    return max(halves * HALF, HALF)


def max_units(unit: str, check_in: datetime, check_out: datetime,
              day_of) -> Decimal | None:
    """The most units a visit from ``check_in`` to ``check_out`` may count:
    for an hourly item the duration in hours rounded up to the half hour;
    for a per-visit item 1; for a per-day item the calendar days the visit
    spans (``day_of`` gives a moment's local date); None (no limit here)
    for meals and months, which the monthly audit reads."""
    if unit == HOURLY:
        seconds = Decimal(max((check_out - check_in).total_seconds(), 0))
        return Decimal(math.ceil(seconds / 1800)) * HALF
    if unit == PER_VISIT:
        return Decimal(1)
    if unit == PER_DAY:
        return Decimal((day_of(check_out) - day_of(check_in)).days + 1)
    return None


def units_over_problem(unit: str, units: Decimal, check_in: datetime,
                       check_out: datetime, day_of) -> str | None:
    """Why given units do not fit the visit: more than ``max_units`` allows
    (``UNITS_EXCEED_DURATION``), or less than the 1 a per-visit item counts
    (``INVALID``); None when they fit."""
    most = max_units(unit, check_in, check_out, day_of)
    if most is not None and units > most:
        return Reason.UNITS_EXCEED_DURATION
    if unit == PER_VISIT and units != most:
        return Reason.INVALID
    return None


def amount(units: Decimal, unit_price: Decimal) -> Decimal:
    return (units * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)


def units_problem(units: Decimal | None) -> bool:
    """Whether given units are unusable: not positive, or finer than a cent."""
    if units is None:
        return False
    try:
        return units <= 0 or units != units.quantize(CENT, rounding=ROUND_DOWN)
    except InvalidOperation:
        return True


# --- where the visit was ------------------------------------------------------


def parse_location(text: str | None) -> tuple[float, float] | None:
    """``"lat,lon"`` in degrees, or None when absent or unreadable."""
    if not text:
        return None
    parts = text.replace("，", ",").split(",")
    if len(parts) != 2:
        return None
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> int:
    """Great-circle (haversine) distance in whole metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return round(2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a))))


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
