"""Audit findings: raised once per source, listed and read by the street
(about its elders) and the district (its own), read-only in the API and
admin, invisible sideways and to providers."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.accounts.roles import Role
from apps.audit.models import AccessLog
from apps.findings.models import Finding
from apps.findings.services import raise_finding
from tests.core.scope_walk import almighty
from tests.factories import ElderFactory, ProviderFactory, staff

pytestmark = pytest.mark.django_db


def make_finding(street, *, key="k1", month=date(2025, 9, 1), amount="50.00", provider=None,
                 evidence=None, summary="Service not received"):
    elder = ElderFactory(residence_street=street, hukou_street=street)
    provider = provider or ProviderFactory(region=street.parent)
    finding, _created = raise_finding(
        rule="followup_not_received", source_key=key, district=street.parent, month=month,
        summary=summary, amount=Decimal(amount), provider=provider, elder=elder,
        evidence=evidence or {"visit_id": 7, "service_date": "2025-09-03",
                              "check_in_method": "manual", "note": "Nobody came"})
    return finding


def test_a_finding_is_raised_once_per_rule_and_source(tree):
    first = make_finding(tree["street"], key="followup:1")
    again, created = raise_finding(
        rule="followup_not_received", source_key="followup:1", district=tree["district"],
        month=date(2025, 10, 1), summary="other", amount=Decimal("9.00"))
    assert created is False
    assert again == first
    assert Finding.objects.count() == 1
    again.refresh_from_db()
    assert (again.amount, again.summary) == (Decimal("50.00"), "Service not received")


def test_the_street_lists_the_findings_about_its_elders(client, tree, street_user):
    mine = make_finding(tree["street"], key="a")
    make_finding(tree["sibling"], key="b")
    client.force_login(street_user)
    response = client.get(reverse("findings:finding_list"))
    assert list(response.context["object_list"]) == [mine]


def test_the_district_lists_all_its_findings_and_filters_them(client, tree, district_user):
    provider = ProviderFactory(region=tree["district"])
    september = make_finding(tree["street"], key="a", provider=provider)
    october = make_finding(tree["sibling"], key="b", month=date(2025, 10, 1))
    make_finding(tree["other_street"], key="c")
    client.force_login(district_user)
    url = reverse("findings:finding_list")
    assert set(client.get(url).context["object_list"]) == {september, october}
    assert list(client.get(url, {"month": "2025-10"}).context["object_list"]) == [october]
    assert list(client.get(url, {"provider": provider.pk}).context["object_list"]) == [
        september]
    assert list(client.get(url, {"status": "dismissed"}).context["object_list"]) == []
    assert len(client.get(url, {"rule": "followup_not_received"}).context["object_list"]) == 2


def test_the_detail_shows_rule_evidence_and_amount_and_logs_the_elder(
        client, tree, street_user):
    finding = make_finding(tree["street"], amount="87.50")
    client.force_login(street_user)
    response = client.get(reverse("findings:finding_detail", args=[finding.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="amount">87.50<' in html
    assert "Nobody came" in html
    assert "2025-09-03" in html
    assert 'id="evidence"' in html
    assert AccessLog.objects.filter(object_id=str(finding.elder_id),
                                    object_type="elders.elder").count() == 1


def test_a_sibling_street_and_another_district_get_404(client, tree):
    finding = make_finding(tree["street"])
    url = reverse("findings:finding_detail", args=[finding.pk])
    for user in (staff(Role.STREET_STAFF, region=tree["sibling"]),
                 staff(Role.DISTRICT_STAFF, region=tree["other_district"])):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert list(client.get(reverse("findings:finding_list")).context["object_list"]) == []
        assert client.get(f"/api/findings/{finding.pk}/").status_code == 404


def test_providers_see_no_findings_even_their_own(client, tree):
    provider = ProviderFactory(region=tree["district"])
    finding = make_finding(tree["street"], provider=provider)
    client.force_login(almighty(provider=provider))
    assert list(client.get(reverse("findings:finding_list")).context["object_list"]) == []
    assert client.get(reverse("findings:finding_detail", args=[finding.pk])).status_code == 404
    assert client.get("/api/findings/").json()["count"] == 0
    client.force_login(staff(Role.PROVIDER_STAFF, provider=provider))
    assert client.get(reverse("findings:finding_list")).status_code == 403


def test_the_api_lists_and_reads_findings_read_only(client, tree, district_user):
    finding = make_finding(tree["street"], amount="12.30")
    client.force_login(district_user)
    body = client.get("/api/findings/", {"month": "2025-09"}).json()
    assert [row["id"] for row in body["results"]] == [finding.pk]
    row = client.get(f"/api/findings/{finding.pk}/").json()
    assert row["amount"] == "12.30"
    assert row["rule"] == "followup_not_received"
    assert row["evidence"]["note"] == "Nobody came"
    assert client.get("/api/findings/", {"month": "2025-10"}).json()["count"] == 0
    # nothing writes a finding through the API
    assert client.post("/api/findings/", {}).status_code in (403, 405)
    assert client.delete(f"/api/findings/{finding.pk}/").status_code in (403, 405)
    assert Finding.objects.count() == 1


def test_the_admin_shows_findings_and_changes_nothing(client, tree, district_user):
    finding = make_finding(tree["street"])
    client.force_login(district_user)
    assert client.get("/admin/findings/finding/").status_code == 200
    change = client.get(f"/admin/findings/finding/{finding.pk}/change/")
    assert change.status_code == 200
    assert b'name="amount"' not in change.content
    assert client.get("/admin/findings/finding/add/").status_code == 403
