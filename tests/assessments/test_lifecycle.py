"""After the lock: where a result goes (the open application, or the running
entitlement from the next month), results issued elsewhere, routine
re-assessment on the policy's interval, one assessment under way per elder,
and assessors limited to their body's contracted districts and their own
team's assignments."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.accounts.roles import Role
from apps.assessments import services
from apps.assessments.models import Assessment, Instrument
from apps.assessments.standards import gbt_42195
from apps.core.scoping import scope_for
from apps.elders.models import Elder
from apps.subsidies.models import Entitlement
from tests.factories import (
    AssessmentBodyFactory,
    AssessorFactory,
    ElderFactory,
    EntitlementFactory,
    staff,
)

pytestmark = pytest.mark.django_db

ITEMS = gbt_42195().items
# self-care all 0, everything else at its best: 0 + 15 + 28 + 15 = 58, moderate
MODERATE = {i.code: ("0" if i.dimension == "B1" else str(i.maximum)) for i in ITEMS}
# and mental state at 0 too: 0 + 15 + 0 + 15 = 30, severe (30–45)
SEVERE = {**MODERATE, **{i.code: "0" for i in ITEMS if i.dimension == "B3"}}


@pytest.fixture
def my_assignment(window, team, tree):
    """An assessor's account on the team of a home assessment of the elder."""
    user = staff(Role.ASSESSOR, region=tree["district"])
    mine = AssessorFactory(body=team["body"], user=user)
    assessment = services.request_assessment(elder=window["elder"], reason="first",
                                             on=date(2025, 10, 13))
    services.schedule_assessment(assessment=assessment, body=team["body"],
                                 assessors=[mine, team["a"]], place="home",
                                 on=date(2025, 10, 15))
    return user, assessment


def _locked(elder, team, answers, *, reason, on, application=None):
    body, assessors = team["body"], [team["a"], team["b"]]
    assessment = services.request_assessment(elder=elder, reason=reason,
                                             application=application, on=on)
    services.schedule_assessment(assessment=assessment, body=body, assessors=assessors,
                                 place="home", on=on)
    services.save_answers(assessment=assessment, answers=answers)
    services.score_assessment(assessment=assessment, on=on)
    return services.sign_assessment(assessment=assessment, informant_name="赵志强")


def test_a_routine_result_changes_the_entitlement_from_the_next_month(window, team):
    elder = window["elder"]
    current = EntitlementFactory(elder=elder, care_level="moderate",
                                 monthly_amount=Decimal("400.00"))
    locked = _locked(elder, team, SEVERE, reason="routine", on=date(2025, 11, 10))
    assert (locked.total, locked.final_grade, locked.care_level) == (30, "severe", "severe")
    current.refresh_from_db()
    assert (current.valid_until, current.end_reason) == (date(2025, 11, 30), "reassessed")
    successor = Entitlement.objects.current().get(elder=elder)
    # 重度: the class 1 subsidy with the nursing supplement, from 1 December
    assert (successor.valid_from, successor.care_level, successor.nursing_supplement,
            successor.predecessor_id) == (date(2025, 12, 1), "severe", Decimal("200.00"),
                                          current.pk)
    assert locked.reference in current.end_note


def test_a_result_at_the_same_level_changes_nothing(window, team):
    current = EntitlementFactory(elder=window["elder"], care_level="moderate")
    _locked(window["elder"], team, MODERATE, reason="routine", on=date(2025, 11, 10))
    current.refresh_from_db()
    assert current.valid_until is None
    assert Entitlement.objects.filter(elder=window["elder"]).count() == 1


def test_a_result_for_an_open_application_waits_for_the_district_decision(window, team):
    from apps.applications import services as applications

    application = applications.receive_application(
        elder=window["elder"], kind="subsidy", by=window["clerk"], received_on=date(2025, 10, 9))
    applications.take_action(application=application, action="pass_initial_check",
                             by=window["clerk"], on=date(2025, 10, 10))
    locked = _locked(window["elder"], team, SEVERE, reason="first", on=date(2025, 10, 15),
                     application=application)
    application.refresh_from_db()
    assert (application.care_level, application.assessment_reference) == (
        "severe", locked.reference)
    assert not Entitlement.objects.filter(elder=window["elder"]).exists()


@pytest.mark.parametrize(("total", "grade", "level"), [
    (40, "severe", "severe"), (41, "moderate", "moderate"), (60, "moderate", "moderate"),
    (61, "slight", "mild"), (100, "independent", "none")])
