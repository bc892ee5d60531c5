from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.applications.models import CareLevel
from apps.assessments import scoring
from apps.audit.history import track_changes


class InstrumentKind(models.TextChoices):
    ITEMS = "items", _("Items answered one by one (scored by the system)")
    TOTAL = "total", _("A total score recorded (e.g. Barthel)")
    GRADE = "grade", _("A grade issued elsewhere (e.g. long-term-care insurance)")


class InstrumentQuerySet(models.QuerySet):
    def with_parts(self):
        return self.prefetch_related("dimensions", "items__options", "bands", "care_levels")


@track_changes()
class Instrument(models.Model):
    """One version of an assessment instrument, as data.

    An administrator adds a new version rather than editing one in use;
    every assessment keeps the version it was made with.
    """

    code = models.CharField(_("code"), max_length=40)
    version = models.CharField(_("version"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=InstrumentKind.choices,
                            default=InstrumentKind.ITEMS)
    is_default = models.BooleanField(
        _("default for new assessments"), default=False,
        help_text=_("Exactly one instrument is the default for new assessments."))
    basis = models.CharField(_("source"), max_length=200, blank=True)
    # Grade-change rules (GB/T 42195 Appendix C.4; ASSESSMENT.md §0.1).
    coma_grade = models.CharField(_("grade given by coma"), max_length=20, blank=True,
                                  help_text=_("Empty: coma does not change the grade."))
    mental_diagnosis_raises = models.BooleanField(
        _("a mental diagnosis raises the grade"), default=False)
    risk_events_raise = models.BooleanField(_("care-risk events raise the grade"),
                                            default=False)
    risk_events_threshold = models.PositiveSmallIntegerField(
        _("events in 30 days that raise the grade"), default=2)
    risk_event_count_cap = models.PositiveSmallIntegerField(
        _("count of \"three or more\""), default=3)
    max_raise = models.PositiveSmallIntegerField(
        _("most levels the rules raise together"), default=1)

    objects = InstrumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment instrument")
        verbose_name_plural = _("assessment instruments")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="instrument_version"),
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True),
                                    name="instrument_single_default"),
        ]

    def __str__(self):
        return f"{self.name} ({self.version})"

    def as_scoring(self) -> scoring.Instrument:
        """The instrument as the scoring engine takes it (prefetch with_parts)."""
        dimensions = sorted(self.dimensions.all(), key=lambda d: d.order)
        order = {d.pk: d.order for d in dimensions}
        items = sorted(self.items.all(), key=lambda i: (order.get(i.dimension_id, 0), i.order))
        codes = {d.pk: d.code for d in dimensions}
        return scoring.Instrument(
            code=self.code, version=self.version,
            dimensions=tuple(scoring.Dimension(d.code, d.label) for d in dimensions),
            items=tuple(scoring.Item(
                item.code, codes[item.dimension_id], item.label,
                tuple(scoring.Option(o.code, o.score, o.label, o.is_coma)
                      for o in sorted(item.options.all(), key=lambda o: o.order)))
                for item in items),
            bands=tuple(scoring.Band(b.grade, b.ordinal, b.low, b.high, b.label)
                        for b in sorted(self.bands.all(), key=lambda b: b.ordinal)),
            rules=scoring.ChangeRules(
                coma_grade=self.coma_grade, mental_raises=self.mental_diagnosis_raises,
                events_raise=self.risk_events_raise,
                events_threshold=self.risk_events_threshold,
                event_count_cap=self.risk_event_count_cap, max_raise=self.max_raise),
        )

    def care_level_for(self, grade: str) -> str:
        """The care-need level a final grade maps to (ASSESSMENT.md §0.1 item 6)."""
        for row in self.care_levels.all():
            if row.grade == grade:
                return row.care_level
        raise LookupError(grade)


class Dimension(models.Model):
    instrument = models.ForeignKey(Instrument, verbose_name=_("instrument"),
                                   on_delete=models.CASCADE, related_name="dimensions")
    code = models.CharField(_("code"), max_length=10)
    label = models.CharField(_("label"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        ordering = ["instrument", "order"]
        constraints = [models.UniqueConstraint(fields=["instrument", "code"],
                                               name="dimension_code_per_instrument")]

    def __str__(self):
        return f"{self.code} {self.label}"


class Item(models.Model):
    instrument = models.ForeignKey(Instrument, verbose_name=_("instrument"),
                                   on_delete=models.CASCADE, related_name="items")
    dimension = models.ForeignKey(Dimension, verbose_name=_("dimension"),
                                  on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("code"), max_length=10)
    label = models.CharField(_("label"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["instrument", "dimension__order", "order"]
        constraints = [models.UniqueConstraint(fields=["instrument", "code"],
                                               name="item_code_per_instrument")]

    def __str__(self):
        return f"{self.code} {self.label}"

    def clean(self):
        if self.dimension_id and self.instrument_id and \
                self.dimension.instrument_id != self.instrument_id:
            raise ValidationError({"dimension": ValidationError(
                _("The dimension belongs to another instrument."), code="other_instrument")})


class Option(models.Model):
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.CASCADE,
                             related_name="options")
    code = models.CharField(_("code"), max_length=10)
    score = models.PositiveSmallIntegerField(_("score"))
    label = models.CharField(_("label"), max_length=200)
    is_coma = models.BooleanField(_("means coma"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["item", "order"]
        constraints = [models.UniqueConstraint(fields=["item", "code"],
                                               name="option_code_per_item")]

    def __str__(self):
        return f"{self.score} {self.label}"


class GradeBand(models.Model):
    """A grade; for scored instruments with the totals that give it."""

    instrument = models.ForeignKey(Instrument, verbose_name=_("instrument"),
                                   on_delete=models.CASCADE, related_name="bands")
    grade = models.CharField(_("grade"), max_length=20)
    ordinal = models.PositiveSmallIntegerField(
        _("ordinal"), help_text=_("0 for the least impaired, rising with impairment."))
    low = models.PositiveSmallIntegerField(_("lowest total"), null=True, blank=True)
    high = models.PositiveSmallIntegerField(_("highest total"), null=True, blank=True)
    label = models.CharField(_("label"), max_length=100)

    class Meta:
        verbose_name = _("grade")
        verbose_name_plural = _("grades")
        ordering = ["instrument", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "grade"], name="grade_per_instrument"),
            models.UniqueConstraint(fields=["instrument", "ordinal"],
                                    name="grade_ordinal_per_instrument"),
            models.CheckConstraint(condition=Q(low__isnull=True) | Q(high__gte=models.F("low")),
                                   name="grade_band_ordered"),
        ]

    def __str__(self):
        return self.label


class CareNeedMapping(models.Model):
    """A final grade of an instrument -> the care-need level subsidies use."""

    instrument = models.ForeignKey(Instrument, verbose_name=_("instrument"),
                                   on_delete=models.CASCADE, related_name="care_levels")
    grade = models.CharField(_("grade"), max_length=20)
    care_level = models.CharField(_("care-need level"), max_length=10,
                                  choices=CareLevel.choices)

    class Meta:
        verbose_name = _("care-need level mapping")
        verbose_name_plural = _("care-need level mappings")
        ordering = ["instrument", "grade"]
        constraints = [models.UniqueConstraint(fields=["instrument", "grade"],
                                               name="care_level_per_grade")]

    def __str__(self):
        return f"{self.grade} → {self.get_care_level_display()}"
