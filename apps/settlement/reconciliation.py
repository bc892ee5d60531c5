"""The yearly funding reconciliation of each district (Art 33; DOMAIN.md §7).

The city's share of the subsidy funds is advanced to each district at the
start of the year; at the start of the next year it is cleared against what
the district actually paid and the sharing ratio, by 30 January
(``funding.clearing_day``). What the district paid is the ``payable`` of
its closed (approved or paid) settlement runs of the year's twelve months,
split month by month with the city:district ratio in force that month
(``funding.city_share``, which may change during a year), so the city's
share of the year is the sum of the months' city shares, not the year's
spending times one ratio. A late visit of December settled as an adjustment
in January's run counts in the year of that run: a closed month is never
reopened.

- ``reconcile``: the pure rule, no database: the year's spending, the city's
  and the district's shares, the balance (the city's share less the
  advance: above zero the city owes the district the difference, below
  zero the district returns it), the months not yet closed (the report is
  provisional until there are none) and the ratios in force.
- ``year_report``: the reconciliation of every district a user may see for
  one year, in a fixed number of queries whatever the number of districts.
- ``record_advance`` and ``confirm_reconciliation``: the two state changes.
  A confirmed reconciliation (``FundingReconciliation``) freezes the
  figures; its advance can no longer be corrected.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.settlement.rules import CENT, ZERO, money
from apps.subsidies.rules import month_end

CLOSED = ("approved", "paid")
CITY_SHARE_KEY = "funding.city_share"
CLEARING_DAY_KEY = "funding.clearing_day"
# The years the screens accept (a year in a URL or a form).
MIN_YEAR, MAX_YEAR = 2000, 2100


# --- the rule -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MonthFigures:
    """One month of a district's year as its settlement run stands:
    ``status`` None when the month has no run; ``city_ratio`` the city's
    share in force at the end of the month (None: no value in force)."""

    month: date
    status: str | None = None
    payable: Decimal = ZERO
    city_share: Decimal = ZERO
    district_share: Decimal = ZERO
    city_ratio: Decimal | None = None

    @property
    def closed(self) -> bool:
        return self.status in CLOSED


@dataclass(frozen=True, slots=True)
class RatioPeriod:
    """A ratio in force over consecutive months of the year."""

    city_ratio: Decimal | None
    first: date
    last: date

    @property
    def label(self) -> str:
        return ratio_label(self.city_ratio)

    @property
    def whole_year(self) -> bool:
        return self.first.month == 1 and self.last.month == 12


class Balanced:
    """Which way a balance (the city's share less its advance) is owed."""

    @property
    def owed_to_district(self) -> Decimal:
        return max(self.balance, ZERO)

    @property
    def owed_to_city(self) -> Decimal:
        return max(-self.balance, ZERO)


@dataclass(frozen=True)
class YearReconciliation(Balanced):
    """A district's year cleared: the sums count the closed months only."""

    year: int
    advance: Decimal | None  # None: no advance recorded
    months: tuple[MonthFigures, ...]  # the twelve months, in order
    spending: Decimal
    city_share: Decimal
    district_share: Decimal
    balance: Decimal
    open_months: tuple[MonthFigures, ...]
    ratios: tuple[RatioPeriod, ...]
    due_on: date | None

    @property
    def provisional(self) -> bool:
        return bool(self.open_months)

    @property
    def ratios_text(self) -> str:
        return ratios_text(self.ratios)


def ratio_label(city_ratio: Decimal | None) -> str:
    """The city:district ratio as the notices write it: 0.4 -> "4:6"; "0:10"
    is the district alone; "—" when no ratio is in force."""
    if city_ratio is None:
        return "—"
    city = (Decimal(city_ratio) * 10).normalize()
    district = (10 - Decimal(city_ratio) * 10).normalize()
    return f"{city:f}:{district:f}"


def ratios_text(periods: Sequence[RatioPeriod]) -> str:
    """The ratios of a year in one line, with their months when it changed:
    "4:6" or "4:6 01–03, 5:5 04–12"."""
    if len(periods) == 1 and periods[0].whole_year:
        return periods[0].label
    return ", ".join(f"{p.label} {p.first:%m}–{p.last:%m}" for p in periods)


def ratio_in_force(versions: Iterable[tuple[int | None, date, Decimal]], day: date,
                   district_id: int) -> Decimal | None:
    """The city's share in force on ``day`` for the district, from the
    versions (district id or None for city-wide, valid from, value): the
    latest district version wins over the latest city-wide one, as
    ``apps.policy.lookup.values_on`` reads them."""
    own = city = None
    for region_id, valid_from, value in versions:
        if valid_from > day:
            continue
        if region_id == district_id and (own is None or valid_from > own[0]):
            own = (valid_from, value)
        elif region_id is None and (city is None or valid_from > city[0]):
            city = (valid_from, value)
    chosen = own or city
    return None if chosen is None else chosen[1]


def due_date(year: int, clearing_day: int | None) -> date | None:
    """The day by which the year is cleared: ``clearing_day`` January of the
    next year (30 as seeded)."""
    return None if clearing_day is None else date(year + 1, 1, int(clearing_day))


def advance_window(year: int) -> tuple[date, date]:
    """The days an advance for ``year`` may be paid on: in the year, or in
    the December before it (advanced ahead of the year's start)."""
    return date(year - 1, 12, 1), date(year, 12, 31)


def year_months(year: int) -> list[date]:
    return [date(year, month, 1) for month in range(1, 13)]


def _periods(months: Sequence[MonthFigures]) -> tuple[RatioPeriod, ...]:
    periods: list[RatioPeriod] = []
    for figures in months:
        if periods and periods[-1].city_ratio == figures.city_ratio:
            periods[-1] = RatioPeriod(figures.city_ratio, periods[-1].first, figures.month)
        else:
            periods.append(RatioPeriod(figures.city_ratio, figures.month, figures.month))
    return tuple(periods)


def reconcile(year: int, advance: Decimal | None, months: Iterable[MonthFigures], *,
              clearing_day: int | None = 30) -> YearReconciliation:
    """Clear a district's year against the city's advance.

    ``months`` are the months of ``year`` that have a run (others may be
    left out: a month without a run is not closed); each closed month's
    city and district shares must add up to its payable. The spending and
    the shares sum the closed months only: an open month's figures may still
    change and are not counted until it closes, and while any month is open
    the reconciliation is provisional. Without an advance recorded the whole
    city's share is owed to the district.
    """
    by_month: dict[date, MonthFigures] = {}
    for figures in months:
        if figures.month.year != year or figures.month.day != 1:
            raise ValueError(f"{figures.month} is not a month of {year}")
        if figures.month in by_month:
            raise ValueError(f"{figures.month:%Y-%m} appears twice")
        if figures.closed and money(figures.city_share) + money(figures.district_share) \
                != money(figures.payable):
            raise ValueError(f"the shares of {figures.month:%Y-%m} do not add up to its "
                             "payable")
        by_month[figures.month] = figures
    full = tuple(by_month.get(month) or MonthFigures(month) for month in year_months(year))
    closed = [figures for figures in full if figures.closed]
    spending = sum((money(figures.payable) for figures in closed), ZERO)
    city_share = sum((money(figures.city_share) for figures in closed), ZERO)
    district_share = sum((money(figures.district_share) for figures in closed), ZERO)
    advanced = ZERO if advance is None else money(advance)
    return YearReconciliation(
        year=year, advance=None if advance is None else advanced, months=full,
        spending=spending, city_share=city_share, district_share=district_share,
        balance=(city_share - advanced).quantize(CENT),
        open_months=tuple(figures for figures in full if not figures.closed),
        ratios=_periods(full), due_on=due_date(year, clearing_day))


# --- the report -------------------------------------------------------------------


@dataclass(frozen=True)
class Shown(Balanced):
    """The figures a report shows: the frozen ones once confirmed."""

    advance: Decimal | None
    spending: Decimal
    city_share: Decimal
    district_share: Decimal
    balance: Decimal
    ratios: str


@dataclass
class DistrictYear:
    """One district's row of the yearly report."""

    district: object  # regions.Region
    figures: YearReconciliation  # as the runs stand now
    advance: object | None  # CityAdvance
    final: object | None  # FundingReconciliation
    today: date
    shown: Shown = field(init=False)

    def __post_init__(self):
        final, live = self.final, self.figures
        self.shown = (
            Shown(final.advance, final.spending, final.city_share, final.district_share,
                  final.balance, final.ratios) if final is not None else
            Shown(live.advance, live.spending, live.city_share, live.district_share,
                  live.balance, live.ratios_text))

    @property
    def year(self) -> int:
        return self.figures.year

    @property
    def is_final(self) -> bool:
        return self.final is not None

    @property
    def provisional(self) -> bool:
        return not self.is_final and self.figures.provisional

    @property
    def overdue(self) -> bool:
        """Not confirmed after the clearing day."""
        due = self.figures.due_on
        return not self.is_final and due is not None and self.today > due

    @property
    def may_confirm(self) -> bool:
        return (not self.is_final and not self.figures.provisional
                and self.today > date(self.year, 12, 31))


def report_totals(rows: Sequence[DistrictYear]) -> Shown:
    """The report's totals over its districts (an advance not recorded
    counts as none)."""
    def total(name):
        return sum((getattr(row.shown, name) or ZERO for row in rows), ZERO)

    return Shown(total("advance"), total("spending"), total("city_share"),
                 total("district_share"), total("balance"), "")


def district_years(districts: Sequence, year: int, *, runs, advances, finals,
                   today: date | None = None) -> list[DistrictYear]:
    """The reconciliation of each of ``districts`` for ``year`` from the
    given (already scoped) querysets of runs, advances and confirmed
    reconciliations: four queries, whatever the number of districts."""
    from apps.policy.models import PolicyValue

    today = today or timezone.localdate()
    ids = [district.pk for district in districts]
    if not ids:
        return []
    months: dict[int, list[tuple]] = {pk: [] for pk in ids}
    for row in (runs.filter(district_id__in=ids, month__gte=date(year, 1, 1),
                            month__lte=date(year, 12, 1))
                .order_by().values_list("district_id", "month", "status", "payable",
                                        "city_share", "district_share")):
        months[row[0]].append(row[1:])
    by_district = {advance.district_id: advance for advance in
                   advances.filter(district_id__in=ids, year=year)
                   .select_related("recorded_by")}
    confirmed = {final.district_id: final for final in
                 finals.filter(district_id__in=ids, year=year)
                 .select_related("confirmed_by")}
    versions: dict[str, list[tuple]] = {CITY_SHARE_KEY: [], CLEARING_DAY_KEY: []}
    for key, region_id, valid_from, value in (
            PolicyValue.objects.filter(key__in=list(versions),
                                       valid_from__lte=date(year + 1, 1, 1))
            .filter(Q(region__isnull=True) | Q(region_id__in=ids))
            .order_by().values_list("key", "region_id", "valid_from", "value")):
        versions[key].append((region_id, valid_from, value))

    rows = []
    for district in districts:
        ratios = {month: ratio_in_force(versions[CITY_SHARE_KEY], month_end(month),
                                        district.pk) for month in year_months(year)}
        runs_of_year = {month: MonthFigures(month, status, payable, city, rest, ratios[month])
                        for month, status, payable, city, rest in months[district.pk]}
        figures = [runs_of_year.get(month) or MonthFigures(month, city_ratio=ratios[month])
                   for month in year_months(year)]
        clearing_day = ratio_in_force(versions[CLEARING_DAY_KEY], date(year + 1, 1, 1),
                                      district.pk)
        advance = by_district.get(district.pk)
        rows.append(DistrictYear(
            district=district,
            figures=reconcile(year, advance.amount if advance else None, figures,
                              clearing_day=clearing_day),
            advance=advance, final=confirmed.get(district.pk), today=today))
    return rows


def year_report(user, year: int, *, district=None, today: date | None = None
                ) -> list[DistrictYear]:
    """The yearly reconciliation of every district ``user`` may see (city
    staff: all; district staff and finance: their own), or of ``district``
    alone, in district-code order: five queries whatever their number."""
    from apps.regions.models import Region, RegionKind
    from apps.settlement.models import CityAdvance, FundingReconciliation, SettlementRun

    districts = Region.objects.visible_to(user).filter(kind=RegionKind.DISTRICT)
    if district is not None:
        districts = districts.filter(pk=district.pk)
    return district_years(
        list(districts.order_by("code")), year,
        runs=SettlementRun.objects.visible_to(user),
        advances=CityAdvance.objects.visible_to(user),
        finals=FundingReconciliation.objects.visible_to(user), today=today)


# --- the state changes ------------------------------------------------------------


def _error(field_name: str, message: str, code: str, **params) -> ValidationError:
    return ValidationError({field_name: ValidationError(
        message % params if params else message, code=code)})


def _lock_district_year(district) -> None:
    """Serialise the advance and the confirmation of a district's years:
    the district's row, locked without blocking rows that refer to it."""
    from apps.regions.models import Region

    list(Region.objects.select_for_update(no_key=True).filter(pk=district.pk)
         .values_list("pk", flat=True))


def _refuse_if_final(district, year: int) -> None:
    from apps.settlement.models import FundingReconciliation

    if FundingReconciliation.objects.filter(district=district, year=year).exists():
        raise _error("year", _("The reconciliation of %(year)s is final: its advance can no "
                               "longer change."), "final", year=year)


def check_advance(year: int, amount: Decimal, paid_on: date) -> None:
    """Refuse a negative amount, and a day outside ``advance_window``, each
    as an error on its field."""
    errors = {}
    if amount < 0:
        errors["amount"] = ValidationError(_("The amount cannot be negative."),
                                           code="negative")
    first, last = advance_window(year)
    if not first <= paid_on <= last:
        errors["paid_on"] = ValidationError(
            _("An advance for %(year)s is paid between %(first)s and %(last)s.")
            % {"year": year, "first": first.isoformat(), "last": last.isoformat()},
            code="outside_year")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_advance(*, district, year: int, amount: Decimal, paid_on: date,
                   reference: str = "", user=None):
    """Record (or correct) the city's advance to ``district`` for ``year``;
    refused once the year's reconciliation is final."""
    from apps.settlement.models import CityAdvance

    check_advance(year, amount, paid_on)
    _lock_district_year(district)
    _refuse_if_final(district, year)
    advance, _created = CityAdvance.objects.update_or_create(
        district=district, year=year,
        defaults={"amount": money(amount), "paid_on": paid_on,
                  "reference": reference.strip(), "recorded_by": user})
    return advance


@transaction.atomic
def confirm_reconciliation(*, district, year: int, user, today: date | None = None):
    """Confirm the reconciliation of ``district``'s year: once the year is
    over, every month closed and the advance recorded (unless the city
    shares nothing), its figures are frozen as they stand."""
    from apps.settlement.models import (
        CityAdvance,
        FundingReconciliation,
        SettlementRun,
    )

    today = today or timezone.localdate()
    if today <= date(year, 12, 31):
        raise _error("year", _("A year is cleared once it is over."), "not_over")
    _lock_district_year(district)
    if FundingReconciliation.objects.filter(district=district, year=year).exists():
        raise _error("year", _("The reconciliation of %(year)s is already final."),
                     "final", year=year)
    (row,) = district_years([district], year, runs=SettlementRun.objects.all(),
                            advances=CityAdvance.objects.all(),
                            finals=FundingReconciliation.objects.none(), today=today)
    figures = row.figures
    if figures.provisional:
        raise _error("year", _("Months not yet closed: %(months)s."), "provisional",
                     months=", ".join(f"{m.month:%Y-%m}" for m in figures.open_months))
    if row.advance is None and figures.city_share != 0:
        raise _error("advance", _("Record the city's advance for the year first."),
                     "no_advance")
    return FundingReconciliation.objects.create(
        district=district, year=year, advance=figures.advance or ZERO,
        spending=figures.spending, city_share=figures.city_share,
        district_share=figures.district_share, balance=figures.balance,
        ratios=figures.ratios_text, confirmed_by=user, confirmed_at=timezone.now())
