"""Purchased-service contracts (Art 14, 19, 25) and three-party carer
agreements (Art 31).

A district or street buys services from a provider for an area, for at most
``contract.max_years`` years, at prices set against the city guide prices.
The yearly renewal within the term follows the evaluation; a provider that
stays unqualified loses its contracts and is barred from tenders
(``TenderBar``). Where no provider covers an elder's street, a relative or
neighbour may serve under an agreement with the street office.
"""

from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.audit.history import track_changes
from apps.contracts import rules
from apps.core.crypto import EncryptedCharField
from apps.core.models import ScopedManager, TimeStampedModel
from apps.core.scoping import ScopedQuerySet

MONEY = {"max_digits": 10, "decimal_places": 2}


class ContractStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")
    EXPIRED = "expired", _("Expired")


class RenewalDecision(models.TextChoices):
    CONTINUE = "continue", _("Continue")
    STOP = "stop", _("Stop")


class CarerRelationship(models.TextChoices):
    RELATIVE = "relative", _("Relative")
    NEIGHBOUR = "neighbour", _("Neighbour")


class DistinctScopedQuerySet(ScopedQuerySet):
    """Scoping through a many-to-many path (a contract's covered area)
    matches a row once per covered region; keep each row once."""

    def visible_to(self, user):
        return self.filter(pk__in=super().visible_to(user).values("pk"))


class ContractQuerySet(DistinctScopedQuerySet):
    def active_between(self, first, last):
        """Active contracts whose term overlaps ``first``..``last``."""
        return self.filter(status=ContractStatus.ACTIVE, starts_on__lte=last,
                           ends_on__gte=first)

    def covering(self, *regions):
        """Contracts whose covered area includes any of ``regions``."""
        return self.filter(covered_area__in=[r for r in regions if r is not None]).distinct()

    def renewal_due(self, today, notice_days: int = rules.RENEWAL_NOTICE_DAYS):
        """Active contracts awaiting a renewal decision on ``today``: entering
        a contract year within ``notice_days`` days, or already in it, with
        no decision recorded for that year (``rules.renewal_year_due``)."""
        horizon = today + timedelta(days=notice_days)
        candidates = list(self.filter(
            status=ContractStatus.ACTIVE, ends_on__gte=today,
            starts_on__lte=horizon - relativedelta(years=1),
        ).values_list("pk", "starts_on", "ends_on"))
        decided: dict[int, set[int]] = {}
        for contract_id, year in ContractRenewal.objects.filter(
                contract__in=[pk for pk, _s, _e in candidates]).values_list("contract", "year"):
            decided.setdefault(contract_id, set()).add(year)
        due = [pk for pk, starts_on, ends_on in candidates
               if rules.renewal_year_due(starts_on, ends_on, today, decided.get(pk, set()),
                                         notice_days) is not None]
        return self.filter(pk__in=due)


