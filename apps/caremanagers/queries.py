"""The staffing report of Art 5: for each street, its subsidised elders
against its active qualified care managers, in one query."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from apps.caremanagers import rules
from apps.caremanagers.models import CareManager, CaseAssignment
from apps.policy.lookup import value_on
from apps.regions.models import Region, RegionKind
from apps.subsidies.models import Entitlement


def subsidised_entitlements():
    """Current entitlements that the public purse pays (not own-cost)."""
    return Entitlement.objects.subsidised()


def _count(queryset, group: str, **aggregate):
    (name, expression), = aggregate.items()
    rows = (queryset.filter(**{group: OuterRef("pk")}).order_by().values(group)
            .annotate(**{name: expression}).values(name)[:1])
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def with_staffing(streets):
    """Annotate ``streets`` with subsidised_elders, qualified_managers,
    unqualified_managers, unassigned_elders and with_inactive_managers (all
    in the one query).

    An elder counts as assigned only while their open assignment is with an
    active care manager: one whose care manager has left (``active``
    cleared) is unassigned, and also counted in ``with_inactive_managers``
    so the street sees who is waiting to be reassigned.
    """
    open_assignments = CaseAssignment.objects.open().filter(elder=OuterRef("elder"))
    has_manager = Exists(open_assignments.filter(care_manager__active=True))
    with_inactive_manager = Exists(open_assignments.filter(care_manager__active=False))
    entitled = subsidised_entitlements()
    managers = CareManager.objects.active()
    return streets.filter(kind=RegionKind.STREET).annotate(
        subsidised_elders=_count(entitled, "service_street",
                                 n=Count("elder", distinct=True)),
        unassigned_elders=_count(entitled, "service_street",
                                 n=Count("elder", distinct=True, filter=~Q(has_manager))),
        with_inactive_managers=_count(entitled, "service_street", n=Count(
            "elder", distinct=True, filter=Q(with_inactive_manager))),
        qualified_managers=_count(managers, "street", n=Count(
            "pk", filter=Q(qualification__in=rules.QUALIFIED))),
        unqualified_managers=_count(managers, "street", n=Count(
            "pk", filter=~Q(qualification__in=rules.QUALIFIED))),
    )


def staffing_of(street: Region, day: date) -> rules.StreetStaffing:
    """The staffing of one street, with the ratio in force on ``day``."""
    row = with_staffing(Region.objects.filter(pk=street.pk)).get()
    return staffing(row, ratio_on(day, street))


def ratio_on(day: date, street: Region) -> int:
    return int(value_on("ratio.care_manager_elders", day, street.parent))


def staffing(row: Region, ratio: int) -> rules.StreetStaffing:
    return rules.StreetStaffing(
        subsidised_elders=row.subsidised_elders, qualified_managers=row.qualified_managers,
        unqualified_managers=row.unqualified_managers,
        unassigned_elders=row.unassigned_elders,
        with_inactive_managers=row.with_inactive_managers, ratio=ratio)
