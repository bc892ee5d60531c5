"""The district centre's screens drive the assessment services: request from
an application, schedule a team, a second team after a dispute, results
issued elsewhere. Refusals come back on the page and write nothing."""

from datetime import date

import pytest
from django.urls import reverse

from apps.assessments import services
from apps.assessments.models import Assessment, Instrument
from apps.assessments.standards import gbt_42195
from tests.factories import (
    ApplicationFactory,
    ElderFactory,
)

pytestmark = pytest.mark.django_db

FULL = {item.code: str(item.maximum) for item in gbt_42195().items}


@pytest.fixture
def officer(client, window):
    client.force_login(window["officer"])
    return window["officer"]


def _requested(window, application=None):
    return services.request_assessment(elder=window["elder"], reason="first",
                                       application=application, on=date(2025, 10, 13))


def _schedule(client, assessment, team, *assessors, place="home"):
    return client.post(reverse("assessments:office_detail", args=[assessment.pk]), {
        "body": team["body"].pk, "assessors": [a.pk for a in assessors], "place": place,
        "scheduled_on": "2025-10-15"})


def _locked(window, team):
    assessment = _requested(window)
    services.schedule_assessment(assessment=assessment, body=team["body"],
                                 assessors=[team["a"], team["b"]], place="home",
                                 on=date(2025, 10, 15))
    services.save_answers(assessment=assessment, answers=FULL)
    services.score_assessment(assessment=assessment, on=date(2025, 10, 15))
    return services.sign_assessment(assessment=assessment, informant_name="梁志明")


def test_request_from_the_application_page(client, window, application, officer):
    # given an application in district verification
    page = client.get(reverse("applications:application_detail", args=[application.pk]))
    url = (reverse("assessments:request", args=[window["elder"].pk])
           + f"?application={application.pk}")
    assert url in page.content.decode()
    form = client.get(url)
    assert form.status_code == 200
    assert form.context["form"]["reason"].value() == "first"
    # when the officer requests an assessment for it
    response = client.post(url, {"reason": "first", "requested_on": "2025-10-13"})
    # then it is requested for the application, the district paying all of the fee
    assessment = Assessment.objects.get()
    assert response.url == reverse("assessments:office_detail", args=[assessment.pk])
    assert (assessment.application, assessment.reason, assessment.status) == (
        application, "first", "requested")
    assert assessment.elder_pays == 0
    listing = client.get(reverse("assessments:office_list"), {"status": "requested"})
    assert window["elder"].name in listing.content.decode()
    assert reverse("assessments:office_detail", args=[assessment.pk]) in \
        listing.content.decode()


def test_a_reassessment_application_preselects_a_change_of_condition(client, window,
                                                                      officer):
    application = ApplicationFactory(elder=window["elder"], kind="reassessment",
                                     status="district_verification")
    response = client.get(reverse("assessments:request", args=[window["elder"].pk]),
                          {"application": application.pk})
    assert response.context["form"]["reason"].value() == "change"


