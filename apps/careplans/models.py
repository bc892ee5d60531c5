"""Service plans (服务方案, Art 28(4)) and service agreements (Art 16, 17, 29).

The care manager writes a plan for an approved elder: which services, how
often, from which provider, and what the month costs against the
entitlement. The elder then signs an agreement with each chosen provider, at
the prices of the provider's contract. Visits are recorded against an
agreement (apps.visits); settlement books them against the entitlement.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.audit.history import track_changes
from apps.core.models import ScopedManager, TimeStampedModel
from apps.core.scoping import ScopedQuerySet

MONEY = {"max_digits": 10, "decimal_places": 2}
ELDER_STREETS = ("elder__hukou_street", "elder__residence_street")


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("In force")
    SUPERSEDED = "superseded", _("Superseded")
    ENDED = "ended", _("Ended")


class PlanQuerySet(ScopedQuerySet):
    def in_force_on(self, day):
        """Plans covering ``day`` (a superseded plan still covers its days)."""
        return self.filter(starts_on__lte=day).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=day))


@track_changes()
class ServicePlan(TimeStampedModel):
    """The care manager's plan for one elder (服务方案).

    Never rewritten in place once in force: a new plan supersedes it from a
    date, so what was planned for a past month stays readable.
    """

    elder = models.ForeignKey("elders.Elder", verbose_name=_("elder"), on_delete=models.PROTECT,
                              related_name="service_plans")
    entitlement = models.ForeignKey(
        "subsidies.Entitlement", verbose_name=_("entitlement"), on_delete=models.PROTECT,
        related_name="service_plans", null=True, blank=True,
        help_text=_("The entitlement in force when the plan was written."))
    care_manager = models.ForeignKey(
        "caremanagers.CareManager", verbose_name=_("care manager"), on_delete=models.PROTECT,
        related_name="service_plans", null=True, blank=True)
    starts_on = models.DateField(_("in force from"))
    ends_on = models.DateField(_("in force until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=PlanStatus.choices,
                              default=PlanStatus.ACTIVE)
    needs = models.TextField(_("needs and goals"), blank=True)
    note = models.TextField(_("note"), blank=True)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("written by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    objects = ScopedManager.from_queryset(PlanQuerySet)()

    scope_region = ELDER_STREETS

    class Meta:
        verbose_name = _("service plan")
        verbose_name_plural = _("service plans")
        ordering = ["elder", "-starts_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["elder"], condition=Q(status="active"),
                                    name="one_plan_in_force_per_elder"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="plan_period_ordered"),
        ]

    def __str__(self):
        return f"{self.elder.name} · {self.starts_on}"

    @property
    def audit_label(self) -> str:
        return str(self)

    @property
    def audit_region(self):
        return self.elder.residence_street


@track_changes()
class ServicePlanItem(TimeStampedModel):
    """One planned service: how often per month, how many units each time,
    from which provider, at what unit price (the provider's contract price)."""

    plan = models.ForeignKey(ServicePlan, verbose_name=_("service plan"),
                             on_delete=models.CASCADE, related_name="items")
    service_item = models.ForeignKey("catalogue.ServiceItem", verbose_name=_("service item"),
                                     on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("providers.Provider", verbose_name=_("service provider"),
                                 on_delete=models.PROTECT, related_name="+",
                                 null=True, blank=True)
    times_per_month = models.PositiveSmallIntegerField(
        _("times per month"), validators=[MinValueValidator(1)])
    units_per_time = models.DecimalField(
        _("units each time"), max_digits=6, decimal_places=2, default=1,
        validators=[MinValueValidator(0)],
        help_text=_("In the item's unit: hours for an hourly service, 1 for a visit."))
    unit_price = models.DecimalField(_("unit price"), **MONEY,
                                     validators=[MinValueValidator(0)])

    objects = ScopedManager()

    scope_region = tuple(f"plan__{path}" for path in ELDER_STREETS)

    class Meta:
        verbose_name = _("planned service")
        verbose_name_plural = _("planned services")
        ordering = ["plan", "service_item", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "service_item", "provider"],
                                    name="plan_item_once_per_provider"),
        ]

    def __str__(self):
        return f"{self.service_item} × {self.times_per_month}"


class AgreementStatus(models.TextChoices):
    ACTIVE = "active", _("In force")
    ENDED = "ended", _("Ended")
    REFERRED = "referred", _("Referred to another provider")


class AgreementEndReason(models.TextChoices):
    """Art 17, and the agreement simply running out or the subsidy ending."""

    INFECTIOUS_DISEASE = "infectious_disease", _("Serious infectious disease (Art 17)")
    MENTAL_ILLNESS = "mental_illness", _("Unstable mental illness (Art 17)")
    BREACH = "breach", _("Breach of the agreement (Art 17)")
    IMPOSSIBLE = "impossible", _("Objectively impossible to perform (Art 17)")
    MUTUAL_CONSENT = "mutual_consent", _("Mutual consent (Art 17)")
    EXPIRED = "expired", _("Term ran out")
    ENTITLEMENT_ENDED = "entitlement_ended", _("The elder's entitlement ended")


