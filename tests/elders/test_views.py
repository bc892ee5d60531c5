"""The registry screens: field-level errors in Chinese, nothing written on
bad input, the duplicate check, and nothing outside the jurisdiction."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.audit.models import AccessLog
from apps.core.demo import synthetic_identity
from apps.elders.identity import age_on
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
        ({"document_type": "other", "id_number": "P1234567"}, "birth_date", ""),
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
    check = client.post(reverse("elders:check_number"), {"id_number": number})
    assert mine.name in check.content.decode()
    # a clerk of the sibling street learns only that the number is taken
    client.force_login(window["sibling_clerk"])
    check = client.post(reverse("elders:check_number"), {"id_number": number})
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


def test_registration_form_offers_only_the_clerk_s_streets_to_live_in(client, window, tree):
    # given a clerk of one street
    client.force_login(window["clerk"])
    # when the registration screen opens
    response = client.get(reverse("elders:elder_register"))
    # then it starts on the name and offers only the clerk's street as residence
    form = response.context["form"]
    assert response.status_code == 200
    assert 'autofocus' in str(form["name"])
    assert list(form.fields["residence_street"].queryset) == [tree["street"]]
    assert form.initial["residence_street"] == tree["street"]


def test_live_check_says_nothing_for_an_unknown_or_short_number(client, window):
    client.force_login(window["clerk"])
    unknown = synthetic_identity("440106", date(1941, 1, 1), 5)
    for number in ("4401", unknown):
        response = client.post(reverse("elders:check_number"), {"id_number": number})
        assert response.status_code == 200
        assert 'data-testid="duplicate"' not in response.content.decode()


def test_detail_shows_the_facts_contacts_and_entitlement_chain_and_logs_the_read(
        client, window):
    # given an elder with a phone, an agent and an entitlement changed once
    elder = window["elder"]
    Elder.objects.filter(pk=elder.pk).update(phone="13800138000", address="五山路1号")
    Contact.objects.create(elder=elder, role="agent", name="何志明", relationship="儿子",
                           phone="13900139000")
    EntitlementFactory(elder=elder, valid_from=date(2025, 10, 1),
                       valid_until=date(2025, 10, 31), status="ended",
                       end_reason="circumstances")
    EntitlementFactory(elder=elder, valid_from=date(2025, 11, 1),
                       monthly_amount=Decimal("600.00"), care_level="severe")
    client.force_login(window["clerk"])
    # when the clerk opens the record
    response = client.get(reverse("elders:elder_detail", args=[elder.pk]))
    # then every fact shows, the number masked, the current entitlement first
    page = response.content.decode()
    age = age_on(elder.birth_date, timezone.localdate())
    assert f"{age} 岁" in page
    assert "13800138000" in page
    assert "五山路1号" in page
    assert "何志明" in page
    assert "13900139000" in page
    assert elder.id_number not in page
    assert elder.id_number_masked in page
    amounts = [e.monthly_amount for e in response.context["entitlements"]]
    assert amounts == [Decimal("600.00"), Decimal("400.00")]
    assert page.index("600.00") < page.index("400.00")
    assert 'id="start-application"' in page
    # and the read is in the access log
    assert AccessLog.objects.filter(user=window["clerk"], object_id=str(elder.pk)).exists()


def _profile(elder, **overrides):
    data = {f: getattr(elder, f) for f in (
        "name", "lives_alone", "pure_elderly_household",
        "lives_only_with_severely_disabled_child", "gugua", "sanwu_or_wubao", "dibao",
        "low_income", "youfu", "family_planning_special_support")}
    data = {k: v for k, v in data.items() if v is not False}
    data.update(hukou_street=elder.hukou_street_id, residence_street=elder.residence_street_id,
                model_worker=elder.model_worker, phone="", address="",
                monthly_pension="" if elder.monthly_pension is None else elder.monthly_pension,
                changed_on=f"{timezone.localdate():%Y-%m-%d}")
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_update_with_an_effective_date_changes_the_record(client, window):
    elder = window["elder"]
    client.force_login(window["clerk"])
    response = client.post(reverse("elders:elder_update", args=[elder.pk]),
                           _profile(elder, dibao="on", phone="020-12345678"))
    assert response.status_code == 302
    elder.refresh_from_db()
    assert (elder.dibao, elder.phone) == (True, "020-12345678")


def test_update_dated_in_the_future_is_a_field_error_and_writes_nothing(client, window):
    elder = window["elder"]
    client.force_login(window["clerk"])
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(reverse("elders:elder_update", args=[elder.pk]),
                           _profile(elder, dibao="on", changed_on=f"{tomorrow:%Y-%m-%d}"))
    assert response.status_code == 200
    assert "晚于今天" in " ".join(response.context["form"].errors["changed_on"])
    elder.refresh_from_db()
    assert elder.dibao is False


def test_clerk_adds_a_contact(client, window):
    elder = window["elder"]
    client.force_login(window["clerk"])
    response = client.post(reverse("elders:contact_create", args=[elder.pk]), {
        "role": "guardian", "name": "何志强", "relationship": "侄子", "phone": "13700137000"})
    assert response.status_code == 302
    contact = Contact.objects.get(elder=elder)
    assert (contact.role, contact.name, contact.phone) == ("guardian", "何志强", "13700137000")


def test_district_cancels_an_entitlement_for_fraud_with_the_amount_to_recover(client, window):
    # given an entitlement paid since October
    entitlement = EntitlementFactory(elder=window["elder"], valid_from=date(2025, 10, 1))
    url = reverse("subsidies:entitlement_cancel", args=[entitlement.pk])
    client.force_login(window["officer"])
    # when the district officer opens the screen, the most paid so far is the hint
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["upper_bound"] >= Decimal("400.00")
    # and cancels it with the amount found
    response = client.post(url, {"cancelled_on": "2025-12-05", "recovery_amount": "800",
                                 "end_note": "隐瞒入住养老机构"})
    # then the entitlement is cancelled with the amount to recover
    assert response.status_code == 302
    entitlement.refresh_from_db()
    assert (entitlement.status, entitlement.end_reason, entitlement.recovery_amount) == (
        "cancelled", "fraud", Decimal("800.00"))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"cancelled_on": "2099-01-01", "recovery_amount": "800", "end_note": "骗取"},
         "cancelled_on"),
        ({"cancelled_on": "2025-09-01", "recovery_amount": "800", "end_note": "骗取"},
         "cancelled_on"),
        ({"cancelled_on": "2025-12-05", "recovery_amount": "-1", "end_note": "骗取"},
         "recovery_amount"),
        ({"cancelled_on": "2025-12-05", "recovery_amount": "800", "end_note": ""},
         "end_note"),
    ],
)
def test_bad_fraud_cancellation_is_a_field_error_and_writes_nothing(client, window, data,
                                                                    field):
    entitlement = EntitlementFactory(elder=window["elder"], valid_from=date(2025, 10, 1))
    client.force_login(window["officer"])
    response = client.post(reverse("subsidies:entitlement_cancel", args=[entitlement.pk]),
                           data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    entitlement.refresh_from_db()
    assert (entitlement.status, entitlement.recovery_amount) == ("active", None)


def test_fraud_cancellation_is_for_the_district_of_the_elder_only(client, window):
    entitlement = EntitlementFactory(elder=window["elder"], valid_from=date(2025, 10, 1))
    url = reverse("subsidies:entitlement_cancel", args=[entitlement.pk])
    client.force_login(window["clerk"])
    assert client.get(url).status_code == 403
    client.force_login(window["other_officer"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"cancelled_on": "2025-12-05", "recovery_amount": "1",
                             "end_note": "x"}).status_code == 404
    entitlement.refresh_from_db()
    assert entitlement.status == "active"
