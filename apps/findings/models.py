"""Audit findings: something in the records that may mean money was paid for
a service not given (DOMAIN.md §5, §7).

A finding names the rule it comes from, the evidence and the amount at
stake. Issue 6 raises one when a follow-up call finds a service was not
received; the monthly audit job (``apps.findings.audit``) adds its own
rules. District staff confirm a finding (the amount is withheld or
recovered in the next settlement run) or dismiss it with a reason.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.audit.history import track_changes
from apps.core.models import ScopedManager, TimeStampedModel


class FindingRule(models.TextChoices):
    """The rules of the audit (issue 7 §6), in the order the audit runs them."""

    AFTER_DEATH = "after_death", _("Visit after the elder's death")
    AFTER_TERMINATION = "after_termination", _("Visit after the entitlement ended")
    AFTER_MOVING_AWAY = "after_moving_away", _("Visit after the elder moved away")
    IN_HOSPITAL_OR_INSTITUTION = "in_hospital_or_institution", _(
        "Visit while the elder was in hospital or an institution")
    CAREGIVER_OVERLAP = "caregiver_overlap", _("Caregiver in two places at once")
    SHORTER_THAN_BILLED = "shorter_than_billed", _("Visit shorter than billed")
    FAR_FROM_ADDRESS = "far_from_address", _("Visit far from the registered address")
    PHOTO_REUSED = "photo_reused", _("The same photo used for another visit")
    BEYOND_PLAN = "beyond_plan", _("Billed beyond the service plan")
    BARRED_OR_NO_CONTRACT = "barred_or_no_contract", _(
        "Billed while barred or without a contract")
    FOLLOWUP_NOT_RECEIVED = "followup_not_received", _("Follow-up: service not received")
    VOLUME_ABOVE_MEDIAN = "volume_above_median", _(
        "Provider's volume far above its three-month median")
    CASELOAD_ABOVE_RATIO = "caseload_above_ratio", _("Care manager's caseload above the ratio")
    NURSE_RATIO_BELOW = "nurse_ratio_below", _("Provider's nursing staff below the ratio")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")


@track_changes()
class Finding(TimeStampedModel):
    rule = models.CharField(_("rule"), max_length=40, choices=FindingRule.choices)
    # What raised it, so that raising it again (a re-run) adds nothing.
    source_key = models.CharField(_("source"), max_length=100)
    district = models.ForeignKey("regions.Region", verbose_name=_("district"),
                                 on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"), help_text=_("The first day of the month concerned."))
    provider = models.ForeignKey("providers.Provider", verbose_name=_("service provider"),
                                 on_delete=models.PROTECT, related_name="findings",
                                 null=True, blank=True)
    elder = models.ForeignKey("elders.Elder", verbose_name=_("elder"), on_delete=models.PROTECT,
                              related_name="findings", null=True, blank=True)
    visit = models.ForeignKey("visits.ServiceVisit", verbose_name=_("visit"),
                              on_delete=models.PROTECT, related_name="findings",
                              null=True, blank=True)
    summary = models.CharField(_("summary"), max_length=300)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    amount = models.DecimalField(_("amount at stake"), max_digits=12, decimal_places=2,
                                 default=0)
    status = models.CharField(_("status"), max_length=10, choices=FindingStatus.choices,
                              default=FindingStatus.OPEN)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)

    objects = ScopedManager()

    scope_region = ("district", "elder__hukou_street", "elder__residence_street")

    class Meta:
        verbose_name = _("audit finding")
        verbose_name_plural = _("audit findings")
        ordering = ["status", "-month", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "source_key"], name="finding_raised_once"),
        ]
        indexes = [models.Index(fields=["district", "month", "status"],
                                name="finding_district_month")]
        permissions = [
            ("decide_finding", _("Can confirm or dismiss an audit finding")),
            ("run_audit", _("Can run the audit on demand")),
        ]

    def __str__(self):
        return f"{self.get_rule_display()} · {self.summary}"

    @property
    def headline(self) -> str:
        """The summary in the reader's language, from the rule and the
        evidence; the stored summary where the evidence cannot tell it."""
        from apps.findings.evidence import describe

        return describe(self.rule, self.evidence or {}) or self.summary

    @property
    def is_open(self) -> bool:
        return self.status == FindingStatus.OPEN

    @property
    def audit_label(self) -> str:
        return str(self)

    @property
    def audit_region(self):
        return self.district
