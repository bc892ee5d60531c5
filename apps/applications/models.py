from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.applications import rules
from apps.audit.history import track_changes
from apps.core.models import ScopedManager, ScopedQuerySet, TimeStampedModel


class Kind(models.TextChoices):
    SUBSIDY = rules.Kind.SUBSIDY, _("Subsidy application")
    OWN_COST = rules.Kind.OWN_COST, _("Services at own cost")
    REASSESSMENT = rules.Kind.REASSESSMENT, _("Re-assessment request")
    OBJECTION = rules.Kind.OBJECTION, _("Objection (re-review)")


class Status(models.TextChoices):
    RECEIVED = rules.Status.RECEIVED, _("Received, awaiting initial check")
    RETURNED = rules.Status.RETURNED, _("Returned for missing materials")
    DISTRICT_VERIFICATION = rules.Status.DISTRICT_VERIFICATION, _("District verification")
    RE_REVIEW = rules.Status.RE_REVIEW, _("Under re-review")
    APPROVED = rules.Status.APPROVED, _("Approved")
    REFUSED = rules.Status.REFUSED, _("Refused")
    WITHDRAWN = rules.Status.WITHDRAWN, _("Withdrawn")


class Action(models.TextChoices):
    RECEIVE = rules.Action.RECEIVE, _("Received at the window")
    PASS_INITIAL_CHECK = rules.Action.PASS_INITIAL_CHECK, _("Initial check passed")
    RETURN_FOR_MATERIALS = rules.Action.RETURN_FOR_MATERIALS, _("Returned for materials")
    RESUBMIT = rules.Action.RESUBMIT, _("Materials resubmitted")
    WITHDRAW = rules.Action.WITHDRAW, _("Withdrawn")
    APPROVE = rules.Action.APPROVE, _("Approved")
    REFUSE = rules.Action.REFUSE, _("Refused")


class CareLevel(models.TextChoices):
    """The care-need level subsidies use (ASSESSMENT.md §0.1 item 6)."""

    NONE = "none", _("No care need (ability intact)")
    MILD = "mild", _("Mild")
    MODERATE = "moderate", _("Moderate")
    SEVERE = "severe", _("Severe (重度, including complete disability)")


class Material(models.TextChoices):
    """The documents an applicant hands in at the window."""

    APPLICATION_FORM = "application_form", _("Signed application form")
    IDENTITY_CARD = "identity_card", _("Identity card")
    HUKOU_BOOKLET = "hukou_booklet", _("Household register (hukou booklet)")
    ECONOMIC_PROOF = "economic_proof", _("Proof of economic status (低保, 低收入, 优抚 …)")
    PENSION_PROOF = "pension_proof", _("Proof of pension")
    DISABILITY_PROOF = "disability_proof", _("Medical or disability documents")
    AGENT_AUTHORISATION = "agent_authorisation", _("Agent's authorisation and identity card")
    RESIDENCE_PROOF = "residence_proof", _("Proof of residence")
    OTHER = "other", _("Other")


OPEN_STATUSES = [s.value for s in Status if rules.Status(s.value) not in rules.FINAL]


class ApplicationQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def with_clock(self):
        """Open applications whose step runs against a deadline."""
        return self.open().filter(due_date__isnull=False)


