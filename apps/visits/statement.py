"""The elder's monthly statement (Art 27, 29; issue 6 item 8).

Every current visit recorded in the elder's name in a month, each split
between the subsidy and the elder's own share by
``apps.subsidies.rules.share_lines`` against the entitlement in force that
month: the covered visits use the month's entitlement in turn until it runs
out; a visit beyond the plan (flagged ``exceeds_plan``) is not covered and
the elder pays it (Art 29); what is left of the entitlement lapses, nothing
carries over (Art 27). An elder without an entitlement, or with services
at their own cost, pays everything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from apps.subsidies import rules
from apps.subsidies.models import EntitlementStatus, SubsidyClass
from apps.visits.reasons import Flag

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

    return (Entitlement.objects.filter(elder=elder)
            .exclude(status=EntitlementStatus.CANCELLED)
            .in_force_during(month, rules.month_end(month))
            .order_by("-valid_from", "-pk").first())


def as_rule(entitlement) -> rules.Entitlement | None:
    """The stored entitlement as the rules' value; services at own cost
    (or none at all) are no entitlement."""
    if entitlement is None or entitlement.subsidy_class == SubsidyClass.OWN_COST:
        return None
    return rules.Entitlement(
        subsidy_class=rules.SubsidyClass(entitlement.subsidy_class),
        monthly_amount=entitlement.monthly_amount,
        nursing_supplement=entitlement.nursing_supplement,
        elder_share=entitlement.elder_share)


@dataclass(frozen=True)
class StatementLine:
    visit: object  # ServiceVisit
    covered: bool
    subsidy: Decimal
    elder_pays: Decimal


@dataclass(frozen=True)
class Statement:
    elder: object
    month: date
    month_end: date
    entitlement: object | None  # the stored Entitlement, if any
    allowance: Decimal | None  # the month's amount (class 2: the cap); None: no subsidy
    lines: list[StatementLine]
    total_amount: Decimal
    total_subsidy: Decimal
    total_elder: Decimal
    not_covered: Decimal  # beyond the plan: paid by the elder in full
    lapsed: Decimal | None  # what of the allowance went unused (nothing carries over)

    @property
    def visit_count(self) -> int:
        return len(self.lines)


def month_visits(visits, elder, month: date):
    """The current visits of ``elder`` in ``month``, in order, from the
    queryset ``visits`` (the reader's scope)."""
    return (visits.filter(elder=elder).current().in_month(month, rules.month_end(month))
            .select_related("service_item", "provider", "caregiver")
            .order_by("check_in_at", "pk"))


def build_statement(elder, month: date, visits) -> Statement:
    """The statement of ``elder`` for the month starting ``month``, from the
    queryset ``visits`` (already limited to what the reader may see)."""
    month = rules.month_start(month)
    entitlement = entitlement_in_month(elder, month)
    rule = as_rule(entitlement)
    rows = list(month_visits(visits, elder, month))
    covered = [Flag.EXCEEDS_PLAN not in (visit.flags or []) for visit in rows]
    shares = rules.share_lines(rule, [(visit.amount, c) for visit, c in zip(rows, covered,
                                                                             strict=True)])
    lines = [StatementLine(visit, c, share.subsidy, share.elder_pays)
             for visit, c, share in zip(rows, covered, shares, strict=True)]
    total_amount = sum((line.visit.amount for line in lines), ZERO)
    total_subsidy = sum((line.subsidy for line in lines), ZERO)
    total_elder = sum((line.elder_pays for line in lines), ZERO)
    not_covered = sum((line.visit.amount for line in lines if not line.covered), ZERO)
    allowance = rule.monthly_amount if rule is not None else None
    lapsed = max(allowance - total_subsidy, ZERO) if allowance is not None else None
    return Statement(
        elder=elder, month=month, month_end=rules.month_end(month), entitlement=entitlement,
        allowance=allowance, lines=lines, total_amount=total_amount,
        total_subsidy=total_subsidy, total_elder=total_elder, not_covered=not_covered,
        lapsed=lapsed)
