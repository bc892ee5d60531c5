"""The registry API: registration through the service, exact search by the
keyed digest, changes that end an entitlement, all scoped."""

from datetime import date

import pytest

from apps.core.demo import synthetic_identity
from apps.elders.models import Elder
from apps.subsidies.models import Entitlement
from tests.factories import ElderFactory, EntitlementFactory

pytestmark = pytest.mark.django_db


def _payload(tree, **extra):
    return {"name": "冯玉珍", "id_number": synthetic_identity("440106", date(1941, 4, 4), 21),
            "residence_street": tree["street"].pk, "hukou_street": tree["street"].pk,
            "dibao": True, **extra}


def test_register_and_read_back_masked(client, window, tree):
    client.force_login(window["clerk"])
    response = client.post("/api/elders/", _payload(tree), content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert body["id_number_masked"].startswith("440106")
    assert "id_number" not in body
    assert Elder.objects.get(pk=body["id"]).dibao is True


@pytest.mark.parametrize(
    ("extra", "code_field"),
    [
        ({"id_number": "440106194104040211"}, "id_number"),
        ({"id_number": synthetic_identity("440106", date(1985, 1, 1), 3)}, "id_number"),
        ({"residence_street": None}, "residence_street"),
    ],
)
def test_bad_registrations_are_400_field_errors(client, window, tree, extra, code_field):
    client.force_login(window["clerk"])
    response = client.post("/api/elders/", _payload(tree, **extra),
                           content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert code_field in response.json()
    assert not Elder.objects.filter(name="冯玉珍").exists()


def test_duplicate_registration_is_400_in_chinese(client, window, tree):
    client.force_login(window["clerk"])
    client.post("/api/elders/", _payload(tree), content_type="application/json")
    again = client.post("/api/elders/", _payload(tree, name="另一人"),
                        content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert again.status_code == 400
    assert "已登记" in again.json()["id_number"][0]


def test_exact_number_search_finds_only_visible_elders(client, window, tree):
    mine = window["elder"]
    stranger = ElderFactory(residence_street=tree["other_street"],
                            hukou_street=tree["other_street"])
    client.force_login(window["clerk"])
    found = client.get("/api/elders/", {"id_number": mine.id_number.lower()}).json()
    hidden = client.get("/api/elders/", {"id_number": stranger.id_number}).json()
    assert [e["id"] for e in found["results"]] == [mine.pk]
    assert hidden["count"] == 0


def test_life_status_through_the_api_ends_the_entitlement(client, window):
    EntitlementFactory(elder=window["elder"], valid_from=date(2025, 10, 1))
    client.force_login(window["clerk"])
    response = client.post(f"/api/elders/{window['elder'].pk}/life-status/",
                           {"life_status": "in_institution", "life_status_since": "2025-12-03"},
                           content_type="application/json")
    assert response.status_code == 200
    assert Entitlement.objects.get().valid_until == date(2025, 12, 31)


def test_income_change_through_patch_re_decides_from_next_month(client, window):
    elder = window["elder"]
    EntitlementFactory(elder=elder, valid_from=date(2025, 10, 1), care_level="severe",
                       monthly_amount="600.00", nursing_supplement="200.00")
    client.force_login(window["clerk"])
    response = client.patch(f"/api/elders/{elder.pk}/",
                            {"lives_alone": False, "changed_on": "2025-11-10"},
                            content_type="application/json")
    assert response.status_code == 200
    old = Entitlement.objects.get(valid_from=date(2025, 10, 1))
    assert (old.valid_until, old.end_reason) == (date(2025, 11, 30), "circumstances")
    assert not Entitlement.objects.filter(valid_from=date(2025, 12, 1)).exists()


def test_out_of_scope_elder_is_404(client, window, tree):
    stranger = ElderFactory(residence_street=tree["other_street"],
                            hukou_street=tree["other_street"])
    client.force_login(window["clerk"])
    assert client.get(f"/api/elders/{stranger.pk}/").status_code == 404
    assert client.post(f"/api/elders/{stranger.pk}/life-status/",
                       {"life_status": "deceased", "life_status_since": "2025-01-01"},
                       content_type="application/json").status_code == 404
