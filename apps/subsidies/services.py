"""Entitlements: granted on approval, changed or ended from the month after a
change of circumstances (Art 32), cancelled for fraud (Art 36)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.policy.lookup import values_on
from apps.subsidies import rules
from apps.subsidies.models import EndReason, Entitlement, EntitlementStatus, SubsidyClass


def district_of(street):
    return street.parent if street is not None else None


def elder_facts(elder, *, care_level: str, willing_to_pay_half: bool) -> rules.ElderFacts:
    """The facts Art 26 decides on, read from the elder's record."""
    from apps.elders.models import LifeStatus

    return rules.ElderFacts(
        birth_date=elder.birth_date,
        local_hukou=elder.local_hukou,
        lives_in_city=elder.life_status != LifeStatus.MOVED_AWAY,
        care_level=rules.CareLevel(care_level or rules.CareLevel.NONE),
        sanwu_or_wubao=elder.sanwu_or_wubao,
        dibao=elder.dibao,
        low_income=elder.low_income,
        youfu=elder.youfu,
        lives_alone=elder.lives_alone,
        lives_only_with_severely_disabled_child=elder.lives_only_with_severely_disabled_child,
        gugua=elder.gugua,
        pure_elderly_household=elder.pure_elderly_household,
        model_worker=rules.ModelWorker(elder.model_worker),
        family_planning_special_support=elder.family_planning_special_support,
        monthly_pension=elder.monthly_pension,
        willing_to_pay_half=willing_to_pay_half,
    )


def decide_for(elder, *, on: date, care_level: str, willing_to_pay_half: bool,
               district=None) -> rules.Decision:
    """Run the Art 26–27 rules on the elder's record with the values of ``on``."""
    facts = elder_facts(elder, care_level=care_level, willing_to_pay_half=willing_to_pay_half)
    district = district or district_of(elder.hukou_street or elder.residence_street)
    values = values_on(on, district)
    missing = [key for key in rules.DECISION_KEYS if key not in values]
    if missing:
        # e.g. a day before the first policy values: a field error, not a crash
        raise ValidationError({"on": ValidationError(
            _("No value of %(key)s is in force on %(day)s.") % {"key": missing[0], "day": on},
            code="no_policy_value")})
    return rules.decide(facts, on, values)


def decision_record(decision: rules.Decision) -> dict:
    """A decision as stored with the application: every criterion and reason."""

    def rows(criteria):
        return [{"code": c.code, "met": c.met, "reason": str(c.reason)} for c in criteria]

    entitlement = decision.entitlement
    return {
        "age": decision.age,
        "eligible": decision.eligible,
        "own_cost_only": decision.own_cost_only,
        "prerequisites": rows(decision.prerequisites),
        "class1": rows(decision.class1),
        "class2": rows(decision.class2),
        "entitlement": {k: str(v.quantize(rules.CENT) if k != "elder_share" else v.normalize())
                        for k, v in asdict(entitlement).items() if k != "subsidy_class"}
        | {"subsidy_class": entitlement.subsidy_class.value} if entitlement else None,
    }


def _new_row(*, elder, application, predecessor, decision_or_none, care_level, valid_from,
             service_street, paying_district) -> Entitlement:
    entitlement = decision_or_none.entitlement if decision_or_none else None
    if entitlement is None:
        kwargs = {"subsidy_class": SubsidyClass.OWN_COST, "monthly_amount": Decimal("0.00"),
                  "nursing_supplement": Decimal("0.00"), "elder_share": Decimal(1),
                  "criteria": []}
    else:
        kwargs = {
            "subsidy_class": entitlement.subsidy_class.value,
            "monthly_amount": entitlement.monthly_amount.quantize(rules.CENT),
            "nursing_supplement": entitlement.nursing_supplement.quantize(rules.CENT),
            "elder_share": entitlement.elder_share.quantize(Decimal("0.001")),
            "criteria": [c.code for c in (*decision_or_none.class1, *decision_or_none.class2)
                         if c.met],
        }
    row = Entitlement(elder=elder, application=application, predecessor=predecessor,
                      care_level=care_level or "none", valid_from=valid_from,
                      service_street=service_street, paying_district=paying_district,
                      **kwargs)
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def grant_entitlement(*, application, decision: rules.Decision | None,
                      approved_on: date) -> Entitlement:
    """Create the entitlement of an approved application, valid from the first
    day of the month of approval (an own-cost approval gets a zero row)."""
    elder = application.elder
    if Entitlement.objects.current().filter(elder=elder).select_for_update().exists():
        raise ValidationError(_("This elder already holds an entitlement; record a change "
                                "of circumstances or a re-assessment instead."),
                              code="already_entitled")
    return _new_row(elder=elder, application=application, predecessor=None,
                    decision_or_none=decision, care_level=application.care_level,
                    valid_from=rules.month_start(approved_on),
                    service_street=application.service_street,
                    paying_district=application.paying_district)


