"""Contract policy as plain functions: the term limit (Art 14), prices
against the city guide price (Art 19), the tender bar (Art 25) and the
yearly renewal on the evaluation's grades (Art 22–25). No database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

UNQUALIFIED = "unqualified"

# How many days before a contract year begins its renewal decision is due.
RENEWAL_NOTICE_DAYS = 60


def last_allowed_end(starts_on: date, max_years: int) -> date:
    """Return the last day a contract starting on ``starts_on`` may run to:
    ``max_years`` years less one day (1 Jan 2026 for 3 years: 31 Dec 2028)."""
    return starts_on + relativedelta(years=max_years) - timedelta(days=1)


def term_within_limit(starts_on: date, ends_on: date, max_years: int) -> bool:
    """Whether a term from ``starts_on`` to ``ends_on`` is within the limit."""
    return ends_on <= last_allowed_end(starts_on, max_years)


def contract_year(starts_on: date, day: date) -> int:
    """Return the contract year ``day`` falls in: 1 in the first twelve
    months from ``starts_on``, 2 in the next, and so on."""
    return relativedelta(day, starts_on).years + 1


def term_years(starts_on: date, ends_on: date) -> int:
    """Return how many contract years the term begins."""
    return contract_year(starts_on, ends_on)


def year_starts_on(starts_on: date, year: int) -> date:
    """Return the first day of contract year ``year``."""
    return starts_on + relativedelta(years=year - 1)


def last_day_before_year(starts_on: date, year: int) -> date:
    """Return the last day of the contract year before ``year``: where a
    contract not renewed for ``year`` runs to."""
    return year_starts_on(starts_on, year) - timedelta(days=1)


def renewal_year_due(starts_on: date, ends_on: date, today: date, decided: Iterable[int],
                     notice_days: int = RENEWAL_NOTICE_DAYS) -> int | None:
    """Return the contract year awaiting a renewal decision on ``today``:
    the first year from 2 to the term's last that begins within
    ``notice_days`` days, or has begun and is not over yet, and is not in
    ``decided``. None when nothing is due."""
    if today > ends_on:
        return None
    decided = set(decided)
    horizon = today + timedelta(days=notice_days)
    for year in range(2, term_years(starts_on, ends_on) + 1):
        if year_starts_on(starts_on, year) > horizon:
            break
        if today >= year_starts_on(starts_on, year + 1):
            continue  # over: it can no longer be decided
        if year not in decided:
            return year
    return None


def bar_lifts_on(starts_on: date, bar_years: int) -> date:
    """Return the first day a provider barred from ``starts_on`` may
    contract again: the bar covers ``bar_years`` years, the last barred day
    being the day before."""
    return starts_on + relativedelta(years=bar_years)


def bar_in_force(starts_on: date, lifts_on: date, day: date) -> bool:
    """Whether a bar from ``starts_on`` lifting on ``lifts_on`` holds on ``day``."""
    return starts_on <= day < lifts_on


@dataclass(frozen=True)
class PriceDeviation:
    """A contract price set against the city guide price."""

    price: Decimal
    guide_price: Decimal | None
    amount: Decimal | None  # price - guide price
    share: Decimal | None  # amount / guide price, e.g. Decimal("0.1000")

    @property
    def has_guide_price(self) -> bool:
        return self.guide_price is not None

    @property
    def above_guide(self) -> bool:
        """Flagged: the price exceeds the published guide price."""
        return self.amount is not None and self.amount > 0

    @property
    def below_guide(self) -> bool:
        return self.amount is not None and self.amount < 0

    @property
    def percent(self) -> Decimal | None:
        return None if self.share is None else (self.share * 100).quantize(Decimal("0.1"))


def price_deviation(price: Decimal, guide_price: Decimal | None) -> PriceDeviation:
    """Set ``price`` against ``guide_price``: a price above the guide price
    is flagged; an item without a published guide price is priced freely by
    the provider (Art 19) and only noted."""
    if guide_price is None:
        return PriceDeviation(price, None, None, None)
    amount = price - guide_price
    share = (amount / guide_price).quantize(Decimal("0.0001")) if guide_price else None
    return PriceDeviation(price, guide_price, amount, share)


@dataclass(frozen=True)
class RenewalBlock:
    category: str
    grade: str | None  # None: no grade in force


def renewal_blocks(grades: dict[str, str | None]) -> list[RenewalBlock]:
    """Return what stops a contract from continuing: each service category
    graded unqualified, or with no grade in force. An empty list allows it."""
    return [RenewalBlock(category, grade) for category, grade in sorted(grades.items())
            if grade is None or grade == UNQUALIFIED]
