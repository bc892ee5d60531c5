"""The annual service evaluation (Art 22–25). ``ProviderGrade`` is what the
rest of the system reads: the grade in force for a provider and a service
category on a day (settlement's per-visit subsidy, contract renewal)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.audit.history import track_changes
from apps.catalogue.models import ServiceCategory
from apps.core.models import ScopedManager, TimeStampedModel
from apps.core.scoping import ScopedQuerySet


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent (优秀)")
    GOOD = "good", _("Good (良好)")
    QUALIFIED = "qualified", _("Qualified (合格)")
    UNQUALIFIED = "unqualified", _("Unqualified (不合格)")


class ProviderGradeQuerySet(ScopedQuerySet):
    def in_force(self, *, provider, category: str, day):
        """The grade of ``provider`` for ``category`` in force on ``day``:
        the latest final grade effective on or before it (None if none)."""
        return (self.filter(provider=provider, category=category, effective_from__lte=day)
                .order_by("-effective_from", "-pk").first())


@track_changes()
class ProviderGrade(TimeStampedModel):
    """A final evaluation grade, in force from ``effective_from`` until the
    next one for the same provider and category."""

    provider = models.ForeignKey("providers.Provider", verbose_name=_("service provider"),
                                 on_delete=models.PROTECT, related_name="grades")
    category = models.CharField(_("service category"), max_length=32,
                                choices=ServiceCategory.choices)
    year = models.PositiveSmallIntegerField(_("evaluation year"))
    grade = models.CharField(_("grade"), max_length=12, choices=Grade.choices)
    effective_from = models.DateField(_("in force from"))

    objects = ScopedManager.from_queryset(ProviderGradeQuerySet)()

    scope_region = "provider__region"
    scope_provider = "provider"

    class Meta:
        verbose_name = _("provider grade")
        verbose_name_plural = _("provider grades")
        ordering = ["provider", "category", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "category", "year"],
                                    name="one_grade_per_provider_category_year"),
            models.CheckConstraint(condition=Q(year__gte=2000), name="grade_year_sane"),
        ]

    def __str__(self):
        return f"{self.provider} · {self.get_category_display()} · {self.year}: " \
               f"{self.get_grade_display()}"

    @property
    def audit_label(self) -> str:
        return str(self)

    @property
    def audit_region(self):
        return self.provider.region
