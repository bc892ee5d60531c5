"""Follow-up calls (回访, DOMAIN.md §5): each month a random share of the
visits is called back by the elder's street to check the service was given.

``sample_month`` picks the calls for one district and month; the monthly
task runs it for every district on the 1st, district staff may run it from
the screen. ``record_follow_up`` records what the call found: a service not
received raises an audit finding (for the settlement), a complaint opens a
complaint against the provider.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.policy.lookup import value_on
from apps.regions.models import Region, RegionKind
from apps.subsidies.rules import month_end
from apps.visits.models import (
    FollowUp,
    FollowUpOutcome,
    FollowUpStatus,
    ServiceVisit,
)
from apps.workdays.working_days import add_working_days

SATISFACTION_RANGE = range(1, 6)
# Satisfaction is rated for a service the elder (partly) received.
RATED_OUTCOMES = frozenset({FollowUpOutcome.CONFIRMED, FollowUpOutcome.PARTLY})


def _error(field: str, message: str, code: str, **params) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params or None)})


# --- sampling -------------------------------------------------------------------


def sample_target(total: int, share: Decimal) -> int:
    """How many of ``total`` visits to call: the share rounded up, at least
    one when there is any visit, never more than there are; none where the
    district set the share to 0."""
    if total <= 0 or share <= 0:
        return 0
    return min(total, max(1, math.ceil(Decimal(total) * Decimal(str(share)))))


def district_visits(district: Region, month_start: date):
    """The month's current visits of elders living in ``district``."""
    return (ServiceVisit.objects.current()
            .in_month(month_start, month_end(month_start))
            .filter(elder__residence_street__parent=district))


@transaction.atomic
def sample_month(district: Region, month_start: date, *, share: Decimal | None = None,
                 seed=None, today: date | None = None) -> int:
    """Assign follow-up calls for ``district``'s visits of the month.

    A random share (``visit.followup_share`` for the district, unless
    ``share`` is given) of the month's current visits, rounded up and at
    least one, each to the elder's residence street, due
    ``visit.followup_working_days`` working days after ``today``. Running it
    again tops up to the share (after late visits came in) and never calls
    a visit, or another version of it, twice. Returns the number created.
    """
    month_start = month_start.replace(day=1)
    today = today or timezone.localdate()
    # one sampling of a district at a time, so two runs cannot both top up
    district = Region.objects.select_for_update().get(pk=district.pk)
    if share is None:
        share = value_on("visit.followup_share", month_start, district)
    visits = district_visits(district, month_start)
    target = sample_target(visits.count(), share)
    already = FollowUp.objects.filter(month=month_start, street__parent=district).count()
    wanted = target - already
    if wanted <= 0:
        return 0
    called = FollowUp.objects.filter(visit__provider=OuterRef("provider"),
                                     visit__provider_visit_id=OuterRef("provider_visit_id"))
    candidates = list(visits.exclude(Exists(called)).order_by("pk")
                      .values_list("pk", "elder__residence_street_id"))
    chosen = random.Random(seed).sample(candidates, min(wanted, len(candidates)))
    if not chosen:
        return 0
    days = int(value_on("visit.followup_working_days", today, district))
    due_on = add_working_days(today, days).date
    FollowUp.objects.bulk_create([
        FollowUp(visit_id=visit_id, month=month_start, street_id=street_id, due_on=due_on)
        for visit_id, street_id in chosen])
    return len(chosen)


def sample_all_districts(month_start: date, *, today: date | None = None) -> dict[str, int]:
    """Sample ``month_start``'s visits in every district: {district code: created}."""
    return {district.code: sample_month(district, month_start, today=today)
            for district in Region.objects.filter(kind=RegionKind.DISTRICT).order_by("path")}


# --- recording a call ---------------------------------------------------------------


def _evidence(follow_up: FollowUp, visit: ServiceVisit) -> dict:
    """What a finding keeps of the visit and of the call (plain JSON)."""
    def moment(value: datetime | None) -> str | None:
        return timezone.localtime(value).isoformat() if value else None

    caller = follow_up.called_by
    return {
        "visit_id": visit.pk,
        "provider_visit_id": visit.provider_visit_id,
        "version": visit.version,
        "service_date": visit.service_date.isoformat(),
        "service_item": visit.service_item.name,
        "caregiver": visit.caregiver.name,
        "check_in_at": moment(visit.check_in_at),
        "check_in_method": visit.check_in_method,
        "check_out_at": moment(visit.check_out_at),
        "check_out_method": visit.check_out_method,
        "amount": f"{visit.amount:.2f}",
        "called_at": moment(follow_up.called_at),
        "called_by": (caller.get_full_name() or caller.username) if caller else None,
        "note": follow_up.note,
    }


def finding_source_key(follow_up: FollowUp) -> str:
    """What names the finding a call raises, so it is raised once."""
    return f"followup:{follow_up.pk}"


