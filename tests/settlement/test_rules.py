"""The settlement's reference rules (Art 24, 27, 29, 33), without a database:
properties over generated months, then hand-computed golden months."""

import random
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.careplans.rules import CoverageVisit, PlanAllowanceLine, plan_allowances, plan_coverage
from apps.policy.parameters import SEED_VALUES
from apps.settlement.rules import (
    CLASS_1,
    CLASS_2,
    OWN_COST,
    ElderMonth,
    EntitlementTerms,
    LineResult,
    VisitLine,
    bonus_per_visit,
    funding_split,
    grades_from,
    qualifies_for_bonus,
    settle_elder,
    settle_month,
    settle_provider,
)
from apps.subsidies.rules import Entitlement, SubsidyClass

TZ = ZoneInfo("Asia/Shanghai")
ON = date(2026, 11, 1)
D = Decimal
ONE = D(1)


def values(on=ON):
    """The seeded Guangzhou policy values in force on ``on``."""
    chosen = {}
    for key, value, valid_from in sorted(SEED_VALUES, key=lambda row: row[2]):
        if valid_from <= on:
            chosen[key] = value
    return chosen


VALUES = values()
CLASS1 = EntitlementTerms(CLASS_1, D("400.00"))
CLASS1_SEVERE = EntitlementTerms(CLASS_1, D("600.00"))
CLASS2 = EntitlementTerms(CLASS_2, D("200.00"), D("0.5"))

# (item code, category, bonus eligible, minimum minutes), as fixtures/service_items.json
ITEMS = {
    "LC-HOME": ("life_care", True, 60),
    "RN-HOME": ("rehabilitation_nursing", True, 30),
    "HC-HOME": ("healthcare", True, None),
    "DC-DAY": ("day_care", True, None),
    "LC-CLEAN": ("life_care", False, None),
    "ML-CANTEEN": ("meals", False, None),
}


def at(day, hour=9, minute=0):
    return datetime(ON.year, ON.month, day, hour, minute, tzinfo=TZ)


def line(visit_id, amount, covered=None, *, elder=1, provider=1, item="LC-HOME", day=1,
         hour=9, minutes=90, units=ONE):
    category, eligible, min_minutes = ITEMS[item]
    amount = D(amount)
    return VisitLine(visit_id=visit_id, elder_id=elder, provider_id=provider, item_code=item,
                     category=category, check_in_at=at(day, hour), minutes=minutes,
                     units=units, amount=amount,
                     covered_amount=amount if covered is None else D(covered),
                     bonus_eligible=eligible, min_duration_minutes=min_minutes,
                     is_home_visit=item.endswith("-HOME"))


def splits(results):
    return [(r.subsidy, r.elder_pays) for r in results]


# --- generated months -----------------------------------------------------------

cents = st.integers(0, 40_000).map(lambda c: D(c) / 100)

entitlements = st.one_of(
    st.just(None),
    st.just(EntitlementTerms(OWN_COST, D("0.00"))),
    st.sampled_from([CLASS1, CLASS1_SEVERE, CLASS2]),
    st.integers(0, 100_000).map(lambda c: EntitlementTerms(CLASS_1, D(c) / 100)),
    st.integers(0, 50_000).map(lambda c: EntitlementTerms(CLASS_2, D(c) / 100, D("0.5"))),
)


@st.composite
def visit_lines(draw, elders=(1,), max_size=14):
    """Lines of a month: unique visit ids, check-ins often tied (the visit id
    then decides), amounts in cents, covered fully, partly or not at all."""
    count = draw(st.integers(0, max_size))
    ids = draw(st.lists(st.integers(1, 10_000), min_size=count, max_size=count, unique=True))
    lines = []
    for visit_id in ids:
        amount = draw(cents)
        covered = draw(st.one_of(st.just(amount), st.just(D("0.00")),
                                 st.integers(0, int(amount * 100)).map(lambda c: D(c) / 100)))
        item = draw(st.sampled_from(sorted(ITEMS)))
        category, eligible, min_minutes = ITEMS[item]
        lines.append(VisitLine(
            visit_id=visit_id, elder_id=draw(st.sampled_from(elders)),
            provider_id=draw(st.integers(1, 3)), item_code=item, category=category,
            check_in_at=at(draw(st.integers(1, 3)), draw(st.sampled_from([9, 14]))),
            minutes=draw(st.integers(10, 120)), units=D(1), amount=amount,
            covered_amount=covered, bonus_eligible=eligible, min_duration_minutes=min_minutes))
    return lines


