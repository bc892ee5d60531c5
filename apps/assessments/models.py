from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.accounts.roles import Role
from apps.applications.models import CareLevel
from apps.assessments import scoring
from apps.audit.history import track_changes
from apps.core.models import ScopedManager, TimeStampedModel
from apps.core.scoping import ScopedQuerySet


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


class Profession(models.TextChoices):
    PHYSICIAN = "physician", _("Licensed (assistant) physician")
    NURSE = "nurse", _("Nurse")
    SOCIAL_WORKER = "social_worker", _("Social worker (junior or intermediate)")
    CARE_WORKER = "care_worker", _("Eldercare worker (intermediate or senior)")


@track_changes()
class AssessmentBody(TimeStampedModel):
    """A third-party assessment body and the districts it is contracted for."""

    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18,
                                   unique=True)
    districts = models.ManyToManyField("regions.Region", verbose_name=_("contracted districts"),
                                       related_name="assessment_bodies")

    objects = ScopedManager()

    scope_region = "districts"

    class Meta:
        verbose_name = _("assessment body")
        verbose_name_plural = _("assessment bodies")
        ordering = ["name"]

    def __str__(self):
        return self.name


@track_changes()
class Assessor(TimeStampedModel):
    """An assessor of a body: qualified once trained and examined by the city centre."""

    body = models.ForeignKey(AssessmentBody, verbose_name=_("assessment body"),
                             on_delete=models.PROTECT, related_name="assessors")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("account"),
                                on_delete=models.PROTECT, null=True, blank=True,
                                related_name="assessor")
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    profession = models.CharField(_("profession"), max_length=20, choices=Profession.choices)
    qualification = models.CharField(_("qualification certificate"), max_length=100)
    trained_on = models.DateField(_("trained on"), null=True, blank=True)
    examination_passed_on = models.DateField(_("examination passed on"), null=True,
                                             blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = ScopedManager()

    scope_region = "body__districts"

    class Meta:
        verbose_name = _("assessor")
        verbose_name_plural = _("assessors")
        ordering = ["body", "name"]

    def __str__(self):
        return f"{self.name} ({self.get_profession_display()})"

    @property
    def qualified(self) -> bool:
        return bool(self.active and self.qualification and self.trained_on
                    and self.examination_passed_on)


class AssessmentStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    SCHEDULED = "scheduled", _("Scheduled")
    IN_PROGRESS = "in_progress", _("Being entered")
    SCORED = "scored", _("Scored, awaiting signatures")
    LOCKED = "locked", _("Signed and locked")


class AssessmentReason(models.TextChoices):
    FIRST = "first", _("First assessment")
    ROUTINE = "routine", _("Routine re-assessment")
    CHANGE = "change", _("Change of condition")
    REVIEW = "review", _("Second team after a disputed result (复评)")
    OTHER = "other", _("Other")


class Place(models.TextChoices):
    ON_SITE = "on_site", _("At the assessment site")
    HOME = "home", _("At the elder's home")


class AssessmentQuerySet(ScopedQuerySet):
    def conductable_by(self, user):
        """The assessments ``user`` may enter, score and sign: an assessor's
        account only those it is on the team of; an account of another
        role holding the permission (an administrator) all it sees."""
        rows = self.visible_to(user)
        if getattr(user, "role", "") == Role.ASSESSOR:
            rows = rows.filter(assessors__user=user)
        return rows


@track_changes()
class Assessment(TimeStampedModel):
    """One assessment of an elder with one instrument version, from request to
    lock. The server scores it from the chosen options; a locked assessment
    never changes, and a disputed one gets a second assessment (复评)."""

    elder = models.ForeignKey("elders.Elder", verbose_name=_("elder"),
                              on_delete=models.PROTECT, related_name="assessments")
    application = models.ForeignKey(
        "applications.Application", verbose_name=_("application"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="assessments")
    instrument = models.ForeignKey(Instrument, verbose_name=_("instrument"),
                                   on_delete=models.PROTECT, related_name="assessments")
    review_of = models.OneToOneField(
        "self", verbose_name=_("second assessment of"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="review")
    reason = models.CharField(_("reason"), max_length=10, choices=AssessmentReason.choices)
    status = models.CharField(_("status"), max_length=12, choices=AssessmentStatus.choices,
                              default=AssessmentStatus.REQUESTED, editable=False)
    requested_on = models.DateField(_("requested on"))
    body = models.ForeignKey(AssessmentBody, verbose_name=_("assessment body"),
                             on_delete=models.PROTECT, null=True, blank=True,
                             related_name="assessments")
    place = models.CharField(_("place"), max_length=10, choices=Place.choices, blank=True)
    scheduled_on = models.DateField(_("scheduled on"), null=True, blank=True)
    assessors = models.ManyToManyField(Assessor, verbose_name=_("assessors"), blank=True,
                                       related_name="assessments")
    # The answers (item code -> option code) and the Appendix A findings.
    answers = models.JSONField(_("answers"), default=dict, blank=True, editable=False)
    coma = models.BooleanField(_("coma (A.5.11)"), default=False)
    mental_diagnosis = models.BooleanField(
        _("dementia or another mental disorder diagnosed (A.4.1)"), default=False)
    risk_events = models.JSONField(_("care-risk events in the last 30 days (A.2.14)"),
                                   default=dict, blank=True)
    # The server's scoring.
    subtotals = models.JSONField(_("dimension scores"), default=dict, blank=True,
                                 editable=False)
    total = models.PositiveSmallIntegerField(_("total"), null=True, blank=True,
                                             editable=False)
    preliminary_grade = models.CharField(_("preliminary grade"), max_length=20, blank=True,
                                         editable=False)
    final_grade = models.CharField(_("final grade"), max_length=20, blank=True,
                                   editable=False)
    change_reasons = models.JSONField(_("reasons for a change"), default=list, blank=True,
                                      editable=False)
    care_level = models.CharField(_("care-need level"), max_length=10,
                                  choices=CareLevel.choices, blank=True, editable=False)
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True)
    informant_name = models.CharField(_("informant"), max_length=50, blank=True)
    informant_relationship = models.CharField(_("informant's relationship"), max_length=30,
                                              blank=True)
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True, editable=False)
    # A result issued elsewhere and recorded here (a Barthel score, a
    # long-term-care insurance grade): who issued it, under which reference.
    external_issuer = models.CharField(_("issued by"), max_length=100, blank=True)
    external_reference = models.CharField(_("reference of the issued result"), max_length=60,
                                          blank=True)
    # Art 21: the fee and who pays it.
    fee = models.DecimalField(_("fee"), max_digits=8, decimal_places=2, null=True,
                              blank=True)
    district_pays = models.DecimalField(_("paid by the district"), max_digits=8,
                                        decimal_places=2, null=True, blank=True)
    elder_pays = models.DecimalField(_("paid by the elder"), max_digits=8, decimal_places=2,
                                     null=True, blank=True)
    fee_statement = models.ForeignKey(
        "FeeStatement", verbose_name=_("fee statement"), on_delete=models.PROTECT, null=True,
        blank=True, editable=False, related_name="assessments")

    objects = ScopedManager.from_queryset(AssessmentQuerySet)()

    scope_region = ("elder__hukou_street", "elder__residence_street")

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-requested_on", "-pk"]
        permissions = [
            ("conduct_assessment", _("Can enter, score and sign an assessment")),
            ("schedule_assessment", _("Can request and schedule assessments")),
        ]

    def __str__(self):
        return f"{self.elder.name} · {self.instrument} · {self.get_status_display()}"

    @property
    def audit_label(self) -> str:
        return f"{self.elder.name} · {self.requested_on}"

    @property
    def audit_region(self):
        return self.elder.residence_street

    @property
    def reference(self) -> str:
        """The reference the application and the entitlement cite."""
        return f"PG-{self.pk}"

    @property
    def is_recorded_result(self) -> bool:
        """A result issued elsewhere and recorded, rather than assessed here."""
        return self.instrument.kind != InstrumentKind.ITEMS


class FeeStatementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued for payment")
    PAID = "paid", _("Paid")


@track_changes()
class FeeStatement(TimeStampedModel):
    """What one district owes one assessment body for the assessments locked
    in one month (Art 21): the fee of each, the district's part and the
    elder's part. A draft is recompiled as late results arrive; an issued
    statement never changes, and the settlement pays it."""

    body = models.ForeignKey(AssessmentBody, verbose_name=_("assessment body"),
                             on_delete=models.PROTECT, related_name="fee_statements")
    district = models.ForeignKey("regions.Region", verbose_name=_("paying district"),
                                 on_delete=models.PROTECT, related_name="fee_statements")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    status = models.CharField(_("status"), max_length=10, choices=FeeStatementStatus.choices,
                              default=FeeStatementStatus.DRAFT, editable=False)
    assessment_count = models.PositiveIntegerField(_("assessments"), default=0,
                                                   editable=False)
    fee_total = models.DecimalField(_("fees"), max_digits=12, decimal_places=2,
                                    default=0, editable=False)
    district_total = models.DecimalField(_("paid by the district"), max_digits=12,
                                         decimal_places=2, default=0, editable=False)
    elder_total = models.DecimalField(_("paid by elders"), max_digits=12, decimal_places=2,
                                      default=0, editable=False)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True, editable=False)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL,
                                  verbose_name=_("issued for payment by"),
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  editable=False, related_name="+")
    paid_on = models.DateField(_("paid on"), null=True, blank=True, editable=False)

    objects = ScopedManager()

    scope_region = "district"

    class Meta:
        verbose_name = _("assessment fee statement")
        verbose_name_plural = _("assessment fee statements")
        ordering = ["-month", "body__name"]
        constraints = [
            models.UniqueConstraint(fields=["body", "district", "month"],
                                    name="fee_statement_per_body_district_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="fee_statement_month_start"),
        ]
        permissions = [("issue_feestatement", _("Can compile and issue assessment fee "
                                                "statements"))]

    def __str__(self):
        return f"{self.body} · {self.district} · {self.month:%Y-%m}"

    @property
    def audit_label(self) -> str:
        return str(self)

    @property
    def audit_region(self):
        return self.district
