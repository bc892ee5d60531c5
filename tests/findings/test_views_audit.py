"""The audit through the screens, as district staff: run a month on demand
from the findings list, read a finding's evidence laid out (not raw JSON),
confirm it or dismiss it with a reason, see its history and where its
amount was withheld. A street sees findings but neither runs nor decides;
another district gets 404."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.accounts.roles import Role
from apps.findings.models import Finding, FindingStatus
from apps.settlement.models import SettlementLine, SettlementRun
from tests.factories import staff
from tests.findings.conftest import audit, found
from tests.visits.factories import local, make_visit

pytestmark = pytest.mark.django_db

LIST = reverse("findings:finding_list")


def _detail(finding):
    return reverse("findings:finding_detail", args=[finding.pk])


@pytest.fixture
def finding(w):
    make_visit(w, check_in_at=local(date(2025, 9, 3)), distance_m=900)
    audit(w)
    return found("far_from_address")[0]


def test_district_staff_run_the_audit_of_a_month_from_the_list(client, w, district_user):
    visit = make_visit(w, check_in_at=local(date(2025, 9, 3)), distance_m=900)
    client.force_login(district_user)
    assert 'id="run-audit"' in client.get(LIST).content.decode()

    response = client.post(LIST, {"district": w.district.pk, "month": "2025-09"},
                           follow=True)

    assert response.redirect_chain[-1][0] == f"{LIST}?month=2025-09"
    finding = Finding.objects.get(rule="far_from_address")
    assert finding.visit == visit
    assert list(response.context["object_list"]) == list(
        Finding.objects.order_by("status", "-month", "-pk"))
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    # running it again adds nothing
    client.post(LIST, {"district": w.district.pk, "month": "2025-09"})
    assert Finding.objects.filter(rule="far_from_address").count() == 1


def test_the_audit_form_refuses_a_month_to_come_and_another_district(client, w, tree,
                                                                     district_user):
    client.force_login(district_user)

    response = client.post(LIST, {"district": w.district.pk, "month": "2099-01"})
    assert response.status_code == 200
    assert response.context["run_form"].errors["month"][0]
    response = client.post(LIST, {"district": tree["other_district"].pk, "month": "2025-09"})
    assert "district" in response.context["run_form"].errors
    assert Finding.objects.count() == 0


def test_a_street_neither_runs_the_audit_nor_decides(client, w, street_user, finding):
    client.force_login(street_user)
    assert 'id="run-audit"' not in client.get(LIST).content.decode()
    assert client.post(LIST, {"district": w.district.pk, "month": "2025-09"}
                       ).status_code == 403

    page = client.get(_detail(finding)).content.decode()
    assert 'id="confirm-form"' not in page
    assert client.post(_detail(finding), {"action": "confirm"}).status_code == 403
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN


def test_the_evidence_is_laid_out_readably(client, district_user, finding):
    client.force_login(district_user)

    html = client.get(_detail(finding)).content.decode()

    assert 'data-testid="amount">50.00<' in html
    assert "900米" in html  # the summary names the distance and the tolerance (zh-hans)
    assert "2025-09-03 09:00" in html  # check-in in local time, not ISO
    assert "{" not in html.split('id="evidence"')[1].split("</section>")[0]
    assert 'id="confirm-form"' in html
    assert 'id="dismiss-form"' in html


def test_confirming_from_the_page(client, district_user, finding):
    client.force_login(district_user)

    response = client.post(_detail(finding), {"action": "confirm",
                                              "decision_reason": "Seen on the map"})

    assert response.status_code == 302
    finding.refresh_from_db()
    assert (finding.status, finding.decided_by, finding.decision_reason) == (
        FindingStatus.CONFIRMED, district_user, "Seen on the map")
    html = client.get(_detail(finding)).content.decode()
    assert 'id="confirm-form"' not in html
    assert 'data-testid="not-withheld"' in html
    history = client.get(_detail(finding)).context["history"]
    assert [step["key"] for step in history] == ["raised", "confirmed"]
    assert history[-1]["reason"] == "Seen on the map"


def test_dismissing_without_a_reason_shows_the_error_and_changes_nothing(
        client, district_user, finding):
    client.force_login(district_user)

    response = client.post(_detail(finding), {"action": "dismiss", "decision_reason": ""})

    assert response.status_code == 200
    form = response.context["dismiss_form"]
    assert form.errors["decision_reason"]
    assert 'id="dismiss_decision_reason"' in response.content.decode()
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN


def test_dismissing_with_a_reason_from_the_page(client, district_user, finding):
    client.force_login(district_user)

    client.post(_detail(finding), {"action": "dismiss", "decision_reason": "GPS drift"})

    finding.refresh_from_db()
    assert (finding.status, finding.decision_reason) == (FindingStatus.DISMISSED,
                                                         "GPS drift")
    html = client.get(_detail(finding)).content.decode()
    assert 'data-testid="decision-reason">GPS drift<' in html
    assert 'id="withheld"' not in html


def test_a_decision_on_a_decided_finding_is_refused_on_the_page(client, district_user,
                                                                 finding):
    client.force_login(district_user)
    client.post(_detail(finding), {"action": "dismiss", "decision_reason": "GPS drift"})

    response = client.post(_detail(finding), {"action": "confirm"})

    assert response.status_code == 200
    errors = response.context["confirm_form"].non_field_errors().as_data()
    assert [error.code for error in errors] == ["already_decided"]
    assert str(errors[0].message % errors[0].params) in response.content.decode()
    finding.refresh_from_db()
    assert finding.status == FindingStatus.DISMISSED


def test_another_district_gets_404_and_decides_nothing(client, tree, finding):
    client.force_login(staff(Role.DISTRICT_STAFF, region=tree["other_district"]))

    assert client.get(_detail(finding)).status_code == 404
    assert client.post(_detail(finding), {"action": "confirm"}).status_code == 404
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN


def test_the_page_shows_where_a_confirmed_amount_was_withheld(client, w, district_user,
                                                              finding):
    client.force_login(district_user)
    client.post(_detail(finding), {"action": "confirm"})
    # a finding on a visit: the next run takes the visit back as an adjustment
    run = SettlementRun.objects.create(district=w.district, month=date(2025, 10, 1))
    visit = finding.visit
    SettlementLine.objects.create(
        run=run, provider=visit.provider, elder=visit.elder, visit=visit,
        service_month=date(2025, 9, 1), is_adjustment=True, cost=Decimal("-50.00"),
        covered=Decimal("-50.00"), subsidy=Decimal("-50.00"), elder_pays=0, bonus=0)

    html = client.get(_detail(finding)).content.decode()

    section = html.split('id="withheld"')[1].split("</section>")[0]
    assert reverse("settlement:run_detail", args=[run.pk]) in section
    assert "2025-10" in section
    assert "50.00" in section


def test_the_other_visits_of_an_overlap_are_listed_with_links(client, w, district_user):
    first = make_visit(w, check_in_at=local(date(2025, 9, 3), 9))
    second = make_visit(w, check_in_at=local(date(2025, 9, 3), 9, 30))
    audit(w)
    finding = Finding.objects.get(rule="caregiver_overlap", visit=first)
    client.force_login(district_user)

    html = client.get(_detail(finding)).content.decode()

    table = html.split('id="related-visits"')[1].split("</table>")[0]
    assert f'data-visit="{second.pk}"' in table
    assert reverse("visits:visit_detail", args=[second.pk]) in table
    assert "2025-09-03 09:30" in table
    other = Finding.objects.get(rule="caregiver_overlap", visit=first).pk
    assert other == finding.pk


def test_another_districts_visit_in_the_evidence_shows_only_when_it_was(client, w, district_user):
    """The same caregiver at the same time at another district's elder: the
    overlap is the evidence, but that visit's record, provider, item and
    caregiver stay with its district."""
    from tests.visits.factories import world

    first = make_visit(w, check_in_at=local(date(2025, 9, 3), 9))
    make_visit(w, check_in_at=local(date(2025, 9, 3), 9, 30))
    elsewhere = world()
    foreign = make_visit(elsewhere, check_in_at=local(date(2025, 9, 3), 9, 30))
    audit(w)
    finding = Finding.objects.get(rule="caregiver_overlap", visit=first)
    evidence = dict(finding.evidence)
    evidence["other_visits"] = [{
        "visit_id": foreign.pk, "provider_visit_id": foreign.provider_visit_id,
        "provider": elsewhere.provider.name, "service_date": "2025-09-03",
        "service_item": "RN-HOME", "caregiver": "Secret Name",
        "check_in_at": "2025-09-03T09:30:00+08:00",
        "check_out_at": "2025-09-03T10:15:00+08:00"}]
    Finding.objects.filter(pk=finding.pk).update(evidence=evidence)
    client.force_login(district_user)

    html = client.get(_detail(finding)).content.decode()

    table = html.split('id="related-visits"')[1].split("</table>")[0]
    assert "data-visit-hidden" in table
    assert "2025-09-03 09:30" in table
    for secret in (foreign.provider_visit_id, elsewhere.provider.name, "Secret Name",
                   reverse("visits:visit_detail", args=[foreign.pk])):
        assert secret not in table