grade_tables = st.dictionaries(
    st.tuples(st.integers(1, 3), st.sampled_from(sorted({c for c, _e, _m in ITEMS.values()}))),
    st.sampled_from(["excellent", "good", "qualified", "unqualified"]))


def entitlement_amount(terms):
    if terms is None or terms.subsidy_class == OWN_COST:
        return D("0.00")
    return terms.monthly_amount


@given(visit_lines(), entitlements)
def test_subsidy_within_entitlement_and_covered_cost(lines, terms):
    results, month = settle_elder(lines, terms, elder_id=1)
    covered = sum((ln.covered_amount for ln in lines), D(0))
    assert D(0) <= month.subsidy <= entitlement_amount(terms)
    assert month.subsidy <= covered
    if terms is not None and terms.subsidy_class == CLASS_2:
        # the subsidised half, rounded half up once, never more
        assert month.subsidy <= (covered / 2).quantize(D("0.01"), ROUND_HALF_UP)
    by_id = {ln.visit_id: ln for ln in lines}
    for result in results:
        visit = by_id[result.visit_id]
        assert D(0) <= result.subsidy <= visit.covered_amount
        # beyond the plan the elder pays all
        assert result.elder_pays >= visit.amount - visit.covered_amount


@given(visit_lines(), entitlements)
def test_subsidy_and_elder_share_add_up_to_the_cost(lines, terms):
    results, month = settle_elder(lines, terms, elder_id=1)
    by_id = {ln.visit_id: ln for ln in lines}
    for result in results:
        assert result.subsidy + result.elder_pays == by_id[result.visit_id].amount
        assert result.elder_pays >= 0
    assert month.cost == sum((ln.amount for ln in lines), D(0))
    assert month.subsidy + month.elder_pays == month.cost
    assert month.subsidy == sum((r.subsidy for r in results), D(0))
    assert month.elder_pays == sum((r.elder_pays for r in results), D(0))
    for amount in (month.cost, month.subsidy, month.elder_pays, month.lapsed):
        assert amount == amount.quantize(D("0.01"))


@given(visit_lines(), entitlements)
def test_lapsed_is_the_unused_entitlement(lines, terms):
    _results, month = settle_elder(lines, terms, elder_id=1)
    assert month.lapsed >= 0
    if terms is None or terms.subsidy_class == OWN_COST:
        assert month.subsidy == month.lapsed == 0
    else:
        # class 1: the monthly amount; class 2: the cap
        assert month.lapsed + month.subsidy == terms.monthly_amount


@given(visit_lines(elders=(1, 2, 3, 4), max_size=30),
       st.fixed_dictionaries(dict.fromkeys((1, 2, 3, 4), entitlements)), grade_tables)
def test_provider_totals_equal_the_sum_of_their_lines(lines, terms, grades):
    month = settle_month(lines, terms, grade_of=grades_from(grades), values=VALUES)
    by_id = {ln.visit_id: ln for ln in lines}
    results = {r.visit_id: r for r in month.lines}
    assert set(results) == set(by_id)
    for provider in month.providers:
        own = [ln for ln in lines if ln.provider_id == provider.provider_id]
        mine = [results[ln.visit_id] for ln in own]
        assert provider.visits == len(own)
        assert provider.elders == len({ln.elder_id for ln in own})
        assert provider.cost == sum((ln.amount for ln in own), D(0))
        assert provider.subsidy == sum((r.subsidy for r in mine), D(0))
        assert provider.elder_pays == sum((r.elder_pays for r in mine), D(0))
        assert provider.bonus == sum((r.bonus for r in mine), D(0))
        assert provider.bonus_visits == sum(1 for r in mine if r.bonus > 0)
        assert provider.payable == provider.subsidy + provider.bonus
        assert provider.subsidy + provider.elder_pays == provider.cost
    # the providers' months and the elders' months are the same money
    for total in ("cost", "subsidy", "elder_pays"):
        assert (sum((getattr(p, total) for p in month.providers), D(0))
                == sum((getattr(e, total) for e in month.elders), D(0)))
    # the bonus is the provider's, on top: it never touches the elder's split
    for result in month.lines:
        visit = by_id[result.visit_id]
        expected = bonus_per_visit(visit, grades.get((visit.provider_id, visit.category)),
                                   VALUES)
        assert result.bonus == expected


