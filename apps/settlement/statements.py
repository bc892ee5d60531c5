"""The data of a run's statements (issue 7 §5): what the provider statement,
the district summary and the elder-level workbook show, assembled with a
fixed number of queries whatever the number of elders or lines (the sums
are taken in SQL, grouped by what a section shows).

- ``provider_statement``: one provider's month in a run: totals by service
  item, the elders served (masked identity numbers only), the performance
  subsidy by category and grade, the adjustment section (lines for earlier
  months, by month: visits added, withdrawn or changed and the amounts),
  the withholdings of confirmed findings, the payable and the signature
  block. Six queries.
- ``district_summary``: the run by provider, by the elders' residence
  street, its assessment fee lines, totals and the city/district split.
  Five queries.
- ``elder_detail_rows``: one row per line of the run, streamed from a
  server-side cursor for the workbook (``apps.settlement.documents``).

The figures of the payable are the stored ones of the run and its provider
rows (what is paid); the sections break them down from the lines. A run not
yet approved is a draft: its statements say so on their face.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from apps.catalogue.models import ServiceCategory
from apps.evaluations.models import Grade
from apps.policy.lookup import values_on
from apps.settlement.models import (
    CLOSED,
    AssessmentFeeLine,
    ProviderSettlement,
    SettlementLine,
    SettlementRun,
    Withholding,
)
from apps.subsidies.rules import month_end

ZERO = Decimal("0.00")
MONEY_FIELDS = ("cost", "covered", "subsidy", "elder_pays", "bonus")

DRAFT_MARK = _("Draft — not approved")


def _money(expression) -> Coalesce:
    return Coalesce(Sum(expression), Value(ZERO), output_field=DecimalField(max_digits=14,
                                                                            decimal_places=2))


def _money_sums(condition: Q | None = None) -> dict:
    return {name: _money(name) if condition is None else
            Coalesce(Sum(name, filter=condition), Value(ZERO),
                     output_field=DecimalField(max_digits=14, decimal_places=2))
            for name in MONEY_FIELDS}


def is_draft(run: SettlementRun) -> bool:
    """A statement of a run not (yet) approved is a draft."""
    return run.status not in CLOSED


# --- the provider statement ---------------------------------------------------------


@dataclass(frozen=True)
class ItemTotal:
    code: str
    name: str
    unit: str
    visits: int
    units: Decimal
    cost: Decimal
    covered: Decimal
    subsidy: Decimal
    elder_pays: Decimal
    bonus: Decimal


@dataclass(frozen=True)
class ElderServed:
    name: str
    id_number_masked: str
    street: str
    visits: int
    cost: Decimal
    covered: Decimal
    subsidy: Decimal
    elder_pays: Decimal


@dataclass(frozen=True)
class BonusRow:
    category: str  # label
    grade: str  # label, "" when no grade was in force
    visits: int  # visits of items earning the performance subsidy
    bonus_visits: int  # of those, the visits that earned it (grade, duration)
    per_visit: Decimal
    amount: Decimal


@dataclass(frozen=True)
class AdjustmentMonth:
    """The adjustment lines of one earlier month: the visits now counted that
    were not paid (added), paid that no longer count (withdrawn), and paid
    whose split changed (changed), with the differences."""

    month: date
    added: int
    withdrawn: int
    changed: int
    cost: Decimal
    subsidy: Decimal
    elder_pays: Decimal
    bonus: Decimal

    @property
    def amount(self) -> Decimal:
        """What the provider is paid more (or less) for the month."""
        return self.subsidy + self.bonus


@dataclass(frozen=True)
class WithholdingRow:
    rule: str
    summary: str
    month: date
    amount: Decimal


@dataclass(frozen=True)
class Signatory:
    role: str
    name: str
    on: date | None


class OfARun:
    """What a statement says of its run (``self.run``): the district, the
    month, and whether it is still a draft."""

    @property
    def district(self):
        return self.run.district

    @property
    def month(self) -> date:
        return self.run.month

    @property
    def draft(self) -> bool:
        return is_draft(self.run)


@dataclass
class ProviderStatement(OfARun):
    run: SettlementRun
    settlement: ProviderSettlement
    items: list[ItemTotal]
    elders: list[ElderServed]
    bonuses: list[BonusRow]
    adjustments: list[AdjustmentMonth]
    withholdings: list[WithholdingRow]
    signatories: list[Signatory] = field(default_factory=list)

    @property
    def provider(self):
        return self.settlement.provider

    @property
    def totals(self) -> dict:
        """The month's own lines (adjustments apart), summed over the items."""
        totals = {name: sum((getattr(i, name) for i in self.items), ZERO)
                  for name in MONEY_FIELDS}
        totals["visits"] = sum(i.visits for i in self.items)
        totals["elders"] = len(self.elders)
        return totals

    @property
    def bonus_totals(self) -> dict:
        return {"visits": sum(b.visits for b in self.bonuses),
                "bonus_visits": sum(b.bonus_visits for b in self.bonuses),
                "amount": sum((b.amount for b in self.bonuses), ZERO)}

    @property
    def adjustment_totals(self) -> dict:
        rows = self.adjustments
        return {"added": sum(a.added for a in rows), "withdrawn": sum(a.withdrawn for a in rows),
                "changed": sum(a.changed for a in rows),
                **{name: sum((getattr(a, name) for a in rows), ZERO)
                   for name in ("cost", "subsidy", "elder_pays", "bonus", "amount")}}

    @property
    def withheld_total(self) -> Decimal:
        return sum((w.amount for w in self.withholdings), ZERO)

    @property
    def payable(self) -> dict:
        """payable = subsidy + bonus + adjustments − withheld, as stored."""
        s = self.settlement
        return {"subsidy": s.subsidy, "bonus": s.bonus, "adjustments": s.adjustments,
                "withheld": s.withheld, "payable": s.payable}


