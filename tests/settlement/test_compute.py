"""The set-based settlement in PostgreSQL (apps/settlement/compute.py) gives
the numbers of the pure reference (apps/settlement/rules.py) for the same
data, and the hand-computed golden months."""

from __future__ import annotations

import dataclasses
import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.careplans.models import ServicePlan, ServicePlanItem
from apps.careplans.rules import CoverageVisit, PlanAllowanceLine, plan_allowances, plan_coverage
from apps.elders.models import LifeStatus
from apps.evaluations.models import ProviderGrade
from apps.policy.lookup import value_on
from apps.settlement import compute, rules
from apps.settlement.models import ProviderSettlement, SettlementLine, SettlementRun
from apps.subsidies.models import Entitlement
from apps.subsidies.rules import month_end
from apps.visits.models import ServiceVisit
from tests.contracts.factories import ContractFactory
from tests.factories import ProviderFactory
from tests.providers.factories import StaffMemberFactory
from tests.visits.factories import (
    LIFE_CARE,
    PRICES,
    REHAB,
    SHANGHAI,
    WORLD_STARTS,
    World,
    add_elder,
    item,
    local,
    make_agreement,
    make_plan,
    make_visit,
    world,
)

pytestmark = pytest.mark.django_db

MONTH = date(2025, 9, 1)
CITY_SHARE = Decimal("0.5")
D = Decimal


# --- building a month -------------------------------------------------------------


def second_provider(w: World) -> World:
    """The world as seen by a second provider of the district, contracted
    for the same street and items."""
    provider = ProviderFactory(region=w.district)
    contract = ContractFactory(
        street=w.street, provider=provider, covered_area=[w.street],
        signed_on=WORLD_STARTS - timedelta(days=10), starts_on=WORLD_STARTS,
        ends_on=date(2099, 12, 31),
        items=[(w.rehab, PRICES[REHAB]), (w.life_care, PRICES[LIFE_CARE])])
    caregiver = StaffMemberFactory(provider=provider, role="caregiver")
    agreement = make_agreement(w.elder, provider, contract, plan=w.plan)
    return dataclasses.replace(w, provider=provider, contract=contract, caregiver=caregiver,
                               agreement=agreement)


def serve(w: World, elder, day: date, hour: int = 9, minute: int = 0, *,
          minutes: int = 45, code: str = REHAB, agreement=None) -> ServiceVisit:
    return make_visit(w, elder=elder, agreement=agreement or w.agreement, code=code,
                      check_in_at=local(day, hour, minute), minutes=minutes)


def set_entitlement(entitlement: Entitlement, **fields) -> None:
    Entitlement.objects.filter(pk=entitlement.pk).update(**fields)


def grade(provider, category: str, value: str, effective_from: date = date(2024, 3, 1)):
    return ProviderGrade.objects.create(provider=provider, category=category,
                                        year=effective_from.year, grade=value,
                                        effective_from=effective_from)


def new_run(district, month: date = MONTH) -> SettlementRun:
    return SettlementRun.objects.create(district=district, month=month)


def settle(district, month: date = MONTH) -> SettlementRun:
    """The whole computation of a run, as the worker does it."""
    run = new_run(district, month)
    compute.write_lines(run)
    compute.create_provider_items(run)
    for provider_item in ProviderSettlement.objects.filter(run=run):
        compute.total_provider(provider_item)
    compute.total_run(run, CITY_SHARE)
    return run


def lines_of(run) -> dict[int, tuple]:
    """visit id -> (cost, covered, subsidy, elder pays, bonus)."""
    return {line.visit_id: (line.cost, line.covered, line.subsidy, line.elder_pays, line.bonus)
            for line in SettlementLine.objects.filter(run=run)}


# --- the reference, fed from the ORM rows -----------------------------------------------


