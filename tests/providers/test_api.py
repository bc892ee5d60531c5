"""The registry API: scoped reads with compliance flags, writes by a
provider's staff on their own rows only."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.roles import Role
from apps.providers.models import Certificate, InsurancePolicy, Provider, StaffMember
from tests.careplans.factories import rehab_nursing_clients
from tests.factories import ProviderFactory, staff
from tests.providers.factories import insured, nurse

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(tree):
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


def _ids(response):
    return [row["id"] for row in response.json()["results"]]


def test_providers_carry_profile_and_flags(client, two, district_user):
    client.force_login(district_user)
    rows = {row["name"]: row for row in client.get("/api/providers/").json()["results"]}
    assert rows["Provider A"]["flags"] == []
    [flag] = rows["Provider B"]["flags"]
    assert flag["code"] == "nurse_ratio"
    assert flag["severity"] == "error"
    assert flag["message"]
    detail = client.get(f"/api/providers/{two['b'].pk}/").json()
    assert [f["code"] for f in detail["flags"]] == ["nurse_ratio"]
    assert detail["rehab_nursing_clients"] == 11


def test_provider_staff_get_404_for_another_providers_rows(client, two):
    client.force_login(two["a_user"])
    assert _ids(client.get("/api/providers/")) == [two["a"].pk]
    for url in (f"/api/providers/{two['b'].pk}/",
                f"/api/provider-insurance/{two['b_policy'].pk}/",
                f"/api/provider-staff/{two['b_staff'].pk}/",
                f"/api/provider-certificates/{two['b_certificate'].pk}/"):
        assert client.get(url).status_code == 404, url
        assert client.patch(url, {"name": "X"}, content_type="application/json"
                            ).status_code == 404, url
    names = [row["name"] for row in client.get("/api/provider-staff/").json()["results"]]
    assert names == ["Nurse of A"]
    assert StaffMember.objects.get(pk=two["b_staff"].pk).name == "Nurse of B"


def test_provider_staff_cannot_add_rows_to_another_provider(client, two):
    client.force_login(two["a_user"])
    today = timezone.localdate().isoformat()
    response = client.post("/api/provider-staff/", {
        "provider": two["b"].pk, "name": "Planted", "role": "caregiver", "joined_on": today},
        content_type="application/json")
    assert response.status_code == 400
    assert "provider" in response.json()
    response = client.post("/api/provider-certificates/", {
        "staff": two["b_staff"].pk, "kind": "other", "number": "X", "issued_on": today},
        content_type="application/json")
    assert response.status_code == 400
    assert not StaffMember.objects.filter(name="Planted").exists()
    assert not Certificate.objects.filter(number="X").exists()


def test_provider_staff_write_their_own_roster(client, two):
    client.force_login(two["a_user"])
    today = timezone.localdate()
    response = client.post("/api/provider-staff/", {
        "provider": two["a"].pk, "name": "Carer", "role": "caregiver",
        "joined_on": today.isoformat()}, content_type="application/json")
    assert response.status_code == 201, response.json()
    member_id = response.json()["id"]
    response = client.post("/api/provider-certificates/", {
        "staff": member_id, "kind": "eldercare_worker", "number": "YL-2",
        "issued_on": today.isoformat(), "expires_on": None}, content_type="application/json")
    assert response.status_code == 201
    member = client.get(f"/api/provider-staff/{member_id}/").json()
    assert [c["number"] for c in member["certificates"]] == ["YL-2"]
    response = client.post("/api/provider-insurance/", {
        "provider": two["a"].pk, "kind": "premises_liability", "insurer": "PICC",
        "policy_number": "CS-2", "valid_from": today.isoformat(),
        "valid_until": (today - timedelta(days=1)).isoformat()},
        content_type="application/json")
    assert response.status_code == 400
    assert response.json()["valid_until"][0]
    assert not InsurancePolicy.objects.filter(policy_number="CS-2").exists()


def test_provider_staff_change_only_the_profile(client, two):
    client.force_login(two["a_user"])
    response = client.patch(f"/api/providers/{two['a'].pk}/", {
        "name": "Renamed", "contact_person": "Li Si",
        "service_categories": ["meals"]}, content_type="application/json")
    assert response.status_code == 200
    a = Provider.objects.get(pk=two["a"].pk)
    assert a.name == "Provider A"
    assert a.contact_person == "Li Si"
    assert a.service_categories == ["meals"]


def test_provider_staff_cannot_change_their_rehab_nursing_client_count(client, two):
    # given provider B, flagged for 11 clients with one nurse (Art 15: 1:10)
    b_user = staff(Role.PROVIDER_STAFF, provider=two["b"])
    client.force_login(b_user)
    url = f"/api/providers/{two['b'].pk}/"
    # when B's staff PATCH a lower count with their profile
    response = client.patch(url, {"rehab_nursing_clients": 10, "contact_person": "Li Si"},
                            content_type="application/json")
    # then the count is ignored (read-only for them), the profile saved, the flag kept
    assert response.status_code == 200
    assert response.json()["rehab_nursing_clients"] == 11
    assert [f["code"] for f in response.json()["flags"]] == ["nurse_ratio"]
    b = Provider.objects.get(pk=two["b"].pk)
    assert (b.rehab_nursing_clients, b.contact_person) == (11, "Li Si")
    # and a full PUT ignores it too
    body = {key: value for key, value in client.get(url).json().items()
            if key not in ("id", "flags", "is_demo")}
    response = client.put(url, {**body, "rehab_nursing_clients": 0},
                          content_type="application/json")
    assert response.status_code == 200
    assert Provider.objects.get(pk=two["b"].pk).rehab_nursing_clients == 11
    # and they cannot register a provider with a count of their own choosing
    response = client.post("/api/providers/", {
        "name": "New", "credit_code": "91440106MA5D00001H", "region": two["b"].region_id,
        "rehab_nursing_clients": 0}, content_type="application/json")
    assert response.status_code == 403


def test_district_staff_record_the_rehab_nursing_client_count(client, two, district_user):
    client.force_login(district_user)
    response = client.patch(f"/api/providers/{two['b'].pk}/", {"rehab_nursing_clients": 10},
                            content_type="application/json")
    assert response.status_code == 200
    assert Provider.objects.get(pk=two["b"].pk).rehab_nursing_clients == 10
    # the recorded count no longer decides: the agreements' 11 clients do
    assert [f["code"] for f in response.json()["flags"]] == ["nurse_ratio"]


def test_district_registers_providers_but_reads_rosters(client, tree, two, district_user):
    client.force_login(district_user)
    response = client.post("/api/providers/", {
        "name": "New", "credit_code": "91440106MA5D00001J", "region": tree["district"].pk},
        content_type="application/json")
    assert response.status_code == 400
    assert response.json()["credit_code"][0]
    response = client.post("/api/providers/", {
        "name": "New", "credit_code": "DEMO00000000000007", "region": tree["district"].pk},
        content_type="application/json")
    assert response.status_code == 400
    response = client.post("/api/providers/", {
        "name": "New", "credit_code": "91440106MA5D00001H", "region": tree["district"].pk},
        content_type="application/json")
    assert response.status_code == 201
    # the roster is the provider's to keep (role table)
    response = client.post("/api/provider-staff/", {
        "provider": two["a"].pk, "name": "X", "role": "nurse",
        "joined_on": timezone.localdate().isoformat()}, content_type="application/json")
    assert response.status_code == 403


def test_another_district_sees_nothing(client, two, tree):
    client.force_login(staff(Role.DISTRICT_STAFF, region=tree["other_district"]))
    for url in ("/api/providers/", "/api/provider-insurance/", "/api/provider-staff/",
                "/api/provider-certificates/"):
        assert client.get(url).json()["results"] == [], url
    assert client.get(f"/api/providers/{two['b'].pk}/").status_code == 404
