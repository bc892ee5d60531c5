"""The contracts API: scoped reads, creation through the service."""

from datetime import date

import pytest
from django.urls import reverse

from apps.accounts.roles import Role
from apps.contracts.models import CarerAgreement, Contract
from apps.contracts.services import end_contracts_and_bar
from tests.contracts.factories import ContractFactory, service_item, subsidised
from tests.factories import ElderFactory, ProviderFactory, staff

pytestmark = pytest.mark.django_db


def _payload(tree, provider, **overrides):
    return {"reference": "HT-API", "purchaser": tree["district"].pk, "provider": provider.pk,
            "covered_area": [tree["street"].pk], "signed_on": "2025-12-01",
            "starts_on": "2026-01-01", "ends_on": "2028-12-31",
            "items": [{"service_item": service_item("LC-HOME").pk, "price": "45.00"}],
            **overrides}


def test_district_creates_a_contract(client, tree, district_user):
    provider = ProviderFactory(region=tree["district"])
    client.force_login(district_user)
    response = client.post(reverse("contract-list"), _payload(tree, provider),
                           content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["items"][0]["above_guide"] is True
    assert body["status"] == "active"


def test_barred_provider_is_a_400_with_code(client, tree, district_user):
    provider = ProviderFactory(region=tree["district"])
    end_contracts_and_bar(provider=provider, on=date(2025, 6, 1), reason="Art 25")
    client.force_login(district_user)
    response = client.post(reverse("contract-list"), _payload(tree, provider),
                           content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert [error.code for error in response.data["provider"]] == ["barred"]
    assert not Contract.objects.exists()


def test_provider_staff_read_only_their_contracts(client, tree):
    a, b = (ProviderFactory(region=tree["district"]) for _ in range(2))
    own = ContractFactory(provider=a, purchaser=tree["district"], covered_area=[tree["street"]])
    other = ContractFactory(provider=b, purchaser=tree["district"],
                            covered_area=[tree["street"]])
    client.force_login(staff(Role.PROVIDER_STAFF, provider=a))
    listed = [row["id"] for row in client.get(reverse("contract-list")).json()["results"]]
    assert listed == [own.pk]
    assert client.get(reverse("contract-detail", args=[other.pk])).status_code == 404
    response = client.post(reverse("contract-list"), _payload(tree, a),
                           content_type="application/json")
    assert response.status_code == 403


def _agreement_payload(elder, street, **overrides):
    return {"elder": elder.pk, "carer_name": "Wang", "relationship": "relative",
            "carer_phone": "13900000000", "street": street.pk,
            "district_approved_on": "2026-01-20", "district_approval_reference": "QZX-1",
            "signed_on": "2026-02-01", "starts_on": "2026-02-01", "ends_on": "2026-12-31",
            "items": [{"service_item": service_item("LC-HOME").pk, "price": "30.00"}],
            **overrides}


def test_carer_agreement_api_refuses_a_covered_street(client, tree, street_user):
    ContractFactory(purchaser=tree["district"], covered_area=[tree["street"]],
                    items=[(service_item("LC-HOME"), "40.00")])
    elder = ElderFactory(residence_street=tree["street"])
    subsidised(elder)
    client.force_login(street_user)
    response = client.post(reverse("careragreement-list"),
                           _agreement_payload(elder, tree["street"]),
                           content_type="application/json")
    assert response.status_code == 400
    assert [error.code for error in response.data["items"]] == ["covered_by_contract"]


def test_carer_agreement_api_records_the_district_approval(client, tree, street_user):
    elder = ElderFactory(residence_street=tree["street"])
    subsidised(elder)
    client.force_login(street_user)
    response = client.post(reverse("careragreement-list"),
                           _agreement_payload(elder, tree["street"]),
                           content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["district_approved_on"], body["district_approval_reference"]) == (
        "2026-01-20", "QZX-1")
    missing = _agreement_payload(elder, tree["street"])
    del missing["district_approved_on"]
    response = client.post(reverse("careragreement-list"), missing,
                           content_type="application/json")
    assert response.status_code == 400
    assert "district_approved_on" in response.data


def test_carer_agreement_api_refuses_an_elder_not_subsidised(client, tree, street_user):
    elder = ElderFactory(residence_street=tree["street"])
    client.force_login(street_user)
    response = client.post(reverse("careragreement-list"),
                           _agreement_payload(elder, tree["street"]),
                           content_type="application/json")
    assert response.status_code == 400
    assert [error.code for error in response.data["elder"]] == ["not_subsidised"]
    assert not CarerAgreement.objects.exists()
