"""The assessments API: scoped, scored only on the server, locked once signed."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from apps.accounts.roles import Role
from apps.assessments import services
from apps.assessments.standards import gbt_42195
from tests.factories import AssessmentBodyFactory, AssessorFactory, ElderFactory, staff

pytestmark = pytest.mark.django_db

FULL = {item.code: str(item.maximum) for item in gbt_42195().items}


@pytest.fixture
def body(tree):
    return AssessmentBodyFactory(districts=[tree["district"]])


@pytest.fixture
def assessor(tree, body):
    user = staff(Role.ASSESSOR, region=tree["district"])
    AssessorFactory(body=body, user=user)
    return user


@pytest.fixture
def scheduled(window, body, assessor):
    assessment = services.request_assessment(elder=window["elder"], reason="first",
                                             on=date(2025, 10, 13))
    return services.schedule_assessment(
        assessment=assessment, body=body, assessors=[assessor.assessor,
                                                     AssessorFactory(body=body)],
        place="home", on=date(2025, 10, 15))


def test_answers_score_and_sign_through_the_api(client, scheduled, assessor):
    client.force_login(assessor)
    url = f"/api/assessments/{scheduled.pk}"
    saved = client.post(f"{url}/answers/", {"answers": {**FULL, "B1_1": "0"}, "total": 90},
                        content_type="application/json")
    assert saved.status_code == 200
    assert saved.json()["total"] is None  # a client's total is never taken
    scored = client.post(f"{url}/score/", content_type="application/json").json()
    assert (scored["total"], scored["preliminary_grade"], scored["care_level"]) == (
        86, "mild", "mild")
    signed = client.post(f"{url}/sign/", {"informant_name": "赵志强"},
                         content_type="application/json").json()
    assert signed["status"] == "locked"
    again = client.post(f"{url}/answers/", {"answers": {"B1_1": "4"}},
                        content_type="application/json")
    assert again.status_code == 400


def test_an_answer_outside_the_options_is_a_field_error(client, scheduled, assessor):
    client.force_login(assessor)
    response = client.post(f"/api/assessments/{scheduled.pk}/answers/",
                           {"answers": {"B2_4": "4"}}, content_type="application/json")
    assert response.status_code == 400
    assert "B2_4" in response.json()


def test_other_districts_see_nothing_and_clerks_cannot_conduct(client, scheduled, tree,
                                                               window):
    outsider = staff(Role.ASSESSOR, region=tree["other_district"])
    client.force_login(outsider)
    assert client.get(f"/api/assessments/{scheduled.pk}/").status_code == 404
    assert client.get("/api/assessments/").json()["count"] == 0
    client.force_login(window["clerk"])
    assert client.post(f"/api/assessments/{scheduled.pk}/score/",
                       content_type="application/json").status_code == 403


def test_list_is_scoped_to_the_district(client, scheduled, assessor, tree):
    services.request_assessment(elder=ElderFactory(residence_street=tree["other_street"],
                                                   hukou_street=tree["other_street"]),
                                reason="first")
    client.force_login(assessor)
    assert [a["id"] for a in client.get("/api/assessments/").json()["results"]] == [
        scheduled.pk]


# --- the district's steps through the API: request, schedule, a second team,
# results issued elsewhere, the bodies and assessors, the fee statements ---

MISSING = 987654321


def _post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def _local_elder(tree):
    return ElderFactory(residence_street=tree["street"], hukou_street=tree["street"])


def _same_answer(out_of_scope, missing, pk):
    """Both 400, and the messages identical but for the id."""
    assert out_of_scope.status_code == missing.status_code == 400
    assert out_of_scope.json() == {
        key: [m.replace(str(MISSING), str(pk)) for m in messages]
        for key, messages in missing.json().items()}


def test_request_schedule_and_conduct_end_to_end(client, tree, district_user, body,
                                                 assessor):
    elder = _local_elder(tree)
    client.force_login(district_user)
    # the district requests an assessment
    requested = _post(client, "/api/assessments/",
                      {"elder": elder.pk, "reason": "first", "requested_on": "2025-10-13"})
    assert requested.status_code == 201, requested.json()
    created = requested.json()
    assert (created["status"], created["elder"], created["requested_on"]) == (
        "requested", elder.pk, "2025-10-13")
    assert created["fee"] is not None
    # and schedules a team of two at home, the assessor's account among them
    partner = AssessorFactory(body=body)
    scheduled = _post(client, f"/api/assessments/{created['id']}/schedule/",
                      {"body": body.pk, "assessors": [assessor.assessor.pk, partner.pk],
                       "place": "home", "scheduled_on": "2025-10-15"})
    assert scheduled.status_code == 200, scheduled.json()
    assert scheduled.json()["status"] == "scheduled"
    assert sorted(scheduled.json()["assessors"]) == sorted([assessor.assessor.pk, partner.pk])
    # the assessor enters, scores and signs
    client.force_login(assessor)
    url = f"/api/assessments/{created['id']}"
    assert _post(client, f"{url}/answers/", {"answers": FULL}).status_code == 200
    scored = _post(client, f"{url}/score/")
    assert scored.status_code == 200
    assert scored.json()["care_level"] == "none"
    signed = _post(client, f"{url}/sign/", {"informant_name": "赵志强"})
    assert signed.json()["status"] == "locked"
    # an assessor's account cannot ask for a second team; the district can
    assert _post(client, f"{url}/review/").status_code == 403
    client.force_login(district_user)
    review = _post(client, f"{url}/review/")
    assert review.status_code == 201, review.json()
    assert (review.json()["reason"], review.json()["review_of"], review.json()["status"]) == (
        "review", created["id"], "requested")
    again = _post(client, f"{url}/review/")
    assert again.status_code == 400
    assert "non_field_errors" in again.json()


def test_a_home_assessment_with_one_assessor_is_an_assessors_error(tree, district_user,
                                                                   body):
    assessment = services.request_assessment(elder=_local_elder(tree), reason="first",
                                             on=date(2025, 10, 13))
    api = APIClient()
    api.force_login(district_user)
    response = api.post(f"/api/assessments/{assessment.pk}/schedule/",
                        {"body": body.pk, "assessors": [AssessorFactory(body=body).pk],
                         "place": "home", "scheduled_on": "2025-10-15"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["assessors"]
    # the service's error code survives the mapping to DRF's field errors
    assert response.data["assessors"][0].code == "too_few"
    assessment.refresh_from_db()
    assert (assessment.status, assessment.body) == ("requested", None)


def test_ids_out_of_scope_answer_like_missing_ids(client, tree, district_user, body):
    client.force_login(district_user)
    # an elder of another district
    stranger = ElderFactory(residence_street=tree["other_street"],
                            hukou_street=tree["other_street"])
    _same_answer(_post(client, "/api/assessments/", {"elder": stranger.pk, "reason": "first"}),
                 _post(client, "/api/assessments/", {"elder": MISSING, "reason": "first"}),
                 stranger.pk)
    assert not stranger.assessments.exists()
    # a body and an assessor contracted only for another district
    other_body = AssessmentBodyFactory(districts=[tree["other_district"]])
    other_assessor = AssessorFactory(body=other_body)
    assessment = services.request_assessment(elder=_local_elder(tree), reason="first",
                                             on=date(2025, 10, 13))
    url = f"/api/assessments/{assessment.pk}/schedule/"
    mine = [AssessorFactory(body=body).pk, AssessorFactory(body=body).pk]
    base = {"body": body.pk, "assessors": mine, "place": "home", "scheduled_on": "2025-10-15"}
    _same_answer(_post(client, url, {**base, "body": other_body.pk}),
                 _post(client, url, {**base, "body": MISSING}), other_body.pk)
    _same_answer(_post(client, url, {**base, "assessors": [mine[0], other_assessor.pk]}),
                 _post(client, url, {**base, "assessors": [mine[0], MISSING]}),
                 other_assessor.pk)
    # an assessment of another district is a 404, like one that does not exist
    theirs = services.request_assessment(elder=stranger, reason="first")
    assert _post(client, f"/api/assessments/{theirs.pk}/schedule/", base).status_code == 404
    assert _post(client, f"/api/assessments/{MISSING}/schedule/", base).status_code == 404


def test_scheduling_on_a_day_before_the_policy_values_is_a_field_error(
        client, tree, district_user, body):
    # found by the API fuzzing: a home visit in 2000 answered 500 (no minimum team size)
    client.force_login(district_user)
    assessment = services.request_assessment(elder=_local_elder(tree), reason="first",
                                             on=date(2025, 10, 13))
    team = [AssessorFactory(body=body).pk, AssessorFactory(body=body).pk]
    response = _post(client, f"/api/assessments/{assessment.pk}/schedule/",
                     {"body": body.pk, "assessors": team, "place": "home",
                      "scheduled_on": "2000-01-01"})
    assert response.status_code == 400
    assert list(response.json()) == ["scheduled_on"]
    assessment.refresh_from_db()
    assert assessment.status == "requested"


def test_a_review_cannot_be_requested_as_a_new_assessment(client, tree, district_user):
    client.force_login(district_user)
    response = _post(client, "/api/assessments/",
                     {"elder": _local_elder(tree).pk, "reason": "review"})
    assert response.status_code == 400
    assert list(response.json()) == ["reason"]


def test_an_assessor_account_cannot_request_or_schedule(client, tree, body, assessor):
    assessment = services.request_assessment(elder=_local_elder(tree), reason="first",
                                             on=date(2025, 10, 13))
    client.force_login(assessor)
    assert _post(client, "/api/assessments/",
                 {"elder": _local_elder(tree).pk, "reason": "first"}).status_code == 403
    response = _post(client, f"/api/assessments/{assessment.pk}/schedule/",
                     {"body": body.pk, "assessors": [assessor.assessor.pk],
                      "place": "on_site", "scheduled_on": "2025-10-15"})
    assert response.status_code == 403
    assessment.refresh_from_db()
    assert assessment.status == "requested"


def test_record_a_barthel_total(client, tree, district_user):
    elder = _local_elder(tree)
    client.force_login(district_user)
    response = _post(client, "/api/assessments/record-result/", {
        "elder": elder.pk, "instrument": "Barthel", "instrument_version": "1965",
        "assessed_on": "2025-10-20", "issuer": "广州市第一人民医院",
        "reference": "BI-2025-0042", "reason": "first", "total": 45})
    assert response.status_code == 201, response.json()
    result = response.json()
    assert (result["status"], result["total"], result["final_grade"], result["care_level"]) == (
        "locked", 45, "moderate", "moderate")
    assert result["external_reference"] == "BI-2025-0042"
    read = client.get(f"/api/assessments/{result['id']}/").json()
    assert read["care_level"] == "moderate"


def test_recorded_results_are_checked(client, tree, district_user):
    client.force_login(district_user)
    base = {"elder": _local_elder(tree).pk, "instrument": "Barthel",
            "instrument_version": "1965", "assessed_on": "2025-10-20", "issuer": "医院"}
    unknown = _post(client, "/api/assessments/record-result/",
                    {**base, "instrument_version": "1900", "total": 45})
    assert (unknown.status_code, list(unknown.json())) == (400, ["instrument"])
    too_high = _post(client, "/api/assessments/record-result/", {**base, "total": 140})
    assert (too_high.status_code, list(too_high.json())) == (400, ["total"])
    items = _post(client, "/api/assessments/record-result/",
                  {**base, "instrument": "GB/T 42195", "instrument_version": "2022"})
    assert items.status_code == 400


def test_bodies_and_assessors_are_scoped_and_filterable(client, tree, district_user, body):
    mine = AssessorFactory(body=body)
    second_body = AssessmentBodyFactory(districts=[tree["district"], tree["other_district"]])
    AssessorFactory(body=second_body)
    AssessorFactory(body=AssessmentBodyFactory(districts=[tree["other_district"]]))
    client.force_login(district_user)
    bodies = client.get("/api/assessment-bodies/").json()
    assert sorted(b["id"] for b in bodies["results"]) == sorted([body.pk, second_body.pk])
    assert client.get("/api/assessors/").json()["count"] == 2
    only = client.get("/api/assessors/", {"body": body.pk}).json()
    assert [a["id"] for a in only["results"]] == [mine.pk]
    assert only["results"][0]["qualified"] is True


@pytest.fixture
def statement(window, body, assessor):
    """A draft statement of October 2025 with one locked assessment."""
    assessment = services.request_assessment(elder=window["elder"], reason="first",
                                             on=date(2025, 10, 13))
    services.schedule_assessment(assessment=assessment, body=body,
                                 assessors=[assessor.assessor, AssessorFactory(body=body)],
                                 place="home", on=date(2025, 10, 15))
    services.save_answers(assessment=assessment, answers=FULL)
    services.score_assessment(assessment=assessment, on=date(2025, 10, 15))
    services.sign_assessment(assessment=assessment, informant_name="赵志强")
    [statement] = services.compile_fee_statements(month=date(2025, 10, 1))
    return statement


def test_a_draft_statement_has_no_issuer_and_the_schema_allows_it(client, statement,
                                                                   district_user):
    # found by the API fuzzing: issued_by is null until issued; the schema said string
    from drf_spectacular.generators import SchemaGenerator

    client.force_login(district_user)
    row = client.get(f"/api/assessment-fee-statements/{statement.pk}/").json()
    assert row["issued_by"] is None
    schema = SchemaGenerator().get_schema(request=None, public=True)
    issued_by = schema["components"]["schemas"]["FeeStatement"]["properties"]["issued_by"]
    assert issued_by["nullable"] is True


def test_fee_statements_are_scoped_and_issued(client, tree, window, statement,
                                              district_user):
    client.force_login(window["other_officer"])
    assert client.get("/api/assessment-fee-statements/").json()["count"] == 0
    assert client.get(f"/api/assessment-fee-statements/{statement.pk}/").status_code == 404
    assert _post(client, f"/api/assessment-fee-statements/{statement.pk}/issue/"
                 ).status_code == 404
    client.force_login(district_user)
    listed = client.get("/api/assessment-fee-statements/", {"month": "2025-10"})
    assert listed.json()["count"] == 1
    [row] = listed.json()["results"]
    assert row["status"] == "draft"
    [line] = row["lines"]
    assert set(line) == {"assessment", "elder_name", "assessed_on", "reason", "fee",
                         "district_pays", "elder_pays"}
    assert (line["elder_name"], line["assessed_on"]) == (window["elder"].name, "2025-10-15")
    assert window["elder"].id_number not in listed.content.decode()
    assert client.get("/api/assessment-fee-statements/",
                      {"month": "2025-09"}).json()["count"] == 0
    assert client.get("/api/assessment-fee-statements/",
                      {"status": "issued"}).json()["count"] == 0
    assert client.get("/api/assessment-fee-statements/",
                      {"month": "October"}).status_code == 400
    issued = _post(client, f"/api/assessment-fee-statements/{statement.pk}/issue/")
    assert issued.status_code == 200, issued.json()
    assert issued.json()["status"] == "issued"
    assert issued.json()["issued_by"]
    again = _post(client, f"/api/assessment-fee-statements/{statement.pk}/issue/")
    assert again.status_code == 400
    assert "non_field_errors" in again.json()


def test_a_finance_officer_reads_but_does_not_issue(client, tree, statement):
    finance = staff(Role.FINANCE_OFFICER, region=tree["district"])
    client.force_login(finance)
    assert client.get("/api/assessment-fee-statements/").json()["count"] == 1
    assert client.get(f"/api/assessment-fee-statements/{statement.pk}/").status_code == 200
    assert _post(client, f"/api/assessment-fee-statements/{statement.pk}/issue/"
                 ).status_code == 403
    statement.refresh_from_db()
    assert statement.status == "draft"
