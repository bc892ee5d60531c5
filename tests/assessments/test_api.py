"""The assessments API: scoped, scored only on the server, locked once signed."""

from datetime import date

import pytest

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
