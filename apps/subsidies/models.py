from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.applications.models import CareLevel
from apps.audit.history import track_changes
from apps.core.models import ScopedManager, ScopedQuerySet, TimeStampedModel
from apps.subsidies import rules


class SubsidyClass(models.TextChoices):
    CLASS_1 = rules.SubsidyClass.CLASS_1, _("Class 1")
    CLASS_2 = rules.SubsidyClass.CLASS_2, _("Class 2 (elder pays half)")
    OWN_COST = rules.OWN_COST, _("Services at own cost")


class EntitlementStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Cancelled (fraud)")


class EndReason(models.TextChoices):
    DECEASED = "deceased", _("Death")
    MOVED_AWAY = "moved_away", _("Moved away")
    IN_INSTITUTION = "in_institution", _("Moved into a care institution")
    MOVED = "moved", _("Moved to another street")
    REASSESSED = "reassessed", _("New care-need level")
    CIRCUMSTANCES = "circumstances", _("Change of income or household")
    FRAUD = "fraud", _("Fraud (Art 36)")


class EntitlementQuerySet(ScopedQuerySet):
    def in_force_during(self, month_start: date, month_end: date):
        """Entitlements that cover some day of [month_start, month_end]."""
        return self.filter(valid_from__lte=month_end).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=month_start))

    def current(self):
        return self.filter(status=EntitlementStatus.ACTIVE, valid_until__isnull=True)

    def serving(self, elder, first: date, last: date | None = None):
        """The elder's entitlement in force on ``first`` (or during
        [first, last]), not cancelled, own-cost services included; one ending
        at a month's end still serves that month (Art 32), and since a change
        takes effect from a first of the month there is one a month."""
        return (self.filter(elder=elder).exclude(status=EntitlementStatus.CANCELLED)
                .in_force_during(first, last or first).order_by("-valid_from", "-pk").first())

    def subsidised(self):
        """Current entitlements the public purse pays (资助对象), not services
        at the elder's own cost."""
        return self.current().exclude(subsidy_class=SubsidyClass.OWN_COST)


@track_changes()
class Entitlement(TimeStampedModel):
    """What an approved elder receives each month; settlement reads it.

    Never edited in place: a change of circumstances ends this row at the end
    of the month of the change and starts a successor on the first of the
    next (Art 32), so the history is the chain of rows.
    """

    elder = models.ForeignKey("elders.Elder", verbose_name=_("elder"),
                              on_delete=models.PROTECT, related_name="entitlements")
    application = models.ForeignKey(
        "applications.Application", verbose_name=_("granted by"), on_delete=models.PROTECT,
        related_name="entitlements", null=True, blank=True)
    predecessor = models.OneToOneField(
        "self", verbose_name=_("replaces"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="successor")
    subsidy_class = models.CharField(_("class"), max_length=10, choices=SubsidyClass.choices)
    care_level = models.CharField(_("care-need level"), max_length=10,
                                  choices=CareLevel.choices)
    monthly_amount = models.DecimalField(
        _("monthly amount"), max_digits=10, decimal_places=2,
        help_text=_("Class 1: the monthly subsidy; class 2: the monthly cap."))
    nursing_supplement = models.DecimalField(_("nursing supplement"), max_digits=10,
                                             decimal_places=2, default=0)
    elder_share = models.DecimalField(
        _("elder's share"), max_digits=4, decimal_places=3, default=0,
        help_text=_("Share of the cost the elder pays (class 2: one half)."))
    service_street = models.ForeignKey(
        "regions.Region", verbose_name=_("service street"), on_delete=models.PROTECT,
        related_name="+")
    paying_district = models.ForeignKey(
        "regions.Region", verbose_name=_("paying district"), on_delete=models.PROTECT,
        related_name="+")
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=EntitlementStatus.choices,
                              default=EntitlementStatus.ACTIVE)
    end_reason = models.CharField(_("end reason"), max_length=16, choices=EndReason.choices,
                                  blank=True)
    end_note = models.TextField(_("note"), blank=True)
    criteria = models.JSONField(_("criteria met"), default=list, blank=True)

    # Art 36: cancellation for fraud, with the amount to recover.
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("cancelled by"),
                                     on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    recovery_amount = models.DecimalField(_("amount to recover"), max_digits=12,
                                          decimal_places=2, null=True, blank=True)

    objects = ScopedManager.from_queryset(EntitlementQuerySet)()

    scope_region = ("service_street", "elder__hukou_street", "elder__residence_street")

    class Meta:
        verbose_name = _("entitlement")
        verbose_name_plural = _("entitlements")
        ordering = ["elder", "-valid_from", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["elder"], condition=Q(status="active", valid_until__isnull=True),
                name="entitlement_one_current_per_elder"),
            models.CheckConstraint(condition=Q(valid_from__day=1),
                                   name="entitlement_starts_on_first_of_month"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F(
                    "valid_from")) | Q(status="cancelled"),
                name="entitlement_period_ordered"),
            models.CheckConstraint(condition=Q(monthly_amount__gte=0)
                                   & Q(elder_share__gte=0) & Q(elder_share__lte=1),
                                   name="entitlement_amounts_sane"),
        ]
        permissions = [
            ("cancel_entitlement", _("Can cancel an entitlement for fraud")),
        ]

    def __str__(self):
        return f"{self.elder.name} · {self.get_subsidy_class_display()} · {self.monthly_amount}"

    @property
    def audit_label(self) -> str:
        return f"{self.elder.name} · {self.get_subsidy_class_display()}"

    @property
    def audit_region(self):
        return self.service_street

    def as_rule(self) -> rules.Entitlement | None:
        """What the subsidy rules read; None for services at own cost."""
        return rules.as_entitlement(self.subsidy_class, self.monthly_amount,
                                    self.nursing_supplement, self.elder_share)