@settings(max_examples=50)
@given(visit_lines(elders=(1, 2, 3), max_size=25),
       st.fixed_dictionaries(dict.fromkeys((1, 2, 3), entitlements)), grade_tables,
       st.randoms(use_true_random=False))
def test_a_rerun_with_the_lines_shuffled_is_identical(lines, terms, grades, rnd):
    first = settle_month(lines, terms, grade_of=grades_from(grades), values=VALUES)
    shuffled = list(lines)
    rnd.shuffle(shuffled)
    again = settle_month(shuffled, terms, grade_of=grades_from(grades), values=VALUES)
    assert again == first
    for elder in (1, 2, 3):
        own = [ln for ln in lines if ln.elder_id == elder]
        mixed = [ln for ln in shuffled if ln.elder_id == elder]
        assert (settle_elder(own, terms[elder], elder_id=elder)
                == settle_elder(mixed, terms[elder], elder_id=elder))


@given(visit_lines(), entitlements)
def test_results_come_in_chronological_order(lines, terms):
    results, _month = settle_elder(lines, terms, elder_id=1)
    order = sorted(lines, key=lambda ln: (ln.check_in_at, ln.visit_id))
    assert [r.visit_id for r in results] == [ln.visit_id for ln in order]


@given(st.integers(-10_000_000, 10_000_000).map(lambda c: D(c) / 100),
       st.sampled_from(["0", "0.4", "0.5", "0.6", "0.8", "1"]).map(D))
def test_the_funding_split_adds_up(amount, share):
    city, district = funding_split(amount, share)
    assert city + district == amount
    assert abs(city - amount * share) <= D("0.005")
    assert city == city.quantize(D("0.01"))
    assert district == district.quantize(D("0.01"))


# --- golden months: the elder's split (Art 27, 29) --------------------------------

def test_class1_over_the_monthly_amount():
    lines = [line(1, "150.00", day=1), line(2, "150.00", day=2), line(3, "150.00", day=3)]
    results, month = settle_elder(lines, CLASS1)
    assert splits(results) == [(D("150.00"), D("0.00")), (D("150.00"), D("0.00")),
                               (D("100.00"), D("50.00"))]
    assert month == ElderMonth(1, D("450.00"), D("400.00"), D("50.00"), D("0.00"))


def test_class1_with_the_nursing_supplement():
    lines = [line(1, "300.00", day=1), line(2, "250.00", day=2), line(3, "100.00", day=3)]
    results, month = settle_elder(lines, CLASS1_SEVERE)
    assert splits(results) == [(D("300.00"), D("0.00")), (D("250.00"), D("0.00")),
                               (D("50.00"), D("50.00"))]
    assert month == ElderMonth(1, D("650.00"), D("600.00"), D("50.00"), D("0.00"))


def test_class1_under_the_amount_lapses_the_rest():
    _results, month = settle_elder([line(1, "320.00")], CLASS1_SEVERE)
    assert month == ElderMonth(1, D("320.00"), D("320.00"), D("0.00"), D("280.00"))


def test_an_elder_without_visits_lapses_the_whole_entitlement():
    results, month = settle_elder([], CLASS1, elder_id=7)
    assert results == []
    assert month == ElderMonth(7, D("0.00"), D("0.00"), D("0.00"), D("400.00"))


def test_class2_over_the_cap():
    lines = [line(1, "250.00", day=1), line(2, "250.00", day=2)]
    results, month = settle_elder(lines, CLASS2)
    # half of 250 is 125; the next 125 would pass the cap of 200: 75 is left
    assert splits(results) == [(D("125.00"), D("125.00")), (D("75.00"), D("175.00"))]
    assert month == ElderMonth(1, D("500.00"), D("200.00"), D("300.00"), D("0.00"))


