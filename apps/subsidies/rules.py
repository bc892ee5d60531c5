"""Who may receive the home-care subsidy, and how much (Art 12, 26, 27).

Pure functions over plain values: no database, no settings. The policy
values come in as the dict ``apps.policy.lookup.values_on(day)`` returns, so
the amounts, ages and wage in force on the date decide. Every criterion is
reported met or missed with its reason, for the clerk and for the letter to
the applicant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from apps.elders.identity import age_on

CENT = Decimal("0.01")


class CareLevel(StrEnum):
    """The care-need level a subsidy uses (after the assessment mapping)."""

    NONE = "none"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"  # 重度, which includes a final grade of 完全失能 (§0.1 item 4)


class ModelWorker(StrEnum):
    NONE = "none"
    BELOW_MUNICIPAL = "below_municipal"
    MUNICIPAL = "municipal"
    PROVINCIAL = "provincial"
    NATIONAL = "national"


class SubsidyClass(StrEnum):
    CLASS_1 = "class1"
    CLASS_2 = "class2"


# Services at the elder's own cost: no entitlement, the elder pays all.
OWN_COST = "own_cost"


@dataclass(frozen=True)
class ElderFacts:
    """What the street office knows of an applicant on the date of decision."""

    birth_date: date
    local_hukou: bool
    lives_in_city: bool = True
    care_level: CareLevel = CareLevel.NONE
    sanwu_or_wubao: bool = False  # 城镇“三无” or 农村五保
    dibao: bool = False  # minimum-living-guarantee household
    low_income: bool = False
    youfu: bool = False  # entitled-care recipient with a pension or subsidy
    lives_alone: bool = False  # 独居 as Art 38 defines it
    lives_only_with_severely_disabled_child: bool = False
    gugua: bool = False  # 孤寡: no spouse and no children
    pure_elderly_household: bool = False  # 纯老家庭
    model_worker: ModelWorker = ModelWorker.NONE
    family_planning_special_support: bool = False
    monthly_pension: Decimal | None = None
    willing_to_pay_half: bool = False

    @property
    def disabled(self) -> bool:
        """失能 (Art 38): assessed mildly, moderately or severely disabled."""
        return self.care_level != CareLevel.NONE


@dataclass(frozen=True)
class Criterion:
    code: str
    met: bool
    reason: str


@dataclass(frozen=True)
class Entitlement:
    subsidy_class: SubsidyClass
    monthly_amount: Decimal  # class 1: the amount; class 2: the cap
    nursing_supplement: Decimal  # included in monthly_amount
    elder_share: Decimal  # share of the cost the elder pays (class 2: one half)


@dataclass(frozen=True)
class Decision:
    age: int
    prerequisites: list[Criterion]
    class1: list[Criterion]
    class2: list[Criterion]
    entitlement: Entitlement | None
    own_cost_only: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return self.entitlement is not None


# The policy values ``decide`` reads: each must be in force on the day.
DECISION_KEYS = ("elder.min_age", "subsidy.class1.alone_age", "subsidy.class1.centenarian_age",
                 "subsidy.class2.min_age", "subsidy.class2.minimum_wage",
                 "subsidy.class1.nursing_supplement", "subsidy.class1.monthly",
                 "subsidy.class2.monthly_cap", "subsidy.class2.copay_share")


def _age_parameter(values, key) -> int:
    return int(values[key])


def decide(facts: ElderFacts, on: date, values: dict[str, Decimal]) -> Decision:
    """Decide subsidy eligibility and the monthly entitlement on ``on``."""
    age = age_on(facts.birth_date, on)
    min_age = _age_parameter(values, "elder.min_age")
    alone_age = _age_parameter(values, "subsidy.class1.alone_age")
    centenarian_age = _age_parameter(values, "subsidy.class1.centenarian_age")
    class2_age = _age_parameter(values, "subsidy.class2.min_age")
    minimum_wage = values["subsidy.class2.minimum_wage"]

    prerequisites = [
        Criterion("min_age", age >= min_age,
                  _("Aged %(age)s; services are for people aged %(min)s or over (Art 12).")
                  % {"age": age, "min": min_age}),
        Criterion("local_hukou", facts.local_hukou,
                  _("Local hukou.") if facts.local_hukou else
                  _("Non-local hukou: services at own cost only (Art 16, 26).")),
        Criterion("lives_in_city", facts.lives_in_city,
                  _("Lives in the city.") if facts.lives_in_city else
                  _("Does not live in the city (Art 26).")),
    ]

    in_three_groups = facts.dibao or facts.low_income or facts.youfu
    alone_or_with_disabled_child = (facts.lives_alone
                                    or facts.lives_only_with_severely_disabled_child)
    municipal_model_worker = facts.model_worker in (
        ModelWorker.MUNICIPAL, ModelWorker.PROVINCIAL, ModelWorker.NATIONAL)
    class1 = [
        Criterion("c1_sanwu_wubao", facts.sanwu_or_wubao,
                  _("Urban 'three-no' person or rural five-guarantee recipient (Art 26(1)1).")),
        Criterion("c1_household_disabled", in_three_groups and facts.disabled,
                  _("Member of a minimum-living-guarantee, low-income or entitled-care "
                    "household who is disabled (Art 26(1)2).")),
        Criterion("c1_alone", (in_three_groups or age >= alone_age)
                  and alone_or_with_disabled_child,
                  _("Member of those households or aged %(age)s or over, living alone or "
                    "only with a child holding a severe-disability certificate "
                    "(Art 26(1)3).") % {"age": alone_age}),
        Criterion("c1_model_worker", municipal_model_worker and facts.disabled,
                  _("Municipal-or-higher model worker who is disabled (Art 26(1)4).")),
        Criterion("c1_centenarian", age >= centenarian_age,
                  _("Aged %(age)s or over (Art 26(1)5).") % {"age": centenarian_age}),
        Criterion("c1_family_planning", facts.family_planning_special_support,
                  _("Family-planning special-support recipient (Art 26(1)6).")),
    ]
    pension_below = facts.monthly_pension is not None and facts.monthly_pension < minimum_wage
    class2 = [
        Criterion("c2_pension", pension_below,
                  _("Monthly pension below the city minimum wage of %(wage)s (Art 26(2)).")
                  % {"wage": minimum_wage.quantize(CENT)}),
        Criterion("c2_pays_half", facts.willing_to_pay_half,
                  _("Willing to pay half of the cost (Art 26(2)).")),
        Criterion("c2_disabled", facts.disabled,
                  _("Assessed as disabled (Art 26(2), Art 38).")),
        Criterion("c2_age_or_household",
                  age >= class2_age or facts.pure_elderly_household or facts.gugua
                  or facts.lives_alone,
                  _("Aged %(age)s or over, or in a pure-elderly household (including "
                    "孤寡 and living alone) (Art 26(2)).") % {"age": class2_age}),
    ]

    base_ok = all(c.met for c in prerequisites)
    options = []
    if base_ok and any(c.met for c in class1):
        supplement = (values["subsidy.class1.nursing_supplement"]
                      if facts.care_level == CareLevel.SEVERE else Decimal(0))
        options.append(Entitlement(SubsidyClass.CLASS_1,
                                   values["subsidy.class1.monthly"] + supplement,
                                   supplement, Decimal(0)))
    if base_ok and all(c.met for c in class2):
        options.append(Entitlement(SubsidyClass.CLASS_2, values["subsidy.class2.monthly_cap"],
                                   Decimal(0), values["subsidy.class2.copay_share"]))
    # Art 27: meeting several criteria gives the highest single entitlement;
    # on equal amounts the one without a co-payment.
    entitlement = max(options, key=lambda e: (e.monthly_amount, -e.elder_share), default=None)
    own_cost_only = not facts.local_hukou and age >= min_age
    return Decision(age, prerequisites, class1, class2, entitlement, own_cost_only)


def as_entitlement(subsidy_class: str, monthly_amount: Decimal, nursing_supplement: Decimal,
                   elder_share: Decimal) -> Entitlement | None:
    """The rules' entitlement for the fields of a stored one; None for
    services at the elder's own cost (the elder pays everything)."""
    if str(subsidy_class) == OWN_COST:
        return None
    return Entitlement(SubsidyClass(subsidy_class), Decimal(monthly_amount),
                       Decimal(nursing_supplement), Decimal(elder_share))