def test_a_second_open_assessment_is_a_form_error_not_a_500(client, window, officer):
    _requested(window)
    response = client.post(reverse("assessments:request", args=[window["elder"].pk]),
                           {"reason": "first", "requested_on": "2025-10-13"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Assessment.objects.count() == 1


def test_one_assessor_at_home_is_a_field_error_and_nothing_is_saved(client, window, team,
                                                                    officer):
    assessment = _requested(window)
    response = _schedule(client, assessment, team, team["a"])
    assert response.status_code == 200
    assert "assessors" in response.context["schedule_form"].errors
    text = response.content.decode()
    assert ("上门评估至少需要 2 名评估员" in text
            or "An assessment at home needs at least 2 assessors" in text)
    assessment.refresh_from_db()
    assert assessment.status == "requested"
    assert assessment.body is None
    assert not assessment.assessors.exists()


def test_two_qualified_assessors_schedule_a_home_assessment(client, window, team, officer):
    assessment = _requested(window)
    page = client.get(reverse("assessments:office_detail", args=[assessment.pk]))
    assert team["a"].name in page.content.decode()
    response = _schedule(client, assessment, team, team["a"], team["b"])
    assert response.url == reverse("assessments:office_detail", args=[assessment.pk])
    assessment.refresh_from_db()
    assert (assessment.status, assessment.body, assessment.place, assessment.scheduled_on) == (
        "scheduled", team["body"], "home", date(2025, 10, 15))
    assert set(assessment.assessors.all()) == {team["a"], team["b"]}


def test_another_district_gets_404_everywhere(client, window, team):
    assessment = _requested(window)
    client.force_login(window["other_officer"])
    elder = window["elder"].pk
    assert client.get(reverse("assessments:office_detail",
                              args=[assessment.pk])).status_code == 404
    assert _schedule(client, assessment, team, team["a"], team["b"]).status_code == 404
    assert client.get(reverse("assessments:request", args=[elder])).status_code == 404
    assert client.post(reverse("assessments:request", args=[elder]), {
        "reason": "first", "requested_on": "2025-10-13"}).status_code == 404
    assert client.get(reverse("assessments:record_result", args=[elder])).status_code == 404
    assert client.post(reverse("assessments:review", args=[assessment.pk])).status_code == 404
    listing = client.get(reverse("assessments:office_list"))
    assert listing.status_code == 200
    assert window["elder"].name not in listing.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == "requested"


def test_an_application_of_another_district_is_404(client, window, tree, officer):
    stranger = ElderFactory(residence_street=tree["other_street"],
                            hukou_street=tree["other_street"])
    other = ApplicationFactory(elder=stranger)
    response = client.get(reverse("assessments:request", args=[window["elder"].pk]),
                          {"application": other.pk})
    assert response.status_code == 404


def test_review_button_requests_a_second_team_and_both_are_kept(client, window, team,
                                                                officer):
    first = _locked(window, team)
    page = client.get(reverse("assessments:office_detail", args=[first.pk]))
    assert 'id="request-review"' in page.content.decode()
    response = client.post(reverse("assessments:review", args=[first.pk]))
    second = Assessment.objects.get(review_of=first)
    assert response.url == reverse("assessments:office_detail", args=[second.pk])
    assert (second.reason, second.status) == ("review", "requested")
    listing = client.get(reverse("assessments:office_list")).content.decode()
    for assessment in (first, second):
        assert reverse("assessments:office_detail", args=[assessment.pk]) in listing
    first_page = client.get(reverse("assessments:office_detail", args=[first.pk])).content
    assert 'id="request-review"' not in first_page.decode()
    assert reverse("assessments:office_detail", args=[second.pk]) in first_page.decode()
    second_page = client.get(reverse("assessments:office_detail", args=[second.pk])).content
    assert reverse("assessments:office_detail", args=[first.pk]) in second_page.decode()
    # a second request is refused on the page, not with a 500
    again = client.post(reverse("assessments:review", args=[first.pk]))
    assert again.status_code == 302
    assert Assessment.objects.count() == 2


def _record(client, elder, **data):
    return client.post(reverse("assessments:record_result", args=[elder.pk]), {
        "assessed_on": "2025-10-13", "issuer": "广州市第一人民医院", "reference": "B-1",
        "reason": "first", **data})


def test_a_barthel_total_and_an_ltc_grade_map_to_care_levels(client, window, tree, officer):
    barthel = Instrument.objects.get(code="Barthel")
    response = _record(client, window["elder"], instrument=barthel.pk, total="45")
    recorded = Assessment.objects.get()
    assert response.url == reverse("assessments:office_detail", args=[recorded.pk])
    # 41–60 is moderate dependence (WS/T 431), the moderate care-need level
    assert (recorded.total, recorded.final_grade, recorded.care_level, recorded.status) == (
        45, "moderate", "moderate", "locked")
    page = client.get(response.url).content.decode()
    assert "中度依赖" in page
    assert 'id="request-review"' not in page
    ltc = Instrument.objects.get(code="LTC-2021")
    other = ElderFactory(residence_street=tree["street"], hukou_street=tree["street"])
    _record(client, other, instrument=ltc.pk, grade=f"{ltc.pk}:3")
    graded = Assessment.objects.get(elder=other)
    assert (graded.total, graded.final_grade, graded.care_level) == (None, "3", "severe")


def test_an_ltc_grade_of_another_instrument_is_refused(client, window, officer):
    ltc = Instrument.objects.get(code="LTC-2021")
    barthel = Instrument.objects.get(code="Barthel")
    response = _record(client, window["elder"], instrument=barthel.pk, grade=f"{ltc.pk}:3")
    assert "total" in response.context["form"].errors
    response = _record(client, window["elder"], instrument=ltc.pk, grade="")
    assert "grade" in response.context["form"].errors
    assert not Assessment.objects.exists()


def test_an_out_of_range_barthel_total_is_a_field_error(client, window, officer):
    barthel = Instrument.objects.get(code="Barthel")
    response = _record(client, window["elder"], instrument=barthel.pk, total="120")
    assert response.status_code == 200
    assert "total" in response.context["form"].errors
    assert not Assessment.objects.exists()
