"""The pure parts of the audit's rules (no database): what the SQL of
``apps.findings.audit`` selects is explained here where it is arithmetic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

# A provider's volume is compared with this many months before.
VOLUME_HISTORY_MONTHS = 3


@dataclass(frozen=True)
class VolumeCheck:
    visits: int
    history: tuple[int, ...]  # the months before, oldest first
    median: Decimal
    factor: Decimal

    @property
    def threshold(self) -> Decimal:
        return self.median * self.factor

    @property
    def far_above(self) -> bool:
        return self.visits > self.threshold


def median(values: Sequence[int]) -> Decimal:
    """The middle value; the mean of the two middle ones for an even count."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return Decimal(ordered[middle])
    return (Decimal(ordered[middle - 1]) + Decimal(ordered[middle])) / 2


def volume_check(visits: int, history: Sequence[int], factor: Decimal) -> VolumeCheck | None:
    """Compare a provider's visits of the month with ``factor`` times the
    median of its ``VOLUME_HISTORY_MONTHS`` months before; None without that
    history (a month without visits among them: a new or paused provider
    has no median to be far above)."""
    if len(history) < VOLUME_HISTORY_MONTHS or any(n <= 0 for n in history):
        return None
    return VolumeCheck(visits=visits, history=tuple(history), median=median(history),
                       factor=Decimal(factor))


def months_before(month: date, count: int) -> list[date]:
    """The first days of the ``count`` months before ``month``, oldest first."""
    months = []
    year, number = month.year, month.month
    for _step in range(count):
        year, number = (year, number - 1) if number > 1 else (year - 1, 12)
        months.append(date(year, number, 1))
    return months[::-1]


def billed_minutes(units: Decimal) -> int | Decimal:
    """The minutes ``units`` hours bill (whole minutes shown as an int)."""
    minutes = Decimal(units) * 60
    return int(minutes) if minutes == minutes.to_integral_value() else minutes


def plain_number(value: Decimal) -> str:
    """A decimal without trailing zeros ("1.5", "2")."""
    return f"{Decimal(value).normalize():f}"