def reference(run: SettlementRun) -> tuple[rules.MonthSettlement, dict[int, rules.VisitLine]]:
    """``rules.settle_month`` of the run's month, read with the ORM."""
    start, end = run.month, month_end(run.month)
    entitlements = {}
    for entitlement in (Entitlement.objects.in_force_during(start, end)
                        .exclude(status="cancelled").order_by("elder_id", "valid_from", "pk")):
        entitlements[entitlement.elder_id] = entitlement  # the latest wins
    paid = {elder_id: rules.EntitlementTerms(e.subsidy_class, e.monthly_amount, e.elder_share)
            for elder_id, e in entitlements.items()
            if e.paying_district_id == run.district_id and e.subsidy_class != "own_cost"}
    visits = list(ServiceVisit.objects.filter(
        is_current=True, service_date__range=(start, end), elder_id__in=paid)
        .select_related("service_item"))
    lines, days = [], {}
    for elder_id in paid:
        own = [visit for visit in visits if visit.elder_id == elder_id]
        plan = (ServicePlan.objects.filter(elder_id=elder_id, starts_on__lte=end)
                .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start))
                .order_by("-starts_on", "-pk").first())
        allowances = {}
        if plan is not None:
            allowances[plan.pk] = plan_allowances(
                PlanAllowanceLine(i.service_item_id, i.provider_id, i.times_per_month,
                                  i.units_per_time)
                for i in ServicePlanItem.objects.filter(plan=plan))
        coverage = plan_coverage(
            [CoverageVisit(v.pk, v.check_in_at, v.service_item_id, v.provider_id, v.units,
                           v.amount, plan.pk if plan else None) for v in own], allowances)
        for visit, covered in zip(own, coverage, strict=True):
            days[visit.pk] = visit.service_date
            lines.append(rules.VisitLine(
                visit_id=visit.pk, elder_id=elder_id, provider_id=visit.provider_id,
                item_code=visit.service_item.code, category=visit.service_item.category,
                check_in_at=visit.check_in_at, minutes=visit.duration_minutes,
                units=visit.units, amount=visit.amount, covered_amount=covered.covered_cost,
                bonus_eligible=visit.service_item.bonus_eligible,
                min_duration_minutes=visit.service_item.min_duration_minutes))

    def grade_of(line):
        found = ProviderGrade.objects.in_force(provider=line.provider_id, category=line.category,
                                               day=days[line.visit_id])
        return found.grade if found else None

    values = {rules.BONUS_KEY.format(grade=g): value_on(rules.BONUS_KEY.format(grade=g), end,
                                                        run.district)
              for g in rules.GRADES}
    return (rules.settle_month(lines, paid, grade_of=grade_of, values=values),
            {line.visit_id: line for line in lines})


# --- the SQL gives the reference's numbers ---------------------------------------------


