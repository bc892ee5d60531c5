"""State changes of facilities: a closure or change of use with its approval
on record (Art 11, 34), and a year's operating funding (Art 9).

Creating and editing a facility's description is plain CRUD (the forms and
the admin); its status and current use change only here.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.facilities.models import (
    ChangeKind,
    Facility,
    FacilityChange,
    FacilityFunding,
    FacilityStatus,
)

REQUIRED = _("This field is required.")


def change_errors(*, facility: Facility, kind: str, approving_authority: str,
                  approval_reference: str, approved_on: date | None,
                  notice_published_on: date | None, effective_on: date | None,
                  reported_to_city_on: date | None, new_use: str = "",
                  on: date) -> dict[str, list[ValidationError]]:
    """Every reason a closure or change of use may not be recorded, by field.

    Art 11: district government approval, then public notice; the change
    takes effect on or after both; and it is reported to the city
    civil-affairs bureau for the record (报市民政局备查), on or after the
    approval. A change is recorded once it has taken effect
    (``effective_on`` not after ``on``) and been reported, so the
    facility's status is always the one in force today.
    """
    errors: dict[str, list[ValidationError]] = {}

    def add(name, message, code, **params):
        errors.setdefault(name, []).append(ValidationError(message, code=code,
                                                           params=params or None))

    if kind not in ChangeKind.values:
        add("kind", _("Choose a closure or a change of use."), "invalid_kind")
    for name, value in (("approving_authority", approving_authority),
                        ("approval_reference", approval_reference),
                        ("approved_on", approved_on),
                        ("notice_published_on", notice_published_on),
                        ("effective_on", effective_on),
                        ("reported_to_city_on", reported_to_city_on)):
        if value in (None, "") or (isinstance(value, str) and not value.strip()):
            add(name, REQUIRED, "required")
    if approved_on and approved_on > on:
        add("approved_on", _("An approval cannot be dated in the future."), "future_approval")
    if approved_on and notice_published_on and notice_published_on < approved_on:
        add("notice_published_on",
            _("The public notice follows the approval: it cannot be dated before "
              "%(approved)s."), "notice_before_approval", approved=approved_on.isoformat())
    if approved_on and effective_on and effective_on < approved_on:
        add("effective_on",
            _("The change cannot take effect before it was approved (%(approved)s)."),
            "effective_before_approval", approved=approved_on.isoformat())
    elif notice_published_on and effective_on and effective_on < notice_published_on:
        add("effective_on",
            _("The change cannot take effect before the public notice (%(notice)s)."),
            "effective_before_notice", notice=notice_published_on.isoformat())
    if effective_on and effective_on > on:
        add("effective_on",
            _("Record the change on or after the day it takes effect (%(day)s)."),
            "effective_in_future", day=effective_on.isoformat())
    if approved_on and reported_to_city_on and reported_to_city_on < approved_on:
        add("reported_to_city_on",
            _("The report to the city civil-affairs bureau follows the approval: it cannot "
              "be dated before %(approved)s."), "report_before_approval",
            approved=approved_on.isoformat())
    if reported_to_city_on and reported_to_city_on > on:
        add("reported_to_city_on",
            _("The report to the city civil-affairs bureau cannot be dated in the future."),
            "future_report")
    if facility.status == FacilityStatus.CLOSED:
        add(NON_FIELD_ERRORS, _("The facility is already closed."), "already_closed")
    if kind == ChangeKind.CHANGE_OF_USE:
        if not new_use.strip():
            add("new_use", _("Say what the facility will be used for."), "new_use_required")
        elif new_use.strip() == facility.current_use:
            add("new_use", _("This is already the facility's use."), "same_use")
    return errors


def record_change(*, facility: Facility, kind: str, approving_authority: str,
                  approval_reference: str, approved_on: date | None,
                  notice_published_on: date | None, effective_on: date | None,
                  by, new_use: str = "", notice_channel: str = "",
                  reported_to_city_on: date | None = None, note: str = "",
                  on: date | None = None) -> FacilityChange:
    """Close ``facility`` or change its use, with the approval on record.

    Refuses (field errors, nothing written) unless the district
    government's approval, its reference, the public notice, the date it
    takes effect and the date it was reported to the city civil-affairs
    bureau (Art 11) are all given and in order; then records the change and
    updates the facility. The only way a facility is closed or repurposed.
    """
    on = on or timezone.localdate()
    with transaction.atomic():
        facility = Facility.objects.select_for_update().get(pk=facility.pk)
        errors = change_errors(
            facility=facility, kind=kind, approving_authority=approving_authority,
            approval_reference=approval_reference, approved_on=approved_on,
            notice_published_on=notice_published_on, effective_on=effective_on,
            reported_to_city_on=reported_to_city_on, new_use=new_use, on=on)
        if errors:
            raise ValidationError(errors)
        change = FacilityChange(
            facility=facility, kind=kind, new_use=new_use.strip(),
            approving_authority=approving_authority.strip(),
            approval_reference=approval_reference.strip(), approved_on=approved_on,
            notice_published_on=notice_published_on, notice_channel=notice_channel.strip(),
            reported_to_city_on=reported_to_city_on, effective_on=effective_on,
            previous_status=facility.status, previous_use=facility.current_use,
            note=note, recorded_by=by)
        change.full_clean()
        change.save()
        if kind == ChangeKind.CLOSE:
            facility.status = FacilityStatus.CLOSED
        if change.new_use:
            facility.current_use = change.new_use
        facility.save(update_fields=["status", "current_use", "updated_at"])
    return change


def record_funding(*, facility: Facility, year: int, amount: Decimal, basis: str = "",
                   by) -> tuple[FacilityFunding, bool]:
    """Record ``year``'s operating funding of ``facility`` (a correction
    replaces the year's amount; the history keeps the old one)."""
    with transaction.atomic():
        funding = (FacilityFunding.objects.select_for_update()
                   .filter(facility=facility, year=year).first())
        created = funding is None
        if created:
            funding = FacilityFunding(facility=facility, year=year)
        funding.amount, funding.basis, funding.recorded_by = amount, basis.strip(), by
        funding.full_clean()
        funding.save()
    return funding, created
