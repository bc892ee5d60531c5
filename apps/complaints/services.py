"""State changes of complaints: record, take up, resolve, correct.

Each runs in a transaction, locks the row it changes and refuses with a
ValidationError naming the field and a code. Which providers, elders and
visits a user may name is the form's and the view's concern (their scope).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import IntegerField, Max
from django.db.models.functions import Cast, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.complaints import rules
from apps.complaints.models import Complaint, ComplaintStatus
from apps.policy.lookup import value_on
from apps.regions.models import Region, RegionKind
from apps.workdays.working_days import add_working_days


def _error(field: str, message: str, code: str, **params) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params or None)})


def _locked(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


def _next_reference(district: Region, year: int) -> str:
    """The district's next complaint number of ``year``; the caller holds
    the district's row lock, so two recordings never draw the same one."""
    prefix = rules.reference(district.code, year, 0)[:-4]
    last = (Complaint.objects.filter(reference__startswith=prefix)
            .aggregate(last=Max(Cast(Substr("reference", len(prefix) + 1), IntegerField())))
            ["last"])
    return rules.reference(district.code, year, (last or 0) + 1)


def answer_due_on(received_on: date, district) -> date:
    """``complaint.answer_working_days`` working days after ``received_on``."""
    days = int(value_on("complaint.answer_working_days", received_on, district))
    return add_working_days(received_on, days).date


def _check_links(*, provider, elder, visit, follow_up) -> None:
    if visit is not None:
        if elder is not None and visit.elder_id != elder.pk:
            raise _error("visit", _("The visit was not given to this elder."), "visit_elder")
        if visit.provider_id != provider.pk:
            raise _error("visit", _("The visit was given by another provider."),
                         "visit_provider")
    if follow_up is not None:
        if visit is not None and follow_up.visit_id != visit.pk:
            raise _error("follow_up", _("The follow-up call is about another visit."),
                         "follow_up_visit")
        if Complaint.objects.filter(follow_up=follow_up).exists():
            raise _error("follow_up", _("This follow-up call has already opened a complaint."),
                         "already_recorded")


@transaction.atomic
def record_complaint(*, provider, received_on: date, source: str, category: str,
                     description: str, street=None, elder=None, visit=None, follow_up=None,
                     complainant_name: str = "", complainant_phone: str = "", by=None,
                     today: date | None = None) -> Complaint:
    """Record a complaint against ``provider``, handled by ``street`` (by
    default the elder's residence street), numbered TS-<district>-<year>-<n>
    and due ``complaint.answer_working_days`` working days after receipt."""
    today = today or timezone.localdate()
    if visit is not None and elder is None:
        elder = visit.elder
    if street is None and elder is not None:
        street = elder.residence_street
    if street is None:
        raise _error("street", _("Name the street office that handles the complaint."),
                     "required")
    if street.kind != RegionKind.STREET:
        raise _error("street", _("A complaint is handled by a street or town office."),
                     "not_a_street")
    if received_on > today:
        raise _error("received_on", _("The day of receipt cannot be in the future."),
                     "future_date")
    if not (description or "").strip():
        raise _error("description", _("Say what happened."), "required")
    _check_links(provider=provider, elder=elder, visit=visit, follow_up=follow_up)
    district = Region.objects.select_for_update().get(pk=street.parent_id)
    complaint = Complaint(
        reference=_next_reference(district, received_on.year), provider=provider,
        street=street, elder=elder, visit=visit, follow_up=follow_up,
        received_on=received_on, source=source, category=category,
        description=description.strip(), complainant_name=complainant_name.strip(),
        complainant_phone=(complainant_phone or "").strip() or None,
        due_on=answer_due_on(received_on, district), recorded_by=by)
    complaint.full_clean()
    complaint.save()
    return complaint


@transaction.atomic
def update_complaint(*, complaint: Complaint, category: str, description: str,
                     complainant_name: str = "", complainant_phone: str = "",
                     provider_response: str = "", by=None) -> Complaint:
    """Correct the details of a complaint not yet closed."""
    complaint = _locked(complaint)
    if rules.is_closed(complaint.status):
        raise _error("status", _("A closed complaint cannot be changed."), "closed")
    if not (description or "").strip():
        raise _error("description", _("Say what happened."), "required")
    complaint.category = category
    complaint.description = description.strip()
    complaint.complainant_name = complainant_name.strip()
    complaint.complainant_phone = (complainant_phone or "").strip() or None
    complaint.provider_response = provider_response.strip()
    complaint.full_clean()
    complaint.save(update_fields=["category", "description", "complainant_name",
                                  "complainant_phone", "provider_response", "updated_at"])
    return complaint


@transaction.atomic
def start_handling(*, complaint: Complaint, by, provider_response: str | None = None
                   ) -> Complaint:
    """Take up a complaint just received: it is being handled, by ``by``."""
    complaint = _locked(complaint)
    if not rules.allowed_transition(complaint.status, ComplaintStatus.INVESTIGATING):
        raise _error("status", _("Only a complaint just received can be taken up; this one "
                                 "is %(status)s."), "not_open",
                     status=complaint.get_status_display())
    complaint.status = ComplaintStatus.INVESTIGATING
    complaint.handled_by = by
    if provider_response is not None:
        complaint.provider_response = provider_response.strip()
    complaint.save(update_fields=["status", "handled_by", "provider_response", "updated_at"])
    return complaint


@transaction.atomic
def resolve(*, complaint: Complaint, resolution: str, upheld: bool | None, closed_on: date,
            by, provider_response: str | None = None, today: date | None = None
            ) -> Complaint:
    """Close a complaint with its resolution: upheld, it is resolved; not
    upheld, it is closed as unfounded."""
    today = today or timezone.localdate()
    complaint = _locked(complaint)
    if rules.is_closed(complaint.status):
        raise _error("status", _("The complaint is already closed."), "already_closed")
    if upheld is None:
        raise _error("upheld", _("Say whether the complaint is upheld."), "required")
    target = rules.closing_status(upheld)
    if not rules.allowed_transition(complaint.status, target):
        raise _error("status", _("The complaint cannot be closed from its status."),
                     "not_allowed")
    if not (resolution or "").strip():
        raise _error("resolution", _("Describe how the complaint was resolved."), "required")
    if closed_on is None:
        raise _error("closed_on", _("Give the day the complaint was closed."), "required")
    if closed_on < complaint.received_on:
        raise _error("closed_on", _("A complaint cannot close before it was received, "
                                    "%(received)s."), "before_received",
                     received=complaint.received_on.isoformat())
    if closed_on > today:
        raise _error("closed_on", _("The closing day cannot be in the future."),
                     "future_date")
    complaint.status = target
    complaint.resolution = resolution.strip()
    complaint.upheld = upheld
    complaint.closed_on = closed_on
    complaint.handled_by = complaint.handled_by or by
    if provider_response is not None:
        complaint.provider_response = provider_response.strip()
    complaint.save(update_fields=["status", "resolution", "upheld", "closed_on", "handled_by",
                                  "provider_response", "updated_at"])
    return complaint
