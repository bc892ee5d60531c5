"""State changes of assessments: request, schedule, enter answers, score on
the server, sign and lock, a second team after a dispute, results issued
elsewhere, routine re-assessment and the bodies' monthly fee statements
(Art 20–21)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.assessments import scoring
from apps.assessments.models import (
    Assessment,
    AssessmentReason,
    AssessmentStatus,
    FeeStatement,
    FeeStatementStatus,
    Instrument,
    InstrumentKind,
    Place,
)
from apps.policy.lookup import PolicyValueMissing, value_on
from apps.subsidies.rules import month_end, month_start

CENT = Decimal("0.01")
EDITABLE = (AssessmentStatus.SCHEDULED, AssessmentStatus.IN_PROGRESS, AssessmentStatus.SCORED)
SUBSIDY_KINDS = ("subsidy", "reassessment", "objection")

ANSWER_ERRORS = {
    "missing": _("Answer this item."),
    "not_an_option": _("Choose one of this item's options."),
    "unknown_item": _("This instrument has no such item."),
}


def _district(elder):
    """The district whose assessment the elder takes and which pays (Art 21:
    the district of the hukou)."""
    return (elder.hukou_street or elder.residence_street).parent


def _subsidy_applicant(elder, application, review_of) -> bool:
    """Art 21: the district pays the whole fee of an elder who applies for,
    or already receives, the subsidy (Art 26), re-assessments included."""
    from apps.subsidies.models import Entitlement

    for source in (application, review_of.application if review_of else None):
        if source is not None and source.kind in SUBSIDY_KINDS:
            return True
    return Entitlement.objects.subsidised().filter(elder=elder).exists()


def _check_no_open_assessment(elder) -> None:
    open_one = Assessment.objects.filter(elder=elder).exclude(
        status=AssessmentStatus.LOCKED).first()
    if open_one is not None:
        raise ValidationError({"elder": ValidationError(
            _("%(elder)s already has an assessment under way (requested on %(day)s)."),
            params={"elder": elder.name, "day": open_one.requested_on},
            code="assessment_open")})


def _locked(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update(of=("self",)).select_related(
        "elder__hukou_street__parent", "elder__residence_street__parent", "instrument",
        "application").get(pk=assessment.pk)


def assessment_fee(*, on: date, subsidy_applicant: bool, district, fee: Decimal | None = None
                   ) -> tuple[Decimal, Decimal, Decimal]:
    """The fee and its split (Art 21): at least the floor; the district pays
    all of it for subsidy applicants (re-assessments included), half for
    everyone else. Returns (fee, district pays, elder pays)."""
    floor = value_on("assessment.fee_floor", on, district)
    fee = max(fee if fee is not None else floor, floor).quantize(CENT)
    key = "assessment.district_share." + ("subsidy" if subsidy_applicant else "other")
    district_pays = (fee * value_on(key, on, district)).quantize(CENT)
    return fee, district_pays, fee - district_pays


@transaction.atomic
def request_assessment(*, elder, reason: str, application=None, on: date | None = None,
                       fee: Decimal | None = None, review_of: Assessment | None = None
                       ) -> Assessment:
    """Request an assessment with the default instrument version.

    One assessment of an elder is under way at a time; a second team (复评)
    is requested with ``request_review``.
    """
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"requested_on": ValidationError(
            _("The date cannot be in the future."), code="future")})
    if (reason == AssessmentReason.REVIEW) != (review_of is not None):
        raise ValidationError({"reason": ValidationError(
            _("A second assessment (复评) is requested from the disputed assessment."),
            code="review_needs_first")})
    _check_no_open_assessment(elder)
    instrument = Instrument.objects.get(is_default=True)
    amount, district_pays, elder_pays = assessment_fee(
        on=on, subsidy_applicant=_subsidy_applicant(elder, application, review_of),
        district=_district(elder), fee=fee)
    assessment = Assessment(
        elder=elder, application=application, instrument=instrument, reason=reason,
        requested_on=on, review_of=review_of, fee=amount, district_pays=district_pays,
        elder_pays=elder_pays)
    assessment.full_clean()
    assessment.save()
    return assessment


@transaction.atomic
def schedule_assessment(*, assessment: Assessment, body, assessors: list, place: str,
                        on: date) -> Assessment:
    """Give the assessment a body, its assessors, a place and a date.

    The body must be contracted for the elder's district and every assessor
    of that body qualified; a home assessment needs at least the policy's
    number of assessors (two); a second assessment (复评) needs a team that
    shares no assessor with the first.
    """
    assessment = _locked(assessment)
    if assessment.status not in (AssessmentStatus.REQUESTED, AssessmentStatus.SCHEDULED):
        raise ValidationError(_("This assessment is already under way."), code="under_way")
    district = _district(assessment.elder)
    errors = {}
    if not body.districts.filter(pk=district.pk).exists():
        errors["body"] = ValidationError(
            _("%(body)s is not contracted for %(district)s."),
            params={"body": body.name, "district": district.name}, code="not_contracted")
    wrong = [a.name for a in assessors if a.body_id != body.pk or not a.qualified]
    if wrong:
        errors["assessors"] = ValidationError(
            _("Not a qualified assessor of this body: %(names)s."),
            params={"names": "、".join(wrong)}, code="not_qualified")
    needed = 1
    if place == Place.HOME:
        try:
            needed = int(value_on("assessment.home_min_assessors", on, district))
        except PolicyValueMissing as missing:
            # a day before the policy values: the date is wrong, not the server
            errors["scheduled_on"] = ValidationError(str(missing), code="no_policy_value")
            needed = 0
    if len({a.pk for a in assessors}) < needed:
        errors.setdefault("assessors", ValidationError(
            _("An assessment at home needs at least %(n)s assessors (Art 20)."),
            params={"n": needed}, code="too_few"))
    if assessment.review_of_id:
        first_team = set(assessment.review_of.assessors.values_list("pk", flat=True))
        if first_team & {a.pk for a in assessors}:
            errors.setdefault("assessors", ValidationError(
                _("The second assessment needs a team other than the first."),
                code="same_team"))
    if place not in Place.values:
        errors["place"] = ValidationError(_("Choose the place."), code="place")
    if errors:
        raise ValidationError(errors)
    assessment.body, assessment.place, assessment.scheduled_on = body, place, on
    assessment.status = AssessmentStatus.SCHEDULED
    assessment.save()
    assessment.assessors.set(assessors)
    return assessment


@transaction.atomic
def save_answers(*, assessment: Assessment, answers: dict[str, str],
                 coma: bool | None = None, mental_diagnosis: bool | None = None,
                 risk_events: dict[str, int] | None = None) -> Assessment:
    """Save some answers of the draft (one screen at a time).

    Each answer is checked against its item's options; nothing of a step
    with a wrong answer is saved. A scored assessment goes back to entry.
    """
    assessment = _locked(assessment)
    if assessment.status not in EDITABLE:
        raise ValidationError(_("The assessment cannot be changed now (%(status)s)."),
                              params={"status": assessment.get_status_display()},
                              code="not_editable")
    instrument = Instrument.objects.with_parts().get(pk=assessment.instrument_id).as_scoring()
    items = {item.code: item for item in instrument.items}
    errors = {}
    for code, option in answers.items():
        item = items.get(code)
        if item is None:
            errors[code] = ValidationError(ANSWER_ERRORS["unknown_item"], code="unknown_item")
        elif item.option(str(option)) is None:
            errors[code] = ValidationError(ANSWER_ERRORS["not_an_option"],
                                           code="not_an_option")
    events = risk_events if risk_events is not None else assessment.risk_events
    if any(not isinstance(n, int) or not 0 <= n <= 3 for n in events.values()):
        errors["risk_events"] = ValidationError(
            _("Count each kind of event as 0, 1, 2 or 3 (three or more)."), code="events")
    if errors:
        raise ValidationError(errors)
    assessment.answers = {**assessment.answers, **{k: str(v) for k, v in answers.items()}}
    if coma is not None:
        assessment.coma = coma
    if mental_diagnosis is not None:
        assessment.mental_diagnosis = mental_diagnosis
    assessment.risk_events = events
    assessment.status = AssessmentStatus.IN_PROGRESS
    assessment.total = None
    assessment.final_grade = assessment.preliminary_grade = ""
    assessment.save()
    return assessment


@transaction.atomic
def score_assessment(*, assessment: Assessment, on: date | None = None) -> Assessment:
    """Score every answer on the server; a total from a client is never used."""
    assessment = _locked(assessment)
    if assessment.status != AssessmentStatus.IN_PROGRESS:
        raise ValidationError(_("Enter the answers first."), code="not_entered")
    instrument_row = Instrument.objects.with_parts().get(pk=assessment.instrument_id)
    findings = scoring.Findings(coma=assessment.coma,
                                mental_diagnosis=assessment.mental_diagnosis,
                                risk_events=assessment.risk_events)
    try:
        result = scoring.score(instrument_row.as_scoring(), assessment.answers, findings)
    except scoring.InvalidAnswers as exc:
        raise ValidationError({code: ValidationError(ANSWER_ERRORS[problem], code=problem)
                               for code, problem in exc.errors.items()}) from exc
    assessment.subtotals, assessment.total = result.subtotals, result.total
    assessment.preliminary_grade, assessment.final_grade = result.preliminary, result.final
    assessment.change_reasons = list(result.reasons)
    assessment.care_level = instrument_row.care_level_for(result.final)
    assessment.assessed_on = on or timezone.localdate()
    assessment.status = AssessmentStatus.SCORED
    assessment.save()
    return assessment


@transaction.atomic
def sign_assessment(*, assessment: Assessment, informant_name: str,
                    informant_relationship: str = "") -> Assessment:
    """Record the signatures of the assessors and the informant and lock it.

    The result then feeds the application's district verification: its
    care-need level, date and reference.
    """
    assessment = _locked(assessment)
    if assessment.status != AssessmentStatus.SCORED:
        raise ValidationError(_("Score the assessment before it is signed."),
                              code="not_scored")
    if not informant_name.strip():
        raise ValidationError({"informant_name": ValidationError(
            _("Give the informant who signs."), code="informant_required")})
    assessment.informant_name = informant_name.strip()
    assessment.informant_relationship = informant_relationship.strip()
    assessment.status = AssessmentStatus.LOCKED
    assessment.locked_at = timezone.now()
    assessment.save()
    _feed_result(assessment)
    return assessment


def _feed_result(assessment: Assessment) -> None:
    """Where a locked result goes: to the open application it was made for,
    whose district verification decides on it; otherwise (a routine
    re-assessment, a second team after the decision) straight to the
    current entitlement, changed from the next month when the level changes
    what the elder receives (Art 32)."""
    from apps.subsidies import services as subsidies
    from apps.subsidies.models import EndReason, Entitlement, SubsidyClass

    application = assessment.application
    if application is not None and application.is_open:
        application.care_level = assessment.care_level
        application.assessed_on = assessment.assessed_on
        application.assessment_reference = assessment.reference
        application.save(update_fields=["care_level", "assessed_on", "assessment_reference",
                                        "updated_at"])
        return
    if assessment.reason == AssessmentReason.FIRST:
        return
    current = Entitlement.objects.current().filter(elder=assessment.elder).first()
    if current is None or current.subsidy_class == SubsidyClass.OWN_COST \
            or current.care_level == assessment.care_level:
        return
    subsidies.apply_change(elder=assessment.elder, changed_on=assessment.assessed_on,
                           reason=EndReason.REASSESSED, note=assessment.reference,
                           care_level=assessment.care_level)


@transaction.atomic
def request_review(*, assessment: Assessment, on: date | None = None) -> Assessment:
    """A disputed result gets a second team (复评); both results are kept."""
    if assessment.status != AssessmentStatus.LOCKED:
        raise ValidationError(_("Only a signed assessment can be disputed."),
                              code="not_locked")
    if assessment.review_of_id:
        raise ValidationError(_("The second team's result is final."), code="review_final")
    if assessment.instrument.kind != InstrumentKind.ITEMS:
        raise ValidationError(_("A result issued elsewhere is disputed with its issuer."),
                              code="recorded_result")
    if Assessment.objects.filter(review_of=assessment).exists():
        raise ValidationError(_("This assessment already has a second assessment."),
                              code="already_reviewed")
    return request_assessment(elder=assessment.elder, reason=AssessmentReason.REVIEW,
                              application=assessment.application, on=on,
                              review_of=assessment)


@transaction.atomic
def record_result(*, elder, instrument: Instrument, assessed_on: date, issuer: str,
                  reference: str, reason: str = AssessmentReason.FIRST,
                  total: int | None = None, grade: str = "", application=None) -> Assessment:
    """Record a result issued elsewhere: a Barthel total, or a long-term-care
    insurance disability grade (ASSESSMENT.md §0.1 item 7). It maps to a
    care-need level through the instrument's table, is locked at once and
    feeds the application or the entitlement like an assessment made here.
    No fee is due to an assessment body for it."""
    errors = {}
    if instrument.kind == InstrumentKind.ITEMS:
        errors["instrument"] = ValidationError(
            _("This instrument is answered item by item: schedule an assessment."),
            code="items_instrument")
    if assessed_on > timezone.localdate():
        errors["assessed_on"] = ValidationError(_("The date cannot be in the future."),
                                                code="future")
    if not issuer.strip():
        errors["issuer"] = ValidationError(_("Give who issued the result."),
                                           code="issuer_required")
    if errors:
        raise ValidationError(errors)
    row = Instrument.objects.with_parts().get(pk=instrument.pk)
    engine = row.as_scoring()
    if instrument.kind == InstrumentKind.TOTAL:
        highest = max(band.high or 0 for band in engine.bands)
        if total is None or not 0 <= total <= highest:
            raise ValidationError({"total": ValidationError(
                _("Give a total between 0 and %(max)s."), params={"max": highest},
                code="total_range")})
        grade = engine.band_for_total(total).grade
    elif grade not in {band.grade for band in engine.bands}:
        raise ValidationError({"grade": ValidationError(_("Choose one of this instrument's "
                                                          "grades."), code="unknown_grade")})
    else:
        total = None
    _check_no_open_assessment(elder)
    assessment = Assessment(
        elder=elder, application=application, instrument=row, reason=reason,
        requested_on=assessed_on, assessed_on=assessed_on, total=total,
        preliminary_grade=grade, final_grade=grade, care_level=row.care_level_for(grade),
        external_issuer=issuer.strip(), external_reference=reference.strip(),
        status=AssessmentStatus.LOCKED, locked_at=timezone.now())
    assessment.full_clean(exclude=["review_of"])
    assessment.save()
    _feed_result(assessment)
    return assessment


def last_assessed_on(elders) -> dict[int, date]:
    """The latest date each elder's care-need level was assessed: a locked
    assessment here, or the date an application recorded."""
    from apps.applications.models import Application

    latest: dict[int, date] = {}
    for rows in (
        Assessment.objects.filter(elder__in=elders, status=AssessmentStatus.LOCKED)
            .values("elder").annotate(day=Max("assessed_on")),
        Application.objects.filter(elder__in=elders, assessed_on__isnull=False)
            .values("elder").annotate(day=Max("assessed_on")),
    ):
        for row in rows:
            if row["day"] and row["day"] > latest.get(row["elder"], date.min):
                latest[row["elder"]] = row["day"]
    return latest


def request_routine_reassessments(*, today: date | None = None) -> int:
    """Request a routine re-assessment for every subsidised elder whose level
    was last assessed at least the policy's interval ago (months, per
    district) and who has no assessment under way. Returns how many."""
    from apps.subsidies.models import Entitlement

    today = today or timezone.localdate()
    current = (Entitlement.objects.subsidised()
               .exclude(elder__assessments__status__in=(*EDITABLE, AssessmentStatus.REQUESTED))
               .select_related("elder__hukou_street__parent",
                               "elder__residence_street__parent", "application"))
    entitlements = list(current)
    latest = last_assessed_on([e.elder_id for e in entitlements])
    intervals: dict[int, int] = {}
    requested = 0
    for entitlement in entitlements:
        elder = entitlement.elder
        district = _district(elder)
        if district.pk not in intervals:
            intervals[district.pk] = int(value_on("assessment.routine_interval", today,
                                                  district))
        last = latest.get(elder.pk)
        if last is None or last + relativedelta(months=intervals[district.pk]) > today:
            continue
        request_assessment(elder=elder, reason=AssessmentReason.ROUTINE,
                           application=entitlement.application, on=today)
        requested += 1
    return requested


@transaction.atomic
def compile_fee_statements(*, month: date) -> list[FeeStatement]:
    """Put every locked, not yet billed assessment made by the end of
    ``month`` on its body's draft statement to the paying district for that
    month, and total each statement. Issued statements never change: a
    result that arrives after its month was issued goes on the next one."""
    start, end = month_start(month), month_end(month)
    unbilled = (Assessment.objects.select_for_update(of=("self",))
                .filter(status=AssessmentStatus.LOCKED, fee_statement__isnull=True,
                        body__isnull=False, fee__isnull=False, assessed_on__lte=end)
                .select_related("elder__hukou_street__parent",
                                "elder__residence_street__parent"))
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for assessment in unbilled:
        groups[(assessment.body_id, _district(assessment.elder).pk)].append(assessment.pk)
    touched = []
    for (body_id, district_id), ids in sorted(groups.items()):
        statement, _created = FeeStatement.objects.select_for_update().get_or_create(
            body_id=body_id, district_id=district_id, month=start)
        if statement.status != FeeStatementStatus.DRAFT:
            continue
        Assessment.objects.filter(pk__in=ids).update(fee_statement=statement)
        touched.append(_total(statement))
    return touched


def _total(statement: FeeStatement) -> FeeStatement:
    sums = statement.assessments.aggregate(fees=Sum("fee"), district=Sum("district_pays"),
                                           elders=Sum("elder_pays"))
    statement.assessment_count = statement.assessments.count()
    statement.fee_total = sums["fees"] or Decimal(0)
    statement.district_total = sums["district"] or Decimal(0)
    statement.elder_total = sums["elders"] or Decimal(0)
    statement.save()
    return statement


@transaction.atomic
def issue_fee_statement(*, statement: FeeStatement, by, today: date | None = None
                        ) -> FeeStatement:
    """The district confirms a draft statement for payment once its month
    is over; from then on it never changes and the settlement pays it."""
    statement = FeeStatement.objects.select_for_update().get(pk=statement.pk)
    today = today or timezone.localdate()
    if statement.status != FeeStatementStatus.DRAFT:
        raise ValidationError(_("This statement is already issued."), code="not_draft")
    if month_end(statement.month) >= today:
        raise ValidationError(_("A month's statement is issued after the month ends."),
                              code="month_not_over")
    if not statement.assessments.exists():
        raise ValidationError(_("The statement has no assessments."), code="empty")
    _total(statement)
    statement.status = FeeStatementStatus.ISSUED
    statement.issued_at = timezone.now()
    statement.issued_by = by
    statement.save()
    return statement


def fee_statement_lines(statement: FeeStatement):
    """The assessments on a statement, in date order, for the page and PDF."""
    return (statement.assessments.select_related("elder", "instrument")
            .order_by("assessed_on", "pk"))
