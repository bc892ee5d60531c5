"""Plan and agreement policy as plain functions: the monthly budget of a
service plan against the entitlement (Art 27, 29), agreement numbers, and
the date rules of superseding and ending. No database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from apps.subsidies import rules as subsidy_rules

CENT = Decimal("0.01")
OWN_COST = "own_cost"

REFERENCE_PREFIX = "SA"
REFERENCE_DIGITS = 5


@dataclass(frozen=True)
class Line:
    """One planned service: how often a month, how many units each time,
    at what unit price."""

    times_per_month: int
    units_per_time: Decimal
    unit_price: Decimal

    @property
    def cost(self) -> Decimal:
        """The month's cost of the line, rounded to the cent, half up."""
        return (Decimal(self.times_per_month) * Decimal(self.units_per_time)
                * Decimal(self.unit_price)).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class Budget:
    """A month of the plan: what it costs, what the subsidy covers and what
    the elder pays."""

    cost: Decimal
    subsidy: Decimal
    elder_pays: Decimal


def as_entitlement(subsidy_class: str, monthly_amount: Decimal, nursing_supplement: Decimal,
                   elder_share: Decimal) -> subsidy_rules.Entitlement | None:
    """The subsidy rules' entitlement for the fields of a stored one; None
    for services at the elder's own cost (the elder pays everything)."""
    if subsidy_class == OWN_COST:
        return None
    return subsidy_rules.Entitlement(subsidy_rules.SubsidyClass(subsidy_class),
                                     Decimal(monthly_amount), Decimal(nursing_supplement),
                                     Decimal(elder_share))


def plan_budget(lines: Iterable[Line],
                entitlement: subsidy_rules.Entitlement | None) -> Budget:
    """Return the monthly budget of a plan: the cost is the sum over its
    lines of times a month x units each time x unit price; the subsidy and
    the elder's share split it as settlement will (``share_cost``): class 1
    covers up to the monthly amount (400, or 600 with the nursing
    supplement), class 2 half the cost up to its cap (200); without an
    entitlement the elder pays all (Art 27, 29)."""
    cost = sum((line.cost for line in lines), Decimal("0.00"))
    share = subsidy_rules.share_cost(entitlement, cost)
    return Budget(cost.quantize(CENT), share.subsidy, share.elder_pays)


def superseded_until(new_starts_on: date) -> date:
    """Return the last day of a plan superseded by one starting on
    ``new_starts_on``: the day before."""
    return new_starts_on - timedelta(days=1)


def may_supersede(current_starts_on: date, new_starts_on: date) -> bool:
    """Whether a plan starting on ``new_starts_on`` may supersede the plan in
    force from ``current_starts_on``: only from a later day, so the earlier
    plan keeps at least its first day and stays readable."""
    return new_starts_on > current_starts_on


def reference_prefix(district_code: str, year: int) -> str:
    """``SA-<district code>-<year>-``: the prefix of the agreement numbers of
    a district and year."""
    return f"{REFERENCE_PREFIX}-{district_code}-{year}-"


def agreement_reference(district_code: str, year: int, sequence: int) -> str:
    """Return the agreement number, e.g. ``SA-440106-2026-00001``."""
    return f"{reference_prefix(district_code, year)}{sequence:0{REFERENCE_DIGITS}d}"


def next_sequence(prefix: str, references: Iterable[str]) -> int:
    """Return the sequence number after the highest of ``references`` that
    carry ``prefix`` (1 for the first)."""
    highest = 0
    for reference in references:
        tail = reference.removeprefix(prefix)
        if reference.startswith(prefix) and tail.isdigit():
            highest = max(highest, int(tail))
    return highest + 1
