"""The elder's monthly statement: every current visit of the month split
into subsidy and own share (numbers worked out by hand below), the
entitlement and what lapsed, as a page and a logged PDF."""

import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.accounts.roles import Role
from apps.audit.models import AccessAction, AccessLog
from apps.visits.models import ServiceVisit
from apps.visits.reasons import Flag
from apps.visits.statement import build_statement
from tests.factories import EntitlementFactory, RegionFactory, staff
from tests.visits.factories import WORLD_STARTS, add_elder, local, next_visit_id, world

pytestmark = pytest.mark.django_db

OCTOBER = date(2025, 10, 1)
D = Decimal


@pytest.fixture
def w():
    return world()


def visit(w, elder, day: date, amount: str, *, hour: int = 9, flags=(), current=True,
          provider=None, agreement=None, caregiver=None, item=None, units: str = "1",
          provider_visit_id=None, version: int = 1, supersedes=None):
    """A stored visit of ``amount`` (``units`` at amount / units; rehabilitation
    nursing unless told) on ``day``."""
    check_in = local(day, hour)
    return ServiceVisit.objects.create(
        provider=provider or w.provider, provider_visit_id=provider_visit_id
        or next_visit_id("S"), version=version, supersedes=supersedes,
        elder=elder, agreement=agreement or w.agreement, caregiver=caregiver or w.caregiver,
        service_item=item or w.rehab, service_date=day, check_in_at=check_in,
        check_out_at=check_in + timedelta(minutes=45 if units == "1" else 60 * float(units)),
        check_in_method="card", check_out_method="card", units=D(units),
        unit_price=(D(amount) / D(units)).quantize(D("0.01")), amount=D(amount),
        flags=list(flags), channel="form", is_current=current)


def statement_of(elder, month=OCTOBER):
    return build_statement(elder, month, ServiceVisit.objects.all())


def test_class_1_covers_up_to_400_and_the_elder_pays_the_rest():
    # the world's elder: class 1, 400 a month; the plan: 9 visits a month
    w = world(times_per_month=9)
    for day in range(1, 10):  # nine visits of 50.00 = 450.00
        visit(w, w.elder, OCTOBER.replace(day=day), "50.00")
    # the tenth is beyond the plan
    visit(w, w.elder, date(2025, 10, 20), "38.00", flags=[Flag.EXCEEDS_PLAN])
    s = statement_of(w.elder)
    assert [line.subsidy for line in s.lines] == [D("50.00")] * 8 + [D("0.00"), D("0.00")]
    assert [line.elder_pays for line in s.lines] == [D("0.00")] * 8 + [D("50.00"), D("38.00")]
    assert s.total_amount == D("488.00")
    assert s.total_subsidy == D("400.00")
    assert s.total_elder == D("88.00")
    assert s.not_covered == D("38.00")
    assert s.allowance == D("400.00")
    assert s.lapsed == D("0.00")


def test_class_2_pays_half_capped_at_200_with_the_cents_right(w):
    # the plan: three visits a month
    elder = add_elder(w, entitlement=False, times_per_month=3)["elder"]
    EntitlementFactory(elder=elder, subsidy_class="class2", monthly_amount=D("200.00"),
                       elder_share=D("0.5"), valid_from=WORLD_STARTS,
                       service_street=w.street, paying_district=w.district)
    agreement = elder.service_agreements.get()
    visit(w, elder, date(2025, 10, 2), "101.01", agreement=agreement)
    visit(w, elder, date(2025, 10, 9), "150.00", agreement=agreement)
    visit(w, elder, date(2025, 10, 16), "200.00", agreement=agreement)
    visit(w, elder, date(2025, 10, 20), "40.00", agreement=agreement,
          flags=[Flag.EXCEEDS_PLAN])
    s = statement_of(elder)
    # 101.01: half is 50.505 -> 50.51 (half up), the elder 50.50
    # +150.00: running 251.01, half 125.505 -> 125.51, so this line 75.00 / 75.00
    # +200.00: running 451.01, half 225.505 capped at 200.00, so 74.49 / 125.51
    # 40.00 beyond the plan (the fourth visit): all the elder's
    assert [(line.subsidy, line.elder_pays) for line in s.lines] == [
        (D("50.51"), D("50.50")), (D("75.00"), D("75.00")), (D("74.49"), D("125.51")),
        (D("0.00"), D("40.00"))]
    assert s.total_amount == D("491.01")
    assert s.total_subsidy == D("200.00")
    assert s.total_elder == D("291.01")
    assert s.lapsed == D("0.00")


