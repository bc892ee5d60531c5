"""State changes of the yearly service evaluation (Art 23–25): open one,
the provider's self-assessment, the district's scores, publication, an
appeal and the city centre's re-evaluation, finality (also computed, by
``finalise_due``), the grade in force, rectification and the re-check."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.evaluations import rules
from apps.evaluations.models import (
    AppealOutcome,
    CriterionScore,
    Evaluation,
    EvaluationCriterion,
    EvaluationStatus,
    GradeBand,
    ProviderGrade,
    RecheckResult,
)
from apps.policy.lookup import value_on
from apps.workdays.working_days import add_working_days

SCORE_ERRORS = {
    "missing": _("Give the points for this criterion."),
    "negative": _("The points cannot be negative."),
    "above_maximum": _("At most %(maximum)s points."),
    "unknown": _("This criterion is not on the evaluation's score sheet."),
}


def _today() -> date:
    return timezone.localdate()


def _refuse_status(evaluation: Evaluation, *allowed: str) -> None:
    if evaluation.status not in allowed:
        raise ValidationError(
            _("Not possible while the evaluation is %(status)s."),
            params={"status": evaluation.get_status_display()}, code="wrong_status")


def _lock(evaluation: Evaluation) -> Evaluation:
    return Evaluation.objects.select_for_update().get(pk=evaluation.pk)


def grade_bands() -> list[tuple[str, Decimal]]:
    return list(GradeBand.objects.values_list("grade", "min_total"))


@transaction.atomic
def open_evaluation(*, provider, category: str, year: int, district=None) -> Evaluation:
    """Open the year's evaluation of ``provider`` for ``category``; the
    evaluating district is the provider's registered district by default."""
    if Evaluation.objects.filter(provider=provider, category=category, year=year).exists():
        raise ValidationError({"year": ValidationError(
            _("This provider already has an evaluation of this category for %(year)s."),
            params={"year": year}, code="duplicate")})
    evaluation = Evaluation(provider=provider, category=category, year=year,
                            district=district or provider.region)
    evaluation.full_clean()
    evaluation.save()
    return evaluation


@transaction.atomic
def record_self_assessment(*, evaluation: Evaluation, text: str, score: Decimal,
                           by=None) -> Evaluation:
    """Record the provider's self-assessment (Art 23: the evaluation builds
    on it); possible until the result is published."""
    evaluation = _lock(evaluation)
    _refuse_status(evaluation, EvaluationStatus.DRAFT)
    if not text.strip():
        raise ValidationError({"self_assessment": ValidationError(
            _("Describe the self-assessment."), code="required")})
    if not Decimal(0) <= score <= Decimal(100):
        raise ValidationError({"self_score": ValidationError(
            _("Give a score from 0 to 100."), code="out_of_range")})
    evaluation.self_assessment = text.strip()
    evaluation.self_score = score
    evaluation.self_assessed_at = timezone.now()
    evaluation.save(update_fields=["self_assessment", "self_score", "self_assessed_at",
                                   "updated_at"])
    return evaluation


@transaction.atomic
def record_scores(*, evaluation: Evaluation, scores: dict[str, Decimal], notes: str = "",
                  by=None) -> Evaluation:
    """Record the district's points per criterion (criterion code ->
    points) on the sheet for the category; the total and grade are computed
    here. Errors come per criterion code, as field errors."""
    evaluation = _lock(evaluation)
    _refuse_status(evaluation, EvaluationStatus.DRAFT)
    sheet = {c.code: c for c in EvaluationCriterion.objects.sheet_for(evaluation.category)}
    if not sheet:
        raise ValidationError(_("No active criteria score this category."), code="no_sheet")
    maxima = {code: c.maximum for code, c in sheet.items()}
    problems = rules.score_problems(scores, maxima)
    if problems:
        raise ValidationError({
            code: ValidationError(SCORE_ERRORS[problem], code=problem,
                                  params={"maximum": maxima.get(code)})
            for code, problem in problems.items()})
    evaluation.scores.exclude(criterion__code__in=list(sheet)).delete()
    for code, criterion in sheet.items():
        CriterionScore.objects.update_or_create(
            evaluation=evaluation, criterion=criterion,
            defaults={"maximum": criterion.maximum, "points": scores[code]})
    evaluation.total = rules.total_of({code: scores[code] for code in sheet})
    evaluation.grade = rules.grade_for(evaluation.total, grade_bands())
    evaluation.district_notes = notes
    evaluation.save(update_fields=["total", "grade", "district_notes", "updated_at"])
    return evaluation


def _publication_days(published_on: date, district) -> int:
    return int(value_on("evaluation.publication_days", published_on, district))


def _appeal_working_days(posting_until: date, district) -> int:
    return int(value_on("evaluation.appeal_working_days", posting_until, district))


