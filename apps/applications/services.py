"""State changes of applications: received at the window, checked by the
street, verified and decided by the district, objected to and re-reviewed
(Art 28, 30). Every change runs in one transaction and writes a
``Transition``; a refused change writes nothing."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.applications import rules
from apps.applications.models import (
    Action,
    Application,
    CareLevel,
    Kind,
    Material,
    Status,
    Transition,
)
from apps.elders.identity import age_on
from apps.elders.models import Elder, LifeStatus
from apps.policy.lookup import value_on
from apps.regions.models import Region
from apps.subsidies import services as subsidies
from apps.subsidies.models import EndReason, Entitlement
from apps.workdays.working_days import add_working_days

ERRORS = {
    "future": _("The date cannot be in the future."),
    "under_age": _("The elder is %(age)s; services are for people aged %(min)s or over "
                   "(Art 12)."),
    "not_living": _("The elder's record says: %(status)s. Update the life status first."),
    "non_local_subsidy": _("Non-local hukou: the elder may apply for services at own cost "
                           "only (Art 16, 26)."),
    "wrong_window": _("This application is handed in at %(street)s (%(case)s)."),
    "entrustment": _("Give the entrustment agreement for an elder living in another "
                     "district (Art 30(2))."),
    "objection_target": _("An objection is made against a decided application of the "
                          "same elder."),
    "objection_final": _("The re-review decision is final; no further objection."),
    "closed": _("This application is closed (%(status)s); nothing more can be decided."),
    "not_allowed": _("“%(action)s” is not possible while the application is “%(status)s”."),
    "not_your_office": _("This step belongs to %(office)s."),
    "no_permission": _("You may not take this step."),
    "reason_required": _("Give the reason; it is recorded and told to the applicant."),
    "care_level_required": _("Record the care-need level from the assessment."),
    "assessed_on_required": _("Give the date of the assessment."),
    "not_eligible": _("The rules do not allow approval: %(reasons)s"),
    "bad_material": _("Unknown material: %(code)s."),
    "already_open": _("Application %(reference)s of this kind is still open for this "
                      "elder: continue it instead."),
    "already_entitled": _("The elder already holds an entitlement: a change of "
                          "circumstances or a re-assessment request changes it."),
}

STEP_PERMISSION = {
    rules.Level.STREET: "applications.check_application",
    rules.Level.DISTRICT: "applications.decide_application",
}


def _today() -> date:
    return timezone.localdate()


def _district(street: Region) -> Region:
    return street.parent


def _in_scope(user, region: Region) -> bool:
    return Region.objects.visible_to(user).filter(pk=region.pk).exists()


def _office_for(application: Application, status: rules.Status) -> Region | None:
    step = rules.STEPS.get(status)
    if step is None or step.office is None:
        return None
    if step.office == rules.Level.STREET:
        return application.checking_street
    return application.paying_district


def _open_step(application: Application, status: rules.Status, started_on: date) -> None:
    """Set who must act next and by when (from the working-day calendar)."""
    step = rules.STEPS.get(status)
    application.responsible_office = _office_for(application, status)
    application.step_started_on = started_on if step else None
    if step is None or step.deadline_key is None:
        application.due_date, application.due_provisional = None, False
        return
    days = int(value_on(step.deadline_key, started_on, application.paying_district))
    due = add_working_days(started_on, days)
    application.due_date, application.due_provisional = due.date, due.provisional


def _record(application, *, action, from_status, by, on, reason="") -> Transition:
    return Transition.objects.create(
        application=application, action=action, from_status=from_status or "",
        to_status=application.status, actor=by, effective_on=on, reason=reason,
        due_date=application.due_date)


def _check_date(on: date, field: str) -> None:
    if on > _today():
        raise ValidationError({field: ValidationError(ERRORS["future"], code="future")})


@transaction.atomic
def receive_application(*, elder, kind: str, by, received_on: date | None = None,
                        materials: list[str] | None = None, agent=None,
                        willing_to_pay_half: bool = False, objection_to=None,
                        entrustment_reference: str = "", notes: str = "") -> Application:
    """Receive an application at the street window and start the first step.

    Routes it by the elder's hukou and residence (Art 28, 30) and refuses it
    where the law says it belongs to another window or kind.
    """
    kind = Kind(kind)
    received_on = received_on or _today()
    _check_date(received_on, "received_on")
    # One open application per kind and elder (a database constraint): the
    # lock makes a second, concurrent submission wait and then see the first.
    elder = Elder.objects.select_for_update().get(pk=elder.pk)
    already = Application.objects.open().filter(elder=elder, kind=kind.value).first()
    if already is not None:
        raise ValidationError({"kind": ValidationError(
            ERRORS["already_open"], params={"reference": already.reference},
            code="already_open")})
    materials = list(dict.fromkeys(materials or []))
    for code in materials:
        if code not in Material.values:
            raise ValidationError({"materials": ValidationError(
                ERRORS["bad_material"], params={"code": code}, code="bad_material")})

    min_age = int(value_on("elder.min_age", received_on))
    age = age_on(elder.birth_date, received_on)
    if age < min_age:
        raise ValidationError({"elder": ValidationError(
            ERRORS["under_age"], params={"age": age, "min": min_age}, code="under_age")})
    # Home care is for elders living at home: not after death, moving away
    # or entering a care institution (a stay in hospital does not stop it).
    if kind != Kind.OBJECTION and elder.life_status in (
            LifeStatus.DECEASED, LifeStatus.MOVED_AWAY, LifeStatus.IN_INSTITUTION):
        raise ValidationError({"elder": ValidationError(
            ERRORS["not_living"], params={"status": elder.get_life_status_display()},
            code="not_living")})
    if kind in (Kind.SUBSIDY, Kind.REASSESSMENT) and not elder.local_hukou:
        raise ValidationError({"kind": ValidationError(ERRORS["non_local_subsidy"],
                                                       code="non_local")})
    if kind in (Kind.SUBSIDY, Kind.OWN_COST) and \
            Entitlement.objects.current().filter(elder=elder).exists():
        raise ValidationError({"kind": ValidationError(ERRORS["already_entitled"],
                                                       code="already_entitled")})
    if kind == Kind.OBJECTION:
        target = (Application.objects.select_for_update().filter(pk=objection_to.pk).first()
                  if objection_to is not None else None)
        if target is not None and (target.kind == Kind.OBJECTION
                                   or target.objections.exists()):
            raise ValidationError({"objection_to": ValidationError(
                ERRORS["objection_final"], code="objection_final")})
        if (target is None or target.elder_id != elder.pk
                or target.status not in (Status.APPROVED, Status.REFUSED)):
            raise ValidationError({"objection_to": ValidationError(
                ERRORS["objection_target"], code="objection_target")})
        routed = {f: getattr(target, f) for f in (
            "receiving_street", "checking_street", "service_street", "paying_district",
            "route_case", "entrustment_reference", "care_level", "assessed_on",
            "assessment_reference")}
        willing_to_pay_half = willing_to_pay_half or target.willing_to_pay_half
    else:
        target = None
        hukou = elder.hukou_street
        route = rules.route(
            kind=rules.Kind(kind), hukou_street=hukou,
            hukou_district=_district(hukou) if hukou else None,
            residence_street=elder.residence_street,
            residence_district=_district(elder.residence_street))
        if route.entrustment_required and not entrustment_reference.strip():
            raise ValidationError({"entrustment_reference": ValidationError(
                ERRORS["entrustment"], code="entrustment_required")})
        routed = {"receiving_street": route.receiving_street,
                  "checking_street": route.checking_street,
                  "service_street": route.service_street,
                  "paying_district": route.paying_district,
                  "route_case": route.case,
                  "entrustment_reference": entrustment_reference.strip()}
    if not _in_scope(by, routed["receiving_street"]):
        raise ValidationError({"elder": ValidationError(
            ERRORS["wrong_window"],
            params={"street": routed["receiving_street"].name,
                    "case": rules.CASE_LABELS[routed["route_case"]]},
            code="wrong_window")})

    application = Application(
        kind=kind.value, status=rules.initial_status(rules.Kind(kind)).value, elder=elder,
        objection_to=target, agent=agent, received_on=received_on, received_by=by,
        materials=materials, willing_to_pay_half=willing_to_pay_half, notes=notes,
        **routed)
    _open_step(application, rules.Status(application.status), received_on)
    application.full_clean(exclude=["status"])
    application.save()
    _record(application, action=Action.RECEIVE, from_status="", by=by, on=received_on)
    return application


def _lock(application: Application) -> Application:
    return (Application.objects.select_for_update(of=("self",))
            .select_related("elder", "checking_street", "paying_district", "service_street",
                            "receiving_street", "objection_to")
            .get(pk=application.pk))


def _authorise(application: Application, action: rules.Action, by) -> None:
    """Refuse an action out of order, on a closed file, or by the wrong office."""
    current = rules.Status(application.status)
    if current in rules.FINAL:
        raise ValidationError(ERRORS["closed"],
                              params={"status": application.get_status_display()},
                              code="closed")
    if rules.next_status(rules.Kind(application.kind), current, action) is None:
        raise ValidationError(ERRORS["not_allowed"],
                              params={"action": Action(action.value).label,
                                      "status": application.get_status_display()},
                              code="not_allowed")
    level = rules.ACTION_LEVEL[action]
    if not by.has_perm(STEP_PERMISSION[level]):
        raise ValidationError(ERRORS["no_permission"], code="no_permission")
    office = (application.checking_street if level == rules.Level.STREET
              else application.paying_district)
    if action == rules.Action.RESUBMIT or action == rules.Action.WITHDRAW:
        # the applicant comes back to the window where the file was handed in
        office = application.receiving_street
    if not _in_scope(by, office):
        raise ValidationError(ERRORS["not_your_office"], params={"office": office.name},
                              code="not_your_office")


def _move(application: Application, action: rules.Action, *, by, on: date,
          reason: str = "") -> Application:
    from_status = application.status
    if action in rules.REASON_REQUIRED and not reason.strip():
        raise ValidationError({"reason": ValidationError(ERRORS["reason_required"],
                                                         code="reason_required")})
    new = rules.next_status(rules.Kind(application.kind), rules.Status(from_status), action)
    application.status = new.value
    _open_step(application, new, on)
    application.save()
    _record(application, action=action.value, from_status=from_status, by=by, on=on,
            reason=reason.strip())
    return application


@transaction.atomic
def take_action(*, application: Application, action: str, by, reason: str = "",
                on: date | None = None) -> Application:
    """Take one step that needs no decision data: pass the initial check,
    return for materials, resubmit, withdraw."""
    action = rules.Action(action)
    if action in (rules.Action.APPROVE, rules.Action.REFUSE):
        raise ValueError("use decide_application")
    on = on or _today()
    _check_date(on, "on")
    application = _lock(application)
    _authorise(application, action, by)
    if application.step_started_on and on < application.step_started_on:
        raise ValidationError({"on": ValidationError(
            _("The date lies before the step began."), code="before_step")})
    return _move(application, action, by=by, on=on, reason=reason)


def preview_decision(application: Application, *, care_level: str, on: date):
    """The eligibility check the district sees before deciding."""
    return subsidies.decide_for(application.elder, on=on, care_level=care_level,
                                willing_to_pay_half=application.willing_to_pay_half,
                                district=application.paying_district)


def _decided_kind(application: Application) -> Kind:
    """The kind whose outcome an approval grants (an objection: the original)."""
    if application.kind == Kind.OBJECTION:
        return Kind(application.objection_to.kind)
    return Kind(application.kind)


def _objection_to_approval(application: Application) -> bool:
    """An upheld objection against an approval changes the entitlement from
    the next month, as any new finding does (Art 32)."""
    return (application.kind == Kind.OBJECTION
            and application.objection_to.status == Status.APPROVED)


@transaction.atomic
def decide_application(*, application: Application, approve: bool, by, reason: str = "",
                       care_level: str = "", assessed_on: date | None = None,
                       assessment_reference: str = "", on: date | None = None) -> Application:
    """Approve or refuse after district verification or re-review.

    An approval of a subsidy checks Art 26–27 with the values in force on the
    day and creates the entitlement from that month; a re-assessment changes
    the current entitlement from the next month (Art 32); services at own
    cost get a zero entitlement. A refusal needs its reasons.
    """
    on = on or _today()
    action = rules.Action.APPROVE if approve else rules.Action.REFUSE
    _check_date(on, "on")
    application = _lock(application)
    _authorise(application, action, by)
    kind = _decided_kind(application)
    errors = {}
    needs_assessment = approve and kind in (Kind.SUBSIDY, Kind.REASSESSMENT)
    if needs_assessment and care_level not in CareLevel.values:
        errors["care_level"] = ValidationError(ERRORS["care_level_required"],
                                               code="care_level_required")
    if needs_assessment and assessed_on is None:
        errors["assessed_on"] = ValidationError(ERRORS["assessed_on_required"],
                                                code="assessed_on_required")
    if assessed_on is not None and assessed_on > on:
        errors["assessed_on"] = ValidationError(ERRORS["future"], code="future")
    if not approve and not reason.strip():
        errors["reason"] = ValidationError(ERRORS["reason_required"], code="reason_required")
    if errors:
        raise ValidationError(errors)

    if care_level:
        application.care_level = care_level
    application.assessed_on = assessed_on or application.assessed_on
    application.assessment_reference = assessment_reference or application.assessment_reference
    decision = None
    if kind in (Kind.SUBSIDY, Kind.REASSESSMENT) and application.care_level:
        decision = preview_decision(application, care_level=application.care_level, on=on)
        application.eligibility = subsidies.decision_record(decision)
    if approve and kind == Kind.SUBSIDY and not decision.eligible:
        missed = [str(c.reason) for c in decision.prerequisites if not c.met]
        if not missed:
            missed = [str(_("no criterion of class 1 or class 2 is met"))]
        raise ValidationError(ERRORS["not_eligible"], params={"reasons": "; ".join(missed)},
                              code="not_eligible")
    application.decided_on = on
    application.decided_by = by
    application.decision_reason = reason.strip()
    _move(application, action, by=by, on=on, reason=reason)

    if approve:
        if kind == Kind.SUBSIDY and not _objection_to_approval(application):
            subsidies.grant_entitlement(application=application, decision=decision,
                                        approved_on=on)
        elif kind == Kind.OWN_COST and not _objection_to_approval(application):
            subsidies.grant_entitlement(application=application, decision=None,
                                        approved_on=on)
        elif kind == Kind.REASSESSMENT or _objection_to_approval(application):
            subsidies.apply_change(elder=application.elder, changed_on=on,
                                   reason=EndReason.REASSESSED,
                                   note=application.reference,
                                   care_level=application.care_level)
    return application


def recompute_provisional_deadlines() -> int:
    """Recompute open due dates that were provisional, once a calendar year is
    entered (ASSESSMENT.md §0.1 item 5). Returns how many changed."""
    changed = 0
    for application in Application.objects.with_clock().filter(due_provisional=True):
        before = (application.due_date, application.due_provisional)
        with transaction.atomic():
            locked = _lock(application)
            _open_step(locked, rules.Status(locked.status), locked.step_started_on)
            locked.save(update_fields=["due_date", "due_provisional", "responsible_office",
                                       "step_started_on", "updated_at"])
        if (locked.due_date, locked.due_provisional) != before:
            changed += 1
    return changed


def flag_deadlines(today: date | None = None) -> dict:
    """Mail each responsible office the steps overdue or due soon, once a day.

    Marks each flagged application with today's date, so a second run the
    same day sends nothing again. The mail names the reference, the elder's
    name, the step and the due date: never an identity number.
    """
    from itertools import groupby

    from django.contrib.auth import get_user_model
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation

    from apps.applications.deadlines import applications_to_flag, horizon_on

    horizon = horizon_on(today or _today())
    pending = list(applications_to_flag(horizon))
    offices = mails = 0
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    for office, group in groupby(pending, key=lambda a: a.responsible_office):
        items = list(group)
        recipients = list(users.filter(region=office).values_list("email", flat=True))
        offices += 1
        if recipients:
            with translation.override("zh-hans"):
                body = render_to_string("applications/deadline_mail.txt", {
                    "office": office, "items": items, "today": horizon.today})
                subject = str(_("Applications overdue or due soon: %(office)s")
                              % {"office": office.name})
            send_mail(subject, body, None, recipients)
            mails += 1
        with transaction.atomic():
            Application.objects.filter(pk__in=[a.pk for a in items]).update(
                flagged_on=horizon.today)
    return {"applications": len(pending), "offices": offices, "mails": mails}
