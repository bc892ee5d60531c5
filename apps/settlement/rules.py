"""The monthly settlement as plain functions: the reference rules (DOMAIN.md
§3, §6, §7; Art 24, 27, 29, 33). No database, no models, no settings.

The set-based computation in PostgreSQL must give exactly what these
functions give for the same visits; the property and golden tests of
``tests/settlement/test_rules.py`` pin them down.

- Per elder and month (``settle_elder``): the month's valid visits, with
  every provider, in chronological order (check-in, then visit id), use the
  one entitlement of the month in turn (``apps.subsidies.rules.share_lines``):
  only the part of a visit the plan covers (``covered_amount``, from
  ``apps.careplans.rules.plan_coverage``) draws on it. Class 1 covers the
  covered cost up to the monthly amount (400, or 600 with the nursing
  supplement); class 2 covers half of it, at most the cap (200). The elder
  pays the rest: the class-2 half, anything beyond the plan, anything beyond
  the entitlement. What the month did not use lapses; nothing carries over
  (Art 27). Without an entitlement (services at own cost) the elder pays all.
- Per visit (``bonus_per_visit``): the provider's performance subsidy by its
  grade in force for the service category (Art 24), paid to the provider on
  top of the subsidy, never charged to the elder's entitlement.
- Per provider and month (``settle_provider``): the sums of its lines.
- Funding (``funding_split``): the city's share of an amount and the
  district's rest (Art 33).

Money is ``Decimal`` in yuan with 2 places. Rounding, only where stated:
amounts are taken to the cent, half up, as they come in (they are stored
with 2 places, so this changes nothing for stored values); the class-2
subsidy is rounded once, half up, on the month's running covered total
(``share_cost``), so a line's subsidy is what it adds to the rounded
running total and the elder pays the rest of each line (123.45 covered:
subsidy 61.73, elder 61.72); the city's share of a funding split is
rounded half up and the district gets the exact rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from apps.subsidies import rules as subsidy_rules

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

CLASS_1 = subsidy_rules.SubsidyClass.CLASS_1.value
CLASS_2 = subsidy_rules.SubsidyClass.CLASS_2.value
OWN_COST = subsidy_rules.OWN_COST  # no subsidy, the elder pays all

# apps.evaluations.models.Grade values, and the policy keys of their per-visit amounts.
GRADES = ("excellent", "good", "qualified", "unqualified")
BONUS_KEY = "bonus.{grade}"


def money(value) -> Decimal:
    """``value`` as money: a Decimal to the cent, half up."""
    return Decimal(value).quantize(CENT, ROUND_HALF_UP)


# --- inputs ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VisitLine:
    """One valid visit of the month as the settlement reads it.

    ``amount`` is the visit's cost (units x unit price); ``covered_amount``
    the part of it the service plan covers (``plan_coverage``), the rest is
    beyond the plan and the elder's. ``bonus_eligible`` and
    ``min_duration_minutes`` are the service item's (Art 24);
    ``is_home_visit`` is carried for the statements and not read here: the
    item's ``bonus_eligible`` flag already says which items are the home
    life-care and home medical visits of Art 24 (上门生活照料, 上门医疗服务)."""

    visit_id: int
    elder_id: int
    provider_id: int
    item_code: str
    category: str
    check_in_at: datetime
    minutes: int
    units: Decimal
    amount: Decimal
    covered_amount: Decimal
    bonus_eligible: bool = False
    min_duration_minutes: int | None = None
    is_home_visit: bool = True

    @property
    def order_key(self) -> tuple[datetime, int]:
        """The settlement order: chronological, then by visit id."""
        return (self.check_in_at, self.visit_id)


@dataclass(frozen=True, slots=True)
class EntitlementTerms:
    """The elder's entitlement in force for the month (Art 27; a change of
    status changes it from the next month, Art 32, so one a month).

    ``subsidy_class``: "class1", "class2" or "own_cost". ``monthly_amount``:
    class 1 the month's amount, nursing supplement included (400 or 600);
    class 2 the cap (200). ``elder_share``: the share of the covered cost
    the elder pays (class 2: 0.5; class 1: 0)."""

    subsidy_class: str
    monthly_amount: Decimal
    elder_share: Decimal = Decimal(0)

    @classmethod
    def of(cls, entitlement: subsidy_rules.Entitlement) -> EntitlementTerms:
        return cls(str(entitlement.subsidy_class), entitlement.monthly_amount,
                   entitlement.elder_share)


# --- outputs --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineResult:
    """A visit settled: what the subsidy pays, what the elder pays (the two
    add up to the visit's amount) and the provider's performance bonus (on
    top, not part of the amount)."""

    visit_id: int
    subsidy: Decimal
    elder_pays: Decimal
    bonus: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class ElderMonth:
    """An elder's month: ``cost`` = ``subsidy`` + ``elder_pays``; ``lapsed``
    is the entitlement the month left unused (lost, Art 27)."""

    elder_id: int
    cost: Decimal
    subsidy: Decimal
    elder_pays: Decimal
    lapsed: Decimal


@dataclass(frozen=True, slots=True)
class ProviderMonth:
    """A provider's month: the sums of its lines; ``payable`` = ``subsidy``
    + ``bonus`` is what the district pays it (the elders pay it
    ``elder_pays`` themselves)."""

    provider_id: int
    visits: int
    elders: int
    cost: Decimal
    subsidy: Decimal
    elder_pays: Decimal
    bonus_visits: int
    bonus: Decimal
    payable: Decimal


class FundingSplit(NamedTuple):
    city: Decimal
    district: Decimal


GradeOf = Callable[[VisitLine], str | None]


# --- the elder's month (Art 27, 29) ----------------------------------------------


def _as_entitlement(entitlement: EntitlementTerms | subsidy_rules.Entitlement | None
                    ) -> subsidy_rules.Entitlement | None:
    """The subsidy rules' entitlement; None for none or services at own cost."""
    if entitlement is None or isinstance(entitlement, subsidy_rules.Entitlement):
        return entitlement
    return subsidy_rules.as_entitlement(entitlement.subsidy_class,
                                        money(entitlement.monthly_amount), ZERO,
                                        entitlement.elder_share)


def chronological(lines: Iterable[VisitLine]) -> list[VisitLine]:
    """The lines in the settlement order: check-in, then visit id."""
    return sorted(lines, key=lambda line: line.order_key)


def _check_lines(lines: Sequence[VisitLine]) -> None:
    seen: set[int] = set()
    for line in lines:
        if line.visit_id in seen:
            raise ValueError(f"visit {line.visit_id} appears twice")
        seen.add(line.visit_id)
        if money(line.amount) < 0:
            raise ValueError(f"visit {line.visit_id} has a negative amount")


def settle_elder(lines: Iterable[VisitLine],
                 entitlement: EntitlementTerms | subsidy_rules.Entitlement | None,
                 *, elder_id: int | None = None,
                 grade_of: GradeOf | None = None,
                 values: Mapping[str, Decimal] | None = None,
                 ) -> tuple[list[LineResult], ElderMonth]:
    """Settle one elder's month.

    ``lines`` are the month's valid visits of the elder, with every
    provider, in any order; they are settled, and returned, in chronological
    order (check-in, then visit id), so the order they were recorded or
    corrected in never changes the result. The covered amounts use the
    entitlement in turn (``share_lines``): class 1 up to the monthly amount,
    class 2 the subsidised half up to the cap; the elder pays the rest of
    each line, beyond the plan included. ``lapsed`` is what is left of the
    entitlement (class 1: monthly amount - subsidy; class 2: cap -
    subsidy), never negative and never carried over; none without an
    entitlement or at own cost (subsidy 0, the elder pays all).

    ``elder_id`` names the elder when there are no lines (the whole
    entitlement lapses). With ``grade_of`` (the provider's grade in force
    for the line's category, None: none) and ``values`` (the policy values
    in force), each line carries its ``bonus_per_visit``; otherwise 0.
    """
    ordered = chronological(lines)
    _check_lines(ordered)
    elders = {line.elder_id for line in ordered}
    if elder_id is not None:
        elders.add(elder_id)
    if len(elders) != 1:
        raise ValueError("settle_elder settles one elder's lines; name the elder "
                         "with elder_id when there are none")
    (the_elder,) = elders

    terms = _as_entitlement(entitlement)
    shares = subsidy_rules.share_lines(
        terms, [(line.amount, line.covered_amount) for line in ordered])
    results = []
    for line, share in zip(ordered, shares, strict=True):
        bonus = ZERO
        if grade_of is not None:
            if values is None:
                raise ValueError("grade_of needs the policy values")
            bonus = bonus_per_visit(line, grade_of(line), values)
        results.append(LineResult(line.visit_id, share.subsidy, share.elder_pays, bonus))

    cost = sum((money(line.amount) for line in ordered), ZERO)
    subsidy = sum((result.subsidy for result in results), ZERO)
    elder_pays = sum((result.elder_pays for result in results), ZERO)
    lapsed = ZERO if terms is None else max(money(terms.monthly_amount) - subsidy, ZERO)
    return results, ElderMonth(the_elder, cost, subsidy, elder_pays, lapsed)


# --- the performance subsidy (Art 24) -----------------------------------------


def qualifies_for_bonus(line: VisitLine) -> bool:
    """Whether a visit is a qualifying person-visit of Art 24: an item that
    earns the bonus (day care, rehabilitation nursing, home life care, home
    medical visits) and, where the item has a minimum duration, a visit that
    reaches it (rehabilitation nursing at least 30 minutes, home life care at
    least 60: a 40-minute home life-care visit earns nothing)."""
    if not line.bonus_eligible:
        return False
    return line.min_duration_minutes is None or line.minutes >= line.min_duration_minutes


def bonus_per_visit(line: VisitLine, grade: str | None,
                    values: Mapping[str, Decimal]) -> Decimal:
    """The provider's performance subsidy for one visit (Art 24): for a
    qualifying person-visit (``qualifies_for_bonus``), the amount of the
    provider's grade in force for the line's category, from the policy
    values ``bonus.excellent`` / ``bonus.good`` / ``bonus.qualified`` /
    ``bonus.unqualified`` (seeded 4 / 3 / 2 / 0: 不合格 earns nothing);
    0 otherwise. One bonus per person-visit, whatever its units.

    It is paid to the provider on top of the subsidy and never charged to
    the elder's entitlement; it does not depend on the entitlement either: a
    qualifying visit earns it whether the subsidy covered it, partly or not
    (beyond the plan, at own cost).

    Product decisions to check with the district: a provider with no grade
    in force for the category (``grade`` None: not yet evaluated, e.g. a
    first-year contract) earns nothing, not the qualified amount; and
    whether visits of elders without a subsidy should count (they do here).
    """
    if grade is None or not qualifies_for_bonus(line):
        return ZERO
    grade = str(getattr(grade, "value", grade))
    if grade not in GRADES:
        raise ValueError(f"unknown grade {grade!r}")
    return money(values[BONUS_KEY.format(grade=grade)])


def grades_from(grades: Mapping[tuple[int, str], str]) -> GradeOf:
    """A ``grade_of`` reading a table (provider id, category) -> grade, for a
    month where no provider's grade changes; a missing pair has none."""
    return lambda line: grades.get((line.provider_id, line.category))


# --- the provider's month (Art 24, 29) -----------------------------------------


def settle_provider(line_results: Iterable[LineResult], lines: Iterable[VisitLine],
                    provider_id: int) -> ProviderMonth:
    """Sum a provider's month from the settled lines: ``lines`` and
    ``line_results`` may hold other providers' too (every elder's month);
    each of this provider's lines needs its result. ``bonus_visits`` counts
    the visits that earned a bonus (above 0); ``payable`` = subsidy + bonus."""
    by_visit = {result.visit_id: result for result in line_results}
    own = [line for line in lines if line.provider_id == provider_id]
    _check_lines(own)
    missing = [line.visit_id for line in own if line.visit_id not in by_visit]
    if missing:
        raise ValueError(f"visits without a result: {missing}")
    results = [by_visit[line.visit_id] for line in own]
    subsidy = sum((result.subsidy for result in results), ZERO)
    bonus = sum((result.bonus for result in results), ZERO)
    return ProviderMonth(
        provider_id=provider_id,
        visits=len(own),
        elders=len({line.elder_id for line in own}),
        cost=sum((money(line.amount) for line in own), ZERO),
        subsidy=subsidy,
        elder_pays=sum((result.elder_pays for result in results), ZERO),
        bonus_visits=sum(1 for result in results if result.bonus > 0),
        bonus=bonus,
        payable=subsidy + bonus,
    )


# --- a whole month (the reference the SQL computation is checked against) ----------


@dataclass(frozen=True)
class MonthSettlement:
    lines: list[LineResult]  # chronological within each elder, elders by id
    elders: list[ElderMonth]  # by elder id
    providers: list[ProviderMonth]  # by provider id


def settle_month(lines: Iterable[VisitLine],
                 entitlements: Mapping[int, EntitlementTerms | subsidy_rules.Entitlement | None],
                 *, grade_of: GradeOf | None = None,
                 values: Mapping[str, Decimal] | None = None) -> MonthSettlement:
    """Settle a month of many elders and providers: ``settle_elder`` per
    elder (an elder in ``entitlements`` without lines lapses the whole
    entitlement; an elder with lines but not in ``entitlements`` has none),
    then ``settle_provider`` per provider."""
    lines = list(lines)
    by_elder: dict[int, list[VisitLine]] = {elder_id: [] for elder_id in entitlements}
    for line in lines:
        by_elder.setdefault(line.elder_id, []).append(line)
    results: list[LineResult] = []
    elders: list[ElderMonth] = []
    for elder_id in sorted(by_elder):
        elder_results, month = settle_elder(by_elder[elder_id], entitlements.get(elder_id),
                                            elder_id=elder_id, grade_of=grade_of,
                                            values=values)
        results.extend(elder_results)
        elders.append(month)
    by_provider: dict[int, list[VisitLine]] = {}
    for line in lines:
        by_provider.setdefault(line.provider_id, []).append(line)
    providers = [settle_provider(results, by_provider[provider_id], provider_id)
                 for provider_id in sorted(by_provider)]
    return MonthSettlement(results, elders, providers)


# --- funding (Art 33) -----------------------------------------------------------


def funding_split(amount: Decimal, city_share: Decimal) -> FundingSplit:
    """Split an amount between the city and the district by the district's
    ratio (``funding.city_share``: 0.5, 0.4, 0.8, 0.6, or 0 for the district
    alone): the city's part is amount x share, rounded half up to the cent,
    the district's the exact rest, so the two add up to the amount.
    Negative amounts (recoveries) split the same way."""
    share = Decimal(city_share)
    if not Decimal(0) <= share <= Decimal(1):
        raise ValueError(f"the city's share must be between 0 and 1, not {share}")
    amount = money(amount)
    city = money(amount * share)
    return FundingSplit(city, amount - city)


def run_funding(payable: Decimal, shared: Decimal, city_share: Decimal) -> FundingSplit:
    """The city's and the district's parts of what a run pays (Art 33). Only
    the service subsidy (资助) is shared by the district's ratio: the
    per-visit performance subsidy is the district's alone (Art 24: 服务补助
    资金由区财政负担), and so are the assessment fees (Art 21: 由区财政全额
    负担). ``shared``: the run's subsidy with the subsidy of its adjustment
    lines, less what it withheld."""
    city = funding_split(shared, city_share).city
    return FundingSplit(city, money(payable) - city)
