"""The monthly settlement of a district (Art 27, 29, 24, 33; DOMAIN.md §7).

A ``SettlementRun`` is a business object: draft → computed → reviewed by
district staff → approved by a finance officer who is not the reviewer →
paid. One run per district and month. Once approved, the database refuses
any change to the run's figures, to its provider settlements and to its
lines (triggers, not only views): a visit that arrives or is corrected later
goes into the adjustment section of a later month's run.

``ProviderSettlement`` rows are also the work items the worker claims, one
per provider; ``SettlementLine`` holds one row per visit counted, written in
bulk by SQL.
"""

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from apps.audit.history import track_changes
from apps.core.models import ScopedManager, TimeStampedModel

MONEY = {"max_digits": 14, "decimal_places": 2, "default": 0}
CLOSED = ("approved", "paid")


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COMPUTED = "computed", _("Computed")
    REVIEWED = "reviewed", _("Reviewed")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")


# A run's totals, written by its computation (zero while it is computed).
RUN_TOTALS = ("visits", "elders", "cost", "subsidy", "elder_pays", "bonus", "assessment_fees",
              "adjustments", "withheld", "payable", "city_share", "district_share")
# The figures of a run; only the payment may be added once it is approved.
RUN_FIGURES = ("district_id", "month", *RUN_TOTALS, "reviewed_by_id", "approved_by_id",
               "approved_at")
_FIGURES_UNCHANGED = " AND ".join(f'NEW."{name}" IS NOT DISTINCT FROM OLD."{name}"'
                                  for name in RUN_FIGURES)

# The rows of a run are frozen with it. Statement-level triggers over the
# transition tables check each statement once, not each row: a month's lines
# are written and rewritten by the hundred thousand.
_REFUSE_ROWS_OF_A_CLOSED_RUN = f"""
BEGIN
    IF EXISTS (SELECT 1 FROM {{rows}} t JOIN settlement_settlementrun r ON r.id = t.run_id
               WHERE r.status IN {CLOSED!r}) THEN
        RAISE EXCEPTION 'an approved settlement run''s rows cannot change';
    END IF;
    RETURN NULL;
END;
"""


def _frozen_with_the_run(prefix: str) -> list[pgtrigger.Trigger]:
    def trigger(name, operation, referencing, rows):
        return pgtrigger.Trigger(
            name=f"{prefix}_{name}", level=pgtrigger.Statement, when=pgtrigger.After,
            operation=operation, referencing=referencing,
            func=_REFUSE_ROWS_OF_A_CLOSED_RUN.format(rows=rows))

    return [
        trigger("insert", pgtrigger.Insert, pgtrigger.Referencing(new="new_rows"),
                "new_rows"),
        # an update may neither touch a closed run's row nor move a row into one
        trigger("update", pgtrigger.Update,
                pgtrigger.Referencing(old="old_rows", new="new_rows"),
                "(SELECT run_id FROM old_rows UNION ALL SELECT run_id FROM new_rows)"),
        trigger("delete", pgtrigger.Delete, pgtrigger.Referencing(old="old_rows"),
                "old_rows"),
    ]


