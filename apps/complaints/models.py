"""Complaints against providers (DOMAIN.md §5), recorded by street or
district staff, tracked to resolution, and read by the annual evaluation."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.audit.history import track_changes
from apps.core.crypto import EncryptedCharField
from apps.core.models import ScopedManager, TimeStampedModel
from apps.core.scoping import ScopedQuerySet


class ComplaintSource(models.TextChoices):
    PHONE = "phone", _("Phone")
    WINDOW = "window", _("At the window")
    LETTER = "letter", _("Letter or e-mail")
    FOLLOW_UP = "follow_up", _("Follow-up call")
    OTHER = "other", _("Other")


class ComplaintCategory(models.TextChoices):
    NO_SHOW = "no_show", _("Service not given")
    QUALITY = "quality", _("Quality of the service")
    ATTITUDE = "attitude", _("Staff attitude")
    TIME = "time", _("Late, short or rescheduled")
    CHARGES = "charges", _("Charges")
    SAFETY = "safety", _("Safety")
    OTHER = "other", _("Other")


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("Received")
    INVESTIGATING = "investigating", _("Being handled")
    RESOLVED = "resolved", _("Resolved")
    CLOSED_UNFOUNDED = "unfounded", _("Closed: not upheld")


CLOSED_STATUSES = frozenset({ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED_UNFOUNDED})


class ComplaintQuerySet(ScopedQuerySet):
    def open(self):
        return self.exclude(status__in=CLOSED_STATUSES)

    def received_in_year(self, year: int):
        return self.filter(received_on__year=year)


@track_changes(exclude=["complainant_phone"])
class Complaint(TimeStampedModel):
    reference = models.CharField(_("complaint number"), max_length=40, unique=True)
    provider = models.ForeignKey("providers.Provider", verbose_name=_("service provider"),
                                 on_delete=models.PROTECT, related_name="complaints")
    street = models.ForeignKey("regions.Region", verbose_name=_("street office"),
                               on_delete=models.PROTECT, related_name="+",
                               help_text=_("The street office that handles it."))
    elder = models.ForeignKey("elders.Elder", verbose_name=_("elder"), on_delete=models.PROTECT,
                              related_name="complaints", null=True, blank=True)
    visit = models.ForeignKey("visits.ServiceVisit", verbose_name=_("visit"),
                              on_delete=models.PROTECT, related_name="complaints",
                              null=True, blank=True)
    follow_up = models.OneToOneField("visits.FollowUp", verbose_name=_("follow-up call"),
                                     on_delete=models.PROTECT, related_name="complaint",
                                     null=True, blank=True)
    received_on = models.DateField(_("received on"))
    source = models.CharField(_("received by"), max_length=12, choices=ComplaintSource.choices)
    complainant_name = models.CharField(pgettext_lazy("person", "complainant"), max_length=50,
                                        blank=True)
    complainant_phone = EncryptedCharField(_("complainant's phone"), max_length=32,
                                           blank=True, null=True)
    category = models.CharField(_("category"), max_length=12,
                                choices=ComplaintCategory.choices)
    description = models.TextField(_("what happened"))
    status = models.CharField(_("status"), max_length=14, choices=ComplaintStatus.choices,
                              default=ComplaintStatus.OPEN)
    due_on = models.DateField(_("answer due on"), null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handled by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    provider_response = models.TextField(_("provider's response"), blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    upheld = models.BooleanField(_("upheld"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")

    objects = ScopedManager.from_queryset(ComplaintQuerySet)()

    scope_region = ("street", "elder__hukou_street", "elder__residence_street")

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["resolved", "unfounded"])
                | (Q(closed_on__isnull=False) & ~Q(resolution="") & Q(upheld__isnull=False)),
                name="closed_complaint_has_resolution"),
        ]
        indexes = [models.Index(fields=["provider", "received_on"],
                                name="complaint_provider_date")]

    def __str__(self):
        return f"{self.reference} · {self.provider}"

    @property
    def audit_label(self) -> str:
        return str(self)

    @property
    def audit_region(self):
        return self.street
