"""Every amount, ratio, deadline and age the policy sets (DOMAIN.md), and the
Guangzhou values seeded on installation.

The values themselves live in the database as dated versions
(``PolicyValue``) that administrators add, city-wide or for one district;
this table only names the keys, their units and where they come from. Read
them with ``apps.policy.lookup.value_on(key, day, district)``. A new key
is seeded by a data migration (the database refuses back-dated versions
once seeding is over, so seed before, or inside ``pgtrigger.ignore``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.TextChoices):
    CNY = "cny", _("yuan")
    CNY_PER_MONTH = "cny_month", _("yuan per month")
    CNY_PER_YEAR = "cny_year", _("yuan per year")
    CNY_PER_VISIT = "cny_visit", _("yuan per visit")
    SHARE = "share", _("share (0–1)")
    PERSON_COUNT = "elders", _("elders")
    DAY_OF_JANUARY = "day_of_january", _("day of January")
    MONTH = "month", _("month of the year")
    WORKING_DAYS = "working_days", _("working days")
    DAYS = "days", _("calendar days")
    MONTHS = "months", _("months")
    YEARS = "years", _("years")
    AGE = "age", _("years of age")
    PERSONS = "persons", _("persons")
    SQUARE_METRES = "m2", _("square metres")
    METRES = "m", _("metres")
    MINUTES = "minutes", _("minutes")
    TIMES = "times", _("times")


@dataclass(frozen=True)
class Parameter:
    key: str
    label: str
    unit: str
    basis: str


P = Parameter
PARAMETERS: dict[str, Parameter] = {p.key: p for p in [
    P("elder.min_age", _("Minimum age to apply for services"), Unit.AGE, "Art 12"),
    P("subsidy.class1.monthly", _("Class 1 monthly subsidy"), Unit.CNY_PER_MONTH, "Art 27(1)"),
    P("subsidy.class1.nursing_supplement", _("Class 1 nursing supplement (severe disability)"),
      Unit.CNY_PER_MONTH, "Art 27(1)"),
    P("subsidy.class1.alone_age", _("Class 1 age for elders living alone"), Unit.AGE,
      "Art 26(1)(3)"),
    P("subsidy.class1.centenarian_age", _("Class 1 age for centenarians"), Unit.AGE,
      "Art 26(1)(5)"),
    P("subsidy.class2.min_age", _("Class 2 minimum age (unless pure-elderly household)"),
      Unit.AGE, "Art 26(2)"),
    P("subsidy.class2.monthly_cap", _("Class 2 monthly subsidy cap"), Unit.CNY_PER_MONTH,
      "Art 27(2)"),
    P("subsidy.class2.copay_share", _("Class 2 share paid by the elder"), Unit.SHARE,
      "Art 27(2)"),
    P("subsidy.class2.minimum_wage", _("City minimum monthly wage (class 2 pension test)"),
      Unit.CNY_PER_MONTH, "Art 26(2)"),
    P("bonus.qualified", _("Per-visit performance subsidy, grade qualified"), Unit.CNY_PER_VISIT,
      "Art 24"),
    P("bonus.good", _("Per-visit performance subsidy, grade good"), Unit.CNY_PER_VISIT, "Art 24"),
    P("bonus.excellent", _("Per-visit performance subsidy, grade excellent"),
      Unit.CNY_PER_VISIT, "Art 24"),
    P("bonus.unqualified", _("Per-visit performance subsidy, grade unqualified"),
      Unit.CNY_PER_VISIT, "Art 24"),
    P("deadline.initial_check", _("Street initial check"), Unit.WORKING_DAYS, "Art 28(2)"),
    P("deadline.district_verification", _("District verification and assessment"),
      Unit.WORKING_DAYS, "Art 28(3)"),
    P("deadline.re_review", _("Re-review after an objection"), Unit.WORKING_DAYS, "Art 28(5)"),
    P("deadline.due_soon", _("A step shows as due soon this many working days ahead"),
      Unit.WORKING_DAYS, _("office practice")),
    P("ratio.care_manager_elders", _("Subsidised elders per care manager (at most)"),
      Unit.PERSONS, "Art 5"),
    P("ratio.nurse_clients", _("Rehabilitation-nursing clients per qualified nurse (at most)"),
      Unit.PERSONS, "Art 15"),
    P("facility.district_platform.min_funding", _("District platform yearly funding floor"),
      Unit.CNY_PER_YEAR, "Art 9"),
    P("facility.district_platform.min_funding_direct",
      _("District platform yearly funding floor when serving residents directly"),
      Unit.CNY_PER_YEAR, "Art 9"),
    P("facility.street_platform.min_area", _("Street platform minimum total floor area"),
      Unit.SQUARE_METRES, "Art 7(2)"),
    P("facility.street_platform.min_funding", _("Street platform yearly funding floor"),
      Unit.CNY_PER_YEAR, "Art 9"),
    P("facility.street_platform.small_street_elders",
      _("Elders below which a district may lower the street platform funding floor"),
      Unit.PERSON_COUNT, "Art 9"),
    P("facility.community_station.min_area", _("Community station minimum floor area"),
      Unit.SQUARE_METRES, "Art 7(3)"),
    P("facility.community_station.min_funding", _("Community station yearly funding floor"),
      Unit.CNY_PER_YEAR, "Art 9"),
    P("facility.community_station.min_funding_meals",
      _("Starlight home with meal service: yearly funding floor"), Unit.CNY_PER_YEAR, "Art 9"),
    P("assessment.fee_floor", _("Care-needs assessment fee floor"), Unit.CNY, "Art 21"),
    P("assessment.district_share.subsidy", _("District share of the fee, subsidy applicants"),
      Unit.SHARE, "Art 21"),
    P("assessment.district_share.other", _("District share of the fee, other applicants"),
      Unit.SHARE, "Art 21"),
    P("assessment.home_min_assessors", _("Assessors required for a home assessment"),
      Unit.PERSONS, "Art 20"),
    P("assessment.routine_interval", _("Routine re-assessment of subsidised elders after"),
      Unit.MONTHS, "Art 20; GB/T 42195-2022"),
    P("evaluation.publication_days", _("Publication period of evaluation results"), Unit.DAYS,
      "Art 23"),
    P("evaluation.appeal_working_days", _("Appeal deadline: working days after the posting ends"),
      Unit.WORKING_DAYS, "Art 23"),
    P("evaluation.bar_years", _("Tender bar after losing a contract"), Unit.YEARS, "Art 25"),
    P("evaluation.cost_cap_share", _("Evaluation cost cap, share of service spending"),
      Unit.SHARE, "Art 22"),
    P("contract.max_years", _("Maximum provider contract length"), Unit.YEARS, "Art 14"),
    P("evaluation.report_by_month", _("Month by which evaluation results are reported"),
      Unit.MONTH, "Art 23"),
    P("funding.city_share", _("City's share of the funding (per district)"), Unit.SHARE,
      "Art 33"),
    P("visit.gps_tolerance", _("A visit further than this from the registered address is flagged"),
      Unit.METRES, _("office practice (DOMAIN.md §5)")),
    P("visit.followup_share", _("Share of each month's visits followed up by phone"),
      Unit.SHARE, _("office practice (DOMAIN.md §5)")),
    P("visit.followup_working_days", _("Follow-up calls are due within"), Unit.WORKING_DAYS,
      _("office practice (DOMAIN.md §5)")),
    P("complaint.answer_working_days", _("A complaint is answered within"), Unit.WORKING_DAYS,
      _("office practice (DOMAIN.md §5)")),
    P("funding.clearing_day", _("Yearly clearing of the previous year's funds, by this day"),
      Unit.DAY_OF_JANUARY, "Art 33"),
    P("audit.volume_factor",
      _("The audit flags a provider's month above this multiple of its three-month median"),
      Unit.TIMES, _("office practice (issue 7 §6)")),
    P("audit.billed_minutes_tolerance",
      _("The audit flags an hourly visit billing more minutes than it lasted, beyond this"),
      Unit.MINUTES, _("office practice (issue 7 §6)")),
]}
del P

# The date the seeded Guangzhou values are taken to apply from. The measures'
# own issue date is not in the text we hold; administrators record later
# revisions as new versions with their real dates.
SEED_FROM = date(2016, 1, 1)
D = Decimal
SEED_VALUES: list[tuple[str, Decimal, date]] = [
    ("elder.min_age", D(60), SEED_FROM),
    ("subsidy.class1.monthly", D(400), SEED_FROM),
    ("subsidy.class1.nursing_supplement", D(200), SEED_FROM),
    ("subsidy.class1.alone_age", D(80), SEED_FROM),
    ("subsidy.class1.centenarian_age", D(100), SEED_FROM),
    ("subsidy.class2.min_age", D(80), SEED_FROM),
    ("subsidy.class2.monthly_cap", D(200), SEED_FROM),
    ("subsidy.class2.copay_share", D("0.5"), SEED_FROM),
    # Guangzhou's published minimum monthly wage (Guangdong provincial notices).
    ("subsidy.class2.minimum_wage", D(1895), date(2015, 5, 1)),
    ("subsidy.class2.minimum_wage", D(2100), date(2018, 7, 1)),
    ("subsidy.class2.minimum_wage", D(2300), date(2021, 12, 1)),
    ("subsidy.class2.minimum_wage", D(2500), date(2025, 3, 1)),
    ("bonus.qualified", D(2), SEED_FROM),
    ("bonus.good", D(3), SEED_FROM),
    ("bonus.excellent", D(4), SEED_FROM),
    ("bonus.unqualified", D(0), SEED_FROM),
    ("deadline.initial_check", D(5), SEED_FROM),
    ("deadline.district_verification", D(10), SEED_FROM),
    ("deadline.re_review", D(15), SEED_FROM),
    ("deadline.due_soon", D(2), SEED_FROM),
    ("ratio.care_manager_elders", D(50), SEED_FROM),
    ("ratio.nurse_clients", D(10), SEED_FROM),
    ("facility.district_platform.min_funding", D(1_000_000), SEED_FROM),
    ("facility.district_platform.min_funding_direct", D(2_000_000), SEED_FROM),
    ("facility.street_platform.min_area", D(500), SEED_FROM),
    ("facility.street_platform.min_funding", D(600_000), SEED_FROM),
    ("facility.community_station.min_area", D(100), SEED_FROM),
    ("facility.community_station.min_funding", D(30_000), SEED_FROM),
    ("facility.community_station.min_funding_meals", D(50_000), SEED_FROM),
    ("assessment.fee_floor", D(100), SEED_FROM),
    ("assessment.district_share.subsidy", D(1), SEED_FROM),
    ("assessment.district_share.other", D("0.5"), SEED_FROM),
    ("assessment.home_min_assessors", D(2), SEED_FROM),
    # Neither the measures nor the sources we hold fix the interval
    # (ASSESSMENT.md §1.7, [LOW]); a year is the common practice.
    ("assessment.routine_interval", D(12), SEED_FROM),
    ("evaluation.publication_days", D(10), SEED_FROM),
    ("evaluation.appeal_working_days", D(7), SEED_FROM),
    ("evaluation.bar_years", D(2), SEED_FROM),
    ("evaluation.cost_cap_share", D("0.05"), SEED_FROM),
    ("contract.max_years", D(3), SEED_FROM),
    ("evaluation.report_by_month", D(5), SEED_FROM),
    ("facility.street_platform.small_street_elders", D(3000), SEED_FROM),
    ("funding.clearing_day", D(30), SEED_FROM),
    # Not set by the measures: what a district office would start from.
    ("visit.gps_tolerance", D(500), SEED_FROM),
    ("visit.followup_share", D("0.05"), SEED_FROM),
    ("visit.followup_working_days", D(10), SEED_FROM),
    ("complaint.answer_working_days", D(15), SEED_FROM),
    # Not set by the measures: what the audit starts from (issue 7 §6).
    ("audit.volume_factor", D("1.5"), SEED_FROM),
    ("audit.billed_minutes_tolerance", D(15), SEED_FROM),
]

# City:district funding ratios by district, as the purchased-service model
# sets them (policy/purchased-service-centre-funding.zh.txt: 5:5, 4:6, 8:2,
# 6:4, district alone; 萝岗 has since merged into 黄埔). Stored as the city's
# share; confirm against the current eldercare funding notice.
FUNDING_BASIS = "购买服务经费市区分担比例（参照）"
DISTRICT_SEED_VALUES: list[tuple[str, str, Decimal, date]] = [
    ("funding.city_share", code, Decimal(share), SEED_FROM)
    for codes, share in [
        (("440104", "440105", "440103", "440111"), "0.5"),
        (("440106", "440112", "440113", "440114"), "0.4"),
        (("440117",), "0.8"),
        (("440118",), "0.6"),
        (("440115",), "0"),
    ]
    for code in codes
]
del D
