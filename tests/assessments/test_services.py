"""An assessment from request to lock through the services: the team rules
of Art 20, server scoring, the fee of Art 21, the result feeding the
application, and a second team after a dispute."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.applications import services as applications
from apps.assessments import services
from apps.assessments.models import Assessment
from apps.assessments.standards import gbt_42195
from tests.factories import AssessmentBodyFactory, AssessorFactory

pytestmark = pytest.mark.django_db

FULL = {item.code: str(item.maximum) for item in gbt_42195().items}


def _scheduled(window, team, application=None, place="home"):
    assessment = services.request_assessment(elder=window["elder"], reason="first",
                                             application=application, on=date(2025, 10, 13))
    return services.schedule_assessment(assessment=assessment, body=team["body"],
                                        assessors=[team["a"], team["b"]], place=place,
                                        on=date(2025, 10, 15))


def test_the_whole_lifecycle_feeds_the_application(window, team, application):
    assessment = _scheduled(window, team, application)
    # one screen at a time: self-care first, the rest later
    services.save_answers(assessment=assessment,
                          answers={k: v for k, v in FULL.items() if k.startswith("B1")})
    rest = {k: v for k, v in FULL.items() if not k.startswith("B1")}
    services.save_answers(assessment=assessment, answers={**rest, "B1_1": "1", "B1_8": "0"},
                          mental_diagnosis=True)
    scored = services.score_assessment(assessment=assessment, on=date(2025, 10, 15))
    # 90 - 3 - 4 = 83: mild, raised one level by the dementia diagnosis
    assert (scored.total, scored.preliminary_grade, scored.final_grade) == (83, "mild",
                                                                            "moderate")
    assert scored.subtotals == {"B1": 25, "B2": 15, "B3": 28, "B4": 15}
    assert scored.care_level == "moderate"
    locked = services.sign_assessment(assessment=assessment, informant_name="梁志明",
                                      informant_relationship="儿子")
    application.refresh_from_db()
    assert locked.locked_at is not None
    assert (application.care_level, application.assessed_on,
            application.assessment_reference) == ("moderate", date(2025, 10, 15),
                                                  f"PG-{assessment.pk}")
    # a locked assessment never changes
    with pytest.raises(ValidationError) as error:
        services.save_answers(assessment=assessment, answers={"B1_1": "4"})
    assert error.value.code == "not_editable"


def test_a_home_assessment_needs_two_qualified_assessors_of_a_contracted_body(window, team,
                                                                             tree):
    assessment = services.request_assessment(elder=window["elder"], reason="first",
                                             on=date(2025, 10, 13))
    with pytest.raises(ValidationError) as alone:
        services.schedule_assessment(assessment=assessment, body=team["body"],
                                     assessors=[team["a"]], place="home", on=date(2025, 10, 15))
    assert alone.value.error_dict["assessors"][0].code == "too_few"
    untrained = AssessorFactory(body=team["body"], examination_passed_on=None)
    with pytest.raises(ValidationError) as unqualified:
        services.schedule_assessment(assessment=assessment, body=team["body"],
                                     assessors=[team["a"], untrained], place="home",
                                     on=date(2025, 10, 15))
    assert unqualified.value.error_dict["assessors"][0].code == "not_qualified"
    elsewhere = AssessmentBodyFactory(districts=[tree["other_district"]])
    with pytest.raises(ValidationError) as not_contracted:
        services.schedule_assessment(
            assessment=assessment, body=elsewhere,
            assessors=[AssessorFactory(body=elsewhere), AssessorFactory(body=elsewhere)],
            place="home", on=date(2025, 10, 15))
    assert not_contracted.value.error_dict["body"][0].code == "not_contracted"
    # one assessor suffices on site
    on_site = services.schedule_assessment(assessment=assessment, body=team["body"],
                                           assessors=[team["a"]], place="on_site",
                                           on=date(2025, 10, 15))
    assert on_site.status == "scheduled"


def test_answers_outside_the_options_are_refused_and_nothing_of_the_step_is_saved(window,
                                                                                  team):
    assessment = _scheduled(window, team)
    with pytest.raises(ValidationError) as error:
        services.save_answers(assessment=assessment,
                              answers={"B1_1": "4", "B2_4": "4", "B9_1": "1"})
    assert {k: v[0].code for k, v in error.value.error_dict.items()} == {
        "B2_4": "not_an_option", "B9_1": "unknown_item"}
    assert Assessment.objects.get(pk=assessment.pk).answers == {}


def test_scoring_needs_every_item(window, team):
    assessment = _scheduled(window, team)
    services.save_answers(assessment=assessment, answers={"B1_1": "4"})
    with pytest.raises(ValidationError) as error:
        services.score_assessment(assessment=assessment)
    assert error.value.error_dict["B4_5"][0].code == "missing"


def test_coma_on_the_form_gives_complete_and_the_nursing_level(window, team):
    assessment = _scheduled(window, team)
    services.save_answers(assessment=assessment, answers={**FULL, "B3_9": "coma"})
    scored = services.score_assessment(assessment=assessment)
    assert (scored.total, scored.final_grade, scored.care_level, scored.change_reasons) == (
        88, "complete", "severe", ["coma"])


@pytest.mark.parametrize(("kind", "district_pays", "elder_pays"),
                         [("subsidy", "100.00", "0.00"), ("own_cost", "50.00", "50.00")])
def test_the_fee_is_split_as_art_21_says(window, kind, district_pays, elder_pays):
    application = applications.receive_application(
        elder=window["elder"], kind=kind, by=window["clerk"], received_on=date(2025, 10, 9))
    assessment = services.request_assessment(elder=window["elder"], reason="first",
                                             application=application, on=date(2025, 10, 13))
    assert (assessment.fee, assessment.district_pays, assessment.elder_pays) == (
        Decimal("100.00"), Decimal(district_pays), Decimal(elder_pays))
    # a contract price above the floor is kept; below it, the floor applies
    district = window["elder"].hukou_street.parent
    higher = services.assessment_fee(on=date(2025, 10, 13), subsidy_applicant=False,
                                     district=district, fee=Decimal("150"))
    lower = services.assessment_fee(on=date(2025, 10, 13), subsidy_applicant=False,
                                    district=district, fee=Decimal("80"))
    assert (higher, lower[0]) == (
        (Decimal("150.00"), Decimal("75.00"), Decimal("75.00")), Decimal("100.00"))


def test_a_dispute_gets_a_second_team_and_both_results_are_kept(window, team, application):
    first = _scheduled(window, team, application)
    services.save_answers(assessment=first, answers=FULL)
    services.score_assessment(assessment=first)
    services.sign_assessment(assessment=first, informant_name="梁志明")
    second = services.request_review(assessment=first.__class__.objects.get(pk=first.pk))
    # the subsidy applicant's second assessment is paid by the district too
    assert (second.reason, second.review_of_id, second.district_pays) == (
        "review", first.pk, Decimal("100.00"))
    with pytest.raises(ValidationError) as same:
        services.schedule_assessment(assessment=second, body=team["body"],
                                     assessors=[team["a"], team["c"]], place="home",
                                     on=date(2025, 10, 20))
    assert same.value.error_dict["assessors"][0].code == "same_team"
    services.schedule_assessment(assessment=second, body=team["body"],
                                 assessors=[team["c"], team["d"]], place="home",
                                 on=date(2025, 10, 20))
    assert Assessment.objects.filter(elder=window["elder"]).count() == 2
