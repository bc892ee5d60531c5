"""State changes of the casework: assign an elder to a care manager."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from apps.caremanagers import rules
from apps.caremanagers.models import CareManager, CaseAssignment
from apps.elders.models import Elder
from apps.subsidies.models import Entitlement


def service_street_id(elder: Elder) -> int:
    """The street serving ``elder``: their current entitlement's, else the
    street they live in."""
    entitled = (Entitlement.objects.current().filter(elder=elder)
                .values_list("service_street", flat=True).first())
    return rules.service_street_id(entitled, elder.residence_street_id)


@transaction.atomic
def assign(*, elder: Elder, care_manager: CareManager, on: date) -> CaseAssignment:
    """Make ``care_manager`` look after ``elder`` from ``on``; the elder's
    previous assignment, if any, ends the day before."""
    Elder.objects.select_for_update().get(pk=elder.pk)  # one assignment at a time per elder
    if not care_manager.active:
        raise ValidationError({"care_manager": ValidationError(
            _("This care manager is no longer active."), code="inactive")})
    if care_manager.street_id != service_street_id(elder):
        raise ValidationError({"care_manager": ValidationError(
            _("The care manager must be of the street that serves the elder."),
            code="other_street")})
    if on < care_manager.since:
        raise ValidationError({"on": ValidationError(
            _("The care manager is employed only from %(since)s."),
            params={"since": care_manager.since}, code="before_since")})
    previous = CaseAssignment.objects.open().filter(elder=elder).first()
    if previous is not None:
        if previous.care_manager_id == care_manager.pk:
            raise ValidationError({"care_manager": ValidationError(
                _("This care manager already looks after the elder."),
                code="already_assigned")})
        if previous.starts_on >= on:
            raise ValidationError({"on": ValidationError(
                _("The current assignment starts on %(start)s; a new one must start later."),
                params={"start": previous.starts_on}, code="before_current")})
        previous.ends_on = on - timedelta(days=1)
        previous.full_clean()
        previous.save(update_fields=["ends_on", "updated_at"])
    assignment = CaseAssignment(elder=elder, care_manager=care_manager, starts_on=on)
    assignment.full_clean()
    assignment.save()
    return assignment