def test_class2_under_the_cap_rounds_the_subsidy_half_up():
    results, month = settle_elder([line(1, "123.45")], CLASS2)
    # 123.45 / 2 = 61.725: the subsidy is rounded half up, the elder pays the rest
    assert splits(results) == [(D("61.73"), D("61.72"))]
    assert month == ElderMonth(1, D("123.45"), D("61.73"), D("61.72"), D("138.27"))


def test_class2_rounds_once_on_the_running_total():
    lines = [line(1, "0.01", day=1), line(2, "0.01", day=2), line(3, "0.01", day=3)]
    results, month = settle_elder(lines, CLASS2)
    # running halves 0.005, 0.01, 0.015 round to 0.01, 0.01, 0.02
    assert splits(results) == [(D("0.01"), D("0.00")), (D("0.00"), D("0.01")),
                               (D("0.01"), D("0.00"))]
    assert (month.subsidy, month.elder_pays) == (D("0.02"), D("0.01"))


def test_a_visit_beyond_the_plan_is_the_elders():
    lines = [line(1, "100.00", "0.00", day=1),   # not in the plan at all
             line(2, "80.00", "50.00", day=2),   # partly in the plan
             line(3, "60.00", day=3)]
    results, month = settle_elder(lines, CLASS1)
    assert splits(results) == [(D("0.00"), D("100.00")), (D("50.00"), D("30.00")),
                               (D("60.00"), D("0.00"))]
    # the entitlement is not used up by what the plan does not cover
    assert month == ElderMonth(1, D("240.00"), D("110.00"), D("130.00"), D("290.00"))


@pytest.mark.parametrize("terms", [None, EntitlementTerms(OWN_COST, D("0.00"))])
def test_services_at_own_cost(terms):
    results, month = settle_elder([line(1, "90.00"), line(2, "35.50", day=2)], terms)
    assert splits(results) == [(D("0.00"), D("90.00")), (D("0.00"), D("35.50"))]
    assert month == ElderMonth(1, D("125.50"), D("0.00"), D("125.50"), D("0.00"))


def test_the_order_is_chronological_then_by_visit_id():
    # recorded out of order; two visits check in at the same moment
    lines = [line(9, "300.00", day=2), line(5, "150.00", day=1, hour=10),
             line(4, "150.00", day=1, hour=10)]
    results, _month = settle_elder(lines, CLASS1)
    assert [r.visit_id for r in results] == [4, 5, 9]
    assert splits(results) == [(D("150.00"), D("0.00")), (D("150.00"), D("0.00")),
                               (D("100.00"), D("200.00"))]


def test_the_subsidy_rules_entitlement_is_accepted_as_is():
    entitlement = Entitlement(SubsidyClass.CLASS_1, D("600"), D("200"), D("0"))
    lines = [line(1, "450.00"), line(2, "300.00", day=2)]
    assert settle_elder(lines, entitlement) == settle_elder(lines, CLASS1_SEVERE)
    assert EntitlementTerms.of(entitlement) == CLASS1_SEVERE


def test_one_elder_at_a_time():
    with pytest.raises(ValueError, match="one elder"):
        settle_elder([line(1, "10.00", elder=1), line(2, "10.00", elder=2)], CLASS1)
    with pytest.raises(ValueError, match="one elder"):
        settle_elder([], CLASS1)
    with pytest.raises(ValueError, match="twice"):
        settle_elder([line(1, "10.00"), line(1, "10.00", day=2)], CLASS1)
    with pytest.raises(ValueError, match="negative"):
        settle_elder([line(1, "-10.00")], CLASS1)


# --- golden months: the performance subsidy (Art 24) ------------------------------

@pytest.mark.parametrize(("grade", "bonus"), [
    ("excellent", D("4.00")), ("good", D("3.00")), ("qualified", D("2.00")),
    ("unqualified", D("0.00")), (None, D("0.00")),
])
def test_the_bonus_by_grade(grade, bonus):
    assert bonus_per_visit(line(1, "50.00"), grade, VALUES) == bonus


