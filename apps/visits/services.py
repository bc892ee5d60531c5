"""State changes of the caregiver's phone flow and of the office's corrections.

A visit under way is a ``VisitDraft``: checked in at the elder's door,
checked out when done, then submitted. Submitting, like a correction or the
resubmission of a refused row, goes through ``intake.submit`` with the
channel "form": the same rules as the spreadsheet and the API decide, and
only an accepted row becomes a ``ServiceVisit``. A refused draft stays, with
the reasons, for the caregiver to fix.
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.visits import intake
from apps.visits.intake import RowResult, VisitInput
from apps.visits.models import Channel, CheckMethod, Confirmation, Outcome, VisitDraft

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif",
                    "image/webp": ".webp"}


def new_visit_id() -> str:
    """The provider's visit id of a visit recorded on the form."""
    return "F" + uuid.uuid4().hex


def _reason_for(method: str, reason: str) -> str:
    # a card swipe needs no reason; a stale one would mislead the reader
    return reason.strip() if method == CheckMethod.MANUAL else ""


@transaction.atomic
def check_in(*, provider, user, elder, service_item, caregiver, method: str,
             reason: str = "", latitude: Decimal | None = None,
             longitude: Decimal | None = None, at: datetime | None = None) -> VisitDraft:
    """Open a visit under way at ``at`` (now, server time)."""
    if caregiver.provider_id != provider.pk:
        raise ValidationError({"caregiver": ValidationError(
            _("Not a staff member of the provider."), code="caregiver_unknown")})
    return VisitDraft.objects.create(
        provider=provider, provider_visit_id=new_visit_id(), caregiver=caregiver,
        elder=elder, service_item=service_item, check_in_at=at or timezone.now(),
        check_in_method=method, check_in_reason=_reason_for(method, reason),
        latitude=latitude, longitude=longitude, created_by=user)


@transaction.atomic
def check_out(*, draft: VisitDraft, method: str, reason: str = "", notes: str = "",
              confirmation: str = Confirmation.NONE, confirmed_by_name: str = "",
              photo=None, at: datetime | None = None) -> VisitDraft:
    """Close the visit at ``at`` (now, server time), with what was done and
    who confirmed it; an optional photo is kept with the draft."""
    if draft.check_out_at is not None:
        raise ValidationError({"check_out_at": ValidationError(
            _("The visit is already checked out; edit it to change the times."),
            code="already_checked_out")})
    draft.check_out_at = at or timezone.now()
    draft.check_out_method = method
    draft.check_out_reason = _reason_for(method, reason)
    draft.notes = notes.strip()
    draft.confirmation = confirmation
    draft.confirmed_by_name = confirmed_by_name.strip() if confirmation == "agent" else ""
    if photo is not None:
        _replace_photo(draft, photo)
    draft.save()
    return draft


DRAFT_EDITABLE = ("service_item", "caregiver", "check_in_at", "check_in_method",
                  "check_in_reason", "check_out_at", "check_out_method", "check_out_reason",
                  "notes", "confirmation", "confirmed_by_name")


