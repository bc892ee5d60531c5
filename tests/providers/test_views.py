"""The registry screens: district staff see their district's providers with
flags; a provider's staff keep their own organisation and see nothing of
any other."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.providers.models import Certificate, InsurancePolicy, Provider, StaffMember
from tests.careplans.factories import rehab_nursing_clients
from tests.factories import ProviderFactory, staff
from tests.providers.factories import (
    CertificateFactory,
    InsurancePolicyFactory,
    StaffMemberFactory,
    insured,
    nurse,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(tree):
    """Providers A and B of the first district, each with a roster, and a
    member of staff of A."""
    a = insured(ProviderFactory(region=tree["district"], name="Provider A"))
    b = insured(ProviderFactory(region=tree["district"], name="Provider B",
                                rehab_nursing_clients=11))
    # 11 rehabilitation-nursing clients under agreements (the flag), and the
    # same count as once recorded by the district (read-only for B's staff)
    rehab_nursing_clients(b, 11)
    nurse(a, name="Nurse of A")
    b_nurse = nurse(b, name="Nurse of B")
    return {"a": a, "b": b, "b_staff": b_nurse, "b_certificate": b_nurse.certificates.get(),
            "b_policy": b.insurance_policies.first(),
            "a_user": staff(Role.PROVIDER_STAFF, provider=a)}


def _b_urls(two):
    b = two["b"]
    return [
        reverse("providers:provider_detail", args=[b.pk]),
        reverse("providers:provider_update", args=[b.pk]),
        reverse("providers:insurance_create", args=[b.pk]),
        reverse("providers:staff_create", args=[b.pk]),
        reverse("providers:insurance_update", args=[two["b_policy"].pk]),
        reverse("providers:staff_update", args=[two["b_staff"].pk]),
        reverse("providers:certificate_create", args=[two["b_staff"].pk]),
        reverse("providers:certificate_update", args=[two["b_certificate"].pk]),
    ]


def test_provider_staff_get_404_for_another_providers_pages(client, two):
    client.force_login(two["a_user"])
    for url in _b_urls(two):
        assert client.get(url).status_code == 404, url
    for url in _b_urls(two)[1:]:
        assert client.post(url, {"name": "Taken over"}).status_code == 404, url
    # and nothing of B changed
    assert StaffMember.objects.get(pk=two["b_staff"].pk).name == "Nurse of B"
    assert Provider.objects.get(pk=two["b"].pk).name == "Provider B"


def test_provider_staff_see_only_their_own_organisation(client, two):
    client.force_login(two["a_user"])
    listing = client.get(reverse("providers:provider_list")).content.decode()
    assert "Provider A" in listing
    assert "Provider B" not in listing
    mine = client.get(reverse("providers:mine"))
    assert mine["Location"] == reverse("providers:provider_detail", args=[two["a"].pk])
    page = client.get(mine["Location"]).content.decode()
    assert "Nurse of A" in page
    assert "Nurse of B" not in page


def test_provider_staff_edit_their_profile_but_not_the_registration(client, two):
    client.force_login(two["a_user"])
    a = two["a"]
    response = client.post(reverse("providers:provider_update", args=[a.pk]), {
        "legal_representative": "Zhang San", "registered_address": "1 Road",
        "contact_person": "Li Si", "contact_phone": "020-1234567",
        "service_categories": ["rehabilitation_nursing", "meals"],
        # fields provider staff may not change are ignored
        "name": "Renamed", "credit_code": "91440106MA5D00001H",
    })
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.legal_representative == "Zhang San"
    assert a.service_categories == ["rehabilitation_nursing", "meals"]
    assert a.name == "Provider A"
    assert a.credit_code != "91440106MA5D00001H"


def test_provider_staff_cannot_change_their_rehab_nursing_client_count(client, two):
    # given provider B, flagged for 11 clients with one nurse (Art 15: 1:10)
    b = two["b"]
    b_user = staff(Role.PROVIDER_STAFF, provider=b)
    client.force_login(b_user)
    url = reverse("providers:provider_update", args=[b.pk])
    # the profile form does not offer the count, and the page shows it read-only
    assert "rehab_nursing_clients" not in client.get(url).context["form"].fields
    page = client.get(reverse("providers:provider_detail", args=[b.pk])).content.decode()
    assert '<span id="rehab-nursing-clients">11</span>' in page
    # when B's staff post a lower count with their profile
    response = client.post(url, {"contact_person": "Li Si", "rehab_nursing_clients": "10"})
    # then the profile is saved, the count is ignored and the flag stays
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.contact_person == "Li Si"
    assert b.rehab_nursing_clients == 11
    page = client.get(reverse("providers:provider_detail", args=[b.pk])).content.decode()
    assert 'data-flag="nurse_ratio"' in page


def test_district_staff_record_the_rehab_nursing_client_count(client, two, district_user):
    client.force_login(district_user)
    b = two["b"]
    url = reverse("providers:provider_update", args=[b.pk])
    assert "rehab_nursing_clients" in client.get(url).context["form"].fields
    response = client.post(url, {"name": b.name, "credit_code": b.credit_code,
                                 "region": b.region_id, "rehab_nursing_clients": "10"})
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.rehab_nursing_clients == 10


def test_provider_staff_keep_their_roster(client, two):
    client.force_login(two["a_user"])
    a, today = two["a"], timezone.localdate()
    # add a staff member
    response = client.post(reverse("providers:staff_create", args=[a.pk]), {
        "name": "New Carer", "role": "caregiver", "joined_on": today.isoformat(),
        "active": "on"})
    assert response.status_code == 302
    member = StaffMember.objects.get(name="New Carer")
    assert member.provider == a
    # give them a certificate
    response = client.post(reverse("providers:certificate_create", args=[member.pk]), {
        "kind": "eldercare_worker", "number": "YL-1", "issued_on": today.isoformat(),
        "expires_on": ""})
    assert response.status_code == 302
    certificate = Certificate.objects.get(number="YL-1")
    assert certificate.staff == member
    assert certificate.expires_on is None
    # edit it
    response = client.post(reverse("providers:certificate_update", args=[certificate.pk]), {
        "kind": "eldercare_worker", "number": "YL-1",
        "issued_on": today.isoformat(),
        "expires_on": (today + timedelta(days=10)).isoformat()})
    assert response.status_code == 302
    # mark the member as left
    response = client.post(reverse("providers:staff_update", args=[member.pk]), {
        "name": "New Carer", "role": "caregiver", "joined_on": today.isoformat()})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.active is False
    # add an insurance policy
    response = client.post(reverse("providers:insurance_create", args=[a.pk]), {
        "kind": "staff_accident", "insurer": "PICC", "policy_number": "YG-9",
        "valid_from": today.isoformat(),
        "valid_until": (today + timedelta(days=365)).isoformat()})
    assert response.status_code == 302
    assert InsurancePolicy.objects.get(policy_number="YG-9").provider == a


def test_a_policy_ending_before_it_starts_is_refused(client, two):
    client.force_login(two["a_user"])
    today = timezone.localdate()
    response = client.post(reverse("providers:insurance_create", args=[two["a"].pk]), {
        "kind": "staff_accident", "insurer": "PICC", "policy_number": "YG-9",
        "valid_from": today.isoformat(),
        "valid_until": (today - timedelta(days=1)).isoformat()})
    assert response.status_code == 200
    assert "valid_until" in response.context["form"].errors
    assert not InsurancePolicy.objects.filter(policy_number="YG-9").exists()


def test_district_list_shows_flags_and_filters_the_flagged(client, two, district_user):
    client.force_login(district_user)
    html = client.get(reverse("providers:provider_list")).content.decode()
    assert "Provider A" in html
    assert "Provider B" in html
    assert 'data-flag="nurse_ratio"' in html
    flagged = client.get(reverse("providers:provider_list"), {"flagged": "on"})
    names = [p.name for p in flagged.context["object_list"]]
    assert names == ["Provider B"]


def test_district_detail_shows_the_roster_and_flags(client, two, district_user):
    client.force_login(district_user)
    html = client.get(reverse("providers:provider_detail", args=[two["b"].pk])).content.decode()
    assert "Nurse of B" in html
    assert two["b_certificate"].number in html
    assert 'data-flag="nurse_ratio"' in html
    # district staff read the roster; they do not keep it
    assert reverse("providers:staff_create", args=[two["b"].pk]) not in html
    assert client.get(reverse("providers:staff_create",
                              args=[two["b"].pk])).status_code == 403


def test_district_registers_a_provider_with_a_valid_code(client, tree, district_user):
    client.force_login(district_user)
    url = reverse("providers:provider_create")
    data = {"name": "New Provider", "credit_code": "91440106ma5d00001j",
            "region": tree["district"].pk, "rehab_nursing_clients": "0"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["credit_code"]
    data["credit_code"] = "91440106ma5d00001h"
    response = client.post(url, data)
    assert response.status_code == 302
    assert Provider.objects.get(name="New Provider").credit_code == "91440106MA5D00001H"


def test_district_cannot_register_in_another_district(client, tree, district_user):
    client.force_login(district_user)
    response = client.post(reverse("providers:provider_create"), {
        "name": "Elsewhere", "credit_code": "91440106MA5D00001H",
        "region": tree["other_district"].pk, "rehab_nursing_clients": "0"})
    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    assert not Provider.objects.filter(name="Elsewhere").exists()


def test_another_districts_staff_see_nothing(client, two, tree):
    officer = staff(Role.DISTRICT_STAFF, region=tree["other_district"])
    client.force_login(officer)
    assert list(client.get(reverse("providers:provider_list")).context["object_list"]) == []
    for url in _b_urls(two)[:2]:
        assert client.get(url).status_code == 404


def test_staff_without_a_provider_have_no_organisation(client, district_user):
    client.force_login(district_user)
    assert client.get(reverse("providers:mine")).status_code == 404


def test_expired_certificate_shows_on_the_detail(client, two):
    member = StaffMemberFactory(provider=two["a"], name="Old Carer")
    CertificateFactory(staff=member, number="OLD-1",
                       expires_on=timezone.localdate() - timedelta(days=1))
    InsurancePolicyFactory(provider=two["a"])
    client.force_login(two["a_user"])
    html = client.get(reverse("providers:provider_detail", args=[two["a"].pk])).content.decode()
    assert 'data-flag="certificate_expired"' in html
    assert "OLD-1" in html


def test_the_pages_show_the_clients_counted_from_agreements(client, tree, district_user):
    # the district once recorded 3; 5 agreements with rehabilitation nursing are in force
    provider = insured(ProviderFactory(region=tree["district"], name="Provider C",
                                       rehab_nursing_clients=3))
    rehab_nursing_clients(provider, 5)
    # and one more that has ended does not count
    [ended] = rehab_nursing_clients(provider, 1)
    ended.status, ended.ended_on, ended.end_reason = "ended", date(2026, 1, 31), "breach"
    ended.save()
    client.force_login(district_user)
    html = client.get(reverse("providers:provider_detail", args=[provider.pk])
                      ).content.decode()
    assert '<span id="rehab-nursing-clients">5</span>' in html
    listing = client.get(reverse("providers:provider_list")).content.decode()
    assert f'<tr data-pk="{provider.pk}">' in listing
    row = listing.split(f'<tr data-pk="{provider.pk}">')[1].split("</tr>")[0]
    assert '<td class="num" data-rehab-clients>5</td>' in row


def test_the_list_counts_clients_in_a_constant_number_of_queries(client, tree, district_user):
    def queries_for_the_list():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("providers:provider_list"))
        assert response.status_code == 200
        return len(captured)

    client.force_login(district_user)
    for n in range(2):
        rehab_nursing_clients(insured(ProviderFactory(region=tree["district"])), n + 1)
    few = queries_for_the_list()
    for n in range(4):
        rehab_nursing_clients(insured(ProviderFactory(region=tree["district"])), n + 1)
    assert queries_for_the_list() == few
