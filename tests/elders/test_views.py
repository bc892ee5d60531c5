"""The registry screens: field-level errors in Chinese, nothing written on
bad input, the duplicate check, and nothing outside the jurisdiction."""

from datetime import date

import pytest
from django.urls import reverse

from apps.accounts.roles import Role
from apps.core.demo import synthetic_identity
from apps.elders.models import Contact, Elder
from apps.subsidies.models import Entitlement
from tests.factories import ElderFactory, EntitlementFactory, staff

pytestmark = pytest.mark.django_db


def _register(client, street, **overrides):
    data = {"name": "何桂兰", "document_type": "resident_id",
            "id_number": synthetic_identity("440106", date(1940, 2, 3), 11),
            "residence_street": street.pk, "hukou_street": street.pk,
            "model_worker": "none", **overrides}
    return client.post(reverse("elders:elder_register"), data, HTTP_ACCEPT_LANGUAGE="zh-hans")


def test_clerk_registers_an_elder_with_an_agent(client, window, tree):
    client.force_login(window["clerk"])
    response = _register(client, tree["street"], lives_alone="on", agent_name="何志明",
                         agent_role="agent", agent_relationship="儿子")
    elder = Elder.objects.get(name="何桂兰")
    assert response.status_code == 302
    assert (elder.birth_date, elder.sex, elder.lives_alone) == (date(1940, 2, 3), "M", True)
    assert Contact.objects.get(elder=elder).name == "何志明"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"id_number": "440106194002030110"}, "id_number", "校验位不符"),
        ({"id_number": synthetic_identity("440106", date(1980, 1, 1), 3)}, "id_number",
         "60周岁"),
        ({"id_number": "44010620990101001X"}, "id_number", ""),
        ({"document_type": "foreign_permanent", "id_number": "912345678901234567",
          "birth_date": "2099-01-01", "sex": "F"}, "birth_date", "晚于今天"),
    ],
)
def test_bad_registrations_are_field_errors_in_chinese_and_write_nothing(
        client, window, tree, overrides, field, message):
    client.force_login(window["clerk"])
    before = Elder.objects.count()
    response = _register(client, tree["street"], **overrides)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert Elder.objects.count() == before


def test_duplicate_is_refused_and_the_live_check_names_only_a_visible_elder(client, window,
                                                                            tree):
    number = synthetic_identity("440106", date(1940, 2, 3), 11)
    mine = ElderFactory(id_number=number, residence_street=tree["street"],
                        hukou_street=tree["street"])
    client.force_login(window["clerk"])
    response = _register(client, tree["street"], id_number=number.lower())
    assert "已登记" in " ".join(response.context["form"].errors["id_number"])
    check = client.get(reverse("elders:check_number"), {"id_number": number})
    assert mine.name in check.content.decode()
    # a clerk of the sibling street learns only that the number is taken
    client.force_login(window["sibling_clerk"])
    check = client.get(reverse("elders:check_number"), {"id_number": number})
    assert mine.name not in check.content.decode()
    assert "其他街道" in check.content.decode()


def test_registration_outside_the_jurisdiction_is_refused(client, window, tree):
    client.force_login(window["clerk"])
    response = _register(client, tree["other_street"])
    assert "residence_street" in response.context["form"].errors
    assert not Elder.objects.filter(name="何桂兰").exists()


def test_street_search_finds_streets_only_when_typed(client, window, tree):
    client.force_login(window["clerk"])
    empty = client.get(reverse("elders:street_search"), {"hukou_street_search": ""})
    found = client.get(reverse("elders:street_search"),
                       {"hukou_street_search": tree["other_street"].name[-4:]})
    assert tree["other_street"].name not in empty.content.decode()
    assert tree["other_street"].name in found.content.decode()


def test_life_status_death_ends_the_entitlement_at_month_end(client, window):
    elder = window["elder"]
    EntitlementFactory(elder=elder, valid_from=date(2025, 10, 1))
    client.force_login(window["clerk"])
    response = client.post(reverse("elders:elder_life_status", args=[elder.pk]), {
        "life_status": "deceased", "life_status_since": "2025-11-15", "note": "家属告知"})
    assert response.status_code == 302
    entitlement = Entitlement.objects.get(elder=elder)
    assert (entitlement.valid_until, entitlement.end_reason) == (date(2025, 11, 30),
                                                                 "deceased")


def test_life_status_in_the_future_is_a_field_error(client, window):
    client.force_login(window["clerk"])
    response = client.post(reverse("elders:elder_life_status", args=[window["elder"].pk]), {
        "life_status": "in_hospital", "life_status_since": "2099-01-01"})
    assert "life_status_since" in response.context["form"].errors
    window["elder"].refresh_from_db()
    assert window["elder"].life_status == "active"


def test_out_of_scope_elder_screens_are_404(client, window, tree):
    stranger = ElderFactory(residence_street=tree["other_street"],
                            hukou_street=tree["other_street"])
    client.force_login(window["clerk"])
    for name in ("elder_detail", "elder_update", "elder_life_status", "contact_create"):
        assert client.get(reverse(f"elders:{name}", args=[stranger.pk])).status_code == 404


def test_provider_staff_cannot_register(client, tree):
    from tests.factories import ProviderFactory

    client.force_login(staff(Role.PROVIDER_STAFF,
                             provider=ProviderFactory(region=tree["district"])))
    assert client.get(reverse("elders:elder_register")).status_code == 403
