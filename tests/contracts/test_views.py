"""The contract screens: scoping, the guide-price flags, the district's
forms and the street's three-party agreements."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import NON_FIELD_ERRORS
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.contracts.models import CarerAgreement, Contract, ContractStatus, TenderBar
from apps.contracts.services import end_contracts_and_bar
from tests.contracts.factories import ContractFactory, service_item, subsidised
from tests.factories import ElderFactory, ProviderFactory, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_providers(tree):
    a, b = (ProviderFactory(region=tree["district"]) for _ in range(2))
    return {
        "a": a, "b": b,
        "contract_a": ContractFactory(reference="HT-A", purchaser=tree["district"], provider=a,
                                      covered_area=[tree["street"]]),
        "contract_b": ContractFactory(reference="HT-B", purchaser=tree["district"], provider=b,
                                      covered_area=[tree["street"]]),
    }


def test_provider_staff_see_only_their_own_contracts(client, two_providers):
    client.force_login(staff(Role.PROVIDER_STAFF, provider=two_providers["a"]))
    html = client.get(reverse("contracts:contract_list")).content.decode()
    assert "HT-A" in html
    assert "HT-B" not in html
    own = client.get(reverse("contracts:contract_detail", args=[two_providers["contract_a"].pk]))
    assert own.status_code == 200
    other = reverse("contracts:contract_detail", args=[two_providers["contract_b"].pk])
    assert client.get(other).status_code == 404


def test_provider_staff_cannot_edit_or_end(client, two_providers):
    client.force_login(staff(Role.PROVIDER_STAFF, provider=two_providers["a"]))
    pk = two_providers["contract_a"].pk
    assert client.get(reverse("contracts:contract_update", args=[pk])).status_code == 403
    response = client.post(reverse("contracts:contract_end", args=[pk]),
                           {"ended_on": "2026-06-01", "end_reason": "x"})
    assert response.status_code == 403
    assert Contract.objects.get(pk=pk).is_active


def test_sibling_street_does_not_see_the_streets_contract(client, tree, two_providers):
    client.force_login(staff(Role.STREET_STAFF, region=tree["sibling"]))
    assert "HT-A" not in client.get(reverse("contracts:contract_list")).content.decode()
    detail = reverse("contracts:contract_detail", args=[two_providers["contract_a"].pk])
    assert client.get(detail).status_code == 404


def test_covered_street_sees_the_contract_once(client, tree, two_providers):
    contract = two_providers["contract_a"]
    contract.covered_area.add(tree["sibling"])
    client.force_login(staff(Role.STREET_STAFF, region=tree["street"]))
    html = client.get(reverse("contracts:contract_list")).content.decode()
    assert html.count(">HT-A<") == 1


def test_detail_flags_a_price_above_the_guide_price(client, tree, district_user):
    item = service_item("LC-HOME")
    guide = item.guide_price_on(date(2026, 1, 1))
    contract = ContractFactory(purchaser=tree["district"], covered_area=[tree["street"]],
                               items=[(item, guide + Decimal("5.00")),
                                      (service_item("ML-CANTEEN"),
                                       service_item("ML-CANTEEN").guide_price_on(
                                           date(2026, 1, 1))),
                                      (service_item("HC-CONSULT"), Decimal("20.00"))])
    client.force_login(district_user)
    html = client.get(reverse("contracts:contract_detail", args=[contract.pk])).content.decode()
    assert html.count('data-flag="above"') == 1
    assert html.count('data-flag="at"') == 1
    assert html.count('data-flag="no-guide"') == 1


def _contract_post(tree, provider, **overrides):
    data = {"reference": "HT-NEW", "purchaser": tree["district"].pk, "provider": provider.pk,
            "covered_area": [tree["street"].pk], "signed_on": "2025-12-01",
            "starts_on": "2026-01-01", "ends_on": "2028-12-31",
            "items-TOTAL_FORMS": "2", "items-INITIAL_FORMS": "0",
            "items-0-service_item": service_item("LC-HOME").pk, "items-0-price": "99.00",
            "items-1-service_item": "", "items-1-price": ""}
    return {**data, **overrides}


def test_district_creates_a_contract_with_items(client, tree, district_user):
    provider = ProviderFactory(region=tree["district"])
    client.force_login(district_user)
    response = client.post(reverse("contracts:contract_create"), _contract_post(tree, provider))
    contract = Contract.objects.get(reference="HT-NEW")
    assert response.status_code == 302
    assert contract.items.get().price == Decimal("99.00")
    html = client.get(response["Location"]).content.decode()
    assert 'data-flag="above"' in html


def test_contract_form_refuses_a_term_one_day_too_long(client, tree, district_user):
    provider = ProviderFactory(region=tree["district"])
    client.force_login(district_user)
    response = client.post(reverse("contracts:contract_create"),
                           _contract_post(tree, provider, ends_on="2029-01-01"))
    assert response.status_code == 200
    assert response.context["form"].errors["ends_on"]
    assert 'data-flag="above"' in response.content.decode()  # the price row is still shown
    assert not Contract.objects.exists()


def test_contract_form_refuses_a_barred_provider(client, tree, district_user):
    provider = ProviderFactory(region=tree["district"])
    end_contracts_and_bar(provider=provider, on=date(2025, 6, 1), reason="Art 25")
    client.force_login(district_user)
    response = client.post(reverse("contracts:contract_create"), _contract_post(tree, provider))
    assert response.context["form"].has_error("provider", "barred")
    assert not Contract.objects.exists()


def test_district_ends_a_contract_without_a_bar(client, tree, district_user, two_providers):
    contract = two_providers["contract_a"]
    client.force_login(district_user)
    response = client.post(reverse("contracts:contract_end", args=[contract.pk]),
                           {"ended_on": "2026-06-30", "end_reason": "breach"})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ENDED
    assert not TenderBar.objects.exists()


def test_other_district_cannot_end_the_contract(client, tree, two_providers):
    contract = two_providers["contract_a"]
    client.force_login(staff(Role.DISTRICT_STAFF, region=tree["other_district"]))
    response = client.post(reverse("contracts:contract_end", args=[contract.pk]),
                           {"ended_on": "2026-06-30", "end_reason": "breach"})
    assert response.status_code == 404
    contract.refresh_from_db()
    assert contract.is_active


def test_renewal_form_shows_the_refusal(client, tree, district_user, two_providers):
    contract = two_providers["contract_a"]
    client.force_login(district_user)
    response = client.post(reverse("contracts:contract_renew", args=[contract.pk]),
                           {"year": "2", "decided_on": "2026-12-01", "decision": "continue"})
    assert response.status_code == 200
    assert response.context["form"].has_error("decision", "ungraded")
    assert not contract.renewals.exists()


def test_bars_list_shows_the_districts_bars(client, tree, district_user):
    provider = ProviderFactory(region=tree["district"], name="Barred Care")
    end_contracts_and_bar(provider=provider, on=date(2026, 6, 1), reason="still unqualified")
    client.force_login(district_user)
    html = client.get(reverse("contracts:bar_list")).content.decode()
    assert "Barred Care" in html
    assert "2028-06-01" in html


def _agreement_post(**overrides):
    return {"carer_name": "Neighbour Wang", "relationship": "neighbour",
            "carer_phone": "13900000000", "district_approved_on": "2026-01-20",
            "district_approval_reference": "QZX-2026-007", "signed_on": "2026-02-01",
            "starts_on": "2026-02-01", "ends_on": "2026-12-31", "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0", "items-0-service_item": service_item("LC-HOME").pk,
            "items-0-price": "30.00", **overrides}


def test_street_creates_a_three_party_agreement(client, tree, street_user):
    elder = ElderFactory(residence_street=tree["street"], name="Elder Liu")
    subsidised(elder)
    client.force_login(street_user)
    search = client.post(reverse("contracts:agreement_list"), {"q": "Liu", "private_search": "1"},
                         follow=True).content.decode()
    url = reverse("contracts:agreement_create", args=[elder.pk])
    assert url in search
    response = client.post(url, _agreement_post())
    assert response.status_code == 302
    agreement = CarerAgreement.objects.get()
    assert (agreement.street, agreement.elder) == (tree["street"], elder)
    assert (agreement.district_approved_on, agreement.district_approval_reference) == (
        date(2026, 1, 20), "QZX-2026-007")
    html = client.get(response["Location"]).content.decode()
    assert "Neighbour Wang" in html
    assert "QZX-2026-007" in html
    edit = client.get(reverse("contracts:agreement_update", args=[agreement.pk]))
    assert edit.context["form"].initial["district_approval_reference"] == "QZX-2026-007"


def test_street_agreement_refused_where_covered(client, tree, street_user):
    ContractFactory(purchaser=tree["district"], covered_area=[tree["street"]],
                    items=[(service_item("LC-HOME"), Decimal("40"))],
                    starts_on=date(2026, 1, 1), ends_on=date(2028, 12, 31))
    elder = ElderFactory(residence_street=tree["street"])
    subsidised(elder)
    client.force_login(street_user)
    response = client.post(reverse("contracts:agreement_create", args=[elder.pk]),
                           _agreement_post())
    assert response.status_code == 200
    assert response.context["form"].has_error(NON_FIELD_ERRORS, "covered_by_contract")
    assert not CarerAgreement.objects.exists()


def test_street_agreement_refused_for_an_elder_not_subsidised(client, tree, street_user):
    elder = ElderFactory(residence_street=tree["street"])
    client.force_login(street_user)
    response = client.post(reverse("contracts:agreement_create", args=[elder.pk]),
                           _agreement_post())
    assert response.status_code == 200
    assert response.context["form"].has_error(NON_FIELD_ERRORS, "not_subsidised")
    assert not CarerAgreement.objects.exists()


def test_street_agreement_form_needs_the_district_approval(client, tree, street_user):
    elder = ElderFactory(residence_street=tree["street"])
    subsidised(elder)
    client.force_login(street_user)
    url = reverse("contracts:agreement_create", args=[elder.pk])
    response = client.post(url, _agreement_post(district_approved_on="",
                                                 district_approval_reference=""))
    form = response.context["form"]
    assert form.has_error("district_approved_on", "required")
    assert form.has_error("district_approval_reference", "required")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(url, _agreement_post(district_approved_on=tomorrow))
    assert response.context["form"].has_error("district_approved_on", "future")
    assert not CarerAgreement.objects.exists()


def test_sibling_street_cannot_open_the_elders_agreement_form(client, tree):
    elder = ElderFactory(residence_street=tree["street"])
    client.force_login(staff(Role.STREET_STAFF, region=tree["sibling"]))
    url = reverse("contracts:agreement_create", args=[elder.pk])
    assert client.get(url).status_code == 404


def test_street_cannot_bind_the_elders_residence_street_it_does_not_hold(client, tree,
                                                                       street_user):
    # registered (hukou) in the user's street, living in the sibling street
    elder = ElderFactory(hukou_street=tree["street"], residence_street=tree["sibling"],
                         name="Elder Moved")
    subsidised(elder)
    client.force_login(street_user)
    url = reverse("contracts:agreement_create", args=[elder.pk])
    search = client.post(reverse("contracts:agreement_list"),
                         {"q": "Moved", "private_search": "1"}, follow=True).content.decode()
    assert url not in search
    assert client.get(url).status_code == 404
    assert client.post(url, _agreement_post()).status_code == 404
    assert not CarerAgreement.objects.exists()
    # the residence street's own staff may
    client.force_login(staff(Role.STREET_STAFF, region=tree["sibling"]))
    assert client.post(url, _agreement_post()).status_code == 302
    assert CarerAgreement.objects.get().street == tree["sibling"]


def test_contract_list_badges_and_filters_renewals_due(client, tree, district_user):
    today = timezone.localdate()
    kwargs = {"purchaser": tree["district"], "covered_area": [tree["street"]]}

    def contract(reference, year_2_in_days):
        starts_on = today + timedelta(days=year_2_in_days) - relativedelta(years=1)
        return ContractFactory(reference=reference, starts_on=starts_on,
                               ends_on=starts_on + relativedelta(years=3, days=-1), **kwargs)

    contract("HT-SOON", 30)
    contract("HT-LATER", 90)
    contract("HT-DONE", 30).renewals.create(year=2, decided_on=today, decision="continue")
    client.force_login(district_user)
    url = reverse("contracts:contract_list")
    html = client.get(url).content.decode()
    assert html.count('data-renewal-due="2"') == 1
    assert all(ref in html for ref in ("HT-SOON", "HT-LATER", "HT-DONE"))
    filtered = client.get(url, {"renewal_due": "on"}).content.decode()
    assert "HT-SOON" in filtered
    assert "HT-LATER" not in filtered
    assert "HT-DONE" not in filtered


def test_a_stop_decision_on_the_screen_keeps_the_contract_to_the_year_end(
        client, tree, district_user, two_providers):
    contract = two_providers["contract_a"]  # 2026-01-01 to 2028-12-31
    client.force_login(district_user)
    response = client.post(reverse("contracts:contract_renew", args=[contract.pk]),
                           {"year": "2", "decided_on": "2026-11-20", "decision": "stop",
                            "note": "unqualified"})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert (contract.status, contract.ends_on) == (ContractStatus.ACTIVE, date(2026, 12, 31))
    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="not-renewed"' in html
