"""Demo care managers: two for a street, one qualified, sharing its
subsidised elders. Safe to run twice."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from apps.accounts.roles import Role
from apps.caremanagers import services
from apps.caremanagers.models import CareManager, CaseAssignment, Qualification
from apps.caremanagers.queries import subsidised_entitlements
from apps.elders.models import Elder
from apps.regions.models import Region


def build_demo_care_managers(street: Region) -> list[CareManager]:
    """The street's two demo care managers; the qualified one gets the
    street's care-manager account, if there is one. Subsidised elders of
    the street without a care manager are shared between the two."""
    from apps.accounts.models import User

    today = timezone.localdate()
    since = date(today.year - 2, 3, 1)
    account = (User.objects.filter(role=Role.CARE_MANAGER, region=street,
                                   care_manager__isnull=True).order_by("pk").first())
    qualified, _created = CareManager.objects.get_or_create(
        street=street, name="李慧敏",
        defaults={"qualification": Qualification.JUNIOR, "since": since,
                  "certificate_number": f"ZL{street.code}01", "user": account})
    unqualified, _existed = CareManager.objects.get_or_create(
        street=street, name="张国华",
        defaults={"qualification": Qualification.NONE, "since": since})
    managers = [qualified, unqualified]
    assigned = CaseAssignment.objects.open().values("elder")
    waiting = (Elder.objects.filter(pk__in=subsidised_entitlements().filter(
        service_street=street).values("elder")).exclude(pk__in=assigned).order_by("pk"))
    for index, elder in enumerate(waiting):
        services.assign(elder=elder, care_manager=managers[index % 2], on=today)
    return managers
