"""What the annual evaluation reads about a provider's year: complaints
received, upheld and still open, and the follow-up calls' satisfaction and
services not received."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q

from apps.complaints.models import CLOSED_STATUSES, Complaint


@dataclass(frozen=True)
class ComplaintsSummary:
    year: int
    complaints: int  # received in the year
    upheld: int
    still_open: int  # of those received in the year, not closed today
    follow_ups_done: int  # calls reaching the elder, about the year's visits
    satisfaction_average: Decimal | None  # 1–5, two places; None without calls
    not_received: int  # calls finding the service was not received


def complaints_summary(provider, year: int, *, district=None) -> ComplaintsSummary:
    """The summary of ``provider``'s ``year``; with ``district``, only its
    complaints and calls handled by the district's streets. Two queries."""
    from apps.visits.models import FollowUp, FollowUpOutcome, FollowUpStatus

    complaints = Complaint.objects.filter(provider=provider).received_in_year(year)
    calls = FollowUp.objects.filter(visit__provider=provider, month__year=year,
                                    status=FollowUpStatus.DONE)
    if district is not None:
        complaints = complaints.filter(street__parent=district)
        calls = calls.filter(street__parent=district)
    counts = complaints.aggregate(
        total=Count("pk"), upheld=Count("pk", filter=Q(upheld=True)),
        still_open=Count("pk", filter=~Q(status__in=CLOSED_STATUSES)))
    follow_ups = calls.aggregate(
        done=Count("pk"), average=Avg("satisfaction"),
        not_received=Count("pk", filter=Q(outcome=FollowUpOutcome.NOT_RECEIVED)))
    average = follow_ups["average"]
    if average is not None:
        average = Decimal(str(average)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return ComplaintsSummary(
        year=year, complaints=counts["total"], upheld=counts["upheld"],
        still_open=counts["still_open"], follow_ups_done=follow_ups["done"],
        satisfaction_average=average, not_received=follow_ups["not_received"])