def _settlement(settlement: ProviderSettlement | int) -> ProviderSettlement:
    pk = settlement.pk if isinstance(settlement, ProviderSettlement) else settlement
    return (ProviderSettlement.objects
            .select_related("provider", "run__district", "run__reviewed_by",
                            "run__approved_by")
            .get(pk=pk))


def _item_totals(run_id: int, provider_id: int) -> list[ItemTotal]:
    rows = (SettlementLine.objects
            .filter(run_id=run_id, provider_id=provider_id, is_adjustment=False)
            .values(code=F("visit__service_item__code"), name=F("visit__service_item__name"),
                    unit=F("visit__service_item__unit"))
            .annotate(visits=Count("pk"), units=_money("visit__units"), **_money_sums())
            .order_by("code"))
    return [ItemTotal(**row) for row in rows]


def _elders_served(run_id: int, provider_id: int) -> list[ElderServed]:
    rows = (SettlementLine.objects
            .filter(run_id=run_id, provider_id=provider_id, is_adjustment=False)
            .values("elder_id", name=F("elder__name"),
                    id_number_masked=F("elder__id_number_masked"),
                    street=F("elder__residence_street__name"))
            .annotate(visits=Count("pk"), **_money_sums())
            .order_by("name", "elder_id"))
    return [ElderServed(name=r["name"], id_number_masked=r["id_number_masked"],
                        street=r["street"], visits=r["visits"], cost=r["cost"],
                        covered=r["covered"], subsidy=r["subsidy"],
                        elder_pays=r["elder_pays"]) for r in rows]


# The performance subsidy of the month's lines by category and the grade in
# force on each visit's date (as the computation reads it), for the items
# earning it; a line of an item that earns it but too short, or of an
# ungraded or unqualified provider, counts with nothing earned.
_BONUS_BY_GRADE = """
SELECT item.category, coalesce(grade.grade, '') AS grade, count(*) AS visits,
       count(*) FILTER (WHERE l.bonus > 0) AS bonus_visits,
       coalesce(max(l.bonus), 0) AS per_visit, coalesce(sum(l.bonus), 0) AS amount
  FROM settlement_settlementline l
  JOIN visits_servicevisit v ON v.id = l.visit_id
  JOIN catalogue_serviceitem item ON item.id = v.service_item_id
  LEFT JOIN LATERAL (
      SELECT g.grade FROM evaluations_providergrade g
       WHERE g.provider_id = l.provider_id AND g.category = item.category
         AND g.effective_from <= v.service_date
       ORDER BY g.effective_from DESC, g.id DESC
       LIMIT 1) grade ON true
 WHERE l.run_id = %s AND l.provider_id = %s AND NOT l.is_adjustment
   AND (item.bonus_eligible OR l.bonus <> 0)
 GROUP BY item.category, grade.grade
 ORDER BY item.category, grade.grade
"""


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _bonuses(run_id: int, provider_id: int) -> list[BonusRow]:
    with connection.cursor() as cursor:
        cursor.execute(_BONUS_BY_GRADE, [run_id, provider_id])
        rows = cursor.fetchall()
    return [BonusRow(category=_label(ServiceCategory, category),
                     grade=_label(Grade, grade) if grade else "",
                     visits=visits, bonus_visits=bonus_visits, per_visit=per_visit,
                     amount=amount)
            for category, grade, visits, bonus_visits, per_visit, amount in rows]