@track_changes()
class Application(TimeStampedModel):
    """An application made at a street window, walked through Art 28.

    The status changes only through ``apps.applications.services``, which
    records every step in ``Transition``.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices,
                              editable=False)
    elder = models.ForeignKey("elders.Elder", verbose_name=_("elder"),
                              on_delete=models.PROTECT, related_name="applications")
    objection_to = models.ForeignKey(
        "self", verbose_name=_("objection to"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="objections")
    agent = models.ForeignKey(
        "elders.Contact", verbose_name=_("handed in by agent"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+")

    # Routing (Art 28, 30), fixed when received.
    route_case = models.CharField(_("routing case"), max_length=20, editable=False)
    receiving_street = models.ForeignKey(
        "regions.Region", verbose_name=_("receiving street"), on_delete=models.PROTECT,
        related_name="+")
    checking_street = models.ForeignKey(
        "regions.Region", verbose_name=_("initial check by"), on_delete=models.PROTECT,
        related_name="+")
    service_street = models.ForeignKey(
        "regions.Region", verbose_name=_("service street"), on_delete=models.PROTECT,
        related_name="+")
    paying_district = models.ForeignKey(
        "regions.Region", verbose_name=_("paying district"), on_delete=models.PROTECT,
        related_name="+")
    entrustment_reference = models.CharField(
        _("entrustment agreement"), max_length=100, blank=True,
        help_text=_("Reference of the entrustment agreement (Art 30(2))."))

    received_on = models.DateField(_("received on"))
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("received by"),
                                    on_delete=models.PROTECT, related_name="+")
    materials = models.JSONField(_("materials handed in"), default=list, blank=True)
    willing_to_pay_half = models.BooleanField(
        _("willing to pay half of the cost"), default=False,
        help_text=_("Needed for the second class of subsidy (Art 26(2))."))
    notes = models.TextField(_("notes"), blank=True)

    # The open step.
    responsible_office = models.ForeignKey(
        "regions.Region", verbose_name=_("responsible office"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True)
    step_started_on = models.DateField(_("step started on"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    due_provisional = models.BooleanField(_("due date provisional"), default=False)
    flagged_on = models.DateField(_("last flagged on"), null=True, blank=True, editable=False)

    # District verification and decision.
    care_level = models.CharField(_("care-need level"), max_length=10,
                                  choices=CareLevel.choices, blank=True)
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True)
    assessment_reference = models.CharField(_("assessment reference"), max_length=100,
                                            blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decision_reason = models.TextField(_("reasons"), blank=True)
    # The eligibility check as decided: every criterion with met/missed and
    # its reason, as shown to the district and written to the applicant.
    eligibility = models.JSONField(_("eligibility check"), default=dict, blank=True,
                                   editable=False)

    objects = ScopedManager.from_queryset(ApplicationQuerySet)()

    scope_region = ("receiving_street", "checking_street", "service_street")

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-received_on", "-pk"]
        indexes = [
            models.Index(fields=["status", "due_date"], name="application_queue"),
        ]
        constraints = [
            # One open application of a kind per elder: a second visit to the
            # window continues the first instead of starting a duplicate.
            models.UniqueConstraint(
                fields=["elder", "kind"], condition=Q(status__in=OPEN_STATUSES),
                name="application_one_open_per_kind"),
            models.CheckConstraint(
                condition=Q(kind="objection", objection_to__isnull=False)
                | (~Q(kind="objection") & Q(objection_to__isnull=True)),
                name="application_objection_has_target"),
        ]
        permissions = [
            ("receive_application", _("Can receive an application at the window")),
            ("check_application", _("Can record the street's initial check")),
            ("decide_application", _("Can verify and decide an application")),
        ]

    def __str__(self):
        return f"{self.reference} {self.get_kind_display()} · {self.elder.name}"

    @property
    def reference(self) -> str:
        return f"{self.received_on:%Y}-{self.pk:06d}" if self.pk else ""

    @property
    def audit_label(self) -> str:
        return f"{self.reference} {self.elder.name}"

    @property
    def audit_region(self):
        return self.receiving_street

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def allowed_actions(self) -> list[str]:
        return [a.value for a in rules.allowed_actions(rules.Kind(self.kind),
                                                       rules.Status(self.status))]


class Transition(models.Model):
    """One step of an application: who, when, from what to what, and why."""

    application = models.ForeignKey(Application, verbose_name=_("application"),
                                    on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(_("action"), max_length=24, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=24, choices=Status.choices,
                                   blank=True)
    to_status = models.CharField(_("to"), max_length=24, choices=Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"),
                              on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    effective_on = models.DateField(_("effective on"))
    reason = models.TextField(_("reason"), blank=True)
    due_date = models.DateField(_("next step due"), null=True, blank=True)

    objects = ScopedManager()

    scope_region = tuple(f"application__{p}" for p in Application.scope_region)

    class Meta:
        verbose_name = _("application step")
        verbose_name_plural = _("application steps")
        ordering = ["application", "at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} {self.effective_on}"


class DocumentKind(models.TextChoices):
    IDENTITY_CARD = "identity_card", _("Identity card")
    HUKOU_BOOKLET = "hukou_booklet", _("Household register (hukou booklet)")
    ECONOMIC_PROOF = "economic_proof", _("Proof of economic status")
    PENSION_PROOF = "pension_proof", _("Proof of pension")
    MEDICAL = "medical", _("Medical or disability documents")
    AGENT_AUTHORISATION = "agent_authorisation", _("Agent's authorisation")
    ENTRUSTMENT = "entrustment", _("Entrustment agreement")
    PHOTO = "photo", _("Photo")
    OTHER = "other", _("Other")


def _document_path(instance, filename):
    # The stored name is random: the original name may carry personal data
    # and is kept in the row only.
    return f"applications/{instance.application_id}/{instance.token}{instance.extension}"


@track_changes(exclude=["file"])
class Document(models.Model):
    """A scan or photo attached to an application, kept outside the web root
    and served only through a scoped view."""

    application = models.ForeignKey(Application, verbose_name=_("application"),
                                    on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("document"), max_length=24, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to=_document_path, max_length=200)
    token = models.CharField(max_length=32, editable=False)
    extension = models.CharField(max_length=8, editable=False)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
                                    on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = ScopedManager()

    scope_region = tuple(f"application__{p}" for p in Application.scope_region)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["application", "uploaded_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.original_name}"

    @property
    def audit_label(self) -> str:
        return f"{self.application.audit_label} · {self.get_kind_display()}"

    @property
    def audit_region(self):
        return self.application.receiving_street