def _end(current: Entitlement, *, until: date, reason: str, note: str) -> None:
    current.valid_until = until
    current.status = EntitlementStatus.ENDED
    current.end_reason = reason
    current.end_note = note
    current.full_clean()
    current.save(update_fields=["valid_until", "status", "end_reason", "end_note",
                                "updated_at"])


def _same_terms(current: Entitlement, decision: rules.Decision | None, care_level: str,
                service_street) -> bool:
    entitlement = decision.entitlement if decision else None
    if entitlement is None:
        return False
    return (current.subsidy_class == entitlement.subsidy_class.value
            and current.monthly_amount == entitlement.monthly_amount.quantize(rules.CENT)
            and current.elder_share == entitlement.elder_share.quantize(Decimal("0.001"))
            and current.care_level == care_level
            and current.service_street_id == service_street.pk)


@transaction.atomic
def apply_change(*, elder, changed_on: date, reason: str, note: str = "",
                 care_level: str | None = None, service_street=None,
                 ends: bool = False) -> Entitlement | None:
    """Re-decide an entitlement after a change of circumstances (Art 32).

    The current row ends on the last day of the month of the change and,
    unless ``ends`` or the elder no longer qualifies, a successor with the
    new terms starts on the first day of the next month. Returns the
    entitlement in force from next month (None if it ends); nothing changes
    when the terms stay the same.
    """
    current = (Entitlement.objects.current().filter(elder=elder)
               .select_for_update().select_related("service_street").first())
    if current is None:
        return None
    starts = rules.next_month_start(changed_on)
    if current.valid_from >= starts:
        raise ValidationError(_("This entitlement starts after the month of the change; "
                                "correct it instead."), code="change_before_start")
    care_level = care_level or current.care_level
    service_street = service_street or current.service_street
    decision = None
    if (not ends and current.subsidy_class == SubsidyClass.OWN_COST
            and current.service_street_id == service_street.pk):
        return current
    if not ends and current.subsidy_class != SubsidyClass.OWN_COST:
        decision = decide_for(elder, on=starts, care_level=care_level,
                              willing_to_pay_half=current.elder_share > 0)
        if _same_terms(current, decision, care_level, service_street):
            return current
    _end(current, until=rules.month_end(changed_on), reason=reason, note=note)
    if ends or (decision is not None and decision.entitlement is None):
        return None
    return _new_row(elder=elder, application=current.application, predecessor=current,
                    decision_or_none=decision, care_level=care_level, valid_from=starts,
                    service_street=service_street, paying_district=current.paying_district)


@transaction.atomic
def cancel_for_fraud(*, entitlement: Entitlement, found_on: date, recovery_amount: Decimal,
                     reason: str, by) -> Entitlement:
    """Cancel an entitlement obtained by fraud and record what to recover (Art 36).

    The cancellation covers the entitlement from its first day; the amount to
    recover is what was paid under it, entered by the district.
    """
    entitlement = Entitlement.objects.select_for_update().get(pk=entitlement.pk)
    errors = {}
    if entitlement.status == EntitlementStatus.CANCELLED:
        errors["__all__"] = ValidationError(_("This entitlement is already cancelled."),
                                            code="already_cancelled")
    if not reason.strip():
        errors["end_note"] = ValidationError(_("Give the reason."), code="reason_required")
    if recovery_amount is None or recovery_amount < 0:
        errors["recovery_amount"] = ValidationError(
            _("Enter the amount to recover (zero or more)."), code="bad_amount")
    if found_on < entitlement.valid_from:
        errors["cancelled_on"] = ValidationError(
            _("The date lies before the entitlement began."), code="before_start")
    elif found_on > timezone.localdate():
        errors["cancelled_on"] = ValidationError(
            _("The date cannot be in the future."), code="future")
    if errors:
        raise ValidationError(errors)
    entitlement.status = EntitlementStatus.CANCELLED
    entitlement.end_reason = EndReason.FRAUD
    entitlement.end_note = reason
    entitlement.cancelled_on = found_on
    entitlement.cancelled_by = by
    entitlement.recovery_amount = recovery_amount.quantize(rules.CENT)
    if entitlement.valid_until is None or entitlement.valid_until > found_on:
        entitlement.valid_until = found_on
    entitlement.save()
    return entitlement


def paid_upper_bound(entitlement: Entitlement, until: date) -> Decimal:
    """The most the entitlement can have paid up to ``until``: the monthly
    amount for every month it covered (a hint for the recovery amount)."""
    end = min(until, entitlement.valid_until or until)
    return entitlement.monthly_amount * rules.months_between(entitlement.valid_from, end)
