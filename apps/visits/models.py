"""Service visits, the core record of what was done (Art 16, 29; DOMAIN.md §5).

Every visit arrives as a ``VisitSubmission`` through one of three channels
(the staff form, a spreadsheet upload, the providers' API) and is checked by
the same rules (``apps.visits.validation``). An accepted submission becomes a
``ServiceVisit``; a rejected one is kept with its reason codes for the
provider to correct and resubmit. A visit never changes once stored (the
database refuses it): a correction is a new version that supersedes it.

Follow-up calls (回访) check a random share of each month's visits by phone.
"""

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.audit.history import track_changes
from apps.core.models import ScopedManager, TimeStampedModel
from apps.core.scoping import ScopedQuerySet

ELDER_STREETS = ("elder__hukou_street", "elder__residence_street")


class Channel(models.TextChoices):
    FORM = "form", _("Staff form")
    UPLOAD = "upload", _("Spreadsheet upload")
    API = "api", _("Provider API")


class CheckMethod(models.TextChoices):
    """Art 16: a local-hukou elder confirms with the citizen (social-security)
    card; otherwise the provider enters the visit by hand, with a reason."""

    CARD = "card", _("Citizen-card swipe")
    MANUAL = "manual", _("Manual entry")


class Confirmation(models.TextChoices):
    ELDER = "elder", _("Confirmed by the elder")
    AGENT = "agent", _("Confirmed by the agent or family")
    NONE = "none", _("Not confirmed")


class VisitQuerySet(ScopedQuerySet):
    def current(self):
        """The latest version of every visit: what settlement counts."""
        return self.filter(is_current=True)

    def in_month(self, month_start, month_end):
        return self.filter(service_date__gte=month_start, service_date__lte=month_end)