@dataclass(frozen=True)
class MonthShare:
    subsidy: Decimal
    elder_pays: Decimal


def share_cost(entitlement: Entitlement | None, cost: Decimal) -> MonthShare:
    """Split a month's covered cost between the subsidy and the elder (Art 27, 29).

    Class 1 covers the cost up to the monthly amount; class 2 covers the
    subsidised share of the cost, up to the cap. The elder pays the rest;
    nothing carries over. Rounded to the cent, half up, once.
    """
    cost = cost.quantize(CENT, ROUND_HALF_UP)
    if entitlement is None or cost <= 0:
        return MonthShare(Decimal("0.00"), cost)
    covered = cost * (1 - entitlement.elder_share)
    subsidy = min(covered, entitlement.monthly_amount).quantize(CENT, ROUND_HALF_UP)
    return MonthShare(subsidy, cost - subsidy)


def share_lines(entitlement: Entitlement | None,
                lines: list[tuple[Decimal, Decimal]]) -> list[MonthShare]:
    """Split each of a month's services, in the order given (chronological),
    between the subsidy and the elder.

    ``lines`` are ``(cost, covered_cost)``: the part of a service's cost the
    plan covers (all of it, a share, or nothing); beyond the plan the elder
    pays (Art 29). The covered costs use the month's entitlement in turn
    until it runs out; each line's subsidy is what its covered cost adds to
    ``share_cost`` of the running covered total, so the lines add up to
    exactly the month's split of the covered total.
    """
    shares: list[MonthShare] = []
    running = Decimal("0.00")
    subsidised = Decimal("0.00")
    for cost, covered_cost in lines:
        cost = cost.quantize(CENT, ROUND_HALF_UP)
        covered_cost = min(max(covered_cost.quantize(CENT, ROUND_HALF_UP), Decimal("0.00")),
                           cost)
        if covered_cost <= 0:
            shares.append(MonthShare(Decimal("0.00"), cost))
            continue
        running += covered_cost
        total = share_cost(entitlement, running).subsidy
        shares.append(MonthShare(total - subsidised, cost - (total - subsidised)))
        subsidised = total
    return shares


def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month_start(day: date) -> date:
    return (month_start(day) - timedelta(days=1)).replace(day=1)


def next_month_start(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def month_end(day: date) -> date:
    return next_month_start(day) - timedelta(days=1)


def months_between(start: date, end: date) -> int:
    """Whole months from the month of ``start`` to that of ``end``, inclusive."""
    if end < start:
        return 0
    return (end.year - start.year) * 12 + end.month - start.month + 1
