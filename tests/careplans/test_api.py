"""/api/service-plans/ and /api/service-agreements/: scoped reads, writes
through the services with their codes, the ``end`` action."""

from datetime import date

import pytest

from apps.careplans import services
from apps.careplans.models import AgreementStatus, ServiceAgreement, ServicePlan
from tests.factories import ElderFactory

pytestmark = pytest.mark.django_db

PLANS = "/api/service-plans/"
AGREEMENTS = "/api/service-agreements/"


def _sign(area, provider=None):
    return services.sign_agreement(elder=area.elder, provider=provider or area.provider,
                                   items=[(area.meals, 20)], signed_on=date(2026, 2, 20),
                                   starts_on=date(2026, 3, 1))


def _plan_body(area, **changes):
    return {"elder": area.elder.pk, "starts_on": "2026-03-01", "needs": "meals",
            "items": [{"service_item": area.life_care.pk, "provider": area.provider.pk,
                       "times_per_month": 8},
                      {"service_item": area.meals.pk, "provider": area.provider.pk,
                       "times_per_month": 20}], **changes}


def _codes(response, field):
    return [error.code for error in response.data[field]]


def test_a_plan_is_written_and_answers_its_budget(client, area):
    client.force_login(area.clerk)
    response = client.post(PLANS, _plan_body(area), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["budget"] == {"cost": "624.00", "subsidy": "400.00", "elder_pays": "224.00"}
    assert [item["unit_price"] for item in body["items"]] == ["38.00", "16.00"]
    assert client.get(f"{PLANS}{body['id']}/").json()["status"] == "active"


def test_a_plan_for_an_elder_not_approved_is_400_with_the_code(client, area):
    elder = ElderFactory(residence_street=area.street)
    client.force_login(area.clerk)
    response = client.post(PLANS, _plan_body(area, elder=elder.pk),
                           content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert _codes(response, "elder") == ["not_approved"]
    assert "holds no approved entitlement" in response.json()["elder"][0]
    assert not ServicePlan.objects.exists()


def test_an_elder_outside_the_street_is_unknown(client, area):
    client.force_login(area.sibling_clerk)
    response = client.post(PLANS, _plan_body(area), content_type="application/json")
    assert response.status_code == 400
    assert _codes(response, "elder") == ["does_not_exist"]
    assert not ServicePlan.objects.exists()


def test_plans_are_scoped(client, area):
    services.write_plan(elder=area.elder, starts_on=date(2026, 3, 1), items=[
        {"service_item": area.meals, "times_per_month": 4}])
    plan = ServicePlan.objects.get()
    client.force_login(area.officer)
    assert client.get(PLANS).json()["count"] == 1
    for outsider in (area.sibling_clerk, area.other_officer):
        client.force_login(outsider)
        assert client.get(PLANS).json()["count"] == 0
        assert client.get(f"{PLANS}{plan.pk}/").status_code == 404
    client.force_login(area.provider_user)
    assert client.get(PLANS).status_code == 403


def test_an_agreement_is_signed_through_the_api(client, area):
    client.force_login(area.clerk)
    response = client.post(AGREEMENTS, {
        "elder": area.elder.pk, "provider": area.provider.pk, "signed_on": "2026-02-20",
        "starts_on": "2026-03-01",
        "items": [{"service_item": area.meals.pk, "times_per_month": 20},
                  {"service_item": area.life_care.pk}]},
        content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"].startswith(f"SA-{area.tree['district'].code}-2026-")
    assert {i["service_item_name"]: (i["unit_price"], i["times_per_month"])
            for i in body["items"]} == {area.meals.name: ("16.00", 20),
                                        area.life_care.name: ("38.00", None)}


@pytest.mark.parametrize(("change", "field", "code"), [
    ({"items": [{"service_item": "rehab", "times_per_month": 4}]}, "items",
     "not_in_contract"),
    ({"provider": "stranger"}, "provider", "not_contracted"),
    ({"elder": "unapproved"}, "elder", "not_approved"),
])
def test_signing_refusals_answer_400_with_codes(client, area, change, field, code):
    from apps.careplans.serializers import provider_choices
    from tests.contracts.factories import ContractFactory, service_item
    from tests.factories import ProviderFactory

    body = {"elder": area.elder.pk, "provider": area.provider.pk, "signed_on": "2026-02-20",
            "starts_on": "2026-03-01",
            "items": [{"service_item": area.meals.pk, "times_per_month": 20}]}
    if change.get("provider") == "stranger":
        # contracted for the sibling street only: the clerk's district sees it
        stranger = ProviderFactory(region=area.tree["district"])
        ContractFactory(street=area.tree["sibling"], provider=stranger,
                        covered_area=[area.tree["sibling"]])
        change = {"provider": stranger.pk}
        client.force_login(area.officer)
        assert provider_choices(area.officer).filter(pk=stranger.pk).exists()
    else:
        client.force_login(area.clerk)
    if change.get("elder") == "unapproved":
        change = {"elder": ElderFactory(residence_street=area.street).pk}
    if "items" in change:
        change = {"items": [{"service_item": service_item("RN-HOME").pk,
                             "times_per_month": 4}]}
    response = client.post(AGREEMENTS, {**body, **change}, content_type="application/json")
    assert response.status_code == 400
    assert _codes(response, field) == [code]
    assert not ServiceAgreement.objects.exists()


def test_provider_a_cannot_see_provider_bs_agreements(client, area, rival):
    from apps.accounts.roles import Role
    from tests.factories import staff

    mine = _sign(area)
    theirs = _sign(area, provider=rival)
    client.force_login(area.provider_user)
    assert [row["id"] for row in client.get(AGREEMENTS).json()["results"]] == [mine.pk]
    assert client.get(f"{AGREEMENTS}{theirs.pk}/").status_code == 404
    client.force_login(staff(Role.PROVIDER_STAFF, provider=rival))
    assert [row["id"] for row in client.get(AGREEMENTS).json()["results"]] == [theirs.pk]
    client.force_login(area.sibling_clerk)
    assert client.get(f"{AGREEMENTS}{mine.pk}/").status_code == 404


def test_provider_staff_cannot_sign_or_end(client, area):
    agreement = _sign(area)
    client.force_login(area.provider_user)
    assert client.post(AGREEMENTS, {}, content_type="application/json").status_code == 403
    response = client.post(f"{AGREEMENTS}{agreement.pk}/end/", {
        "end_reason": "breach", "ended_on": "2026-04-01"}, content_type="application/json")
    assert response.status_code == 403
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE


def test_the_end_action_needs_the_family_notice_and_refers(client, area, rival):
    agreement = _sign(area)
    client.force_login(area.clerk)
    url = f"{AGREEMENTS}{agreement.pk}/end/"
    response = client.post(url, {"end_reason": "mental_illness", "ended_on": "2026-04-10"},
                           content_type="application/json")
    assert response.status_code == 400
    assert _codes(response, "family_notified_on") == ["family_notice_required"]
    response = client.post(url, {"end_reason": "mental_illness", "ended_on": "2026-04-10",
                                 "family_notified_on": "2026-04-09",
                                 "referred_to": rival.pk}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["referred_to"]) == ("referred",
                                                                            rival.pk)
    # a reason outside Art 17 is not a choice
    response = client.post(url, {"end_reason": "expired", "ended_on": "2026-04-10"},
                           content_type="application/json")
    assert response.status_code == 400
    assert _codes(response, "end_reason") == ["invalid_choice"]