@track_changes()
class SettlementRun(TimeStampedModel):
    district = models.ForeignKey("regions.Region", verbose_name=_("district"),
                                 on_delete=models.PROTECT, related_name="settlement_runs")
    month = models.DateField(_("month"), help_text=_("The first day of the month settled."))
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices,
                              default=RunStatus.DRAFT)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("started by"),
                                     on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    # Each computation (and each reset to draft) takes the next number; the
    # totals are written only by the computation holding the current one.
    computation = models.PositiveIntegerField(_("computation"), default=0, editable=False)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"),
                                    on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"),
                                    on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)

    visits = models.PositiveIntegerField(_("visits"), default=0)
    elders = models.PositiveIntegerField(_("elders"), default=0)
    cost = models.DecimalField(_("cost of the services"), **MONEY)
    subsidy = models.DecimalField(_("subsidy"), **MONEY)
    elder_pays = models.DecimalField(_("paid by the elders"), **MONEY)
    bonus = models.DecimalField(_("performance subsidy"), **MONEY)
    assessment_fees = models.DecimalField(_("assessment fees"), **MONEY)
    adjustments = models.DecimalField(_("adjustments"), **MONEY)
    withheld = models.DecimalField(_("withheld for confirmed findings"), **MONEY)
    payable = models.DecimalField(_("payable"), **MONEY)
    city_share = models.DecimalField(_("city's share"), **MONEY)
    district_share = models.DecimalField(_("district's share"), **MONEY)

    objects = ScopedManager()

    scope_region = "district"

    class Meta:
        verbose_name = _("settlement run")
        verbose_name_plural = _("settlement runs")
        ordering = ["-month", "district"]
        constraints = [
            models.UniqueConstraint(fields=["district", "month"],
                                    name="one_settlement_run_per_district_and_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="settlement_month_first_day"),
            # maker-checker: whoever reviewed may not approve
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | Q(reviewed_by__isnull=True)
                | ~Q(approved_by=F("reviewed_by")),
                name="settlement_approver_is_not_the_reviewer"),
            models.CheckConstraint(
                condition=~Q(status__in=CLOSED) | (Q(approved_by__isnull=False)
                                                   & Q(reviewed_by__isnull=False)),
                name="settlement_approved_after_review"),
            models.CheckConstraint(
                condition=~Q(status="paid") | (Q(paid_on__isnull=False)
                                               & ~Q(payment_reference="")),
                name="settlement_paid_with_reference"),
        ]
        permissions = [
            ("review_settlementrun", _("Can review a settlement run")),
            ("approve_settlementrun", _("Can approve a settlement run")),
            ("record_payment_settlementrun", _("Can record the payment of a settlement run")),
        ]
        triggers = [
            # An approved run never changes, except that a payment is recorded on it.
            pgtrigger.Protect(
                name="approved_run_is_frozen", operation=pgtrigger.Update,
                condition=pgtrigger.Condition(
                    f"OLD.status IN {CLOSED!r} AND NOT (OLD.status = 'approved' "
                    f"AND NEW.status = 'paid' AND {_FIGURES_UNCHANGED})")),
            pgtrigger.Protect(name="approved_run_never_deleted", operation=pgtrigger.Delete,
                              condition=pgtrigger.Condition(f"OLD.status IN {CLOSED!r}")),
        ]

    def __str__(self):
        return f"{self.district.name} · {self.month:%Y-%m}"

    @property
    def audit_label(self) -> str:
        return str(self)

    @property
    def audit_region(self):
        return self.district

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    CLAIMED = "claimed", _("Being computed")
    DONE = "done", _("Done")


class ProviderSettlement(models.Model):
    """One provider's part of a run: the worker's unit of work (claimed from
    the database) and the provider's totals for its statement."""

    run = models.ForeignKey(SettlementRun, verbose_name=_("settlement run"),
                            on_delete=models.CASCADE, related_name="providers")
    provider = models.ForeignKey("providers.Provider", verbose_name=_("service provider"),
                                 on_delete=models.PROTECT, related_name="settlements")
    status = models.CharField(_("status"), max_length=10, choices=ItemStatus.choices,
                              default=ItemStatus.PENDING)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # the run's computation that created the item: a reset of the run to
    # draft makes it stale, and the run is not totalled from stale items
    computation = models.PositiveIntegerField(_("computation"), default=0, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    visits = models.PositiveIntegerField(_("visits"), default=0)
    elders = models.PositiveIntegerField(_("elders"), default=0)
    cost = models.DecimalField(_("cost of the services"), **MONEY)
    subsidy = models.DecimalField(_("subsidy"), **MONEY)
    elder_pays = models.DecimalField(_("paid by the elders"), **MONEY)
    bonus_visits = models.PositiveIntegerField(_("visits earning the performance subsidy"),
                                               default=0)
    bonus = models.DecimalField(_("performance subsidy"), **MONEY)
    adjustments = models.DecimalField(_("adjustments"), **MONEY)
    withheld = models.DecimalField(_("withheld for confirmed findings"), **MONEY)
    payable = models.DecimalField(_("payable"), **MONEY)

    objects = ScopedManager()

    scope_region = "run__district"
    scope_provider = "provider"

    class Meta:
        verbose_name = _("provider settlement")
        verbose_name_plural = _("provider settlements")
        ordering = ["run", "provider"]
        constraints = [
            models.UniqueConstraint(fields=["run", "provider"],
                                    name="one_provider_settlement_per_run"),
        ]
        triggers = _frozen_with_the_run("provider_settlement_frozen")

    def __str__(self):
        return f"{self.run} · {self.provider}"


class SettlementLine(models.Model):
    """One visit counted in a run, with its split; written in bulk by SQL.
    A visit of an earlier month (late or corrected after that month's run
    was approved) is an adjustment line."""

    # A city month writes a million lines. The composite and unique indexes
    # below serve every read but the audit's by visit, so the other
    # single-column ones are not built; and the elder and visit keys are not
    # checked by the database (each check
    # locks the elder's or visit's row, half the time of writing the lines:
    # README, "Settlement of a city month"): the lines are written only by
    # SQL selecting existing visits, and visits and elders are never deleted.
    run = models.ForeignKey(SettlementRun, verbose_name=_("settlement run"),
                            on_delete=models.CASCADE, related_name="lines", db_index=False)
    provider = models.ForeignKey("providers.Provider", verbose_name=_("service provider"),
                                 on_delete=models.PROTECT, related_name="+", db_index=False)
    elder = models.ForeignKey("elders.Elder", verbose_name=_("elder"), on_delete=models.PROTECT,
                              related_name="+", db_index=False, db_constraint=False)
    visit = models.ForeignKey("visits.ServiceVisit", verbose_name=_("visit"),
                              on_delete=models.PROTECT, related_name="settlement_lines",
                              db_constraint=False)
    service_month = models.DateField(_("month of the service"))
    is_adjustment = models.BooleanField(_("adjustment"), default=False)
    cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=2)
    covered = models.DecimalField(_("covered by the plan"), max_digits=12, decimal_places=2)
    subsidy = models.DecimalField(_("subsidy"), max_digits=12, decimal_places=2)
    elder_pays = models.DecimalField(_("paid by the elder"), max_digits=12, decimal_places=2)
    bonus = models.DecimalField(_("performance subsidy"), max_digits=8, decimal_places=2)

    objects = ScopedManager()

    scope_region = "run__district"
    scope_provider = "provider"

    class Meta:
        verbose_name = _("settlement line")
        verbose_name_plural = _("settlement lines")
        ordering = ["run", "provider", "elder", "visit"]
        constraints = [
            models.UniqueConstraint(fields=["run", "visit"], name="visit_counted_once_per_run"),
            # an adjustment line is a difference and may be negative
            models.CheckConstraint(condition=Q(is_adjustment=True)
                                   | (Q(subsidy__gte=0) & Q(elder_pays__gte=0)
                                      & Q(bonus__gte=0)),
                                   name="settlement_line_not_negative"),
        ]
        indexes = [
            models.Index(fields=["run", "provider"], name="settlement_line_provider"),
            models.Index(fields=["run", "elder"], name="settlement_line_elder"),
        ]
        triggers = _frozen_with_the_run("settlement_line_frozen")

    def __str__(self):
        return f"{self.run} · {self.visit_id}"


