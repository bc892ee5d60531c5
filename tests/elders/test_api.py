"""The registry API: registration through the service, exact search by the
keyed digest, changes that end an entitlement, personal reads logged, all
scoped."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.roles import Role
from apps.audit.models import AccessLog
from apps.core.demo import synthetic_identity
from apps.elders.identity import age_on
from apps.elders.models import Contact, Elder
from apps.subsidies.models import Entitlement
from tests.factories import ElderFactory, EntitlementFactory, ProviderFactory, staff

pytestmark = pytest.mark.django_db

NUMBER = synthetic_identity("440106", date(1941, 4, 4), 21)


def _payload(tree, **extra):
    return {"name": "冯玉珍", "id_number": NUMBER, "residence_street": tree["street"].pk,
            "hukou_street": tree["street"].pk, "dibao": True, **extra}


def _register(client, payload, language="zh-hans"):
    return client.post("/api/elders/", payload, content_type="application/json",
                       HTTP_ACCEPT_LANGUAGE=language)


def _wrong_check_character(number):
    return number[:-1] + ("1" if number[-1] != "1" else "2")


def _codes(response, field):
    return [error.code for error in response.data[field]]


def test_registration_answers_the_masked_record(client, window, tree):
    # given a street clerk
    client.force_login(window["clerk"])
    # when they register an elder with every registry fact
    response = _register(client, _payload(tree, lives_alone=True, monthly_pension="1800.50",
                                          model_worker="municipal", phone="13800138000"))
    # then the record is created with the facts, and the answer shows the
    # number masked, never in full
    assert response.status_code == 201
    body = response.json()
    assert body["id_number_masked"].startswith("440106")
    assert "id_number" not in body
    assert NUMBER not in response.content.decode()
    assert (body["birth_date"], body["sex"]) == ("1941-04-04",
                                                 "M" if int(NUMBER[16]) % 2 else "F")
    elder = Elder.objects.get(pk=body["id"])
    assert (elder.dibao, elder.lives_alone, elder.model_worker, elder.phone) == (
        True, True, "municipal", "13800138000")
    assert str(elder.monthly_pension) == "1800.50"


def test_a_foreign_document_gives_birth_date_and_sex(client, window, tree):
    client.force_login(window["clerk"])
    payload = _payload(tree, document_type="foreign_permanent", id_number="USA440106410404",
                       hukou_street=None)
    missing = _register(client, payload)
    assert _codes(missing, "birth_date") == ["null"]
    created = _register(client, {**payload, "birth_date": "1941-04-04", "sex": "M"})
    assert created.status_code == 201
    body = created.json()
    assert (body["birth_date"], body["sex"], body["age"], body["hukou_street"]) == (
        "1941-04-04", "M", age_on(date(1941, 4, 4), timezone.localdate()), None)


@pytest.mark.parametrize(
    ("extra", "field", "code", "chinese"),
    [
        ({"id_number": _wrong_check_character(NUMBER)}, "id_number", "check_character",
         "校验位不符，请核对号码。"),
        ({"id_number": "44010619410404"}, "id_number", "format",
         "身份证件号码应为18位：前17位为数字，最后一位为数字或X。"),
        ({"id_number": synthetic_identity("440106", date(1985, 1, 1), 3)}, "id_number",
         "under_age", "档案只登记60周岁及以上老年人"),
    ],
)
def test_bad_numbers_are_400_field_errors_in_chinese(client, window, tree, extra, field,
                                                     code, chinese):
    client.force_login(window["clerk"])
    # when a registration carries a bad or too young identity number
    response = _register(client, _payload(tree, **extra))
    # then the number's field says why, with its code, in Chinese, and nothing is written
    assert response.status_code == 400
    assert _codes(response, field) == [code]
    assert chinese in response.json()[field][0]
    assert not Elder.objects.filter(name="冯玉珍").exists()


def test_errors_follow_the_request_language(client, window, tree):
    client.force_login(window["clerk"])
    # when a system asks in English
    response = _register(client, _payload(tree, id_number=_wrong_check_character(NUMBER)),
                         language="en")
    # then it is answered in English; without Accept-Language, in Chinese
    assert response.json()["id_number"] == [
        "The last character does not match: please check the number."]
    default = client.post("/api/elders/", _payload(tree, id_number="1"),
                          content_type="application/json")
    assert "身份证件号码应为18位" in default.json()["id_number"][0]


def test_missing_residence_street_is_a_field_error(client, window, tree):
    client.force_login(window["clerk"])
    response = _register(client, _payload(tree, residence_street=None))
    assert response.status_code == 400
    assert _codes(response, "residence_street") == ["null"]
    assert not Elder.objects.filter(name="冯玉珍").exists()


def test_duplicate_registration_is_400_in_chinese(client, window, tree):
    # given an elder registered once
    client.force_login(window["clerk"])
    assert _register(client, _payload(tree)).status_code == 201
    # when the same number is registered again under another name
    again = _register(client, _payload(tree, name="另一人"))
    # then it is refused on the number, in Chinese, and nothing is written
    assert again.status_code == 400
    assert _codes(again, "id_number") == ["duplicate"]
    assert "已登记" in again.json()["id_number"][0]
    assert Elder.objects.filter(name="冯玉珍").count() == 1
    assert not Elder.objects.filter(name="另一人").exists()


def test_registering_for_a_foreign_street_is_refused(client, window, tree):
    client.force_login(window["clerk"])
    response = _register(client, _payload(tree, residence_street=tree["other_street"].pk,
                                          hukou_street=tree["other_street"].pk))
    assert response.status_code == 400
    assert _codes(response, "residence_street") == ["outside_jurisdiction"]
    assert not Elder.objects.filter(name="冯玉珍").exists()


def test_exact_number_search_finds_only_visible_elders(client, window, tree):
    # given an elder of the clerk's street and one of another district
    mine = window["elder"]
    ElderFactory(residence_street=tree["street"], hukou_street=tree["street"])
    stranger = ElderFactory(residence_street=tree["other_street"],
                            hukou_street=tree["other_street"])
    client.force_login(window["clerk"])
    # when the clerk searches each exact number (lower-case x and spaces allowed)
    found = client.post("/api/elders/search/", {"id_number": f" {mine.id_number.lower()} "},
                        content_type="application/json").json()
    hidden = client.post("/api/elders/search/", {"id_number": stranger.id_number},
                         content_type="application/json").json()
    # then exactly their own elder is found, and the stranger not at all
    assert [e["id"] for e in found["results"]] == [mine.pk]
    assert hidden["count"] == 0


def test_a_name_search_is_posted_and_other_filters_come_from_the_query_string(
        client, window, tree):
    mine = window["elder"]
    ElderFactory(name=mine.name + "的姐姐", residence_street=tree["sibling"],
                 hukou_street=tree["sibling"])
    client.force_login(window["clerk"])
    url = f"/api/elders/search/?residence_street={tree['street'].pk}"
    found = client.post(url, {"q": mine.name}, content_type="application/json").json()
    assert [e["id"] for e in found["results"]] == [mine.pk]


def test_a_search_needs_a_name_or_a_number(client, window):
    client.force_login(window["clerk"])
    response = client.post("/api/elders/search/", {"q": " "}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["q"] == ["请输入要查找的姓名或证件号码。"]


def test_the_list_takes_no_name_or_number_from_the_url(client, window, tree):
    # a number or a name in a query string is ignored: the whole list answers
    ElderFactory(residence_street=tree["street"], hukou_street=tree["street"])
    client.force_login(window["clerk"])
    everyone = client.get("/api/elders/").json()["count"]
    assert everyone == 2
    assert client.get("/api/elders/", {"id_number": window["elder"].id_number}).json()[
        "count"] == everyone
    assert client.get("/api/elders/", {"q": window["elder"].name}).json()["count"] == everyone


def test_filters_narrow_the_list(client, window, tree):
    elder = window["elder"]
    ElderFactory(name="王大明", residence_street=tree["street"], hukou_street=tree["sibling"],
                 dibao=True)
    client.force_login(window["clerk"])

    def names(**query):
        body = client.get("/api/elders/", query).json()
        assert "results" in body, (query, body)
        return sorted(e["name"] for e in body["results"])

    assert names(dibao="true") == ["王大明"]
    assert names(lives_alone="true") == [elder.name]
    assert names(hukou_street=tree["street"].pk) == [elder.name]
    assert names(residence_street=tree["street"].pk) == sorted([elder.name, "王大明"])
    assert names(sex=elder.sex, q=elder.name) == [elder.name]
    assert names(life_status="deceased") == []


def test_list_and_detail_are_logged_and_the_detail_nests_contacts(client, window):
    elder = window["elder"]
    Contact.objects.create(elder=elder, role="agent", name="冯小明", relationship="son",
                           phone="13900000000")
    client.force_login(window["clerk"])
    # when the clerk lists the registry and reads the elder
    client.get("/api/elders/")
    detail = client.get(f"/api/elders/{elder.pk}/").json()
    # then both reads are in the access log, and the contacts come with the record
    assert list(AccessLog.objects.filter(object_id=str(elder.pk))
                .order_by("at").values_list("action", flat=True)) == ["list", "view"]
    assert [(c["role"], c["name"]) for c in detail["contacts"]] == [("agent", "冯小明")]
    assert "13900000000" not in str(detail)


def test_contacts_are_added_through_the_api(client, window):
    client.force_login(window["clerk"])
    response = client.post(f"/api/elders/{window['elder'].pk}/contacts/",
                           {"role": "guardian", "name": "冯大伟", "relationship": "nephew"},
                           content_type="application/json")
    assert response.status_code == 201
    assert window["elder"].contacts.get().name == "冯大伟"
    bad = client.post(f"/api/elders/{window['elder'].pk}/contacts/", {"role": "friend"},
                      content_type="application/json")
    assert set(bad.json()) == {"role", "name"}


def test_life_status_through_the_api_ends_the_entitlement(client, window):
    EntitlementFactory(elder=window["elder"], valid_from=date(2025, 10, 1))
    client.force_login(window["clerk"])
    response = client.post(f"/api/elders/{window['elder'].pk}/life-status/",
                           {"life_status": "in_institution", "life_status_since": "2025-12-03"},
                           content_type="application/json")
    assert response.status_code == 200
    assert response.json()["life_status"] == "in_institution"
    assert Entitlement.objects.get().valid_until == date(2025, 12, 31)


def test_a_future_life_status_date_is_refused(client, window):
    client.force_login(window["clerk"])
    response = client.post(f"/api/elders/{window['elder'].pk}/life-status/",
                           {"life_status": "deceased", "life_status_since": "2099-01-01"},
                           content_type="application/json")
    assert response.status_code == 400
    assert _codes(response, "life_status_since") == ["future"]
    window["elder"].refresh_from_db()
    assert window["elder"].life_status == "active"


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


def test_out_of_scope_elder_is_404_on_every_endpoint(client, window, tree):
    stranger = ElderFactory(residence_street=tree["other_street"],
                            hukou_street=tree["other_street"])
    client.force_login(window["clerk"])
    assert client.get(f"/api/elders/{stranger.pk}/").status_code == 404
    assert client.patch(f"/api/elders/{stranger.pk}/", {"name": "x"},
                        content_type="application/json").status_code == 404
    for path, body in (("life-status", {"life_status": "deceased",
                                        "life_status_since": "2025-01-01"}),
                       ("contacts", {"role": "agent", "name": "x"})):
        assert client.post(f"/api/elders/{stranger.pk}/{path}/", body,
                           content_type="application/json").status_code == 404
    stranger.refresh_from_db()
    assert (stranger.name, stranger.life_status) != ("x", "deceased")
    assert not stranger.contacts.exists()


def test_provider_staff_see_no_elders(client, window):
    client.force_login(staff(Role.PROVIDER_STAFF, provider=ProviderFactory()))
    assert client.get("/api/elders/").status_code == 403
    assert client.get(f"/api/elders/{window['elder'].pk}/").status_code == 403


def test_list_runs_a_constant_number_of_queries(client, window, tree,
                                                django_assert_max_num_queries):
    # given one visible elder
    client.force_login(window["clerk"])
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/elders/").json()["count"] == 1
    # when there are twenty more
    for _ in range(20):
        ElderFactory(residence_street=tree["street"], hukou_street=tree["sibling"])
    # then the page costs no more queries
    with django_assert_max_num_queries(len(one)):
        assert client.get("/api/elders/").json()["count"] == 21