class ServiceVisit(models.Model):
    """One service given to one elder by one caregiver, as accepted.

    ``(provider, provider_visit_id)`` names the visit across versions; the
    provider's own id for API and spreadsheet rows, a generated one for the
    form. Only the flag ``is_current`` may ever change, when a correction
    supersedes the version.
    """

    provider = models.ForeignKey("providers.Provider", verbose_name=_("service provider"),
                                 on_delete=models.PROTECT, related_name="visits")
    provider_visit_id = models.CharField(_("provider's visit id"), max_length=64)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField(
        "self", verbose_name=_("corrects"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="superseded_by")
    is_current = models.BooleanField(_("current version"), default=True)
    correction_reason = models.TextField(_("reason for the correction"), blank=True)

    elder = models.ForeignKey("elders.Elder", verbose_name=_("elder"), on_delete=models.PROTECT,
                              related_name="visits")
    agreement = models.ForeignKey("careplans.ServiceAgreement",
                                  verbose_name=_("service agreement"),
                                  on_delete=models.PROTECT, related_name="visits")
    caregiver = models.ForeignKey("providers.StaffMember", verbose_name=_("caregiver"),
                                  on_delete=models.PROTECT, related_name="visits")
    service_item = models.ForeignKey("catalogue.ServiceItem", verbose_name=_("service item"),
                                     on_delete=models.PROTECT, related_name="visits")
    service_date = models.DateField(_("service date"),
                                    help_text=_("The local date of the check-in."))
    planned_start = models.DateTimeField(_("planned start"), null=True, blank=True)
    planned_end = models.DateTimeField(_("planned end"), null=True, blank=True)
    check_in_at = models.DateTimeField(_("checked in at"))
    check_in_method = models.CharField(_("check-in method"), max_length=8,
                                       choices=CheckMethod.choices)
    check_in_reason = models.CharField(_("reason for manual check-in"), max_length=200,
                                       blank=True)
    check_out_at = models.DateTimeField(_("checked out at"))
    check_out_method = models.CharField(_("check-out method"), max_length=8,
                                        choices=CheckMethod.choices)
    check_out_reason = models.CharField(_("reason for manual check-out"), max_length=200,
                                        blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6,
                                   null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6,
                                    null=True, blank=True)
    distance_m = models.PositiveIntegerField(
        _("distance from the registered address (m)"), null=True, blank=True)
    photo = models.FileField(_("photo"), upload_to="visit-photos/%Y/%m/", blank=True)
    photo_sha256 = models.CharField(_("photo checksum"), max_length=64, blank=True)
    notes = models.TextField(_("what was done"), blank=True)
    confirmation = models.CharField(_("confirmation"), max_length=8,
                                    choices=Confirmation.choices, default=Confirmation.NONE)
    confirmed_by_name = models.CharField(_("confirmed by"), max_length=50, blank=True)
    units = models.DecimalField(_("units"), max_digits=8, decimal_places=2,
                                help_text=_("In the item's unit: visits, hours, meals, days."))
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    flags = ArrayField(models.CharField(max_length=32), verbose_name=_("flags"),
                       default=list, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"),
                                     on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    objects = ScopedManager.from_queryset(VisitQuerySet)()

    scope_region = ELDER_STREETS
    scope_provider = "provider"

    class Meta:
        verbose_name = _("service visit")
        verbose_name_plural = _("service visits")
        ordering = ["-check_in_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "provider_visit_id", "version"],
                                    name="visit_version_unique"),
            models.UniqueConstraint(fields=["provider", "provider_visit_id"],
                                    condition=Q(is_current=True),
                                    name="visit_one_current_version"),
            models.CheckConstraint(condition=Q(check_out_at__gt=models.F("check_in_at")),
                                   name="visit_checks_out_after_check_in"),
            models.CheckConstraint(condition=Q(amount__gte=0) & Q(units__gte=0)
                                   & Q(unit_price__gte=0), name="visit_amounts_not_negative"),
        ]
        indexes = [
            models.Index(fields=["provider", "service_date"], name="visit_provider_date",
                         condition=Q(is_current=True)),
            models.Index(fields=["elder", "service_date"], name="visit_elder_date",
                         condition=Q(is_current=True)),
            models.Index(fields=["caregiver", "check_in_at"], name="visit_caregiver_time",
                         condition=Q(is_current=True)),
            models.Index(fields=["service_date"], name="visit_date",
                         condition=Q(is_current=True)),
            # what arrived since a settlement run: its adjustments (every version)
            models.Index(fields=["submitted_at"], name="visit_submitted_at"),
        ]
        triggers = [
            pgtrigger.ReadOnly(name="visit_immutable", exclude=["is_current"]),
            pgtrigger.Protect(name="visit_never_deleted", operation=pgtrigger.Delete),
        ]

    def __str__(self):
        return f"{self.provider_visit_id} v{self.version}"

    @property
    def duration_minutes(self) -> int:
        return int((self.check_out_at - self.check_in_at).total_seconds() // 60)


class Outcome(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class IntakeBatch(models.Model):
    """One spreadsheet or one API call: the rows that came together."""

    provider = models.ForeignKey("providers.Provider", verbose_name=_("service provider"),
                                 on_delete=models.PROTECT, related_name="intake_batches")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    filename = models.CharField(_("file"), max_length=200, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"),
                                     on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    accepted = models.PositiveIntegerField(_("accepted"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    unchanged = models.PositiveIntegerField(
        _("unchanged"), default=0, help_text=_("Rows identical to what was already submitted."))

    objects = ScopedManager()

    scope_provider = "provider"
    scope_region = "provider__region"

    class Meta:
        verbose_name = _("intake batch")
        verbose_name_plural = _("intake batches")
        ordering = ["-received_at", "-pk"]

    def __str__(self):
        return f"{self.get_channel_display()} · {self.received_at:%Y-%m-%d %H:%M}"


class VisitSubmission(models.Model):
    """Every row that arrived, accepted or not, with its reasons: nothing a
    provider sends is dropped silently. The identity number is never kept in
    ``payload`` (only its masked form)."""

    provider = models.ForeignKey("providers.Provider", verbose_name=_("service provider"),
                                 on_delete=models.PROTECT, related_name="visit_submissions")
    provider_visit_id = models.CharField(_("provider's visit id"), max_length=64)
    batch = models.ForeignKey(IntakeBatch, verbose_name=_("batch"), on_delete=models.PROTECT,
                              related_name="submissions", null=True, blank=True)
    row_number = models.PositiveIntegerField(_("row"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"),
                                     on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    payload = models.JSONField(_("as submitted"))
    payload_hash = models.CharField(max_length=64)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    reasons = models.JSONField(_("reasons"), default=list, blank=True,
                               help_text=_("[{code, field, message}] for a rejected row."))
    flags = ArrayField(models.CharField(max_length=32), verbose_name=_("flags"),
                       default=list, blank=True)
    elder = models.ForeignKey("elders.Elder", verbose_name=_("elder"), on_delete=models.PROTECT,
                              related_name="+", null=True, blank=True)
    visit = models.ForeignKey(ServiceVisit, verbose_name=_("visit"), on_delete=models.PROTECT,
                              related_name="submissions", null=True, blank=True)

    objects = ScopedManager()

    scope_provider = "provider"
    scope_region = ELDER_STREETS

    class Meta:
        verbose_name = _("visit submission")
        verbose_name_plural = _("visit submissions")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["provider", "provider_visit_id", "-received_at"],
                         name="submission_latest"),
            models.Index(fields=["provider", "outcome", "-received_at"],
                         name="submission_outcome"),
        ]
        triggers = [
            pgtrigger.Protect(name="submission_append_only",
                              operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self):
        return f"{self.provider_visit_id} · {self.get_outcome_display()}"


class ProviderApiToken(models.Model):
    """A key a provider's own system uses for the API. The key is shown once;
    only its digest is stored. It acts as a system account of the provider
    that may submit and read visits and nothing else."""

    provider = models.ForeignKey("providers.Provider", verbose_name=_("service provider"),
                                 on_delete=models.PROTECT, related_name="api_tokens")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("system account"),
                                on_delete=models.PROTECT, related_name="api_token")
    label = models.CharField(_("label"), max_length=100)
    prefix = models.CharField(_("key prefix"), max_length=12)
    key_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ScopedManager()

    scope_provider = "provider"
    scope_region = "provider__region"

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["provider", "-created_at"]

    def __str__(self):
        return f"{self.label} ({self.prefix}…)"


class FollowUpStatus(models.TextChoices):
    PENDING = "pending", _("To call")
    DONE = "done", _("Called")
    UNREACHABLE = "unreachable", _("Could not be reached")


class FollowUpOutcome(models.TextChoices):
    CONFIRMED = "confirmed", _("Service confirmed")
    NOT_RECEIVED = "not_received", _("Service not received")
    PARTLY = "partly", _("Partly received")
    COMPLAINT = "complaint", _("Complaint")


class FollowUpQuerySet(ScopedQuerySet):
    def pending(self):
        return self.filter(status=FollowUpStatus.PENDING)


@track_changes()
class FollowUp(TimeStampedModel):
    """A phone follow-up (回访) of one sampled visit by the elder's street."""

    visit = models.OneToOneField(ServiceVisit, verbose_name=_("visit"),
                                 on_delete=models.PROTECT, related_name="follow_up")
    month = models.DateField(_("month"), help_text=_("The first day of the visit's month."))
    street = models.ForeignKey("regions.Region", verbose_name=_("street office"),
                               on_delete=models.PROTECT, related_name="+")
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned to"),
                                    on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=FollowUpStatus.choices,
                              default=FollowUpStatus.PENDING)
    outcome = models.CharField(_("outcome"), max_length=16, choices=FollowUpOutcome.choices,
                               blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1–5)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)])
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("called by"),
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    note = models.TextField(_("note"), blank=True)

    objects = ScopedManager.from_queryset(FollowUpQuerySet)()

    scope_region = ("street", "visit__elder__hukou_street", "visit__elder__residence_street")

    class Meta:
        verbose_name = _("follow-up call")
        verbose_name_plural = _("follow-up calls")
        ordering = ["status", "due_on", "pk"]
        indexes = [models.Index(fields=["street", "month", "status"],
                                name="followup_street_month")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | ~Q(outcome=""),
                name="followup_done_has_outcome"),
        ]

    def __str__(self):
        return f"{self.visit} · {self.get_status_display()}"


class VisitDraft(TimeStampedModel):
    """A visit under way on a caregiver's phone: checked in, perhaps checked
    out, not yet submitted. Submitting runs it through ``intake.submit`` like
    every other channel; only then does it become a ``ServiceVisit``."""

    provider = models.ForeignKey("providers.Provider", verbose_name=_("service provider"),
                                 on_delete=models.PROTECT, related_name="visit_drafts")
    provider_visit_id = models.CharField(_("provider's visit id"), max_length=64, unique=True)
    caregiver = models.ForeignKey("providers.StaffMember", verbose_name=_("caregiver"),
                                  on_delete=models.PROTECT, related_name="visit_drafts")
    elder = models.ForeignKey("elders.Elder", verbose_name=_("elder"), on_delete=models.PROTECT,
                              related_name="+")
    service_item = models.ForeignKey("catalogue.ServiceItem", verbose_name=_("service item"),
                                     on_delete=models.PROTECT, related_name="+")
    check_in_at = models.DateTimeField(_("checked in at"))
    check_in_method = models.CharField(_("check-in method"), max_length=8,
                                       choices=CheckMethod.choices)
    check_in_reason = models.CharField(_("reason for manual check-in"), max_length=200,
                                       blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6,
                                   null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6,
                                    null=True, blank=True)
    check_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    check_out_method = models.CharField(_("check-out method"), max_length=8,
                                        choices=CheckMethod.choices, blank=True)
    check_out_reason = models.CharField(_("reason for manual check-out"), max_length=200,
                                        blank=True)
    notes = models.TextField(_("what was done"), blank=True)
    confirmation = models.CharField(_("confirmation"), max_length=8,
                                    choices=Confirmation.choices, default=Confirmation.NONE)
    confirmed_by_name = models.CharField(_("confirmed by"), max_length=50, blank=True)
    photo = models.FileField(_("photo"), upload_to="visit-photos/drafts/", blank=True)
    last_reasons = models.JSONField(_("reasons of the last refusal"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager()

    scope_provider = "provider"

    class Meta:
        verbose_name = _("visit under way")
        verbose_name_plural = _("visits under way")
        ordering = ["-check_in_at", "-pk"]

    def __str__(self):
        return f"{self.provider_visit_id} · {self.elder.name}"