@pytest.mark.parametrize(("item", "minutes", "qualifies"), [
    ("LC-HOME", 40, False),   # home life care under an hour earns nothing
    ("LC-HOME", 59, False),
    ("LC-HOME", 60, True),
    ("RN-HOME", 29, False),   # rehabilitation nursing under 30 minutes
    ("RN-HOME", 30, True),
    ("HC-HOME", 10, True),    # home medical visits: no minimum
    ("DC-DAY", 480, True),
    ("LC-CLEAN", 120, False),  # not one of Art 24's services
    ("ML-CANTEEN", 30, False),
])
def test_which_visits_earn_the_bonus(item, minutes, qualifies):
    visit = line(1, "50.00", item=item, minutes=minutes)
    assert qualifies_for_bonus(visit) is qualifies
    assert bonus_per_visit(visit, "good", VALUES) == (D("3.00") if qualifies else D("0.00"))


def test_a_40_minute_home_care_visit_earns_nothing_a_60_minute_one_the_grade():
    lines = [line(1, "25.00", minutes=40, day=1), line(2, "50.00", minutes=60, day=2)]
    results, _month = settle_elder(lines, CLASS1, grade_of=lambda _line: "good",
                                   values=VALUES)
    assert [r.bonus for r in results] == [D("0.00"), D("3.00")]
    provider = settle_provider(results, lines, 1)
    assert (provider.bonus_visits, provider.bonus, provider.payable) == (
        1, D("3.00"), D("78.00"))


def test_an_unqualified_provider_earns_no_bonus():
    lines = [line(1, "100.00", day=1), line(2, "100.00", item="RN-HOME", minutes=45, day=2)]
    results, _month = settle_elder(lines, CLASS1, grade_of=lambda _line: "unqualified",
                                   values=VALUES)
    provider = settle_provider(results, lines, 1)
    assert [r.bonus for r in results] == [D("0.00"), D("0.00")]
    assert provider.bonus_visits == 0
    assert provider.payable == provider.subsidy == D("200.00")


def test_the_bonus_is_not_charged_to_the_entitlement():
    lines = [line(1, "400.00")]
    with_bonus, month = settle_elder(lines, CLASS1, grade_of=lambda _line: "excellent",
                                     values=VALUES)
    without, same_month = settle_elder(lines, CLASS1)
    assert with_bonus == [LineResult(1, D("400.00"), D("0.00"), D("4.00"))]
    assert without == [LineResult(1, D("400.00"), D("0.00"), D("0.00"))]
    assert month == same_month  # used to the full 400, no more
    assert settle_provider(with_bonus, lines, 1).payable == D("404.00")


def test_the_grade_is_the_providers_for_the_category():
    grade_of = grades_from({(1, "life_care"): "excellent", (1, "rehabilitation_nursing"): "good"})
    lines = [line(1, "10.00", day=1), line(2, "10.00", item="RN-HOME", minutes=30, day=2),
             line(3, "10.00", item="HC-HOME", day=3), line(4, "10.00", provider=2, day=4)]
    results, _month = settle_elder(lines, CLASS1, grade_of=grade_of, values=VALUES)
    # healthcare and provider 2 have no grade in force: nothing
    assert [r.bonus for r in results] == [D("4.00"), D("3.00"), D("0.00"), D("0.00")]


def test_an_unknown_grade_is_refused():
    with pytest.raises(ValueError, match="unknown grade"):
        bonus_per_visit(line(1, "10.00"), "outstanding", VALUES)


# --- golden month: one elder, two providers ------------------------------------