@track_changes()
class Contract(TimeStampedModel):
    """A service contract between a purchaser (a district, or a street)
    and a provider, for the streets or communities it covers (Art 14)."""

    reference = models.CharField(_("contract number"), max_length=40, unique=True)
    purchaser = models.ForeignKey(
        "regions.Region", verbose_name=_("purchaser"), on_delete=models.PROTECT,
        related_name="purchased_contracts",
        help_text=_("The district or street that buys the services."))
    provider = models.ForeignKey("providers.Provider", verbose_name=_("service provider"),
                                 on_delete=models.PROTECT, related_name="contracts")
    covered_area = models.ManyToManyField(
        "regions.Region", verbose_name=_("covered area"), related_name="covering_contracts",
        help_text=_("Streets or communities of the purchaser's district."))
    signed_on = models.DateField(_("signed on"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(_("status"), max_length=12, choices=ContractStatus.choices,
                              default=ContractStatus.ACTIVE)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.TextField(_("reason for ending"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    objects = ScopedManager.from_queryset(ContractQuerySet)()

    scope_region = ("purchaser", "covered_area")
    scope_provider = "provider"

    class Meta:
        verbose_name = _("service contract")
        verbose_name_plural = _("service contracts")
        ordering = ["-starts_on", "reference"]
        permissions = [("end_contract", _("Can end a service contract"))]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                   name="contract_ends_after_start"),
            models.CheckConstraint(
                condition=Q(status="active", ended_on__isnull=True) | ~Q(status="active"),
                name="contract_active_not_ended"),
        ]

    def __str__(self):
        return f"{self.reference} · {self.provider}"

    @property
    def audit_label(self) -> str:
        return str(self)

    @property
    def audit_region(self):
        return self.purchaser

    @property
    def is_active(self) -> bool:
        return self.status == ContractStatus.ACTIVE

    def renewal_year_due(self, today, notice_days: int = rules.RENEWAL_NOTICE_DAYS):
        """The contract year awaiting a renewal decision on ``today``, or
        None (reads the renewals; prefetch them for a list)."""
        if not self.is_active:
            return None
        decided = {renewal.year for renewal in self.renewals.all()}
        return rules.renewal_year_due(self.starts_on, self.ends_on, today, decided, notice_days)


@track_changes()
class ContractItem(TimeStampedModel):
    """A service item of a contract at its contract price, beside the city
    guide price in force on the contract's first day (Art 19)."""

    contract = models.ForeignKey(Contract, verbose_name=_("contract"), on_delete=models.CASCADE,
                                 related_name="items")
    service_item = models.ForeignKey("catalogue.ServiceItem", verbose_name=_("service item"),
                                     on_delete=models.PROTECT, related_name="contract_items")
    price = models.DecimalField(_("contract price"), **MONEY)
    guide_price = models.DecimalField(
        _("city guide price"), **MONEY, null=True, blank=True, editable=False,
        help_text=_("In force on the contract's first day; empty where none is published."))

    objects = ScopedManager.from_queryset(DistinctScopedQuerySet)()

    scope_region = ("contract__purchaser", "contract__covered_area")
    scope_provider = "contract__provider"

    class Meta:
        verbose_name = _("contract item")
        verbose_name_plural = _("contract items")
        ordering = ["contract", "service_item__category", "service_item__code"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "service_item"],
                                    name="one_price_per_contract_item"),
            models.CheckConstraint(condition=Q(price__gte=0), name="contract_price_not_negative"),
        ]

    def __str__(self):
        return f"{self.service_item} · {self.price}"

    @property
    def deviation(self) -> rules.PriceDeviation:
        return rules.price_deviation(self.price, self.guide_price)


@track_changes()
class ContractRenewal(TimeStampedModel):
    """The decision, within the term, whether a contract continues into
    contract year ``year``, with the evaluation grades it rested on."""

    contract = models.ForeignKey(Contract, verbose_name=_("contract"), on_delete=models.CASCADE,
                                 related_name="renewals")
    year = models.PositiveSmallIntegerField(_("contract year"))
    decided_on = models.DateField(_("decided on"))
    decision = models.CharField(_("decision"), max_length=12, choices=RenewalDecision.choices)
    grades = models.JSONField(
        _("grades in force"), default=dict, blank=True,
        help_text=_("Service category → the grade in force on the decision date "
                    "(empty where none)."))
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    objects = ScopedManager.from_queryset(DistinctScopedQuerySet)()

    scope_region = ("contract__purchaser", "contract__covered_area")
    scope_provider = "contract__provider"

    class Meta:
        verbose_name = _("contract renewal")
        verbose_name_plural = _("contract renewals")
        ordering = ["contract", "year"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "year"],
                                    name="one_renewal_per_contract_year"),
            models.CheckConstraint(condition=Q(year__gte=2), name="renewal_from_second_year"),
        ]

    def __str__(self):
        return f"{self.contract.reference} · {self.year} · {self.get_decision_display()}"

    @property
    def grade_rows(self) -> list[tuple[str, str]]:
        return labelled_grades(self.grades)


def labelled_grades(grades: dict[str, str | None]) -> list[tuple[str, str]]:
    """(category, grade) labels of a category → grade mapping, for display."""
    from apps.catalogue.models import ServiceCategory
    from apps.evaluations.models import Grade

    categories, names = dict(ServiceCategory.choices), dict(Grade.choices)
    return [(str(categories.get(category, category)),
             str(names.get(grade, grade)) if grade else str(_("no grade")))
            for category, grade in sorted(grades.items())]


