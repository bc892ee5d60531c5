"""The evaluation's services on the real database and working-day calendar."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.evaluations import services
from apps.evaluations.models import (
    CriterionScore,
    Evaluation,
    EvaluationStatus,
    Grade,
    ProviderGrade,
)
from tests.evaluations.factories import (
    appealed,
    on_day,
    opened,
    points_for,
    published,
    scored,
    self_assessed,
)
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db


def _codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


@pytest.mark.parametrize(("total", "grade"), [
    (59, Grade.UNQUALIFIED), (60, Grade.QUALIFIED), (79, Grade.QUALIFIED), (80, Grade.GOOD),
    (89, Grade.GOOD), (90, Grade.EXCELLENT),
])
def test_the_server_totals_and_grades_the_scores(total, grade):
    evaluation = scored(Decimal(total))
    assert evaluation.total == Decimal(total)
    assert evaluation.grade == grade
    assert evaluation.scores.count() == 5


def test_a_score_above_the_maximum_is_a_field_error_and_nothing_is_written():
    # given an opened evaluation and points with one above its criterion's maximum
    evaluation = opened()
    points = points_for(70)
    points["service_quality"] = Decimal("30.5")
    del points["safety"]
    # when the district records them
    with pytest.raises(ValidationError) as refused:
        services.record_scores(evaluation=evaluation, scores=points)
    # then each criterion names its problem and no score is stored
    assert _codes(refused.value) == {"service_quality": ["above_maximum"],
                                     "safety": ["missing"]}
    assert CriterionScore.objects.count() == 0
    evaluation.refresh_from_db()
    assert evaluation.total is None


def test_publishing_needs_scores():
    with pytest.raises(ValidationError) as refused:
        services.publish_evaluation(evaluation=self_assessed(opened()))
    assert refused.value.code == "not_scored"


def test_publishing_needs_the_providers_self_assessment():
    # given a result the district scored before the provider self-assessed
    evaluation = scored()
    assert evaluation.grade == Grade.GOOD
    # when the district publishes it, it is refused and nothing changes
    with pytest.raises(ValidationError) as refused:
        services.publish_evaluation(evaluation=evaluation)
    assert refused.value.code == "no_self_assessment"
    assert "自评" in refused.value.messages[0]
    evaluation.refresh_from_db()
    assert (evaluation.status, evaluation.published_on) == (EvaluationStatus.DRAFT, None)
    # then, once the provider has self-assessed, it is published today
    self_assessed(evaluation)
    services.publish_evaluation(evaluation=evaluation)
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.PUBLISHED
    assert evaluation.published_on == timezone.localdate()


@pytest.mark.parametrize("days", [-60, -1, 1])
def test_a_result_is_published_today_only(days):
    # given a scored and self-assessed result
    evaluation = self_assessed(scored())
    today = timezone.localdate()
    # when the district publishes it with another date than today
    with pytest.raises(ValidationError) as refused:
        services.publish_evaluation(evaluation=evaluation, on=today + timedelta(days=days))
    # then the date is refused and nothing is posted
    assert _codes(refused.value) == {"published_on": ["not_today"]}
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.DRAFT
    assert (evaluation.published_on, evaluation.posting_until, evaluation.appeal_until) == \
        (None, None, None)
    # and today is accepted
    services.publish_evaluation(evaluation=evaluation, on=today)
    evaluation.refresh_from_db()
    assert evaluation.published_on == today


def test_the_posting_lasts_ten_days_and_the_window_seven_working_days():
    # published Monday 2 June 2025: posted 2–11 June; 7 working days after
    # the 11th is Friday 20 June
    evaluation = published(date(2025, 6, 2))
    assert evaluation.status == EvaluationStatus.PUBLISHED
    assert evaluation.posting_until == date(2025, 6, 11)
    assert evaluation.appeal_until == date(2025, 6, 20)


@pytest.mark.parametrize("day", [date(2025, 6, 2), date(2025, 6, 6), date(2025, 6, 11),
                                 date(2025, 6, 12)])
def test_an_appeal_during_the_posting_is_accepted(day):
    # the measures set a deadline after the posting, not an opening day: the
    # day of publication, the posting's days and the day after are in time
    evaluation = published(date(2025, 6, 2))
    services.appeal_evaluation(evaluation=evaluation, reason="x", on=day)
    evaluation.refresh_from_db()
    assert (evaluation.status, evaluation.appealed_on) == (EvaluationStatus.APPEALED, day)


def test_an_appeal_dated_before_the_publication_is_refused():
    evaluation = published(date(2025, 6, 2))
    with pytest.raises(ValidationError) as refused:
        services.appeal_evaluation(evaluation=evaluation, reason="x", on=date(2025, 6, 1))
    assert _codes(refused.value) == {"appealed_on": ["outside_window"]}
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.PUBLISHED


def test_the_window_across_national_day_counts_working_days_only():
    # posted 21–30 September 2025; 1–8 October are holidays and Saturday
    # 11 October a make-up working day: 9, 10, 11, 13, 14, 15, 16 October
    evaluation = published(date(2025, 9, 21))
    assert evaluation.posting_until == date(2025, 9, 30)
    assert evaluation.appeal_until == date(2025, 10, 16)


def test_an_appeal_on_the_last_day_of_the_window_is_accepted():
    evaluation = published(date(2025, 9, 21))
    services.appeal_evaluation(evaluation=evaluation, reason="评分有误", on=date(2025, 10, 16))
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.APPEALED
    assert evaluation.appealed_on == date(2025, 10, 16)


def test_an_appeal_the_day_after_the_window_is_refused():
    evaluation = published(date(2025, 9, 21))
    with pytest.raises(ValidationError) as refused:
        services.appeal_evaluation(evaluation=evaluation, reason="评分有误",
                                   on=date(2025, 10, 17))
    assert _codes(refused.value) == {"appealed_on": ["outside_window"]}
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.PUBLISHED
    assert evaluation.appeal_reason == ""


def test_the_city_decision_is_final_and_a_second_appeal_is_refused():
    # given an appealed result of 78 (qualified)
    evaluation = appealed(date(2025, 6, 2), date(2025, 6, 16), total=Decimal(78))
    # when the city centre revises the total to 82
    services.decide_appeal(evaluation=evaluation, reason="复评后加分", total=Decimal(82),
                           on=date(2025, 6, 30))
    evaluation.refresh_from_db()
    # then the result is final at good, the district's own result kept
    assert evaluation.status == EvaluationStatus.FINAL
    assert (evaluation.grade, evaluation.final_grade) == (Grade.QUALIFIED, Grade.GOOD)
    assert evaluation.review_total == Decimal(82)
    assert evaluation.final_on == date(2025, 6, 30)
    # and a second appeal, even inside the old window, is refused
    with pytest.raises(ValidationError) as refused:
        services.appeal_evaluation(evaluation=evaluation, reason="再次申请",
                                   on=date(2025, 6, 18))
    assert refused.value.code == "final"
    evaluation.refresh_from_db()
    assert evaluation.appeal_reason == "评分有误"


def test_a_confirmed_result_keeps_the_district_grade():
    evaluation = appealed(date(2025, 6, 2), date(2025, 6, 16), total=Decimal(91))
    services.decide_appeal(evaluation=evaluation, reason="维持", on=date(2025, 6, 30))
    evaluation.refresh_from_db()
    assert evaluation.final_grade == Grade.EXCELLENT
    assert evaluation.appeal_outcome == "confirmed"


def test_a_decision_needs_reasons():
    evaluation = appealed(date(2025, 6, 2), date(2025, 6, 16))
    with pytest.raises(ValidationError) as refused:
        services.decide_appeal(evaluation=evaluation, reason=" ", on=date(2025, 6, 30))
    assert _codes(refused.value) == {"reason": ["required"]}
    assert ProviderGrade.objects.count() == 0


def test_an_unappealed_result_becomes_final_the_day_after_the_window():
    # given last year's grade in force and this year's result published 2 June
    provider = ProviderFactory()
    earlier = published(date(2024, 6, 3), total=Decimal(65), provider=provider, year=2024)
    services.finalise_due(date(2025, 1, 1))
    evaluation = published(date(2025, 6, 2), total=Decimal(85), provider=provider)
    # when the daily job runs on the window's last day, nothing changes
    assert services.finalise_due(date(2025, 6, 20)) == []
    # and the day after, the result is final from that day
    assert services.finalise_due(date(2025, 6, 21)) == [evaluation]
    evaluation.refresh_from_db()
    assert (evaluation.status, evaluation.final_on) == (EvaluationStatus.FINAL,
                                                        date(2025, 6, 21))
    # then the grade in force changes on that day, not before
    earlier.refresh_from_db()
    assert earlier.final_on == date(2024, 6, 22)

    def in_force(day):
        row = ProviderGrade.objects.in_force(provider=provider, category="life_care", day=day)
        return row and row.grade

    assert in_force(date(2024, 6, 21)) is None
    assert in_force(date(2024, 6, 22)) == Grade.QUALIFIED
    assert in_force(date(2025, 6, 20)) == Grade.QUALIFIED
    assert in_force(date(2025, 6, 21)) == Grade.GOOD
    assert ProviderGrade.objects.in_force_on(date(2025, 6, 20)).get().year == 2024


def test_finalising_late_keeps_the_computed_day_and_reruns_change_nothing():
    evaluation = published(date(2025, 6, 2))
    services.finalise_due(date(2025, 8, 1))
    assert services.finalise_due(date(2025, 8, 2)) == []
    grade = ProviderGrade.objects.get(provider=evaluation.provider)
    assert grade.effective_from == date(2025, 6, 21)
    assert (grade.year, grade.grade) == (2025, Grade.GOOD)


def test_an_appealed_result_is_not_finalised_by_the_job():
    evaluation = appealed(date(2025, 6, 2), date(2025, 6, 16))
    assert services.finalise_due(date(2025, 7, 1)) == []
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.APPEALED


def test_the_self_assessment_is_entered_before_publication_only():
    evaluation = opened()
    services.record_self_assessment(evaluation=evaluation, text="自评良好", score=Decimal(88))
    evaluation.refresh_from_db()
    assert evaluation.self_score == Decimal(88)
    services.record_scores(evaluation=evaluation, scores=points_for(80))
    with on_day(date(2025, 6, 2)):
        services.publish_evaluation(evaluation=evaluation)
    with pytest.raises(ValidationError) as refused:
        services.record_self_assessment(evaluation=evaluation, text="改", score=Decimal(99))
    assert refused.value.code == "wrong_status"


def test_one_evaluation_per_provider_category_and_year():
    evaluation = opened()
    with pytest.raises(ValidationError) as refused:
        opened(provider=evaluation.provider)
    assert _codes(refused.value) == {"year": ["duplicate"]}
    assert Evaluation.objects.count() == 1


def _final_unqualified(**kwargs):
    evaluation = published(date(2025, 6, 2), total=Decimal(55), **kwargs)
    services.finalise_due(date(2025, 6, 21))
    evaluation.refresh_from_db()
    assert evaluation.final_grade == Grade.UNQUALIFIED
    return evaluation


def test_rectification_only_for_a_final_unqualified_result():
    evaluation = published(date(2025, 6, 2), total=Decimal(75))
    with pytest.raises(ValidationError) as refused:
        services.set_rectification(evaluation=evaluation, until=date(2025, 9, 1))
    assert refused.value.code == "not_unqualified"


def test_a_passed_recheck_is_recorded_and_ends_nothing():
    evaluation = _final_unqualified()
    with pytest.raises(ValidationError) as refused:
        services.record_recheck(evaluation=evaluation, passed=True, on=date(2025, 9, 2))
    assert _codes(refused.value) == {"rectification_until": ["required"]}
    services.set_rectification(evaluation=evaluation, until=date(2025, 9, 1))
    services.record_recheck(evaluation=evaluation, passed=True, on=date(2025, 9, 2))
    evaluation.refresh_from_db()
    assert evaluation.recheck_result == "passed"
    with pytest.raises(ValidationError) as refused:
        services.record_recheck(evaluation=evaluation, passed=False, on=date(2025, 9, 3))
    assert refused.value.code == "rechecked"


def test_still_unqualified_after_rectification_ends_the_contracts_and_bars(tree):
    from apps.contracts.models import Contract, ContractStatus, TenderBar
    from tests.contracts.factories import ContractFactory

    # given a final unqualified result of the district and an active contract
    # of the provider purchased by that district
    evaluation = _final_unqualified(district=tree["district"])
    contract = ContractFactory(provider=evaluation.provider, street=tree["street"],
                               signed_on=date(2024, 12, 20), starts_on=date(2025, 1, 1),
                               ends_on=date(2027, 12, 31))
    assert contract.purchaser == evaluation.district
    services.set_rectification(evaluation=evaluation, until=date(2025, 9, 30))
    # when the re-check finds it still unqualified
    services.record_recheck(evaluation=evaluation, passed=False, notes="整改不到位",
                            on=date(2025, 10, 9))
    # then the contract ends that day and a two-year bar is recorded
    evaluation.refresh_from_db()
    assert evaluation.recheck_result == "failed"
    contract = Contract.objects.get(pk=contract.pk)
    assert (contract.status, contract.ended_on) == (ContractStatus.ENDED, date(2025, 10, 9))
    bar = TenderBar.objects.get(provider=evaluation.provider)
    assert (bar.starts_on, bar.lifts_on) == (date(2025, 10, 9), date(2027, 10, 9))
    assert bar.evaluation_reference == evaluation.reference


def test_a_failed_recheck_leaves_another_districts_contracts_but_still_bars(tree):
    from apps.contracts.models import Contract, ContractStatus, TenderBar
    from tests.contracts.factories import ContractFactory

    # given a final unqualified result of the district, a contract the
    # district purchased and one another district purchased from the provider
    evaluation = _final_unqualified(district=tree["district"])
    terms = {"provider": evaluation.provider, "signed_on": date(2024, 12, 20),
             "starts_on": date(2025, 1, 1), "ends_on": date(2027, 12, 31)}
    own = ContractFactory(street=tree["street"], **terms)
    elsewhere = ContractFactory(street=tree["other_street"], **terms)
    assert elsewhere.purchaser == tree["other_district"]
    services.set_rectification(evaluation=evaluation, until=date(2025, 9, 30))
    # when the district's re-check finds it still unqualified
    services.record_recheck(evaluation=evaluation, passed=False, notes="整改不到位",
                            on=date(2025, 10, 9))
    # then only the district's own contract ends; the other district's runs on
    assert Contract.objects.get(pk=own.pk).status == ContractStatus.ENDED
    elsewhere = Contract.objects.get(pk=elsewhere.pk)
    assert (elsewhere.status, elsewhere.ended_on) == (ContractStatus.ACTIVE, None)
    # and the tender bar is recorded all the same (city-wide)
    bar = TenderBar.objects.get(provider=evaluation.provider)
    assert (bar.starts_on, bar.lifts_on) == (date(2025, 10, 9), date(2027, 10, 9))
    assert bar.evaluation_reference == evaluation.reference


def test_a_passed_recheck_leaves_the_contracts():
    from apps.contracts.models import Contract, ContractStatus, TenderBar
    from tests.contracts.factories import ContractFactory

    evaluation = _final_unqualified()
    contract = ContractFactory(provider=evaluation.provider, signed_on=date(2024, 12, 20),
                               starts_on=date(2025, 1, 1), ends_on=date(2027, 12, 31))
    services.set_rectification(evaluation=evaluation, until=date(2025, 9, 30))
    services.record_recheck(evaluation=evaluation, passed=True, on=date(2025, 10, 9))
    assert Contract.objects.get(pk=contract.pk).status == ContractStatus.ACTIVE
    assert not TenderBar.objects.exists()


def test_the_demo_evaluation_is_final_good_and_built_once(tree):
    from apps.evaluations.demo import build_demo_evaluations

    provider = ProviderFactory(region=tree["district"])
    first = build_demo_evaluations(tree["district"], provider)
    again = build_demo_evaluations(tree["district"], provider)
    assert first.pk == again.pk
    assert (again.status, again.final_grade) == (EvaluationStatus.FINAL, Grade.GOOD)
    assert ProviderGrade.objects.get(provider=provider).grade == Grade.GOOD
