"""The elder's monthly statement (Art 27, 29; issue 6 item 8).

Every current visit recorded in the elder's name in a month, each split
between the subsidy and the elder's own share by
``apps.subsidies.rules.share_lines`` against the entitlement in force that
month. What the plan covers is worked out when the statement is built
(``apps.careplans.rules.plan_coverage``), from the month's current visits in
chronological order, so a later correction or a visit recorded late counts
where it belongs: per service item the plan allows its times a month x units
each time; a visit is covered fully, partly or not at all, and beyond the
plan the elder pays (Art 29). The ``exceeds_plan`` flag set at intake is
advisory only. On days without a plan in force every visit is covered up to
the entitlement. The covered costs use the month's entitlement in turn until
it runs out; what is left lapses, nothing carries over (Art 27). An elder
without an entitlement, or with services at their own cost, pays everything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from apps.careplans import rules as plan_rules
from apps.careplans.services import plans_during
from apps.subsidies import rules
from apps.subsidies.models import SubsidyClass

ZERO = Decimal("0.00")


def parse_month(text: str) -> date | None:
    """The first day of the month written ``YYYY-MM``; None when malformed."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", text or "")
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), 1)
    except ValueError:
        return None


def entitlement_in_month(elder, month: date):
    """The elder's entitlement covering the month (a change of circumstances
    takes effect from a first of the month, Art 32, so there is one); a
    cancelled one (fraud) covers nothing."""
    from apps.subsidies.models import Entitlement

    return Entitlement.objects.serving(elder, month, rules.month_end(month))


@dataclass(frozen=True)
class StatementLine:
    visit: object  # ServiceVisit
    covered_cost: Decimal  # the part of the amount within the plan
    subsidy: Decimal
    elder_pays: Decimal

    @property
    def beyond_plan(self) -> Decimal:
        """The part of the amount beyond the plan (Art 29)."""
        return self.visit.amount - self.covered_cost

    @property
    def covered(self) -> bool:
        """Wholly within the plan."""
        return self.beyond_plan <= 0

    @property
    def partly_covered(self) -> bool:
        return self.covered_cost > 0 and self.beyond_plan > 0


@dataclass(frozen=True)
class Statement:
    elder: object
    month: date
    month_end: date
    entitlement: object | None  # the stored Entitlement, if any
    allowance: Decimal | None  # the month's amount (class 2: the cap); None: no subsidy
    elder_share: Decimal | None  # the share of the covered cost the elder pays (class 2)
    lines: list[StatementLine]
    total_amount: Decimal
    total_subsidy: Decimal
    total_elder: Decimal
    not_covered: Decimal  # beyond the plan: paid by the elder in full
    lapsed: Decimal | None  # what of the allowance went unused (nothing carries over)

    @property
    def visit_count(self) -> int:
        return len(self.lines)

    @property
    def elder_share_percent(self) -> str | None:
        """The elder's share of the covered cost as a percentage ("50"), None
        when the subsidy pays all of it up to the amount."""
        if not self.elder_share:
            return None
        return f"{(self.elder_share * 100).quantize(Decimal('0.01')).normalize():f}"

    @property
    def capped(self) -> bool:
        """Class 2: the subsidy pays its share of the cost up to a cap."""
        return (self.entitlement is not None
                and self.entitlement.subsidy_class == SubsidyClass.CLASS_2)


def month_visits(visits, elder, month: date):
    """The current visits of ``elder`` in ``month``, in order, from the
    queryset ``visits`` (the reader's scope)."""
    return (visits.filter(elder=elder).current().in_month(month, rules.month_end(month))
            .select_related("service_item", "provider", "caregiver")
            .order_by("check_in_at", "pk"))


def plan_coverage(elder, month: date, rows) -> list[plan_rules.Coverage]:
    """What the elder's plans cover of ``rows`` (the month's current visits),
    in their order."""
    plans = plans_during(elder, month, rules.month_end(month))
    return plan_rules.plan_coverage(
        [plan_rules.CoverageVisit(
            pk=visit.pk, check_in_at=visit.check_in_at, service_item_id=visit.service_item_id,
            provider_id=visit.provider_id, units=visit.units, amount=visit.amount,
            plan=plans.plan_on(visit.service_date)) for visit in rows],
        plans.allowances)


def build_statement(elder, month: date, visits) -> Statement:
    """The statement of ``elder`` for the month starting ``month``, from the
    queryset ``visits`` (already limited to what the reader may see)."""
    month = rules.month_start(month)
    entitlement = entitlement_in_month(elder, month)
    rule = None if entitlement is None else entitlement.as_rule()
    rows = list(month_visits(visits, elder, month))
    coverage = plan_coverage(elder, month, rows)
    shares = rules.share_lines(rule, [(visit.amount, part.covered_cost)
                                      for visit, part in zip(rows, coverage, strict=True)])
    lines = [StatementLine(visit, part.covered_cost, share.subsidy, share.elder_pays)
             for visit, part, share in zip(rows, coverage, shares, strict=True)]
    total_amount = sum((line.visit.amount for line in lines), ZERO)
    total_subsidy = sum((line.subsidy for line in lines), ZERO)
    total_elder = sum((line.elder_pays for line in lines), ZERO)
    not_covered = sum((line.beyond_plan for line in lines), ZERO)
    allowance = rule.monthly_amount if rule is not None else None
    lapsed = max(allowance - total_subsidy, ZERO) if allowance is not None else None
    return Statement(
        elder=elder, month=month, month_end=rules.month_end(month), entitlement=entitlement,
        allowance=allowance, elder_share=rule.elder_share if rule is not None else None,
        lines=lines, total_amount=total_amount,
        total_subsidy=total_subsidy, total_elder=total_elder, not_covered=not_covered,
        lapsed=lapsed)
