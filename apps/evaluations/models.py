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

# The precision of every points and total field, in the models, the forms
# and the API alike: up to 100.0, to one decimal place.
POINTS = {"max_digits": 5, "decimal_places": 1}


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

    def in_force_on(self, day):
        """For every provider and category, the grade in force on ``day``."""
        latest = (ProviderGrade.objects.filter(effective_from__lte=day)
                  .order_by("provider_id", "category", "-effective_from", "-pk")
                  .distinct("provider_id", "category").values("pk"))
        return self.filter(pk__in=models.Subquery(latest))


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


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published (posting and appeal window)")
    APPEALED = "appealed", _("Under appeal")
    FINAL = "final", _("Final")


class AppealOutcome(models.TextChoices):
    CONFIRMED = "confirmed", _("Result confirmed")
    REVISED = "revised", _("Result revised")


class RecheckResult(models.TextChoices):
    PASSED = "passed", _("Qualified after rectification")
    FAILED = "failed", _("Still unqualified")


@track_changes()
class GradeBand(TimeStampedModel):
    """The lowest total that earns a grade. The measures name the four grades
    (Art 23) but not the thresholds: 90 / 80 / 60 are a product decision,
    kept as data so the city centre can change them."""

    grade = models.CharField(_("grade"), max_length=12, choices=Grade.choices, unique=True)
    min_total = models.DecimalField(_("lowest total"), **POINTS)

    class Meta:
        verbose_name = _("grade band")
        verbose_name_plural = _("grade bands")
        ordering = ["-min_total"]
        constraints = [
            models.CheckConstraint(condition=Q(min_total__gte=0) & Q(min_total__lte=100),
                                   name="grade_band_within_0_100"),
        ]

    def __str__(self):
        return f"{self.get_grade_display()} ≥ {self.min_total}"


class EvaluationCriterionQuerySet(models.QuerySet):
    def sheet_for(self, category: str):
        """The active criteria that score an evaluation of ``category``."""
        return self.filter(Q(category="") | Q(category=category), active=True) \
            .order_by("order", "code")