@transaction.atomic
def update_draft(*, draft: VisitDraft, photo=None, **fields) -> VisitDraft:
    """Change a draft before (re)submitting it: the item, the times with a
    reason, what was done. Only the fields of ``DRAFT_EDITABLE``."""
    unknown = set(fields) - set(DRAFT_EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(draft, name, value)
    draft.check_in_reason = _reason_for(draft.check_in_method, draft.check_in_reason)
    if draft.check_out_at is not None:
        draft.check_out_reason = _reason_for(draft.check_out_method, draft.check_out_reason)
    if draft.confirmation != "agent":
        draft.confirmed_by_name = ""
    if photo is not None:
        _replace_photo(draft, photo)
    draft.save()
    return draft


def _replace_photo(draft: VisitDraft, photo) -> None:
    if draft.photo:
        old = draft.photo.name
        transaction.on_commit(lambda: draft.photo.storage.delete(old))
    # the extension from the image's detected type, not from the sender's name
    extension = PHOTO_EXTENSIONS.get(getattr(photo, "content_type", None) or "", ".bin")
    draft.photo.save(f"{draft.provider_visit_id}{extension}", photo, save=False)


@transaction.atomic
def discard_draft(*, draft: VisitDraft) -> None:
    """Drop a visit under way that never happened (nothing was submitted)."""
    _delete_photo_on_commit(draft)
    draft.delete()


def _delete_photo_on_commit(draft: VisitDraft) -> None:
    if draft.photo:
        storage, name = draft.photo.storage, draft.photo.name
        transaction.on_commit(lambda: storage.delete(name))


def draft_input(draft: VisitDraft) -> VisitInput:
    """The draft as the row every channel gives the intake."""
    photo = None
    if draft.photo:
        photo = File(draft.photo.open("rb"), name=os.path.basename(draft.photo.name))
    return VisitInput(
        provider_visit_id=draft.provider_visit_id,
        service_item=draft.service_item.code,
        caregiver=str(draft.caregiver_id),
        elder_pk=draft.elder_id,
        check_in_at=draft.check_in_at,
        check_in_method=draft.check_in_method,
        check_in_reason=draft.check_in_reason,
        check_out_at=draft.check_out_at,
        check_out_method=draft.check_out_method,
        check_out_reason=draft.check_out_reason,
        latitude=draft.latitude,
        longitude=draft.longitude,
        notes=draft.notes,
        confirmation=draft.confirmation,
        confirmed_by_name=draft.confirmed_by_name,
        photo=photo,
    )


@transaction.atomic
def submit_draft(*, draft: VisitDraft, user) -> RowResult:
    """Submit a checked-out draft through the intake. Accepted: the draft is
    gone and the result names the visit. Refused: the draft stays with the
    reasons in ``last_reasons``."""
    if draft.check_out_at is None:
        raise ValidationError({"check_out_at": ValidationError(
            _("Check out before submitting the visit."), code="not_checked_out")})
    row = draft_input(draft)
    try:
        [result] = intake.submit(draft.provider, [row], channel=Channel.FORM, user=user)
    finally:
        if row.photo is not None:
            row.photo.close()
    if result.outcome == Outcome.ACCEPTED:
        _delete_photo_on_commit(draft)
        draft.delete()
    else:
        draft.last_reasons = result.reasons
        draft.save(update_fields=["last_reasons", "updated_at"])
    return result


def form_input(*, provider_visit_id: str, data: dict, latitude=None, longitude=None,
               planned_start=None, planned_end=None, photo=None) -> VisitInput:
    """A row from the office's visit form (a correction or a resubmission)."""
    return VisitInput(
        provider_visit_id=provider_visit_id,
        service_item=data["service_item"].code,
        caregiver=str(data["caregiver"].pk),
        elder_pk=data["elder"].pk,
        check_in_at=data["check_in_at"],
        check_in_method=data["check_in_method"],
        check_in_reason=_reason_for(data["check_in_method"], data.get("check_in_reason", "")),
        check_out_at=data["check_out_at"],
        check_out_method=data["check_out_method"],
        check_out_reason=_reason_for(data["check_out_method"],
                                     data.get("check_out_reason", "")),
        units=data.get("units"),
        notes=data.get("notes", ""),
        confirmation=data.get("confirmation") or Confirmation.NONE,
        confirmed_by_name=(data.get("confirmed_by_name", "")
                           if data.get("confirmation") == "agent" else ""),
        correction_reason=data.get("correction_reason", ""),
        latitude=latitude, longitude=longitude, planned_start=planned_start,
        planned_end=planned_end, photo=photo,
    )


def submit_form_row(*, provider, row: VisitInput, user) -> RowResult:
    """Submit one row of the office's form through the intake."""
    [result] = intake.submit(provider, [row], channel=Channel.FORM, user=user)
    return result


def correct_visit(*, visit, data: dict, user, photo=None) -> RowResult:
    """A new version of ``visit`` (same provider's visit id) with the
    reason for the correction; the old version stays readable. The GPS
    position is the visit's own; the photo stays unless a new one comes."""
    kept = None
    if photo is None and visit.photo:
        photo = kept = File(visit.photo.open("rb"), name=os.path.basename(visit.photo.name))
    row = form_input(provider_visit_id=visit.provider_visit_id, data=data,
                     latitude=visit.latitude, longitude=visit.longitude,
                     planned_start=visit.planned_start, planned_end=visit.planned_end,
                     photo=photo)
    try:
        return submit_form_row(provider=visit.provider, row=row, user=user)
    finally:
        if kept is not None:
            kept.close()


def resubmit(*, submission, data: dict, user, photo=None) -> RowResult:
    """Send a refused row again, corrected, under its own visit id."""
    payload = submission.payload or {}
    row = form_input(provider_visit_id=submission.provider_visit_id, data=data,
                     latitude=_decimal(payload.get("latitude")),
                     longitude=_decimal(payload.get("longitude")),
                     planned_start=_moment(payload.get("planned_start")),
                     planned_end=_moment(payload.get("planned_end")), photo=photo)
    return submit_form_row(provider=submission.provider, row=row, user=user)


def _moment(value) -> datetime | None:
    if not value:
        return None
    try:
        return intake.parse_moment(value)
    except ValueError:
        return None


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None