def test_an_elder_served_by_two_providers():
    """Class 1 (400). Provider 1 gives home life care on 1 and 10 November;
    provider 2 on 5 November gives 3 hours at 50 where the plan gives it 2:
    its third hour is beyond the plan and the elder's."""
    visits = [
        CoverageVisit(11, at(1), 101, 1, D(4), D("200.00"), "plan"),
        CoverageVisit(12, at(5), 101, 2, D(3), D("150.00"), "plan"),
        CoverageVisit(13, at(10), 101, 1, D(3), D("150.00"), "plan"),
    ]
    allowances = {"plan": plan_allowances([PlanAllowanceLine(101, 1, 7, D(1)),
                                           PlanAllowanceLine(101, 2, 2, D(1))])}
    coverage = plan_coverage(visits, allowances)
    assert [c.covered_cost for c in coverage] == [D("200.00"), D("100.00"), D("150.00")]
    lines = [line(v.pk, v.amount, c.covered_cost, provider=v.provider_id,
                  day=v.check_in_at.day, units=v.units, minutes=int(v.units) * 60)
             for v, c in zip(visits, coverage, strict=True)]
    grade_of = grades_from({(1, "life_care"): "good", (2, "life_care"): "excellent"})

    month = settle_month(lines, {1: CLASS1}, grade_of=grade_of, values=VALUES)

    # running covered 200, 300, 450: the subsidy stops at 400
    assert month.lines == [LineResult(11, D("200.00"), D("0.00"), D("3.00")),
                           LineResult(12, D("100.00"), D("50.00"), D("4.00")),
                           LineResult(13, D("100.00"), D("50.00"), D("3.00"))]
    assert month.elders == [ElderMonth(1, D("500.00"), D("400.00"), D("100.00"), D("0.00"))]
    first, second = month.providers
    assert (first.provider_id, first.visits, first.elders, first.cost, first.subsidy,
            first.elder_pays, first.bonus_visits, first.bonus, first.payable) == (
        1, 2, 1, D("350.00"), D("300.00"), D("50.00"), 2, D("6.00"), D("306.00"))
    assert (second.provider_id, second.visits, second.elders, second.cost, second.subsidy,
            second.elder_pays, second.bonus_visits, second.bonus, second.payable) == (
        2, 1, 1, D("150.00"), D("100.00"), D("50.00"), 1, D("4.00"), D("104.00"))


def test_a_provider_month_needs_every_result():
    lines = [line(1, "10.00"), line(2, "10.00", day=2)]
    results, _month = settle_elder(lines, CLASS1)
    with pytest.raises(ValueError, match="without a result"):
        settle_provider(results[:1], lines, 1)
    # another provider's lines are not counted
    assert settle_provider(results, lines, 2).visits == 0


def test_a_month_of_several_elders():
    lines = [line(1, "300.00", elder=1, provider=1),
             line(2, "300.00", elder=2, provider=1),
             line(3, "300.00", elder=2, provider=2, day=2)]
    month = settle_month(lines, {1: CLASS2, 2: CLASS1, 3: CLASS1_SEVERE})
    assert month.elders == [ElderMonth(1, D("300.00"), D("150.00"), D("150.00"), D("50.00")),
                            ElderMonth(2, D("600.00"), D("400.00"), D("200.00"), D("0.00")),
                            ElderMonth(3, D("0.00"), D("0.00"), D("0.00"), D("600.00"))]
    assert [(p.provider_id, p.elders, p.subsidy, p.payable) for p in month.providers] == [
        (1, 2, D("450.00"), D("450.00")), (2, 1, D("100.00"), D("100.00"))]


# --- golden: the funding split (Art 33) -----------------------------------------

@pytest.mark.parametrize(("amount", "share", "city", "district"), [
    ("1000.00", "0.4", "400.00", "600.00"),     # 4:6
    ("333.33", "0.4", "133.33", "200.00"),      # 133.332
    ("1000.00", "0.8", "800.00", "200.00"),     # 8:2
    ("333.33", "0.8", "266.66", "66.67"),       # 266.664
    ("100.01", "0.5", "50.01", "50.00"),        # 50.005: half up, to the city
    ("250.05", "0.6", "150.03", "100.02"),      # 6:4
    ("1234.56", "0", "0.00", "1234.56"),        # the district alone
    ("-100.01", "0.5", "-50.01", "-50.00"),     # a recovery splits the same way
])
def test_the_funding_split(amount, share, city, district):
    assert funding_split(D(amount), D(share)) == (D(city), D(district))


def test_the_funding_split_refuses_a_share_outside_0_1():
    with pytest.raises(ValueError, match="between 0 and 1"):
        funding_split(D("100.00"), D("1.2"))


def test_shuffled_golden_month_is_identical():
    lines = [line(i, f"{37 + i}.5{i % 10}", day=1 + i % 5, hour=9 + i % 2) for i in range(1, 20)]
    expected = settle_elder(lines, CLASS2)
    for seed in range(5):
        shuffled = list(lines)
        random.Random(seed).shuffle(shuffled)
        assert settle_elder(shuffled, CLASS2) == expected