def test_a_barthel_total_is_recorded_and_mapped(window, total, grade, level):
    barthel = Instrument.objects.get(code="Barthel")
    recorded = services.record_result(
        elder=window["elder"], instrument=barthel, assessed_on=date(2025, 10, 20),
        issuer="广州市第一人民医院", reference="BI-2025-118", total=total)
    assert (recorded.status, recorded.total, recorded.final_grade, recorded.care_level) == (
        "locked", total, grade, level)
    assert (recorded.fee, recorded.body) == (None, None)  # no fee is due to a body


def test_a_long_term_care_grade_is_recorded_and_feeds_the_entitlement(window):
    current = EntitlementFactory(elder=window["elder"], care_level="moderate")
    recorded = services.record_result(
        elder=window["elder"], instrument=Instrument.objects.get(code="LTC-2021"),
        assessed_on=date(2025, 11, 3), issuer="广州市医疗保障局", reference="LTC-0042",
        grade="4", reason="change")
    assert (recorded.total, recorded.final_grade, recorded.care_level) == (None, "4", "severe")
    current.refresh_from_db()
    assert current.valid_until == date(2025, 11, 30)


@pytest.mark.parametrize(("code", "values", "field"), [
    ("Barthel", {"total": 101}, "total"),
    ("Barthel", {"total": None}, "total"),
    ("LTC-2021", {"grade": "6"}, "grade"),
    ("GB/T 42195", {"total": 50}, "instrument"),
])
def test_a_recorded_result_out_of_range_is_a_field_error(window, code, values, field):
    instrument = Instrument.objects.filter(code__startswith=code.split()[0]).first()
    with pytest.raises(ValidationError) as error:
        services.record_result(elder=window["elder"], instrument=instrument,
                               assessed_on=date(2025, 10, 20), issuer="医院", reference="x",
                               **values)
    assert field in error.value.message_dict
    assert not Assessment.objects.filter(elder=window["elder"]).exists()


def test_one_assessment_under_way_per_elder(window, team):
    services.request_assessment(elder=window["elder"], reason="first", on=date(2025, 10, 13))
    with pytest.raises(ValidationError) as error:
        services.request_assessment(elder=window["elder"], reason="change",
                                    on=date(2025, 10, 14))
    assert error.value.error_dict["elder"][0].code == "assessment_open"


def test_a_review_is_requested_only_from_the_disputed_assessment(window):
    with pytest.raises(ValidationError) as error:
        services.request_assessment(elder=window["elder"], reason="review")
    assert error.value.error_dict["reason"][0].code == "review_needs_first"


def test_routine_reassessment_is_requested_once_the_interval_has_passed(window, tree, team):
    elder = window["elder"]
    EntitlementFactory(elder=elder)
    _locked(elder, team, MODERATE, reason="first", on=date(2024, 10, 15))
    # an own-cost elder assessed as long ago is not called back
    own_cost = ElderFactory(residence_street=tree["street"], hukou_street=tree["street"])
    EntitlementFactory(elder=own_cost, subsidy_class="own_cost", monthly_amount=0)
    _locked(own_cost, team, MODERATE, reason="first", on=date(2024, 10, 15))
    # twelve months (the seeded policy value) after 15 October 2024
    assert services.request_routine_reassessments(today=date(2025, 10, 14)) == 0
    assert services.request_routine_reassessments(today=date(2025, 10, 15)) == 1
    routine = Assessment.objects.get(elder=elder, reason="routine")
    assert (routine.status, routine.requested_on, routine.district_pays) == (
        "requested", date(2025, 10, 15), Decimal("100.00"))
    # the one under way is not requested twice
    assert services.request_routine_reassessments(today=date(2025, 10, 16)) == 0


def test_the_date_an_application_recorded_counts_as_the_last_assessment(window):
    from apps.applications import services as applications
    from apps.applications.models import Application

    application = applications.receive_application(
        elder=window["elder"], kind="subsidy", by=window["clerk"], received_on=date(2024, 9, 2))
    Application.objects.filter(pk=application.pk).update(assessed_on=date(2024, 9, 30))
    EntitlementFactory(elder=window["elder"], application=application)
    assert services.last_assessed_on([window["elder"].pk]) == {
        window["elder"].pk: date(2024, 9, 30)}
    assert services.request_routine_reassessments(today=date(2025, 9, 29)) == 0
    assert services.request_routine_reassessments(today=date(2025, 9, 30)) == 1
    assert Assessment.objects.get(elder=window["elder"]).application_id == application.pk