def random_month(seed: int):
    rng = random.Random(seed)
    w = world(times_per_month=2)
    w2 = second_provider(w)
    district = w.district
    # the world's elder: class 1 (400), plan naming provider 1, 2 times a month
    elders = [w.elder]
    # class 1 with the nursing supplement (600), a plan naming no provider
    supplemented = add_elder(w, plan=False)
    set_entitlement(supplemented["entitlement"], monthly_amount=D("600.00"),
                    nursing_supplement=D("200.00"), care_level="severe")
    plan = make_plan(supplemented["elder"], times_per_month=3)
    ServicePlanItem.objects.filter(plan=plan, service_item=w.life_care).update(
        units_per_time=D("1.5"))
    ServicePlanItem.objects.create(plan=plan, service_item=w.rehab, provider=w2.provider,
                                   times_per_month=1, unit_price=PRICES[REHAB])
    # class 2: half, cap 200; small plan naming provider 1
    class2 = add_elder(w, times_per_month=3)
    set_entitlement(class2["entitlement"], subsidy_class="class2", monthly_amount=D("200.00"),
                    elder_share=D("0.5"))
    # own cost: not in the run
    own_cost = add_elder(w)
    set_entitlement(own_cost["entitlement"], subsidy_class="own_cost",
                    monthly_amount=D("0.00"))
    # class 1 without a plan: covered in full
    no_plan = add_elder(w, plan=False)
    # class 2 on a plan naming no provider, with a big life-care pool
    shared = add_elder(w, plan=False)
    set_entitlement(shared["entitlement"], subsidy_class="class2",
                    monthly_amount=D("200.00"), elder_share=D("0.5"))
    make_plan(shared["elder"], times_per_month=4)
    elders += [rows["elder"] for rows in (supplemented, class2, own_cost, no_plan, shared)]
    first_agreements = {w.elder.pk: w.agreement}
    second_agreements = {w.elder.pk: w2.agreement}
    for rows in (supplemented, class2, own_cost, no_plan, shared):
        first_agreements[rows["elder"].pk] = rows["agreement"]
        second_agreements[rows["elder"].pk] = make_agreement(
            rows["elder"], w2.provider, w2.contract, plan=rows["plan"])

    # grades of every kind, one changing in the month; provider 2 has none for life care
    grade(w.provider, "rehabilitation_nursing", "excellent")
    grade(w.provider, "life_care", "qualified")
    grade(w.provider, "life_care", "good", effective_from=date(2025, 9, 15))
    grade(w2.provider, "rehabilitation_nursing", "unqualified")
    grade(w2.provider, "rehabilitation_nursing", "qualified", effective_from=date(2025, 9, 20))

    minutes = [20, 29, 30, 31, 40, 45, 59, 60, 61, 89, 90, 125]
    for elder in elders:
        for _ in range(rng.randint(3, 9)):
            day = MONTH + timedelta(days=rng.randint(0, 29))
            code = rng.choice([REHAB, LIFE_CARE])
            which, agreements = rng.choice([(w, first_agreements), (w2, second_agreements)])
            serve(which, elder, day, rng.choice([8, 9]), code=code,
                  minutes=rng.choice(minutes), agreement=agreements[elder.pk])
    # the class-2 elder's 3 planned hours of life care: the second visit partly covered
    for minute in (0, 30):
        serve(w, class2["elder"], MONTH, 7, minute, code=LIFE_CARE, minutes=125,
              agreement=class2["agreement"])
    # the elder without a plan goes over the 400 of class 1 (6 x 76.00)
    for day in range(2, 8):
        serve(w, no_plan["elder"], MONTH.replace(day=day), 6, code=LIFE_CARE, minutes=125,
              agreement=no_plan["agreement"])
    # outside the month, and a corrected visit (only its current version counts)
    serve(w, w.elder, MONTH - timedelta(days=1))
    serve(w, w.elder, month_end(MONTH) + timedelta(days=1))
    old = serve(w, no_plan["elder"], date(2025, 9, 9), agreement=no_plan["agreement"])
    ServiceVisit.objects.filter(pk=old.pk).update(is_current=False)
    make_visit(w, elder=no_plan["elder"], agreement=no_plan["agreement"], version=2,
               supersedes=old, provider_visit_id=old.provider_visit_id, minutes=70,
               check_in_at=old.check_in_at)
    return district, own_cost["elder"]


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_sql_gives_the_reference_numbers(seed):
    district, own_cost_elder = random_month(seed)
    run = settle(district)
    expected, visit_lines = reference(run)

    got = {line.visit_id: line for line in SettlementLine.objects.filter(run=run)}
    assert got
    assert set(got) == set(visit_lines)
    assert not any(line.elder_id == own_cost_elder.pk for line in got.values())
    for result in expected.lines:
        line, visit = got[result.visit_id], visit_lines[result.visit_id]
        assert (line.elder_id, line.provider_id, line.cost, line.covered, line.subsidy,
                line.elder_pays, line.bonus, line.service_month, line.is_adjustment) == (
            visit.elder_id, visit.provider_id, visit.amount, visit.covered_amount,
            result.subsidy, result.elder_pays, result.bonus, MONTH, False), result.visit_id
    # the data really exercise the rules: partly covered, over the cap, bonuses of each kind
    assert any(Decimal(0) < v.covered_amount < v.amount for v in visit_lines.values())
    assert any(v.covered_amount == 0 for v in visit_lines.values())
    assert {line.bonus for line in got.values()} >= {D("0.00"), D("2.00"), D("4.00")}
    assert any(month.subsidy == D("400.00") and month.elder_pays > 0
               for month in expected.elders)

    providers = {p.provider_id: p for p in ProviderSettlement.objects.filter(run=run)}
    assert set(providers) == {p.provider_id for p in expected.providers}
    for month in expected.providers:
        row = providers[month.provider_id]
        assert (row.visits, row.elders, row.cost, row.subsidy, row.elder_pays,
                row.bonus_visits, row.bonus, row.payable, row.status) == (
            month.visits, month.elders, month.cost, month.subsidy, month.elder_pays,
            month.bonus_visits, month.bonus, month.payable, "pending")
    run.refresh_from_db()
    payable = sum((p.payable for p in expected.providers), D("0.00"))
    assert (run.visits, run.elders, run.cost, run.subsidy, run.payable) == (
        len(expected.lines), len({v.elder_id for v in visit_lines.values()}),
        sum((p.cost for p in expected.providers), D("0.00")),
        sum((p.subsidy for p in expected.providers), D("0.00")), payable)
    # only the subsidy is shared; the performance subsidy is the district's (Art 24)
    assert (run.city_share, run.district_share) == rules.run_funding(
        payable, run.subsidy, CITY_SHARE)
    city = rules.funding_split(run.subsidy, CITY_SHARE).city
    assert (run.city_share, run.district_share) == (city, payable - city)