def test_what_is_left_lapses_and_nothing_carries_over(w):
    visit(w, w.elder, date(2025, 9, 10), "100.00")
    visit(w, w.elder, date(2025, 10, 10), "50.00")
    september = statement_of(w.elder, date(2025, 9, 1))
    october = statement_of(w.elder)
    assert september.total_subsidy == D("100.00")
    assert september.lapsed == D("300.00")
    # October's entitlement is 400 again, not 700
    assert october.allowance == D("400.00")
    assert october.lapsed == D("350.00")


def test_only_the_months_current_versions_count(w):
    old = visit(w, w.elder, date(2025, 10, 3), "50.00", current=False)
    visit(w, w.elder, date(2025, 10, 3), "80.00")
    visit(w, w.elder, date(2025, 11, 1), "50.00")
    other = add_elder(w)["elder"]
    visit(w, other, date(2025, 10, 3), "50.00")
    s = statement_of(w.elder)
    assert [line.visit.amount for line in s.lines] == [D("80.00")]
    assert old.pk not in {line.visit.pk for line in s.lines}


def test_without_an_entitlement_or_at_own_cost_the_elder_pays_everything(w):
    none = add_elder(w, entitlement=False)["elder"]
    own = add_elder(w, entitlement=False)["elder"]
    EntitlementFactory(elder=own, subsidy_class="own_cost", monthly_amount=D("0.00"),
                       valid_from=WORLD_STARTS, service_street=w.street,
                       paying_district=w.district)
    for elder in (none, own):
        visit(w, elder, date(2025, 10, 5), "50.00",
              agreement=elder.service_agreements.get())
        s = statement_of(elder)
        assert (s.total_subsidy, s.total_elder, s.allowance, s.lapsed) == (
            D("0.00"), D("50.00"), None, None)


def test_a_cancelled_entitlement_covers_nothing(w):
    w.entitlement.status = "cancelled"
    w.entitlement.save()
    visit(w, w.elder, date(2025, 10, 5), "50.00")
    assert statement_of(w.elder).total_subsidy == D("0.00")


def test_the_statement_page(client, w):
    for day in range(1, 10):
        visit(w, w.elder, OCTOBER.replace(day=day), "50.00")
    visit(w, w.elder, date(2025, 10, 20), "38.00", flags=[Flag.EXCEEDS_PLAN])
    street = staff(Role.STREET_STAFF, region=w.street)
    client.force_login(street)
    url = reverse("visits:statement", args=[w.elder.pk, "2025-10"])
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert w.elder.name in html
    assert w.elder.id_number_masked in html
    assert w.elder.id_number not in html
    assert 'id="total-amount">488.00<' in html
    assert 'id="total-subsidy">400.00<' in html
    assert 'id="total-own">88.00<' in html
    assert 'id="summary-lapsed">0.00<' in html
    assert html.count("<tr data-visit=") == 10
    assert 'class="not-covered"' in html
    # printable: a print button wired by a script file, no inline script
    assert "data-print" in html
    assert "js/visit-print.js" in html
    assert "onclick" not in html
    assert "<script>" not in html
    assert reverse("visits:statement_pdf", args=[w.elder.pk, "2025-10"]) in html
    assert AccessLog.objects.filter(user=street, object_id=str(w.elder.pk),
                                    action=AccessAction.VIEW).exists()


