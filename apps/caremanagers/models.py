"""Care managers (养老管理员, Art 5) employed by a street, and which elders
each one looks after (``CaseAssignment``, one open at a time per elder)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from apps.audit.history import track_changes
from apps.caremanagers import rules
from apps.core.models import ScopedManager, TimeStampedModel
from apps.core.scoping import ScopedQuerySet
from apps.regions.models import RegionKind


class Qualification(models.TextChoices):
    NONE = rules.NONE, _("None")
    JUNIOR = rules.JUNIOR, _("Junior social worker (助理社会工作师)")
    INTERMEDIATE = rules.INTERMEDIATE, _("Social worker (社会工作师)")
    SENIOR = rules.SENIOR, _("Senior social worker (高级社会工作师)")


class CareManagerQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(active=True)

    def qualified(self):
        return self.filter(qualification__in=rules.QUALIFIED)

    def with_caseload(self):
        """Annotate ``caseload``: the elders on each one's books now (open
        assignments). For an inactive care manager these are elders waiting
        to be reassigned: the staffing counts them as unassigned
        (``queries.with_staffing``)."""
        return self.annotate(caseload=Count("assignments", filter=Q(
            assignments__ends_on__isnull=True)))


@track_changes()
class CareManager(TimeStampedModel):
    street = models.ForeignKey("regions.Region", verbose_name=_("street"),
                               on_delete=models.PROTECT, related_name="care_managers",
                               limit_choices_to={"kind": RegionKind.STREET})
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user account"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="care_manager",
        help_text=_("The care manager's own login (role: care manager), if any."))
    name = models.CharField(_("name"), max_length=50)
    qualification = models.CharField(_("qualification"), max_length=16,
                                     choices=Qualification.choices, default=Qualification.NONE)
    certificate_number = models.CharField(_("certificate number"), max_length=64, blank=True)
    active = models.BooleanField(_("active"), default=True)
    since = models.DateField(_("employed since"))

    objects = ScopedManager.from_queryset(CareManagerQuerySet)()

    scope_region = "street"

    class Meta:
        verbose_name = _("care manager")
        verbose_name_plural = _("care managers")
        ordering = ["street", "name", "pk"]

    def __str__(self):
        return f"{self.name} · {self.street}"

    @property
    def audit_region(self):
        return self.street

    @property
    def is_qualified(self) -> bool:
        return rules.is_qualified(self.qualification)

    def clean(self):
        errors = {}
        if self.street_id and self.street.kind != RegionKind.STREET:
            errors["street"] = ValidationError(_("Choose a street."), code="not_a_street")
        if self.is_qualified and not self.certificate_number:
            errors["certificate_number"] = ValidationError(
                _("Give the number of the qualification certificate."),
                code="certificate_required")
        if self.user_id:
            from apps.accounts.roles import Role

            if self.user.role != Role.CARE_MANAGER or self.user.region_id != self.street_id:
                errors["user"] = ValidationError(
                    _("The account must be a care manager's account of this street."),
                    code="wrong_account")
        if errors:
            raise ValidationError(errors)


class CaseAssignmentQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(ends_on__isnull=True)


@track_changes()
class CaseAssignment(TimeStampedModel):
    """A care manager looks after an elder from ``starts_on`` to ``ends_on``
    (open while empty). A new assignment ends the previous one."""

    elder = models.ForeignKey("elders.Elder", verbose_name=_("elder"), on_delete=models.PROTECT,
                              related_name="case_assignments")
    care_manager = models.ForeignKey(CareManager, verbose_name=_("care manager"),
                                     on_delete=models.PROTECT, related_name="assignments")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)

    objects = ScopedManager.from_queryset(CaseAssignmentQuerySet)()

    scope_region = ("care_manager__street", "elder__hukou_street", "elder__residence_street")

    class Meta:
        verbose_name = _("case assignment")
        verbose_name_plural = _("case assignments")
        ordering = ["elder", "-starts_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["elder"], condition=Q(ends_on__isnull=True),
                                    name="one_open_case_assignment_per_elder"),
            models.CheckConstraint(condition=Q(ends_on__isnull=True)
                                   | Q(ends_on__gte=F("starts_on")),
                                   name="case_assignment_period_ordered"),
        ]

    def __str__(self):
        return f"{self.elder.name} · {self.care_manager.name}"

    @property
    def audit_label(self) -> str:
        return str(self)

    @property
    def audit_region(self):
        return self.care_manager.street