def test_write_lines_is_a_fixed_number_of_statements():
    district, _own = random_month(7)
    run = new_run(district)
    with CaptureQueriesContext(connection) as few:
        written = compute.write_lines(run)
    assert written > 10
    # ten times the visits, the same statements
    w = world()
    for day in range(1, 29):
        for hour in (8, 10, 14):
            serve(w, w.elder, MONTH.replace(day=day), hour)
    other = new_run(w.district)
    with CaptureQueriesContext(connection) as many:
        assert compute.write_lines(other) == 28 * 3
    assert len(few.captured_queries) == len(many.captured_queries)
    statements = [q["sql"] for q in few.captured_queries if "SAVEPOINT" not in q["sql"]]
    # the policy values in one query, the delete, the insert
    assert len(statements) == 3
    assert sum("INSERT INTO settlement_settlementline" in s for s in statements) == 1
    assert sum("DELETE FROM settlement_settlementline" in s for s in statements) == 1


# --- golden months, computed by hand --------------------------------------------------


@pytest.fixture
def w():
    w = world(times_per_month=8)
    grade(w.provider, "rehabilitation_nursing", "good")  # 3 a qualifying visit
    grade(w.provider, "life_care", "excellent")  # 4
    return w


def test_death_mid_month_settles_the_visits_before_it(w):
    elder = w.elder
    type(elder).objects.filter(pk=elder.pk).update(life_status=LifeStatus.DECEASED,
                                                   life_status_since=date(2025, 9, 15))
    set_entitlement(w.entitlement, status="ended", end_reason="deceased",
                    valid_until=date(2025, 9, 30))
    first = serve(w, elder, date(2025, 9, 5))
    second = serve(w, elder, date(2025, 9, 12), minutes=25)  # short: no bonus
    run = settle(w.district)
    assert lines_of(run) == {
        first.pk: (D("50.00"), D("50.00"), D("50.00"), D("0.00"), D("3.00")),
        second.pk: (D("50.00"), D("50.00"), D("50.00"), D("0.00"), D("0.00")),
    }
    assert (run.visits, run.elders, run.cost, run.subsidy, run.bonus, run.payable) == (
        2, 1, D("100.00"), D("100.00"), D("3.00"), D("103.00"))
    # half of the 100.00 subsidy; the 3.00 performance subsidy is the district's
    assert (run.city_share, run.district_share) == (D("50.00"), D("53.00"))


def test_class_2_elder_over_the_cap(w):
    set_entitlement(w.entitlement, subsidy_class="class2", monthly_amount=D("200.00"),
                    elder_share=D("0.5"))
    ServicePlanItem.objects.filter(plan=w.plan, service_item=w.life_care).update(
        units_per_time=D("2"))  # 16 hours a month
    visits = [serve(w, w.elder, date(2025, 9, day), code=LIFE_CARE, minutes=120)
              for day in (2, 5, 9, 12, 16, 19)]  # 2 hours, 76.00 each: 456.00
    run = settle(w.district)
    lines = lines_of(run)
    assert [lines[v.pk] for v in visits] == (
        [(D("76.00"), D("76.00"), D("38.00"), D("38.00"), D("4.00"))] * 5
        + [(D("76.00"), D("76.00"), D("10.00"), D("66.00"), D("4.00"))])
    item_row = ProviderSettlement.objects.get(run=run)
    assert (item_row.cost, item_row.subsidy, item_row.elder_pays, item_row.bonus_visits,
            item_row.bonus, item_row.payable) == (
        D("456.00"), D("200.00"), D("256.00"), 6, D("24.00"), D("224.00"))


def test_unqualified_provider_earns_no_bonus(w):
    ProviderGrade.objects.filter(provider=w.provider).delete()
    grade(w.provider, "rehabilitation_nursing", "unqualified")
    visit = serve(w, w.elder, date(2025, 9, 3), minutes=50)
    run = settle(w.district)
    assert lines_of(run) == {visit.pk: (D("50.00"), D("50.00"), D("50.00"), D("0.00"),
                                        D("0.00"))}
    row = ProviderSettlement.objects.get(run=run)
    assert (row.bonus_visits, row.bonus, row.payable) == (0, D("0.00"), D("50.00"))


def test_forty_minutes_of_home_life_care_earn_no_bonus(w):
    short = serve(w, w.elder, date(2025, 9, 3), code=LIFE_CARE, minutes=40)  # 0.5 h
    hour = serve(w, w.elder, date(2025, 9, 4), code=LIFE_CARE, minutes=60)  # 1 h
    run = settle(w.district)
    assert lines_of(run) == {
        short.pk: (D("19.00"), D("19.00"), D("19.00"), D("0.00"), D("0.00")),
        hour.pk: (D("38.00"), D("38.00"), D("38.00"), D("0.00"), D("4.00")),
    }