def policy_periods(district, *, published_on: date, posting_until: date | None = None) -> dict:
    """The posting period (calendar days) and the appeal deadline (working
    days after the posting) as the policy sets them for ``district``: the
    versions that fix an evaluation published on ``published_on`` (the
    posting period read that day, the deadline on the last posting day)."""
    publication_days = _publication_days(published_on, district)
    if posting_until is None:
        posting_until = rules.last_posting_day(published_on, publication_days)
    return {"publication_days": publication_days,
            "appeal_working_days": _appeal_working_days(posting_until, district)}


def appeal_deadline(posting_until: date, district) -> date:
    """The last day of the appeal window: the ``evaluation.appeal_working_days``-th
    working day after the posting period ends (working-day calendar). The
    window itself opens on the day of publication."""
    return add_working_days(posting_until, _appeal_working_days(posting_until, district)).date


def report_due(evaluation: Evaluation) -> date:
    """The first day by which the year's results are late at the city centre
    (Art 23), by the month the policy sets for the evaluating district."""
    month = int(value_on("evaluation.report_by_month", date(evaluation.year + 1, 1, 1),
                         evaluation.district))
    return rules.report_due(evaluation.year, month)


@transaction.atomic
def publish_evaluation(*, evaluation: Evaluation, on: date | None = None,
                       by=None) -> Evaluation:
    """Publish a scored result, built on the provider's self-assessment
    (Art 23: 在服务机构自评的基础上), today: it is posted for the
    publication period and may be appealed from today until the window
    closes; both dates are fixed now. ``on``, if given, must be today: a
    backdated publication would shorten the posting and the appeal window
    before anyone saw the result and put the grade in force in the past."""
    evaluation = _lock(evaluation)
    today = _today()
    on = on or today
    _refuse_status(evaluation, EvaluationStatus.DRAFT)
    if evaluation.total is None or not evaluation.grade:
        raise ValidationError(_("Score the evaluation before publishing it."),
                              code="not_scored")
    if evaluation.self_assessed_at is None:
        raise ValidationError(
            _("The provider has not submitted its self-assessment yet: the result is "
              "published only after it, as the evaluation builds on it (Art 23)."),
            code="no_self_assessment")
    if on != today:
        raise ValidationError({"published_on": ValidationError(
            _("A result can only be published today (%(today)s): another date would "
              "shorten the posting and the appeal window."),
            params={"today": today}, code="not_today")})
    return _post(evaluation, on)


def _post(evaluation: Evaluation, on: date) -> Evaluation:
    """Post ``evaluation`` as published on ``on`` and fix its posting and
    appeal dates. Only ``publish_evaluation`` (on today) and the demo's
    history call it."""
    days = _publication_days(on, evaluation.district)
    evaluation.published_on = on
    evaluation.posting_until = rules.last_posting_day(on, days)
    evaluation.appeal_until = appeal_deadline(evaluation.posting_until, evaluation.district)
    evaluation.status = EvaluationStatus.PUBLISHED
    evaluation.save(update_fields=["published_on", "posting_until", "appeal_until", "status",
                                   "updated_at"])
    return evaluation


@transaction.atomic
def appeal_evaluation(*, evaluation: Evaluation, reason: str, on: date | None = None,
                      by=None) -> Evaluation:
    """Lodge the provider's appeal to the city centre; only inside the
    window, from the day of publication until the deadline after the
    posting period (Art 23), and only once."""
    evaluation = _lock(evaluation)
    on = on or _today()
    if evaluation.status == EvaluationStatus.FINAL:
        raise ValidationError(_("The result is final and can no longer be appealed."),
                              code="final")
    _refuse_status(evaluation, EvaluationStatus.PUBLISHED)
    if not reason.strip():
        raise ValidationError({"reason": ValidationError(
            _("Give the reasons for the appeal."), code="required")})
    if not rules.in_appeal_window(on, evaluation.published_on, evaluation.appeal_until):
        raise ValidationError({"appealed_on": ValidationError(
            _("An appeal is possible from %(opens)s to %(closes)s."),
            params={"opens": rules.appeal_opens(evaluation.published_on),
                    "closes": evaluation.appeal_until},
            code="outside_window")})
    evaluation.appealed_on = on
    evaluation.appeal_reason = reason.strip()
    evaluation.status = EvaluationStatus.APPEALED
    evaluation.save(update_fields=["appealed_on", "appeal_reason", "status", "updated_at"])
    return evaluation