def _adjustments(run_id: int, provider_id: int) -> list[AdjustmentMonth]:
    """The adjustment lines by month of the service. A visit's cost never
    changes (a correction is a new version), so a line adding a cost is a
    visit now counted, one taking a cost back a visit no longer counted,
    and one without a cost a visit whose split changed."""
    rows = (SettlementLine.objects
            .filter(run_id=run_id, provider_id=provider_id, is_adjustment=True)
            .values("service_month")
            .annotate(added=Count("pk", filter=Q(cost__gt=0)),
                      withdrawn=Count("pk", filter=Q(cost__lt=0)),
                      changed=Count("pk", filter=Q(cost=0)),
                      **_money_sums())
            .order_by("service_month"))
    return [AdjustmentMonth(month=r["service_month"], added=r["added"],
                            withdrawn=r["withdrawn"], changed=r["changed"], cost=r["cost"],
                            subsidy=r["subsidy"], elder_pays=r["elder_pays"],
                            bonus=r["bonus"]) for r in rows]


def _withholdings(run_id: int, provider_id: int) -> list[WithholdingRow]:
    rows = (Withholding.objects.filter(run_id=run_id, provider_id=provider_id)
            .select_related("finding").order_by("finding__month", "finding_id"))
    return [WithholdingRow(rule=row.finding.get_rule_display(), summary=row.finding.summary,
                           month=row.finding.month, amount=row.amount) for row in rows]


def signatories(run: SettlementRun) -> list[Signatory]:
    """The district's reviewer and the finance officer who approved, with
    their dates (blank until they acted)."""
    def name(user):
        return "" if user is None else (user.get_full_name() or user.username)

    return [
        Signatory(str(_("Reviewed by (district)")), name(run.reviewed_by),
                  run.reviewed_at.date() if run.reviewed_at else None),
        Signatory(str(_("Approved by (finance)")), name(run.approved_by),
                  run.approved_at.date() if run.approved_at else None),
    ]


def provider_statement(settlement: ProviderSettlement | int) -> ProviderStatement:
    """The statement of one provider in a run (``settlement``: its
    ProviderSettlement or its id), in six queries."""
    settlement = _settlement(settlement)
    run_id, provider_id = settlement.run_id, settlement.provider_id
    run = settlement.run
    return ProviderStatement(
        run=run, settlement=settlement,
        items=_item_totals(run_id, provider_id),
        elders=_elders_served(run_id, provider_id),
        bonuses=_bonuses(run_id, provider_id),
        adjustments=_adjustments(run_id, provider_id),
        withholdings=_withholdings(run_id, provider_id),
        signatories=signatories(run))


# --- the district summary -----------------------------------------------------------


@dataclass(frozen=True)
class StreetTotal:
    street: str
    elders: int
    visits: int
    cost: Decimal
    subsidy: Decimal
    elder_pays: Decimal
    bonus: Decimal
    adjustments: Decimal


@dataclass(frozen=True)
class FeeRow:
    body: str
    month: date
    amount: Decimal


@dataclass
class DistrictSummary(OfARun):
    run: SettlementRun
    providers: list[ProviderSettlement]
    streets: list[StreetTotal]
    fees: list[FeeRow]
    city_ratio: Decimal | None  # the city's share of the subsidy (0.4)
    signatories: list[Signatory] = field(default_factory=list)

    @property
    def provider_totals(self) -> dict:
        names = ("cost", "subsidy", "elder_pays", "bonus", "adjustments", "withheld",
                 "payable")
        totals = {name: sum((getattr(p, name) for p in self.providers), ZERO)
                  for name in names}
        totals["visits"] = sum(p.visits for p in self.providers)
        totals["elders"] = sum(p.elders for p in self.providers)
        totals["bonus_visits"] = sum(p.bonus_visits for p in self.providers)
        return totals

    @property
    def street_totals(self) -> dict:
        names = ("cost", "subsidy", "elder_pays", "bonus", "adjustments")
        totals = {name: sum((getattr(s, name) for s in self.streets), ZERO) for name in names}
        totals["visits"] = sum(s.visits for s in self.streets)
        totals["elders"] = sum(s.elders for s in self.streets)
        return totals

    @property
    def fee_total(self) -> Decimal:
        return sum((f.amount for f in self.fees), ZERO)

    def _percent(self, share: Decimal | None) -> str:
        if share is None:
            return ""
        return f"{(share * 100).quantize(Decimal('0.01')).normalize():f}%"

    @property
    def city_percent(self) -> str:
        return self._percent(self.city_ratio)

    @property
    def district_percent(self) -> str:
        return self._percent(None if self.city_ratio is None else 1 - self.city_ratio)

    @property
    def ratio(self) -> str:
        """The city : district ratio, as "40% : 60%" ("" when unknown)."""
        if self.city_ratio is None:
            return ""
        return f"{self.city_percent} : {self.district_percent}"


