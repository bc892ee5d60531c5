"""The applications API: one endpoint per transition, each through its
service; a refused step is 400 with field errors and writes nothing; ids
outside the scope are 404 everywhere."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator

from apps.accounts.roles import Role
from apps.applications import rules
from apps.applications.models import Application, Transition
from apps.audit.models import AccessLog
from apps.elders.models import Contact
from apps.subsidies.models import Entitlement
from tests.core import scope_walk
from tests.factories import ApplicationFactory, ElderFactory, ProviderFactory, staff

pytestmark = pytest.mark.django_db

STEPS = ["pass-initial-check", "return-for-materials", "resubmit", "withdraw", "approve",
         "refuse"]


def _post(client, path, body=None, **headers):
    return client.post(path, body or {}, content_type="application/json", **headers)


def _create(client, elder, **extra):
    return _post(client, "/api/applications/", {"elder": elder.pk, "kind": "subsidy",
                                                "received_on": "2025-09-26", **extra})


def _codes(response, field="non_field_errors"):
    return [error.code for error in response.data[field]]


def _in_verification(window, **extra):
    return ApplicationFactory(elder=window["elder"], status="district_verification",
                              responsible_office=window["elder"].hukou_street.parent,
                              **extra)


def test_full_path_through_the_api(client, window):
    # given a clerk who receives a subsidy application at the window
    client.force_login(window["clerk"])
    created = _create(client, window["elder"], materials=["identity_card"])
    assert created.status_code == 201
    body = created.json()
    assert (body["status"], body["due_date"], body["allowed_actions"]) == (
        "received", "2025-10-10", ["pass_initial_check", "return_for_materials", "withdraw"])
    pk = body["id"]
    # when the street passes the initial check
    checked = _post(client, f"/api/applications/{pk}/pass-initial-check/",
                    {"on": "2025-09-29"})
    assert checked.json()["status"] == "district_verification"
    # and the district previews the eligibility, then approves
    client.force_login(window["officer"])
    preview = client.get(f"/api/applications/{pk}/eligibility-preview/",
                         {"care_level": "severe", "on": "2025-10-09"})
    assert preview.json()["entitlement"]["monthly_amount"] == "600.00"
    approved = _post(client, f"/api/applications/{pk}/approve/",
                     {"care_level": "severe", "assessed_on": "2025-10-08", "on": "2025-10-09"})
    # then the timeline shows every step and the entitlement appears
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert [t["action"] for t in approved.json()["transitions"]] == [
        "receive", "pass_initial_check", "approve"]
    entitlements = client.get("/api/entitlements/", {"elder": window["elder"].pk}).json()
    assert [(e["monthly_amount"], e["valid_from"]) for e in entitlements["results"]] == [
        ("600.00", "2025-10-01")]
    assert client.get("/api/entitlements/", {"month": "2025-10"}).json()["count"] == 1


def test_return_resubmit_and_withdraw(client, window):
    application = ApplicationFactory(elder=window["elder"])
    client.force_login(window["clerk"])
    url = f"/api/applications/{application.pk}"
    # a return needs its reason, in Chinese by default
    no_reason = _post(client, f"{url}/return-for-materials/", {"on": "2025-09-29"})
    assert no_reason.status_code == 400
    assert no_reason.json()["reason"] == ["请填写理由；理由将记录在案并告知申请人。"]
    returned = _post(client, f"{url}/return-for-materials/",
                     {"on": "2025-09-29", "reason": "缺户口簿"}).json()
    assert (returned["status"], returned["due_date"]) == ("returned", None)
    again = _post(client, f"{url}/resubmit/", {"on": "2025-10-13"}).json()
    assert (again["status"], again["due_date"]) == ("received", "2025-10-20")
    withdrawn = _post(client, f"{url}/withdraw/", {"on": "2025-10-14", "reason": "本人撤回"})
    assert withdrawn.json()["status"] == "withdrawn"
    assert [t["reason"] for t in withdrawn.json()["transitions"]] == [
        "", "缺户口簿", "", "本人撤回"]


def test_a_step_out_of_order_is_400_and_writes_nothing(client, window):
    # given an application still awaiting the street's initial check
    application = ApplicationFactory(elder=window["elder"])
    client.force_login(window["officer"])
    # when the district tries to approve it
    early = _post(client, f"/api/applications/{application.pk}/approve/",
                  {"care_level": "mild", "assessed_on": "2025-10-01", "on": "2025-10-02"},
                  HTTP_ACCEPT_LANGUAGE="zh-hans")
    # then the step is refused with its code, in Chinese, and nothing changes
    assert early.status_code == 400
    assert _codes(early) == ["not_allowed"]
    assert "不能执行" in early.json()["non_field_errors"][0]
    application.refresh_from_db()
    assert (application.status, application.care_level) == ("received", "")
    assert Transition.objects.filter(application=application).count() == 1


def test_a_closed_application_is_400_and_writes_nothing(client, window):
    application = ApplicationFactory(elder=window["elder"], status="refused", due_date=None)
    client.force_login(window["officer"])
    closed = _post(client, f"/api/applications/{application.pk}/refuse/",
                   {"reason": "again", "on": "2025-10-02"})
    assert closed.status_code == 400
    assert _codes(closed) == ["closed"]
    client.force_login(window["clerk"])
    withdrawn = _post(client, f"/api/applications/{application.pk}/withdraw/",
                      {"reason": "x", "on": "2025-10-02"})
    assert _codes(withdrawn) == ["closed"]
    application.refresh_from_db()
    assert application.status == "refused"
    assert Transition.objects.filter(application=application).count() == 1


def test_refusal_needs_reasons_and_approval_an_assessment(client, window):
    application = _in_verification(window)
    client.force_login(window["officer"])
    refused = _post(client, f"/api/applications/{application.pk}/refuse/",
                    {"on": "2025-10-02"})
    assert set(refused.json()) == {"reason"}
    approved = _post(client, f"/api/applications/{application.pk}/approve/",
                     {"on": "2025-10-02"})
    assert _codes(approved, "care_level") == ["care_level_required"]
    assert _codes(approved, "assessed_on") == ["assessed_on_required"]
    future = _post(client, f"/api/applications/{application.pk}/approve/",
                   {"on": "2099-01-01", "care_level": "mild", "assessed_on": "2025-10-01"})
    assert _codes(future, "on") == ["future"]
    application.refresh_from_db()
    assert application.status == "district_verification"
    assert not Entitlement.objects.exists()


def test_users_without_the_step_permission_get_403_early(client, window):
    # given an application in verification and one at the window
    verifying = _in_verification(window)
    waiting = ApplicationFactory(elder=ElderFactory(residence_street=window["elder"]
                                                    .residence_street,
                                                    hukou_street=window["elder"].hukou_street))
    # when the clerk tries to decide, and the district to pass the street's check
    client.force_login(window["clerk"])
    decide = _post(client, f"/api/applications/{verifying.pk}/approve/")
    preview = client.get(f"/api/applications/{verifying.pk}/eligibility-preview/",
                         {"care_level": "mild"})
    client.force_login(window["officer"])
    check = _post(client, f"/api/applications/{waiting.pk}/pass-initial-check/")
    # then both are 403 and nothing changes
    assert (decide.status_code, preview.status_code, check.status_code) == (403, 403, 403)
    verifying.refresh_from_db()
    waiting.refresh_from_db()
    assert (verifying.status, waiting.status) == ("district_verification", "received")


def test_the_service_still_checks_whose_step_it_is(client, window, tree):
    # given an elder living in the clerk's street with hukou in the sibling
    # street: the clerk receives, the sibling street does the initial check
    elder = ElderFactory(born=date(1940, 1, 1), residence_street=tree["street"],
                         hukou_street=tree["sibling"])
    application = ApplicationFactory(
        elder=elder, route_case="same_district", receiving_street=tree["street"],
        checking_street=tree["sibling"], service_street=tree["street"],
        responsible_office=tree["sibling"])
    # when the clerk, who holds the permission and sees the file, passes the check
    client.force_login(window["clerk"])
    response = _post(client, f"/api/applications/{application.pk}/pass-initial-check/")
    # then the service refuses: the step belongs to the sibling street
    assert response.status_code == 400
    assert _codes(response) == ["not_your_office"]
    application.refresh_from_db()
    assert application.status == "received"


def test_out_of_scope_ids_are_404_on_every_endpoint(client, tree):
    # given an application of another district, and a user of the first
    # district's sibling street holding every permission there is
    other = ApplicationFactory(elder=ElderFactory(residence_street=tree["other_street"],
                                                  hukou_street=tree["other_street"]))
    client.force_login(scope_walk.almighty(region=tree["sibling"]))
    url = f"/api/applications/{other.pk}"
    # when they read it, preview it and take every step on it
    answers = {
        "detail": client.get(f"{url}/").status_code,
        "preview by GET": client.get(f"{url}/eligibility-preview/",
                                     {"care_level": "mild"}).status_code,
        "preview by POST": _post(client, f"{url}/eligibility-preview/",
                                 {"care_level": "mild"}).status_code,
    } | {step: _post(client, f"{url}/{step}/", {"reason": "x", "care_level": "mild",
                                                 "assessed_on": "2025-10-01"}).status_code
         for step in STEPS}
    # then every answer is 404, and nothing changed
    assert set(answers.values()) == {404}, answers
    other.refresh_from_db()
    assert other.status == "received"
    assert Transition.objects.filter(application=other).count() == 1


def test_applying_for_an_invisible_elder_or_disputing_an_invisible_file(client, window, tree):
    stranger = ElderFactory(residence_street=tree["other_street"],
                            hukou_street=tree["other_street"])
    decided = ApplicationFactory(elder=stranger, status="refused", due_date=None)
    client.force_login(window["clerk"])
    response = _create(client, stranger)
    assert _codes(response, "elder") == ["does_not_exist"]
    objection = _create(client, window["elder"], kind="objection", objection_to=decided.pk)
    assert _codes(objection, "objection_to") == ["does_not_exist"]
    assert not Application.objects.filter(received_by=window["clerk"]).exists()


def test_create_refuses_bad_input_with_field_errors(client, window, tree):
    elder = window["elder"]
    someone_else = Contact.objects.create(
        elder=ElderFactory(residence_street=tree["street"], hukou_street=tree["street"]),
        role="agent", name="别人")
    client.force_login(window["clerk"])
    future = _create(client, elder, received_on="2099-01-01")
    assert _codes(future, "received_on") == ["future"]
    agent = _create(client, elder, agent=someone_else.pk)
    assert _codes(agent, "agent") == ["agent_of_other_elder"]
    young = ElderFactory(born=date(1990, 1, 1), residence_street=tree["street"],
                         hukou_street=tree["street"])
    assert _codes(_create(client, young), "elder") == ["under_age"]
    assert not Application.objects.exists()


def test_a_second_open_application_of_a_kind_is_400_not_500(client, window):
    client.force_login(window["clerk"])
    first = _create(client, window["elder"])
    second = _create(client, window["elder"], received_on="2025-09-29")
    assert second.status_code == 400
    assert _codes(second, "kind") == ["already_open"]
    assert first.json()["reference"] in second.json()["kind"][0]
    assert Application.objects.count() == 1


def test_an_objection_is_received_into_re_review(client, window):
    refused = _in_verification(window)
    client.force_login(window["officer"])
    _post(client, f"/api/applications/{refused.pk}/refuse/",
          {"reason": "不符合条件", "on": "2025-10-09"})
    client.force_login(window["clerk"])
    objection = _create(client, window["elder"], kind="objection", objection_to=refused.pk,
                        received_on="2025-10-20", notes="申请复核")
    assert objection.status_code == 201
    body = objection.json()
    assert (body["kind"], body["status"], body["objection_to"]) == (
        "objection", "re_review", refused.pk)
    assert body["allowed_actions"] == ["approve", "refuse", "withdraw"]


def test_eligibility_preview_by_get_or_post_writes_nothing(client, window):
    application = _in_verification(window)
    client.force_login(window["officer"])
    url = f"/api/applications/{application.pk}/eligibility-preview/"
    by_get = client.get(url, {"care_level": "severe", "on": "2025-10-09"})
    by_post = _post(client, url, {"care_level": "mild", "on": "2025-10-09"})
    missing = client.get(url)
    assert by_get.json()["eligible"] is True
    assert by_get.json()["entitlement"]["monthly_amount"] == "600.00"
    assert by_post.json()["entitlement"]["monthly_amount"] == "400.00"
    assert _codes(missing, "care_level") == ["required"]
    application.refresh_from_db()
    assert (application.status, application.care_level, application.eligibility) == (
        "district_verification", "", {})


def test_eligibility_preview_on_a_day_before_any_policy_value_is_a_field_error(client, window):
    # found by the API fuzzing: a day before the first policy values answered 500
    application = _in_verification(window)
    client.force_login(window["officer"])
    url = f"/api/applications/{application.pk}/eligibility-preview/"
    response = client.get(url, {"care_level": "severe", "on": "1900-01-01"})
    assert response.status_code == 400
    assert _codes(response, "on") == ["no_policy_value"]


def test_filters(client, window, tree):
    elder = window["elder"]
    late = ApplicationFactory(elder=elder, due_date=date(2025, 10, 10))
    other_elder = ElderFactory(residence_street=tree["street"], hukou_street=tree["street"])
    verifying = ApplicationFactory(elder=other_elder, kind="own_cost",
                                   status="district_verification",
                                   received_on=date(2025, 11, 3),
                                   responsible_office=tree["district"],
                                   due_date=date(2099, 1, 1))
    client.force_login(window["officer"])

    def ids(**query):
        body = client.get("/api/applications/", query).json()
        assert "results" in body, (query, body)
        return sorted(a["id"] for a in body["results"])

    assert ids(overdue="true") == [late.pk]
    assert ids(overdue="false") == [verifying.pk]
    assert ids(kind="own_cost") == [verifying.pk]
    assert ids(status="received") == [late.pk]
    assert ids(elder=elder.pk) == [late.pk]
    assert ids(responsible_office=tree["district"].pk) == [verifying.pk]
    assert ids(due_before="2025-12-31") == [late.pk]
    assert ids(due_after="2026-01-01") == [verifying.pk]
    assert ids(received_after="2025-10-01") == [verifying.pk]
    assert ids(received_before="2025-09-30") == [late.pk]
    assert ids(received_after="2025-09-01", received_before="2025-12-31") == sorted(
        [late.pk, verifying.pk])


def test_reading_a_file_is_logged_as_reading_the_elder(client, window):
    application = ApplicationFactory(elder=window["elder"])
    client.force_login(window["clerk"])
    body = client.get(f"/api/applications/{application.pk}/").json()
    assert [t["action"] for t in body["transitions"]] == ["receive"]
    assert AccessLog.objects.filter(object_type="elders.elder",
                                    object_id=str(window["elder"].pk), action="view").exists()


def test_provider_staff_see_no_applications(client, window):
    ApplicationFactory(elder=window["elder"])
    client.force_login(staff(Role.PROVIDER_STAFF, provider=ProviderFactory()))
    assert client.get("/api/applications/").status_code == 403
    client.force_login(scope_walk.almighty(provider=ProviderFactory()))
    assert client.get("/api/applications/").json()["count"] == 0


def test_list_runs_a_constant_number_of_queries(client, window, tree,
                                                django_assert_max_num_queries):
    # given one visible application
    client.force_login(window["clerk"])
    ApplicationFactory(elder=window["elder"])
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/applications/").json()["count"] == 1
    # when there are twenty more
    for _ in range(20):
        ApplicationFactory(elder=ElderFactory(residence_street=tree["street"],
                                              hukou_street=tree["street"]))
    # then the page costs no more queries
    with django_assert_max_num_queries(len(one)):
        assert client.get("/api/applications/").json()["count"] == 21


def test_every_step_documents_its_own_request_body():
    # given the OpenAPI schema
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    # then each step endpoint has its own request body component
    bodies = {step: paths[f"/api/applications/{{id}}/{step}/"]["post"]["requestBody"]
              ["content"]["application/json"]["schema"]["$ref"] for step in STEPS}
    assert len(set(bodies.values())) == len(STEPS)
    preview = paths["/api/applications/{id}/eligibility-preview/"]
    assert {"get", "post"} <= set(preview)
    # and a reason is required exactly where the state machine requires one
    components = schema["components"]["schemas"]
    for step, ref in bodies.items():
        required = components[ref.rsplit("/", 1)[1]].get("required", [])
        action = rules.Action(step.replace("-", "_"))
        assert ("reason" in required) == (action in rules.REASON_REQUIRED), step