@transaction.atomic
def decide_appeal(*, evaluation: Evaluation, reason: str, total: Decimal | None = None,
                  on: date | None = None, by=None) -> Evaluation:
    """Record the city centre's re-evaluation (复评): confirm the result
    (no ``total``) or give a new total; either is final (Art 23)."""
    evaluation = _lock(evaluation)
    on = on or _today()
    _refuse_status(evaluation, EvaluationStatus.APPEALED)
    errors = {}
    if not reason.strip():
        errors["reason"] = ValidationError(_("Give the reasons for the re-evaluation."),
                                           code="required")
    if total is not None and not Decimal(0) <= total <= Decimal(100):
        errors["total"] = ValidationError(_("Give a total from 0 to 100."), code="out_of_range")
    if on < evaluation.appealed_on:
        errors["decided_on"] = ValidationError(_("The decision cannot precede the appeal."),
                                               code="before_appeal")
    if errors:
        raise ValidationError(errors)
    if total is None:
        evaluation.appeal_outcome = AppealOutcome.CONFIRMED
        evaluation.review_total = evaluation.total
        grade = evaluation.grade
    else:
        evaluation.appeal_outcome = AppealOutcome.REVISED
        evaluation.review_total = total.quantize(Decimal("0.1"))
        grade = rules.grade_for(evaluation.review_total, grade_bands())
    evaluation.decided_on = on
    evaluation.decision_reason = reason.strip()
    evaluation.save(update_fields=["appeal_outcome", "review_total", "decided_on",
                                   "decision_reason", "updated_at"])
    return _make_final(evaluation, grade=grade, on=on)


def _make_final(evaluation: Evaluation, *, grade: str, on: date) -> Evaluation:
    """Make the result final and put its grade in force from ``on``."""
    if not rules.allowed_transition(evaluation.status, EvaluationStatus.FINAL):
        raise ValidationError(_("This evaluation cannot become final now."), code="wrong_status")
    evaluation.status = EvaluationStatus.FINAL
    evaluation.final_grade = grade
    evaluation.final_on = on
    evaluation.save(update_fields=["status", "final_grade", "final_on", "updated_at"])
    ProviderGrade.objects.update_or_create(
        provider=evaluation.provider, category=evaluation.category, year=evaluation.year,
        defaults={"grade": grade, "effective_from": on})
    return evaluation


def finalise_due(today: date | None = None) -> list[Evaluation]:
    """Make final every published result whose appeal window closed before
    ``today`` without an appeal. The grade is in force from the day after
    the window closed, however late this runs; re-running changes nothing."""
    today = today or _today()
    done = []
    due = Evaluation.objects.filter(status=EvaluationStatus.PUBLISHED, appeal_until__lt=today)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            evaluation = _lock(Evaluation(pk=pk))
            if evaluation.status != EvaluationStatus.PUBLISHED:
                continue
            done.append(_make_final(evaluation, grade=evaluation.grade,
                                    on=rules.final_without_appeal_on(evaluation.appeal_until)))
    return done


def _refuse_unless_unqualified(evaluation: Evaluation) -> None:
    if not evaluation.final_unqualified:
        raise ValidationError(_("Only a final unqualified result is rectified."),
                              code="not_unqualified")


@transaction.atomic
def set_rectification(*, evaluation: Evaluation, until: date, by=None) -> Evaluation:
    """Set the deadline by which an unqualified provider rectifies (Art 25)."""
    evaluation = _lock(evaluation)
    _refuse_unless_unqualified(evaluation)
    if evaluation.recheck_result:
        raise ValidationError(_("The re-check is already recorded."), code="rechecked")
    if until <= evaluation.final_on:
        raise ValidationError({"rectification_until": ValidationError(
            _("The deadline must fall after the result became final (%(day)s)."),
            params={"day": evaluation.final_on}, code="too_early")})
    evaluation.rectification_until = until
    evaluation.save(update_fields=["rectification_until", "updated_at"])
    return evaluation


@transaction.atomic
def record_recheck(*, evaluation: Evaluation, passed: bool, notes: str = "",
                   on: date | None = None, by=None) -> Evaluation:
    """Record the re-check after rectification. Still unqualified: the
    provider's contracts purchased by the evaluating district (or a region
    below it) end, and it is barred from tenders city-wide (Art 25)."""
    evaluation = _lock(evaluation)
    on = on or _today()
    _refuse_unless_unqualified(evaluation)
    if evaluation.rectification_until is None:
        raise ValidationError({"rectification_until": ValidationError(
            _("Set the rectification deadline first."), code="required")})
    if evaluation.recheck_result:
        raise ValidationError(_("The re-check is already recorded."), code="rechecked")
    if on > _today():
        raise ValidationError({"rechecked_on": ValidationError(
            _("The date cannot be in the future."), code="future")})
    if on < evaluation.final_on:
        raise ValidationError({"rechecked_on": ValidationError(
            _("The re-check cannot precede the final result (%(day)s)."),
            params={"day": evaluation.final_on}, code="too_early")})
    evaluation.rechecked_on = on
    evaluation.recheck_result = RecheckResult.PASSED if passed else RecheckResult.FAILED
    evaluation.recheck_notes = notes
    evaluation.save(update_fields=["rechecked_on", "recheck_result", "recheck_notes",
                                   "updated_at"])
    if not passed:
        from apps.contracts.services import end_contracts_and_bar

        end_contracts_and_bar(
            provider=evaluation.provider, on=on, by=by,
            reason=str(_("Still unqualified after rectification: %(evaluation)s (Art 25)")
                       % {"evaluation": evaluation}),
            evaluation_reference=evaluation.reference,
            purchaser_under=evaluation.district)
    return evaluation
