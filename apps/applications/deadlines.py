"""Open steps against their deadlines: the dashboards and the daily flags.

"Due soon" is the policy value ``deadline.due_soon``: a step whose due date
falls within that many working days from today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q

from apps.applications.models import Application
from apps.policy.lookup import value_on
from apps.workdays.working_days import add_working_days


@dataclass(frozen=True)
class Horizon:
    today: date
    soon: date  # last day counted as due soon


def horizon_on(today: date) -> Horizon:
    days = int(value_on("deadline.due_soon", today))
    return Horizon(today, add_working_days(today, days).date)


def overdue_or_soon(queryset, horizon: Horizon):
    """Open steps due on or before the horizon's last due-soon day."""
    return queryset.with_clock().filter(due_date__lte=horizon.soon)


def office_counts(queryset, horizon: Horizon) -> list[dict]:
    """Per responsible office: overdue, due soon, on time, provisional, all.

    One aggregate query, whatever the number of applications.
    """
    return list(
        queryset.with_clock()
        .values("responsible_office", "responsible_office__name",
                "responsible_office__kind", "responsible_office__path")
        .annotate(
            overdue=Count("pk", filter=Q(due_date__lt=horizon.today)),
            due_soon=Count("pk", filter=Q(due_date__gte=horizon.today,
                                          due_date__lte=horizon.soon)),
            on_time=Count("pk", filter=Q(due_date__gt=horizon.soon)),
            provisional=Count("pk", filter=Q(due_provisional=True)),
            total=Count("pk"),
        )
        .order_by("responsible_office__path")
    )


def applications_to_flag(horizon: Horizon):
    """Open steps overdue or due soon not yet flagged today."""
    return (overdue_or_soon(Application.objects.all(), horizon)
            .exclude(flagged_on=horizon.today)
            .select_related("elder", "responsible_office")
            .order_by("responsible_office", "due_date", "pk"))