def test_the_pdf_carries_the_totals_and_only_the_masked_number(client, w):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    elder = add_elder(w, entitlement=False, name="陈大文")["elder"]
    EntitlementFactory(elder=elder, subsidy_class="class2", monthly_amount=D("200.00"),
                       elder_share=D("0.5"), valid_from=WORLD_STARTS,
                       service_street=w.street, paying_district=w.district)
    visit(w, elder, date(2025, 10, 2), "101.01", agreement=elder.service_agreements.get())
    district = staff(Role.DISTRICT_STAFF, region=w.district)
    client.force_login(district)
    response = client.get(reverse("visits:statement_pdf", args=[elder.pk, "2025-10"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert "attachment" in response["Content-Disposition"]
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=response.content,
                          capture_output=True, check=True).stdout.decode()
    assert "陈大文" in text
    assert elder.id_number_masked in text
    assert elder.id_number not in text
    assert "2025-10" in text
    for figure in ("101.01", "50.51", "50.50", "149.49", "200.00"):
        assert figure in text
    assert AccessLog.objects.filter(user=district, object_id=str(elder.pk),
                                    action=AccessAction.PRINT).exists()


def test_who_may_open_the_statement(client, w):
    url = reverse("visits:statement", args=[w.elder.pk, "2025-10"])
    pdf = reverse("visits:statement_pdf", args=[w.elder.pk, "2025-10"])
    client.force_login(staff(Role.DISTRICT_STAFF, region=w.district))
    assert client.get(url).status_code == 200
    assert client.get(reverse("visits:statement", args=[w.elder.pk, "2025-13"])
                      ).status_code == 404
    # the sibling street and another district: as if the elder did not exist
    client.force_login(staff(Role.STREET_STAFF, region=RegionFactory.street(w.district)))
    assert client.get(url).status_code == 404
    assert client.get(pdf).status_code == 404
    client.force_login(staff(Role.DISTRICT_STAFF, region=RegionFactory.district()))
    assert client.get(url).status_code == 404
    # provider staff do not read elders' records
    client.force_login(w.user)
    assert client.get(url).status_code == 403


def test_the_elder_page_links_to_this_months_statement(client, w):
    client.force_login(staff(Role.STREET_STAFF, region=w.street))
    html = client.get(reverse("elders:elder_detail", args=[w.elder.pk])).content.decode()
    assert 'id="monthly-statement"' in html
    assert f"/visits/statement/{w.elder.pk}/" in html


# --- what the plan covers, worked out when the statement is built (Art 29) -------


def test_a_correction_to_another_item_frees_the_plan(w):
    # the plan: 8 rehabilitation-nursing visits and 8 hours of life care a month
    first = visit(w, w.elder, date(2025, 10, 1), "40.00")
    for day in range(2, 9):
        visit(w, w.elder, OCTOBER.replace(day=day), "40.00")
    # a ninth rehabilitation visit, flagged beyond the plan when it came in
    ninth = visit(w, w.elder, date(2025, 10, 20), "40.00", flags=[Flag.EXCEEDS_PLAN])
    assert statement_of(w.elder).not_covered == D("40.00")
    # when the first is corrected to an hour of life care (a new version)
    ServiceVisit.objects.filter(pk=first.pk).update(is_current=False)
    visit(w, w.elder, date(2025, 10, 1), "38.00", item=w.life_care,
          provider_visit_id=first.provider_visit_id, version=2, supersedes=first)
    s = statement_of(w.elder)
    # then the ninth is the eighth rehabilitation visit: within the plan,
    # whatever its frozen flag says
    line = next(line for line in s.lines if line.visit.pk == ninth.pk)
    assert (line.covered, line.subsidy, line.elder_pays) == (True, D("40.00"), D("0.00"))
    assert s.not_covered == D("0.00")
    assert (s.total_amount, s.total_subsidy, s.total_elder) == (
        D("358.00"), D("358.00"), D("0.00"))


def test_visits_recorded_out_of_order_are_covered_in_the_order_given(w):
    elder = add_elder(w, times_per_month=1)["elder"]
    agreement = elder.service_agreements.get()
    # the visit of the 20th was recorded first; the one of the 5th came in
    # later and the intake flagged it as the second of the month
    late = visit(w, elder, date(2025, 10, 20), "50.00", agreement=agreement)
    early = visit(w, elder, date(2025, 10, 5), "50.00", agreement=agreement,
                  flags=[Flag.EXCEEDS_PLAN])
    s = statement_of(elder)
    # the plan covers the first visit of the month, the one of the 5th
    assert [line.visit.pk for line in s.lines] == [early.pk, late.pk]
    assert [(line.covered, line.subsidy, line.elder_pays) for line in s.lines] == [
        (True, D("50.00"), D("0.00")), (False, D("0.00"), D("50.00"))]
    assert s.not_covered == D("50.00")


def test_hours_beyond_the_planned_length_are_beyond_the_plan(w):
    # the plan: life care twice a month, an hour each time (at 38 an hour)
    elder = add_elder(w, times_per_month=2)["elder"]
    agreement = elder.service_agreements.get()
    # two visits, within the frequency, of an hour and a half each
    visit(w, elder, date(2025, 10, 3), "57.00", item=w.life_care, units="1.5",
          agreement=agreement)
    second = visit(w, elder, date(2025, 10, 10), "57.00", item=w.life_care, units="1.5",
                   agreement=agreement)
    s = statement_of(elder)
    # the second uses the last half hour of the plan: 19.00 covered, 38.00 beyond
    line = s.lines[1]
    assert line.visit.pk == second.pk
    assert line.partly_covered
    assert (line.covered_cost, line.beyond_plan, line.subsidy, line.elder_pays) == (
        D("19.00"), D("38.00"), D("19.00"), D("38.00"))
    assert (s.total_subsidy, s.total_elder, s.not_covered) == (
        D("76.00"), D("38.00"), D("38.00"))


def test_without_a_plan_in_force_every_visit_is_covered_up_to_the_entitlement(w):
    elder = add_elder(w, plan=False)["elder"]
    agreement = elder.service_agreements.get()
    for day in range(1, 10):
        visit(w, elder, OCTOBER.replace(day=day), "50.00", agreement=agreement,
              flags=[Flag.EXCEEDS_PLAN])
    s = statement_of(elder)
    assert s.not_covered == D("0.00")
    assert (s.total_subsidy, s.total_elder) == (D("400.00"), D("50.00"))


def test_a_plan_superseded_in_the_month_counts_what_was_used(w):
    from apps.careplans.models import ServicePlan
    from tests.visits.factories import make_plan

    # the plan of 8 visits a month ends on 14 October; from the 15th, 2 a month
    ServicePlan.objects.filter(pk=w.plan.pk).update(status="superseded",
                                                    ends_on=date(2025, 10, 14))
    make_plan(w.elder, provider=w.provider, entitlement=w.entitlement, times_per_month=2,
              starts_on=date(2025, 10, 15))
    visit(w, w.elder, date(2025, 10, 1), "40.00")
    visit(w, w.elder, date(2025, 10, 20), "40.00")
    visit(w, w.elder, date(2025, 10, 21), "40.00")
    s = statement_of(w.elder)
    # the new plan allows two in the month, one already given under the old
    assert [line.covered for line in s.lines] == [True, True, False]


def test_the_statement_states_the_elders_share_and_the_cap(client, w):
    elder = add_elder(w, entitlement=False)["elder"]
    EntitlementFactory(elder=elder, subsidy_class="class2", monthly_amount=D("200.00"),
                       elder_share=D("0.5"), valid_from=WORLD_STARTS,
                       service_street=w.street, paying_district=w.district)
    client.force_login(staff(Role.STREET_STAFF, region=w.street))
    html = client.get(reverse("visits:statement", args=[elder.pk, "2025-10"])
                      ).content.decode()
    # class 2: the subsidy pays up to the cap, the elder's share as a percentage
    assert '<span id="statement-up-to" data-cap="200.00">' in html
    assert '<span id="statement-elder-share" data-share="50">' in html
    assert "50%" in html
    assert "个人自付一半" not in html  # no longer "the elder pays half" whatever the share
    # class 1: no share, no cap wording
    html = client.get(reverse("visits:statement", args=[w.elder.pk, "2025-10"])
                      ).content.decode()
    assert 'id="statement-entitlement"' in html
    assert "400.00" in html
    assert 'id="statement-up-to"' not in html
    assert 'id="statement-elder-share"' not in html
