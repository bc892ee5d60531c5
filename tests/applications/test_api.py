"""The applications API: one endpoint per transition, each through its
service; refused steps are 400 with field errors and write nothing."""

from datetime import date

import pytest

from apps.applications.models import Application, Transition
from tests.factories import ApplicationFactory, ElderFactory

pytestmark = pytest.mark.django_db


def _create(client, elder, **extra):
    return client.post("/api/applications/", {"elder": elder.pk, "kind": "subsidy",
                                              "received_on": "2025-09-26", **extra},
                       content_type="application/json")


def test_full_path_through_the_api(client, window):
    client.force_login(window["clerk"])
    created = _create(client, window["elder"], materials=["identity_card"])
    assert created.status_code == 201
    body = created.json()
    assert (body["status"], body["due_date"], body["allowed_actions"]) == (
        "received", "2025-10-10", ["pass_initial_check", "return_for_materials", "withdraw"])
    pk = body["id"]
    checked = client.post(f"/api/applications/{pk}/pass-initial-check/",
                          {"on": "2025-09-29"}, content_type="application/json")
    assert checked.json()["status"] == "district_verification"
    client.force_login(window["officer"])
    preview = client.get(f"/api/applications/{pk}/eligibility-preview/",
                         {"care_level": "severe", "on": "2025-10-09"})
    assert preview.json()["entitlement"]["monthly_amount"] == "600.00"
    approved = client.post(f"/api/applications/{pk}/approve/",
                           {"care_level": "severe", "assessed_on": "2025-10-08",
                            "on": "2025-10-09"}, content_type="application/json")
    assert approved.status_code == 200
    assert [t["action"] for t in approved.json()["transitions"]] == [
        "receive", "pass_initial_check", "approve"]
    entitlements = client.get("/api/entitlements/", {"elder": window["elder"].pk}).json()
    assert entitlements["results"][0]["monthly_amount"] == "600.00"
    in_october = client.get("/api/entitlements/", {"month": "2025-10"}).json()
    assert in_october["count"] == 1


def test_out_of_order_and_closed_steps_are_400_and_write_nothing(client, window):
    application = ApplicationFactory(elder=window["elder"])
    client.force_login(window["officer"])
    early = client.post(f"/api/applications/{application.pk}/approve/",
                        {"care_level": "mild", "assessed_on": "2025-10-01", "on": "2025-10-02"},
                        content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert early.status_code == 400
    assert "不能执行" in early.json()["non_field_errors"][0]
    application.status = "refused"
    application.save()
    closed = client.post(f"/api/applications/{application.pk}/refuse/",
                         {"reason": "x", "on": "2025-10-02"}, content_type="application/json")
    assert closed.status_code == 400
    assert Transition.objects.filter(application=application).count() == 1


def test_refusal_needs_reasons_and_future_dates_are_refused(client, window):
    application = ApplicationFactory(elder=window["elder"], status="district_verification",
                                     responsible_office=window["elder"].hukou_street.parent)
    client.force_login(window["officer"])
    response = client.post(f"/api/applications/{application.pk}/refuse/",
                           {"on": "2025-10-02"}, content_type="application/json")
    assert "reason" in response.json()
    future = _create(client, window["elder"], received_on="2099-01-01")
    assert "received_on" in future.json() or future.status_code == 403


def test_a_clerk_without_the_decide_permission_gets_403(client, window):
    application = ApplicationFactory(elder=window["elder"], status="district_verification")
    client.force_login(window["clerk"])
    response = client.post(f"/api/applications/{application.pk}/approve/", {},
                           content_type="application/json")
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == "district_verification"


def test_out_of_scope_ids_are_404_on_every_endpoint(client, window, tree):
    other = ApplicationFactory(elder=ElderFactory(residence_street=tree["other_street"],
                                                  hukou_street=tree["other_street"]))
    client.force_login(window["officer"])
    assert client.get(f"/api/applications/{other.pk}/").status_code == 404
    for name in ("pass-initial-check", "return-for-materials", "resubmit", "withdraw",
                 "approve", "refuse"):
        assert client.post(f"/api/applications/{other.pk}/{name}/", {},
                           content_type="application/json").status_code in (403, 404)
    client.force_login(window["clerk"])
    for name in ("pass-initial-check", "withdraw"):
        assert client.post(f"/api/applications/{other.pk}/{name}/", {},
                           content_type="application/json").status_code == 404
    # and an out-of-scope elder cannot be applied for
    response = _create(client, other.elder)
    assert response.status_code == 400
    assert "elder" in response.json()


def test_list_runs_a_constant_number_of_queries(client, window, tree,
                                                django_assert_max_num_queries):
    client.force_login(window["clerk"])
    ApplicationFactory(elder=window["elder"])
    with django_assert_max_num_queries(12):
        assert client.get("/api/applications/").json()["count"] == 1
    for _ in range(20):
        ApplicationFactory(elder=ElderFactory(residence_street=tree["street"],
                                              hukou_street=tree["street"]))
    with django_assert_max_num_queries(12):
        assert client.get("/api/applications/").json()["count"] == 21


def test_filters_overdue_and_status(client, window):
    ApplicationFactory(elder=window["elder"], due_date=date(2025, 10, 10))
    client.force_login(window["clerk"])
    assert client.get("/api/applications/", {"overdue": "true"}).json()["count"] == 1
    assert client.get("/api/applications/", {"status": "approved"}).json()["count"] == 0
    assert Application.objects.count() == 1