def _raise_not_received(follow_up: FollowUp, visit: ServiceVisit):
    from apps.findings.models import FindingRule
    from apps.findings.services import raise_finding

    summary = _("Follow-up call: %(item)s of %(date)s by %(provider)s was not received.") % {
        "item": visit.service_item.name, "date": visit.service_date.isoformat(),
        "provider": visit.provider.name}
    return raise_finding(
        rule=FindingRule.FOLLOWUP_NOT_RECEIVED, source_key=finding_source_key(follow_up),
        district=(visit.elder.residence_street or follow_up.street).parent,
        month=follow_up.month,
        provider=visit.provider, elder=visit.elder, visit=visit, amount=visit.amount,
        evidence=_evidence(follow_up, visit), summary=summary)


def _open_complaint(follow_up: FollowUp, visit: ServiceVisit, category: str, by):
    from apps.complaints.models import ComplaintSource
    from apps.complaints.services import record_complaint

    return record_complaint(
        provider=visit.provider, street=follow_up.street, elder=visit.elder, visit=visit,
        follow_up=follow_up, received_on=timezone.localdate(follow_up.called_at),
        source=ComplaintSource.FOLLOW_UP, category=category, description=follow_up.note,
        by=by)


def _check_call(follow_up: FollowUp, *, outcome: str, satisfaction, note: str,
                called_at: datetime, unreachable: bool) -> None:
    if follow_up.status == FollowUpStatus.DONE:
        raise _error("status", _("This follow-up call is already recorded."), "already_done")
    if called_at > timezone.now():
        raise _error("called_at", _("The call cannot be in the future."), "future")
    # Calls are entered to the minute: a call in the minute the visit ended is after it.
    if called_at < follow_up.visit.check_out_at.replace(second=0, microsecond=0):
        raise _error("called_at", _("The call cannot come before the visit ended."),
                     "before_visit")
    if unreachable:
        if not note.strip():
            raise _error("note", _("Say how and when the elder was tried."), "required")
        return
    if outcome not in FollowUpOutcome.values:
        raise _error("outcome", _("Choose what the call found."), "required")
    # Satisfaction is asked of a service the elder received; one not
    # received is evidence for the audit, so what the elder said is noted.
    if satisfaction is None and outcome in RATED_OUTCOMES:
        raise _error("satisfaction", _("Record the elder's satisfaction, 1 to 5."), "required")
    if satisfaction is not None and satisfaction not in SATISFACTION_RANGE:
        raise _error("satisfaction", _("Satisfaction is rated 1 to 5."), "out_of_range")
    if outcome == FollowUpOutcome.COMPLAINT and not note.strip():
        raise _error("note", _("Write down the complaint."), "required")
    if outcome == FollowUpOutcome.NOT_RECEIVED and not note.strip():
        raise _error("note", _("Write down what the elder said."), "required")


@dataclass(frozen=True)
class CallResult:
    follow_up: FollowUp
    finding: object | None = None  # the audit finding a "not received" raised
    complaint: object | None = None  # the complaint a "complaint" opened


@transaction.atomic
def record_follow_up(*, follow_up: FollowUp, outcome: str = "", satisfaction: int | None = None,
                     note: str = "", user, called_at: datetime | None = None,
                     unreachable: bool = False, complaint_category: str = "other"
                     ) -> CallResult:
    """Record the call: done with its outcome and satisfaction, or the elder
    could not be reached (with a note; the call may be tried again).

    "Not received" raises the audit finding ``followup_not_received`` once;
    "complaint" opens a complaint against the provider. A call recorded as
    done cannot be recorded again.
    """
    called_at = called_at or timezone.now()
    note = (note or "").strip()
    follow_up = (FollowUp.objects.select_for_update(of=("self",))
                 .select_related("visit__provider", "visit__elder__residence_street",
                                 "visit__service_item", "visit__caregiver", "street")
                 .get(pk=follow_up.pk))
    _check_call(follow_up, outcome=outcome, satisfaction=satisfaction, note=note,
                called_at=called_at, unreachable=unreachable)
    follow_up.called_at, follow_up.called_by, follow_up.note = called_at, user, note
    if unreachable:
        follow_up.status, follow_up.outcome, follow_up.satisfaction = (
            FollowUpStatus.UNREACHABLE, "", None)
    else:
        follow_up.status, follow_up.outcome, follow_up.satisfaction = (
            FollowUpStatus.DONE, outcome, satisfaction)
    follow_up.full_clean()
    follow_up.save(update_fields=["status", "outcome", "satisfaction", "called_at",
                                  "called_by", "note", "updated_at"])
    visit = follow_up.visit
    finding = complaint = None
    if follow_up.outcome == FollowUpOutcome.NOT_RECEIVED:
        finding, _created = _raise_not_received(follow_up, visit)
    elif follow_up.outcome == FollowUpOutcome.COMPLAINT:
        complaint = _open_complaint(follow_up, visit, complaint_category, user)
    return CallResult(follow_up=follow_up, finding=finding, complaint=complaint)