class TenderBarQuerySet(ScopedQuerySet):
    def in_force(self, *, provider, day):
        """Bars of ``provider`` in force on ``day``, the longest first."""
        return self.filter(provider=provider, starts_on__lte=day,
                           lifts_on__gt=day).order_by("-lifts_on", "-pk")


@track_changes()
class TenderBar(TimeStampedModel):
    """A provider barred from tenders after losing its contracts (Art 25):
    in force from ``starts_on`` until the day before ``lifts_on``."""

    provider = models.ForeignKey("providers.Provider", verbose_name=_("service provider"),
                                 on_delete=models.PROTECT, related_name="tender_bars")
    starts_on = models.DateField(_("barred from"))
    lifts_on = models.DateField(_("lifted on"),
                                help_text=_("The first day the provider may contract again."))
    reason = models.TextField(_("reason"))
    evaluation_reference = models.CharField(_("evaluation reference"), max_length=100,
                                            blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    objects = ScopedManager.from_queryset(TenderBarQuerySet)()

    scope_region = "provider__region"
    scope_provider = "provider"

    class Meta:
        verbose_name = _("tender bar")
        verbose_name_plural = _("tender bars")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(lifts_on__gt=models.F("starts_on")),
                                   name="bar_lifts_after_start"),
        ]

    def __str__(self):
        return f"{self.provider} · {self.starts_on:%Y-%m-%d}–{self.lifts_on:%Y-%m-%d}"


@track_changes(exclude=["carer_phone"])
class CarerAgreement(TimeStampedModel):
    """A three-party agreement (Art 31): where no provider covers the
    elder's street, a relative or neighbour serves; the street office rates
    the service and pays the carer."""

    elder = models.ForeignKey("elders.Elder", verbose_name=_("elder"), on_delete=models.PROTECT,
                              related_name="carer_agreements")
    carer_name = models.CharField(_("carer's name"), max_length=50)
    relationship = models.CharField(_("relationship to the elder"), max_length=12,
                                    choices=CarerRelationship.choices)
    carer_phone = EncryptedCharField(_("carer's phone"), max_length=32)
    street = models.ForeignKey("regions.Region", verbose_name=_("street office"),
                               on_delete=models.PROTECT, related_name="carer_agreements")
    signed_on = models.DateField(_("signed on"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    # Art 31: only "经区居家养老服务指导中心核实同意". Empty on agreements
    # recorded before the approval was asked for; the services require it.
    district_approved_on = models.DateField(
        _("approved by the district centre on"), null=True,
        help_text=_("The day the district home-care guidance centre verified and "
                    "consented to the agreement (Art 31)."))
    district_approval_reference = models.CharField(
        _("district centre's approval reference"), max_length=100,
        help_text=_("The number or reference of the district centre's consent."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    objects = ScopedManager()

    scope_region = ("elder__residence_street", "street")

    class Meta:
        verbose_name = _("three-party agreement")
        verbose_name_plural = _("three-party agreements")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                   name="carer_agreement_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.elder.name} · {self.carer_name}"

    @property
    def audit_label(self) -> str:
        return str(self)

    @property
    def audit_region(self):
        return self.street


@track_changes()
class CarerAgreementItem(TimeStampedModel):
    """A service the carer provides under the agreement, at its price."""

    agreement = models.ForeignKey(CarerAgreement, verbose_name=_("three-party agreement"),
                                  on_delete=models.CASCADE, related_name="items")
    service_item = models.ForeignKey("catalogue.ServiceItem", verbose_name=_("service item"),
                                     on_delete=models.PROTECT, related_name="carer_items")
    price = models.DecimalField(_("price per unit"), **MONEY)

    objects = ScopedManager()

    scope_region = ("agreement__elder__residence_street", "agreement__street")

    class Meta:
        verbose_name = _("three-party agreement item")
        verbose_name_plural = _("three-party agreement items")
        ordering = ["agreement", "service_item__code"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "service_item"],
                                    name="one_price_per_carer_item"),
            models.CheckConstraint(condition=Q(price__gte=0), name="carer_price_not_negative"),
        ]

    def __str__(self):
        return f"{self.service_item} · {self.price}"