# Art 17: on these the street notifies the family to arrange hospital care.
FAMILY_NOTICE_REASONS = frozenset({AgreementEndReason.INFECTIOUS_DISEASE,
                                   AgreementEndReason.MENTAL_ILLNESS})


class AgreementQuerySet(ScopedQuerySet):
    def in_force_on(self, day):
        """Agreements under which a service on ``day`` may be recorded."""
        return self.filter(starts_on__lte=day).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=day)).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=day))


@track_changes()
class ServiceAgreement(TimeStampedModel):
    """The agreement an elder (or agent) signs with a provider (Art 16, 29):
    content, time, form and price of the services, from the care manager's
    plan and at the prices of the provider's contract."""

    reference = models.CharField(_("agreement number"), max_length=40, unique=True)
    elder = models.ForeignKey("elders.Elder", verbose_name=_("elder"), on_delete=models.PROTECT,
                              related_name="service_agreements")
    provider = models.ForeignKey("providers.Provider", verbose_name=_("service provider"),
                                 on_delete=models.PROTECT, related_name="service_agreements")
    contract = models.ForeignKey(
        "contracts.Contract", verbose_name=_("contract"), on_delete=models.PROTECT,
        related_name="service_agreements",
        help_text=_("The provider's contract whose prices the agreement uses."))
    plan = models.ForeignKey(ServicePlan, verbose_name=_("service plan"),
                             on_delete=models.PROTECT, related_name="agreements",
                             null=True, blank=True)
    signed_on = models.DateField(_("signed on"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True,
                               help_text=_("Empty: until ended."))
    schedule = models.TextField(_("schedule"), blank=True,
                                help_text=_("When the services are given, e.g. Tuesday and "
                                            "Thursday mornings."))
    signed_by_agent = models.BooleanField(
        _("signed by the agent"), default=False,
        help_text=_("The guardian or authorised agent signed for the elder."))
    signatory_name = models.CharField(_("signatory"), max_length=50, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=AgreementStatus.choices,
                              default=AgreementStatus.ACTIVE)
    ended_on = models.DateField(_("ended on"), null=True, blank=True,
                                help_text=_("The last day services may be given."))
    end_reason = models.CharField(_("reason for ending"), max_length=20,
                                  choices=AgreementEndReason.choices, blank=True)
    end_note = models.TextField(_("note on the ending"), blank=True)
    family_notified_on = models.DateField(
        _("family notified on"), null=True, blank=True,
        help_text=_("Art 17: the street notifies the family to arrange hospital care."))
    referred_to = models.ForeignKey(
        "providers.Provider", verbose_name=_("referred to"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("ended by"),
                                 on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    objects = ScopedManager.from_queryset(AgreementQuerySet)()

    scope_region = ELDER_STREETS
    scope_provider = "provider"

    class Meta:
        verbose_name = _("service agreement")
        verbose_name_plural = _("service agreements")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["elder", "provider"], condition=Q(status="active"),
                                    name="one_active_agreement_per_elder_and_provider"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="agreement_period_ordered"),
            models.CheckConstraint(
                condition=Q(status="active") | (Q(ended_on__isnull=False) & ~Q(end_reason="")),
                name="agreement_ending_has_date_and_reason"),
        ]
        indexes = [models.Index(fields=["provider", "elder"], name="agreement_provider_elder")]
        permissions = [("end_serviceagreement", _("Can end or refer a service agreement"))]

    def __str__(self):
        return f"{self.reference} · {self.elder.name}"

    @property
    def audit_label(self) -> str:
        return str(self)

    @property
    def audit_region(self):
        return self.elder.residence_street


@track_changes()
class AgreementItem(TimeStampedModel):
    """A service of the agreement, at the contract's price."""

    agreement = models.ForeignKey(ServiceAgreement, verbose_name=_("service agreement"),
                                  on_delete=models.CASCADE, related_name="items")
    service_item = models.ForeignKey("catalogue.ServiceItem", verbose_name=_("service item"),
                                     on_delete=models.PROTECT, related_name="+")
    unit_price = models.DecimalField(_("unit price"), **MONEY,
                                     validators=[MinValueValidator(0)])
    times_per_month = models.PositiveSmallIntegerField(
        _("times per month"), null=True, blank=True,
        help_text=_("As agreed; empty when given on demand."))

    objects = ScopedManager()

    scope_region = tuple(f"agreement__{path}" for path in ELDER_STREETS)
    scope_provider = "agreement__provider"

    class Meta:
        verbose_name = _("agreed service")
        verbose_name_plural = _("agreed services")
        ordering = ["agreement", "service_item"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "service_item"],
                                    name="agreement_item_once"),
        ]

    def __str__(self):
        return f"{self.service_item} · {self.unit_price}"