class AssessmentFeeLine(models.Model):
    """An issued assessment fee statement (Art 21) the run pays: the
    district's part of the fees of one assessment body for one month."""

    run = models.ForeignKey(SettlementRun, verbose_name=_("settlement run"),
                            on_delete=models.CASCADE, related_name="fee_lines")
    statement = models.ForeignKey("assessments.FeeStatement",
                                  verbose_name=_("assessment fee statement"),
                                  on_delete=models.PROTECT, related_name="settlement_lines")
    body = models.ForeignKey("assessments.AssessmentBody", verbose_name=_("assessment body"),
                             on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month of the assessments"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)

    objects = ScopedManager()

    scope_region = "run__district"

    class Meta:
        verbose_name = _("assessment fee line")
        verbose_name_plural = _("assessment fee lines")
        ordering = ["run", "month", "body"]
        constraints = [
            models.UniqueConstraint(fields=["run", "statement"],
                                    name="fee_statement_paid_once_per_run"),
        ]
        triggers = _frozen_with_the_run("assessment_fee_line_frozen")

    def __str__(self):
        return f"{self.run} · {self.statement}"


class Withholding(models.Model):
    """The amount of a confirmed audit finding withheld (or recovered) from a
    provider in a run (issue 7 §6): taken once, by the first run that closes
    after the finding was confirmed."""

    run = models.ForeignKey(SettlementRun, verbose_name=_("settlement run"),
                            on_delete=models.CASCADE, related_name="withholdings")
    provider = models.ForeignKey("providers.Provider", verbose_name=_("service provider"),
                                 on_delete=models.PROTECT, related_name="+")
    finding = models.ForeignKey("findings.Finding", verbose_name=_("audit finding"),
                                on_delete=models.PROTECT, related_name="withholdings")
    amount = models.DecimalField(_("amount withheld"), max_digits=12, decimal_places=2)

    objects = ScopedManager()

    scope_region = "run__district"
    scope_provider = "provider"

    class Meta:
        verbose_name = _("withholding")
        verbose_name_plural = _("withholdings")
        ordering = ["run", "provider", "finding"]
        constraints = [
            models.UniqueConstraint(fields=["run", "finding"],
                                    name="finding_withheld_once_per_run"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="withholding_positive"),
        ]
        triggers = _frozen_with_the_run("withholding_frozen")

    def __str__(self):
        return f"{self.run} · {self.finding_id}"


class DocumentKind(models.TextChoices):
    PROVIDER_STATEMENT = "provider", _("Provider statement")
    DISTRICT_SUMMARY = "district", _("District summary")
    ELDER_DETAIL = "elders", _("Elder-level detail")


class SettlementDocument(models.Model):
    """A statement of a run rendered on the worker (``pdf`` queue) and stored
    with its checksum; downloaded from the run's page with no-store caching.
    ``run_status`` is the run's status when it was rendered: a copy made
    before approval is marked as a draft on its face."""

    run = models.ForeignKey(SettlementRun, verbose_name=_("settlement run"),
                            on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=10, choices=DocumentKind.choices)
    provider = models.ForeignKey("providers.Provider", verbose_name=_("service provider"),
                                 on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    file = models.FileField(_("file"), upload_to="settlement/%Y/%m/", max_length=200)
    sha256 = models.CharField(_("checksum (SHA-256)"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"))
    run_status = models.CharField(_("status of the run"), max_length=10,
                                  choices=RunStatus.choices)
    generated_at = models.DateTimeField(_("generated at"))

    objects = ScopedManager()

    scope_region = "run__district"
    scope_provider = "provider"

    class Meta:
        verbose_name = _("settlement document")
        verbose_name_plural = _("settlement documents")
        ordering = ["run", "kind", "provider"]
        constraints = [
            models.UniqueConstraint(fields=["run", "kind", "provider"],
                                    condition=Q(provider__isnull=False),
                                    name="one_document_per_run_kind_provider"),
            models.UniqueConstraint(fields=["run", "kind"], condition=Q(provider__isnull=True),
                                    name="one_document_per_run_kind"),
            models.CheckConstraint(condition=(Q(kind="provider") & Q(provider__isnull=False))
                                   | (~Q(kind="provider") & Q(provider__isnull=True)),
                                   name="settlement_document_provider_iff_statement"),
        ]

    def __str__(self):
        return f"{self.run} · {self.get_kind_display()}"


@track_changes()
class CityAdvance(TimeStampedModel):
    """The city's share of a year's subsidy funds advanced to a district at
    the start of the year (Art 33), cleared against actual spending early in
    the next year."""

    district = models.ForeignKey("regions.Region", verbose_name=_("district"),
                                 on_delete=models.PROTECT, related_name="city_advances")
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount advanced"), max_digits=14, decimal_places=2)
    paid_on = models.DateField(_("advanced on"))
    reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")

    objects = ScopedManager()

    scope_region = "district"

    class Meta:
        verbose_name = _("city advance")
        verbose_name_plural = _("city advances")
        ordering = ["-year", "district"]
        constraints = [
            models.UniqueConstraint(fields=["district", "year"],
                                    name="one_city_advance_per_district_and_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="city_advance_not_negative"),
        ]

    def __str__(self):
        return f"{self.district.name} · {self.year}"

    @property
    def audit_label(self) -> str:
        return str(self)

    @property
    def audit_region(self):
        return self.district


@track_changes()
class FundingReconciliation(models.Model):
    """A district's year cleared against the city's advance (Art 33),
    confirmed by city staff once every month of the year is closed: the
    figures as they stood then, frozen (the database refuses any change).
    ``balance`` is the city's share less the advance: above zero the city
    owes the district the difference, below zero the district returns it."""

    district = models.ForeignKey("regions.Region", verbose_name=_("district"),
                                 on_delete=models.PROTECT,
                                 related_name="funding_reconciliations")
    year = models.PositiveSmallIntegerField(_("year"))
    advance = models.DecimalField(_("amount advanced"), max_digits=14, decimal_places=2)
    spending = models.DecimalField(_("actual spending"), max_digits=14, decimal_places=2)
    city_share = models.DecimalField(_("city's share"), max_digits=14, decimal_places=2)
    district_share = models.DecimalField(_("district's share"), max_digits=14,
                                         decimal_places=2)
    balance = models.DecimalField(_("balance"), max_digits=14, decimal_places=2)
    ratios = models.CharField(_("city:district ratios"), max_length=200)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"),
                                     on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed at"))

    objects = ScopedManager()

    scope_region = "district"

    class Meta:
        verbose_name = _("funding reconciliation")
        verbose_name_plural = _("funding reconciliations")
        ordering = ["-year", "district"]
        constraints = [
            models.UniqueConstraint(fields=["district", "year"],
                                    name="one_funding_reconciliation_per_district_and_year"),
            models.CheckConstraint(condition=Q(spending=F("city_share") + F("district_share")),
                                   name="funding_reconciliation_shares_add_up"),
            models.CheckConstraint(condition=Q(balance=F("city_share") - F("advance")),
                                   name="funding_reconciliation_balance"),
            models.CheckConstraint(condition=Q(advance__gte=0),
                                   name="funding_reconciliation_advance_not_negative"),
        ]
        triggers = [
            pgtrigger.Protect(name="funding_reconciliation_is_final",
                              operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self):
        return f"{self.district.name} · {self.year}"

    @property
    def audit_label(self) -> str:
        return str(self)

    @property
    def audit_region(self):
        return self.district
