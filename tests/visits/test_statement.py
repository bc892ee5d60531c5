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
          provider=None, agreement=None, caregiver=None):
    """A stored visit of ``amount`` (one unit at that price) on ``day``."""
    check_in = local(day, hour)
    return ServiceVisit.objects.create(
        provider=provider or w.provider, provider_visit_id=next_visit_id("S"),
        elder=elder, agreement=agreement or w.agreement, caregiver=caregiver or w.caregiver,
        service_item=w.rehab, service_date=day, check_in_at=check_in,
        check_out_at=check_in + timedelta(minutes=45), check_in_method="card",
        check_out_method="card", units=D("1"), unit_price=D(amount), amount=D(amount),
        flags=list(flags), channel="form", is_current=current)


def statement_of(elder, month=OCTOBER):
    return build_statement(elder, month, ServiceVisit.objects.all())


def test_class_1_covers_up_to_400_and_the_elder_pays_the_rest(w):
    # the world's elder: class 1, 400 a month
    for day in range(1, 10):  # nine visits of 50.00 = 450.00
        visit(w, w.elder, OCTOBER.replace(day=day), "50.00")
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
    elder = add_elder(w, entitlement=False)["elder"]
    EntitlementFactory(elder=elder, subsidy_class="class2", monthly_amount=D("200.00"),
                       elder_share=D("0.5"), valid_from=WORLD_STARTS,
                       service_street=w.street, paying_district=w.district)
    agreement = elder.service_agreements.get()
    visit(w, elder, date(2025, 10, 2), "101.01", agreement=agreement)
    visit(w, elder, date(2025, 10, 9), "150.00", agreement=agreement)
    visit(w, elder, date(2025, 10, 12), "40.00", agreement=agreement,
          flags=[Flag.EXCEEDS_PLAN])
    visit(w, elder, date(2025, 10, 16), "200.00", agreement=agreement)
    s = statement_of(elder)
    # 101.01: half is 50.505 -> 50.51 (half up), the elder 50.50
    # +150.00: running 251.01, half 125.505 -> 125.51, so this line 75.00 / 75.00
    # 40.00 beyond the plan: all the elder's
    # +200.00: running 451.01, half 225.505 capped at 200.00, so 74.49 / 125.51
    assert [(line.subsidy, line.elder_pays) for line in s.lines] == [
        (D("50.51"), D("50.50")), (D("75.00"), D("75.00")), (D("0.00"), D("40.00")),
        (D("74.49"), D("125.51"))]
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