def _run(run: SettlementRun | int) -> SettlementRun:
    pk = run.pk if isinstance(run, SettlementRun) else run
    return (SettlementRun.objects.select_related("district", "reviewed_by", "approved_by")
            .get(pk=pk))


def _streets(run_id: int) -> list[StreetTotal]:
    month = ~Q(is_adjustment=True)
    rows = (SettlementLine.objects.filter(run_id=run_id)
            .values("elder__residence_street", street=F("elder__residence_street__name"))
            # the adjustments first: their F() name the line's fields, not the sums
            .annotate(adjustments=Coalesce(
                          Sum(F("subsidy") + F("bonus"), filter=Q(is_adjustment=True)),
                          Value(ZERO), output_field=DecimalField(max_digits=14,
                                                                 decimal_places=2)))
            .annotate(elders=Count("elder_id", distinct=True, filter=month),
                      visits=Count("pk", filter=month), **_money_sums(month))
            .order_by("street", "elder__residence_street"))
    return [StreetTotal(street=r["street"], elders=r["elders"], visits=r["visits"],
                        cost=r["cost"], subsidy=r["subsidy"], elder_pays=r["elder_pays"],
                        bonus=r["bonus"], adjustments=r["adjustments"]) for r in rows]


def _city_ratio(run: SettlementRun) -> Decimal | None:
    """The city's share in force at the month's end, as the run was split
    (one query); None when none is."""
    found = values_on(month_end(run.month), run.district_id, keys=["funding.city_share"])
    if "funding.city_share" in found:
        return found["funding.city_share"]
    return None


def district_summary(run: SettlementRun | int) -> DistrictSummary:
    """The district's summary of a run, in five queries."""
    run = _run(run)
    providers = list(ProviderSettlement.objects.filter(run=run).select_related("provider")
                     .order_by("provider__name", "provider_id"))
    fees = [FeeRow(body=line.body.name, month=line.month, amount=line.amount)
            for line in AssessmentFeeLine.objects.filter(run=run).select_related("body")
            .order_by("month", "body__name", "pk")]
    return DistrictSummary(run=run, providers=providers, streets=_streets(run.pk), fees=fees,
                           city_ratio=_city_ratio(run), signatories=signatories(run))


# --- the elder-level detail ---------------------------------------------------------

DETAIL_COLUMNS = (
    ("elder", _("Elder")),
    ("id_number_masked", _("Identity number (masked)")),
    ("street", _("Residence street")),
    ("provider", _("Service provider")),
    ("item", _("Service item")),
    ("service_date", _("Service date")),
    ("cost", _("Cost")),
    ("covered", _("Covered by the plan")),
    ("subsidy", _("Subsidy")),
    ("elder_pays", _("Paid by the elder")),
    ("bonus", _("Performance subsidy")),
    ("is_adjustment", _("Adjustment")),
    ("service_month", _("Month of the service")),
)


def elder_detail_rows(run: SettlementRun | int, chunk_size: int = 5000) -> Iterator[tuple]:
    """Every line of the run as a tuple in ``DETAIL_COLUMNS`` order, by
    provider, elder and date, from a server-side cursor (one query)."""
    run_id = run.pk if isinstance(run, SettlementRun) else run
    return (SettlementLine.objects.filter(run_id=run_id)
            .order_by("provider__name", "provider_id", "elder__name", "elder_id",
                      "service_month", "visit__service_date", "visit__check_in_at", "visit_id")
            .values_list("elder__name", "elder__id_number_masked",
                         "elder__residence_street__name", "provider__name",
                         "visit__service_item__name", "visit__service_date", "cost", "covered",
                         "subsidy", "elder_pays", "bonus", "is_adjustment", "service_month")
            .iterator(chunk_size=chunk_size))

