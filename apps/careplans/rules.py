"""Plan and agreement policy as plain functions: the monthly budget of a
service plan against the entitlement (Art 27, 29), where a service is given
(Art 30), how much of a month's services the plan covers (Art 29),
agreement numbers, and the date rules of superseding and ending. No
database."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from apps.subsidies import rules as subsidy_rules

CENT = Decimal("0.01")

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


def service_area_ids(residence_street_id: int, community_id: int | None) -> list[int]:
    """The regions a provider's contract must cover to serve the elder: the
    street of residence and the community of residence (Art 30: the provider
    is chosen near where the elder lives, whichever street or district holds
    the hukou and pays)."""
    return [residence_street_id] + ([community_id] if community_id is not None else [])


# --- what the plan covers (Art 29) -----------------------------------------------

# (service item id, provider id or None for a line naming no provider)
PlanKey = tuple[int, int | None]


@dataclass(frozen=True)
class PlanAllowanceLine:
    """A line of a plan as the coverage reads it."""

    service_item_id: int
    provider_id: int | None
    times_per_month: int
    units_per_time: Decimal


def plan_allowances(lines: Iterable[PlanAllowanceLine]) -> dict[PlanKey, Decimal]:
    """The units a plan allows a month, per service item and provider (None:
    any provider): times a month x units each time, so hours beyond the
    planned length of a visit use up the plan as further visits would."""
    allowances: dict[PlanKey, Decimal] = defaultdict(lambda: Decimal(0))
    for line in lines:
        allowances[(line.service_item_id, line.provider_id)] += (
            Decimal(line.times_per_month) * Decimal(line.units_per_time))
    return dict(allowances)


@dataclass(frozen=True)
class CoverageVisit:
    """A visit as the coverage reads it. ``plan`` names the plan in force on
    the visit's day (a key of the allowances), None where no plan is."""

    pk: int
    check_in_at: datetime
    service_item_id: int
    provider_id: int
    units: Decimal
    amount: Decimal
    plan: Hashable | None


@dataclass(frozen=True)
class Coverage:
    """What of a visit the plan covers: ``covered_units`` of its units and
    ``covered_cost`` of its amount; the rest is beyond the plan."""

    units: Decimal
    covered_units: Decimal
    amount: Decimal
    covered_cost: Decimal

    @property
    def uncovered_cost(self) -> Decimal:
        return self.amount - self.covered_cost

    @property
    def fully(self) -> bool:
        return self.covered_cost == self.amount

    @property
    def partly(self) -> bool:
        return Decimal(0) < self.covered_cost < self.amount


def _covered_cost(amount: Decimal, units: Decimal, covered_units: Decimal) -> Decimal:
    if covered_units >= units:
        return amount
    if covered_units <= 0:
        return Decimal("0.00")
    return (amount * covered_units / units).quantize(CENT, ROUND_HALF_UP)


def plan_coverage(visits: Sequence[CoverageVisit],
                  allowances: Mapping[Hashable, Mapping[PlanKey, Decimal]]
                  ) -> list[Coverage]:
    """How much of each of a month's visits the plan covers (Art 29: beyond
    the plan the elder pays), in the order of ``visits``.

    The visits are walked in chronological order (check-in, then pk),
    whatever order they were recorded or corrected in. Per service item the
    plan allows its units for the month: a visit takes first from the lines
    naming its provider, then from the lines naming no provider, and is
    covered fully, for the share of its units left, or not at all; the
    covered cost is the amount x covered units / units, to the cent, half
    up. What one plan used counts against a plan superseding it in the
    month. A visit on a day without a plan in force is covered in full (the
    entitlement still limits it)."""
    used: dict[PlanKey, Decimal] = defaultdict(lambda: Decimal(0))
    results: dict[int, Coverage] = {}
    order = sorted(range(len(visits)), key=lambda i: (visits[i].check_in_at, visits[i].pk))
    for index in order:
        visit = visits[index]
        units = Decimal(visit.units)
        amount = Decimal(visit.amount).quantize(CENT, ROUND_HALF_UP)
        if visit.plan is None or units <= 0:
            results[index] = Coverage(units, units, amount, amount)
            continue
        plan = allowances.get(visit.plan, {})
        wanted = units
        for key in ((visit.service_item_id, visit.provider_id), (visit.service_item_id, None)):
            left = max(plan.get(key, Decimal(0)) - used[key], Decimal(0))
            take = min(left, wanted)
            used[key] += take
            wanted -= take
        covered = units - wanted
        results[index] = Coverage(units, covered, amount,
                                  _covered_cost(amount, units, covered))
    return [results[index] for index in range(len(visits))]


def plan_on(periods: Iterable[tuple[Hashable, date, date | None]], day: date) -> Hashable | None:
    """Of ``(plan, first day, last day or None)`` periods, the plan in force
    on ``day`` (the latest started where several are); None: no plan."""
    covering = [(starts_on, plan) for plan, starts_on, ends_on in periods
                if starts_on <= day and (ends_on is None or ends_on >= day)]
    return max(covering, key=lambda row: row[0])[1] if covering else None


def outside_plan(item_ids: Iterable[int], planned: Iterable[PlanKey],
                 provider_id: int) -> list[int]:
    """Of the agreed items, those the plan holds neither for the provider nor
    for no provider (Art 29: the elder pays them)."""
    planned = set(planned)
    return [item_id for item_id in item_ids
            if (item_id, provider_id) not in planned and (item_id, None) not in planned]


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