@track_changes()
class EvaluationCriterion(TimeStampedModel):
    """One line of the score sheet the city centre sets (Art 23: 评估细则).
    A criterion with a category applies to that category only."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("label"), max_length=120)
    maximum = models.DecimalField(_("maximum points"), **POINTS)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    category = models.CharField(_("service category"), max_length=32, blank=True,
                                choices=ServiceCategory.choices,
                                help_text=_("Blank: applies to every category."))

    objects = EvaluationCriterionQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(maximum__gt=0), name="criterion_maximum_positive"),
        ]

    def __str__(self):
        return f"{self.label} ({self.maximum})"


@track_changes()
class Evaluation(TimeStampedModel):
    """The yearly evaluation of one provider for one service category
    (Art 23): the provider's self-assessment, the district's scores, the
    public posting, an appeal to the city centre, and the final grade."""

    provider = models.ForeignKey("providers.Provider", verbose_name=_("service provider"),
                                 on_delete=models.PROTECT, related_name="evaluations")
    category = models.CharField(_("service category"), max_length=32,
                                choices=ServiceCategory.choices)
    year = models.PositiveSmallIntegerField(_("evaluation year"))
    district = models.ForeignKey("regions.Region", verbose_name=_("evaluating district"),
                                 on_delete=models.PROTECT, related_name="evaluations")
    status = models.CharField(_("status"), max_length=12, choices=EvaluationStatus.choices,
                              default=EvaluationStatus.DRAFT)

    self_assessment = models.TextField(_("self-assessment"), blank=True)
    self_score = models.DecimalField(_("self score"), **POINTS, null=True, blank=True)
    self_assessed_at = models.DateTimeField(_("self-assessed at"), null=True, blank=True)

    total = models.DecimalField(_("total"), **POINTS, null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=12, choices=Grade.choices, blank=True)
    district_notes = models.TextField(_("evaluator's notes"), blank=True)

    published_on = models.DateField(_("published on"), null=True, blank=True)
    posting_until = models.DateField(_("posted until"), null=True, blank=True)
    appeal_until = models.DateField(_("appeal window closes"), null=True, blank=True)

    appealed_on = models.DateField(_("appealed on"), null=True, blank=True)
    appeal_reason = models.TextField(_("reasons for the appeal"), blank=True)
    decided_on = models.DateField(_("re-evaluated on"), null=True, blank=True)
    appeal_outcome = models.CharField(_("re-evaluation"), max_length=12,
                                      choices=AppealOutcome.choices, blank=True)
    decision_reason = models.TextField(_("reasons for the re-evaluation"), blank=True)
    review_total = models.DecimalField(_("re-evaluated total"), **POINTS, null=True,
                                       blank=True)

    final_grade = models.CharField(_("final grade"), max_length=12, choices=Grade.choices,
                                   blank=True)
    final_on = models.DateField(_("final on"), null=True, blank=True)

    rectification_until = models.DateField(_("rectification deadline"), null=True, blank=True)
    rechecked_on = models.DateField(_("re-checked on"), null=True, blank=True)
    recheck_result = models.CharField(_("re-check result"), max_length=8,
                                      choices=RecheckResult.choices, blank=True)
    recheck_notes = models.TextField(_("re-check notes"), blank=True)

    objects = ScopedManager()

    scope_region = "district"
    scope_provider = "provider"

    class Meta:
        verbose_name = _("service evaluation")
        verbose_name_plural = _("service evaluations")
        ordering = ["-year", "provider", "category"]
        permissions = [
            ("publish_evaluation", _("Can publish an evaluation result")),
            ("self_assess_evaluation", _("Can enter the provider's self-assessment")),
            ("appeal_evaluation", _("Can appeal an evaluation result")),
            ("decide_appeal", _("Can re-evaluate an appealed evaluation")),
        ]
        constraints = [
            # one per provider, category and year, like the ProviderGrade it
            # becomes
            models.UniqueConstraint(fields=["provider", "category", "year"],
                                    name="one_evaluation_per_provider_category_year"),
            models.CheckConstraint(condition=Q(year__gte=2000), name="evaluation_year_sane"),
            models.CheckConstraint(
                condition=Q(self_score__isnull=True)
                | (Q(self_score__gte=0) & Q(self_score__lte=100)),
                name="evaluation_self_score_0_100"),
        ]

    def __str__(self):
        return f"{self.provider} · {self.get_category_display()} · {self.year}"

    @property
    def audit_label(self) -> str:
        return str(self)

    @property
    def audit_region(self):
        return self.district

    @property
    def reference(self) -> str:
        """How other records cite it (a tender bar, say)."""
        return f"EV-{self.year}-{self.pk:06d}"

    @property
    def grade_shown(self) -> str:
        """The grade as it stands: final if final, else the district's."""
        return self.final_grade or self.grade

    def get_grade_shown_display(self) -> str:
        return Grade(self.grade_shown).label if self.grade_shown else ""

    @property
    def final_unqualified(self) -> bool:
        """Final and unqualified: the result that is rectified (Art 25)."""
        return self.status == EvaluationStatus.FINAL and self.final_grade == Grade.UNQUALIFIED


@track_changes()
class CriterionScore(TimeStampedModel):
    """The district's points for one criterion. The criterion's maximum is
    copied so a later change of the sheet does not rewrite old results.
    Read only through its evaluation (scoped there)."""

    evaluation = models.ForeignKey(Evaluation, verbose_name=_("evaluation"),
                                   on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(EvaluationCriterion, verbose_name=_("criterion"),
                                  on_delete=models.PROTECT, related_name="scores")
    maximum = models.DecimalField(_("maximum points"), **POINTS)
    points = models.DecimalField(_("points"), **POINTS)

    class Meta:
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")
        ordering = ["criterion__order", "criterion__code"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "criterion"],
                                    name="one_score_per_criterion"),
            models.CheckConstraint(condition=Q(points__gte=0) & Q(points__lte=models.F("maximum")),
                                   name="score_within_maximum"),
        ]

    def __str__(self):
        return f"{self.criterion.label}: {self.points}/{self.maximum}"