def test_an_assessor_sees_the_districts_of_the_body_only(tree, team):
    body = team["body"]
    other_body = AssessmentBodyFactory(districts=[tree["district"], tree["other_district"]])
    user = staff(Role.ASSESSOR, region=tree["other_district"])
    AssessorFactory(body=body, user=user)
    here = ElderFactory(residence_street=tree["sibling"], hukou_street=tree["sibling"])
    there = ElderFactory(residence_street=tree["other_street"],
                         hukou_street=tree["other_street"])
    # the account's own region (the other district) gives nothing: the body's contract does
    assert set(Elder.objects.visible_to(user)) == {here}
    both = staff(Role.ASSESSOR, region=tree["district"])
    AssessorFactory(body=other_body, user=both)
    assert set(Elder.objects.visible_to(both)) >= {here, there}
    assert scope_for(staff(Role.ASSESSOR, region=tree["district"])).is_empty


def test_an_assessor_conducts_only_the_assessments_of_the_team(window, team, tree, client):
    body, assessors = team["body"], [team["a"], team["b"]]
    user = staff(Role.ASSESSOR, region=tree["district"])
    AssessorFactory(body=body, user=user)
    assessment = services.request_assessment(elder=window["elder"], reason="first",
                                             on=date(2025, 10, 13))
    services.schedule_assessment(assessment=assessment, body=body, assessors=assessors,
                                 place="home", on=date(2025, 10, 15))
    # same body, same district, not on the team: visible, but not to be entered
    assert Assessment.objects.visible_to(user).filter(pk=assessment.pk).exists()
    assert not Assessment.objects.conductable_by(user).filter(pk=assessment.pk).exists()
    client.force_login(user)
    assert client.get(f"/assessments/{assessment.pk}/step/1/").status_code == 404
    answer = client.post(f"/assessments/{assessment.pk}/answer/",
                         {"item": "B1_1", "option": "4"})
    assert answer.status_code == 404


def test_one_answer_is_saved_the_moment_it_is_tapped(my_assignment, client):
    user, assessment = my_assignment
    client.force_login(user)
    url = f"/assessments/{assessment.pk}/answer/"
    saved = client.post(url, {"item": "B1_1", "option": "3"})
    assert saved.status_code == 200
    assert saved.json() == {"item": "B1_1", "option": "3", "answered": 1, "total_items": 26}
    refused = client.post(url, {"item": "B2_4", "option": "4"})  # B2.4 scores 0–3
    assert refused.status_code == 400
    assert "B2_4" in refused.json()["errors"]
    unknown = client.post(url, {"item": "Z9", "option": "1"})
    assert unknown.status_code == 400
    assert Assessment.objects.get(pk=assessment.pk).answers == {"B1_1": "3"}


@pytest.mark.parametrize(("subsidy_class", "district_pays", "elder_pays"), [
    ("class1", "100.00", "0.00"), ("class2", "100.00", "0.00"), ("own_cost", "50.00", "50.00")])
def test_a_re_assessment_without_an_application_is_paid_as_art_21_says(
        window, subsidy_class, district_pays, elder_pays):
    EntitlementFactory(elder=window["elder"], subsidy_class=subsidy_class)
    requested = services.request_assessment(elder=window["elder"], reason="change",
                                            on=date(2025, 11, 3))
    assert (requested.district_pays, requested.elder_pays) == (
        Decimal(district_pays), Decimal(elder_pays))


def test_the_second_teams_result_is_final(window, team, tree):
    first = _locked(window["elder"], team, MODERATE, reason="first", on=date(2025, 10, 15))
    second = services.request_review(assessment=first, on=date(2025, 10, 20))
    services.schedule_assessment(assessment=second, body=team["body"],
                                 assessors=[team["c"], team["d"]],
                                 place="home", on=date(2025, 10, 22))
    services.save_answers(assessment=second, answers=SEVERE)
    services.score_assessment(assessment=second, on=date(2025, 10, 22))
    second = services.sign_assessment(assessment=second, informant_name="赵志强")
    with pytest.raises(ValidationError) as error:
        services.request_review(assessment=second)
    assert error.value.code == "review_final"
    # both results are kept
    assert list(Assessment.objects.filter(elder=window["elder"]).order_by("pk")
                .values_list("final_grade", flat=True)) == ["moderate", "severe"]


def test_the_assignment_list_resumes_where_the_assessor_stopped(my_assignment, client):
    user, assessment = my_assignment
    client.force_login(user)

    def link():
        html = client.get("/assessments/").content.decode()
        return html.split(f'href="/assessments/{assessment.pk}/step/')[1].split("/")[0]

    assert link() == "1"
    # self-care done and one item of mobility: the connection dropped on screen 2
    services.save_answers(assessment=assessment, answers={
        **{k: v for k, v in MODERATE.items() if k.startswith("B1")}, "B2_1": "3"})
    assert link() == "2"
    services.save_answers(assessment=assessment, answers=MODERATE)
    assert link() == "5"  # the findings
    services.score_assessment(assessment=assessment, on=date(2025, 10, 15))
    assert link() == "6"  # the signatures