def test_elder_served_by_two_providers_shares_the_plan(w):
    w2 = second_provider(w)
    grade(w2.provider, "rehabilitation_nursing", "qualified")
    ServicePlanItem.objects.filter(plan=w.plan).delete()
    ServicePlanItem.objects.create(plan=w.plan, service_item=w.rehab, provider=w.provider,
                                   times_per_month=1, unit_price=PRICES[REHAB])
    ServicePlanItem.objects.create(plan=w.plan, service_item=w.rehab, provider=None,
                                   times_per_month=3, unit_price=PRICES[REHAB])
    a = serve(w, w.elder, date(2025, 9, 1))  # provider 1's own line
    b = serve(w2, w.elder, date(2025, 9, 2))  # the shared lines: 1 of 3
    c = serve(w, w.elder, date(2025, 9, 3))  # own line used up: shared 2 of 3
    d = serve(w2, w.elder, date(2025, 9, 4), hour=9)  # shared 3 of 3
    e = serve(w, w.elder, date(2025, 9, 4), hour=9)  # same check-in, later id: beyond the plan
    run = settle(w.district)
    full = (D("50.00"), D("50.00"), D("50.00"), D("0.00"))
    assert lines_of(run) == {
        a.pk: (*full, D("3.00")), b.pk: (*full, D("2.00")), c.pk: (*full, D("3.00")),
        d.pk: (*full, D("2.00")),
        e.pk: (D("50.00"), D("0.00"), D("0.00"), D("50.00"), D("3.00")),
    }
    rows = {p.provider_id: p for p in ProviderSettlement.objects.filter(run=run)}
    one, two = rows[w.provider.pk], rows[w2.provider.pk]
    assert (one.visits, one.elders, one.cost, one.subsidy, one.elder_pays, one.bonus,
            one.payable) == (3, 1, D("150.00"), D("100.00"), D("50.00"), D("9.00"),
                             D("109.00"))
    assert (two.visits, two.elders, two.cost, two.subsidy, two.bonus, two.payable) == (
        2, 1, D("100.00"), D("100.00"), D("4.00"), D("104.00"))
    assert (run.visits, run.elders, run.payable) == (5, 1, D("213.00"))


def test_a_rerun_gives_identical_lines(w):
    for day in (2, 9, 16):
        serve(w, w.elder, date(2025, 9, day), code=LIFE_CARE, minutes=95)
    run = new_run(w.district)
    assert compute.write_lines(run) == 3
    first = sorted(SettlementLine.objects.filter(run=run).values_list(
        "visit_id", "elder_id", "provider_id", "cost", "covered", "subsidy", "elder_pays",
        "bonus"))
    assert compute.write_lines(run) == 3
    compute.create_provider_items(run)
    assert compute.create_provider_items(run) == 0  # already there
    again = sorted(SettlementLine.objects.filter(run=run).values_list(
        "visit_id", "elder_id", "provider_id", "cost", "covered", "subsidy", "elder_pays",
        "bonus"))
    assert first == again
    assert ProviderSettlement.objects.filter(run=run).count() == 1


def test_an_elder_paid_by_another_district_is_not_in_the_run(w, tree):
    other = add_elder(w)
    set_entitlement(other["entitlement"], paying_district=tree["other_district"])
    ours = serve(w, w.elder, date(2025, 9, 3))
    serve(w, other["elder"], date(2025, 9, 3), agreement=other["agreement"])
    run = settle(w.district)
    assert set(lines_of(run)) == {ours.pk}
    assert settle(tree["other_district"]).visits == 1


def test_a_cancelled_entitlement_gives_no_lines(w):
    set_entitlement(w.entitlement, status="cancelled", cancelled_on=date(2025, 10, 2))
    serve(w, w.elder, date(2025, 9, 3))
    assert compute.write_lines(new_run(w.district)) == 0


def test_an_approved_run_refuses_new_lines(w):
    serve(w, w.elder, date(2025, 9, 3))
    run = new_run(w.district)
    compute.write_lines(run)
    run.status = "approved"
    with pytest.raises(ValueError, match="cannot change"):
        compute.write_lines(run)


def test_times_are_local(w):
    # a visit at 00:30 Shanghai time on the 1st is in the month
    visit = make_visit(w, check_in_at=local(date(2025, 9, 1), 0, 30))
    assert timezone.localtime(visit.check_in_at, SHANGHAI).date() == MONTH
    assert set(lines_of(settle(w.district))) == {visit.pk}
    assert item(REHAB).min_duration_minutes == 30
