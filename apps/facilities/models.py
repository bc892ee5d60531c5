"""Community home-based eldercare facilities (服务设施, Art 7–11, 34).

A facility has a tier (district platform, street platform, community
station, other), sits in the region its tier belongs to, offers functions,
holds licences and receives yearly operating funding. It is closed or put
to another use only through ``services.record_change`` with the district
government's approval and the public notice on record (Art 11, 34): the
status and current use are never edited directly.
"""

import pgtrigger
from django import forms
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.audit.history import track_changes
from apps.core.models import ScopedManager, TimeStampedModel
from apps.core.scoping import ScopedQuerySet
from apps.regions.models import RegionKind


class Tier(models.TextChoices):
    DISTRICT_PLATFORM = "district_platform", _("District platform (区居家养老综合服务平台)")
    STREET_PLATFORM = "street_platform", _("Street platform (街道(镇)居家养老综合服务平台)")
    COMMUNITY_STATION = "community_station", _("Community station (社区老年人活动站点)")
    OTHER = "other", _("Other facility")


class FacilityKind(models.TextChoices):
    """What a community station or an 'other' facility is (Art 7(3), 7(4))."""

    # community stations
    ACTIVITY_STATION = "activity_station", _("Community activity station")
    STARLIGHT_HOME = "starlight_home", _("Starlight home for the elderly (星光老年之家)")
    RURAL_STATION = "rural_station", _("Rural activity station for the elderly")
    WUBAO_POINT = "wubao_point", _("Rural five-guarantee mutual-aid point (五保互助安居点)")
    # other facilities
    ELDERCARE_COMPLEX = "eldercare_complex", _("Community eldercare complex (社区养老综合体)")
    NURSING_HOME = "nursing_home", _("Community nursing home (社区养老院)")
    DAY_CARE_CENTRE = "day_care_centre", _("Day-care centre (日间照料中心)")
    MEAL_CENTRE = "meal_centre", _("Meal centre (助餐配餐中心)")


STATION_KINDS = (FacilityKind.ACTIVITY_STATION, FacilityKind.STARLIGHT_HOME,
                 FacilityKind.RURAL_STATION, FacilityKind.WUBAO_POINT)
OTHER_KINDS = (FacilityKind.ELDERCARE_COMPLEX, FacilityKind.NURSING_HOME,
               FacilityKind.DAY_CARE_CENTRE, FacilityKind.MEAL_CENTRE)


class Function(models.TextChoices):
    """The functions Art 7 names for each tier (plus emotional support)."""

    # district platform, Art 7(1)
    STAFF_TRAINING = "staff_training", _("Staff training (实训)")
    CARE_LEVEL_ASSESSMENT = "care_level_assessment", _("Care-needs level assessment")
    SERVICE_EVALUATION = "service_evaluation", _("Service evaluation")
    PRODUCT_DISPLAY = "product_display", _("Product display")
    DEMONSTRATION = "demonstration", _("Home-care demonstration")
    # street platform, Art 7(2)
    DAY_CARE = "day_care", _("Day care")
    RESPITE = "respite", _("Temporary respite")
    LIFE_CARE = "life_care", _("Life care")
    MEALS = "meals", _("Meals")
    HEALTHCARE = "healthcare", _("Healthcare")
    REHABILITATION_NURSING = "rehabilitation_nursing", _("Rehabilitation nursing")
    DEVICE_RENTAL = "device_rental", _("Assistive-device rental")
    NEEDS_ASSESSMENT = "needs_assessment", _("Care-needs assessment")
    # community station, Art 7(3)
    RECREATION = "recreation", _("Culture and recreation")
    EMOTIONAL_SUPPORT = "emotional_support", _("Emotional support")


class RunBy(models.TextChoices):
    """Art 10: run by the office itself or contracted to a provider."""

    SELF = "self", _("Run by the office itself (自主管理)")
    CONTRACTED = "contracted", _("Contracted to a provider (委托运营)")


class FacilityStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("facility", "Open")
    CLOSED = "closed", pgettext_lazy("facility", "Closed")


class ChangeKind(models.TextChoices):
    CLOSE = "close", _("Closure (撤销、关闭)")
    CHANGE_OF_USE = "change_of_use", _("Change of use (改变用途)")


# The region level each tier sits at (validated in Facility.clean).
TIER_LEVELS = {
    Tier.DISTRICT_PLATFORM: (RegionKind.DISTRICT,),
    Tier.STREET_PLATFORM: (RegionKind.STREET,),
    Tier.COMMUNITY_STATION: (RegionKind.STREET, RegionKind.COMMUNITY),
    Tier.OTHER: (RegionKind.STREET, RegionKind.COMMUNITY),
}


class ChoiceArrayField(ArrayField):
    """An array of choices, edited as checkboxes rather than as text."""

    def formfield(self, **kwargs):
        return forms.TypedMultipleChoiceField(
            choices=self.base_field.choices, coerce=self.base_field.to_python,
            widget=forms.CheckboxSelectMultiple, required=not self.blank,
            label=self.verbose_name, help_text=self.help_text,
        )


class FacilityQuerySet(ScopedQuerySet):
    def with_places(self):
        """Region, its parents (street, district) and the operator, in one query."""
        return self.select_related("region__parent", "operator")

    def open(self):
        return self.filter(status=FacilityStatus.OPEN)

    def under(self, region):
        """Facilities at ``region`` or anywhere below it."""
        return self.filter(region__path__startswith=region.path)


@track_changes()
class Facility(TimeStampedModel):
    """A community home-based eldercare facility (Art 7)."""

    name = models.CharField(_("name"), max_length=200)
    tier = models.CharField(_("tier"), max_length=24, choices=Tier.choices)
    kind = models.CharField(
        _("kind"), max_length=24, choices=FacilityKind.choices, blank=True,
        help_text=_("For a community station or another facility: what it is."))
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT,
        related_name="facilities",
        help_text=_("The district for a district platform, the street for a street "
                    "platform, the street or community otherwise."))
    address = models.CharField(pgettext_lazy("facility", "address"), max_length=300)
    floor_area = models.DecimalField(
        _("floor area (m²)"), max_digits=9, decimal_places=2,
        help_text=_("Total building area; a street platform spread over several sites "
                    "counts them all (Art 7(2))."))
    functions = ChoiceArrayField(
        models.CharField(max_length=32, choices=Function.choices),
        verbose_name=_("functions offered"), default=list, blank=True)
    has_medical_room = models.BooleanField(
        _("has a medical room or medical service point"), default=False)
    clinic_partner = models.CharField(
        _("partner clinic"), max_length=200, blank=True,
        help_text=_("The primary-care or other medical institution the medical room or "
                    "point is run with (Art 7(2))."))
    serves_residents_directly = models.BooleanField(
        _("serves residents directly"), default=False,
        help_text=_("District platform: provides life care, rehabilitation nursing and "
                    "similar services to nearby residents itself (Art 9)."))
    meals_licence_number = models.CharField(
        _("food-business licence number"), max_length=64, blank=True)
    meals_licence_expires = models.DateField(_("food-business licence valid until"),
                                             null=True, blank=True)
    medical_licence_number = models.CharField(
        _("medical-institution licence number"), max_length=64, blank=True)
    medical_licence_expires = models.DateField(_("medical-institution licence valid until"),
                                               null=True, blank=True)
    institution_permit_number = models.CharField(
        _("eldercare-institution permit number"), max_length=64, blank=True)
    institution_permit_expires = models.DateField(
        _("eldercare-institution permit valid until"), null=True, blank=True)
    run_by = models.CharField(_("operation"), max_length=16, choices=RunBy.choices,
                              default=RunBy.SELF)
    operator = models.ForeignKey(
        "providers.Provider", verbose_name=_("contracted operator"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="facilities")
    status = models.CharField(_("status"), max_length=8, choices=FacilityStatus.choices,
                              default=FacilityStatus.OPEN)
    current_use = models.CharField(
        _("current use"), max_length=200, blank=True,
        help_text=_("Empty: the eldercare use of its tier. Changed only by a recorded "
                    "change of use."))
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = ScopedManager.from_queryset(FacilityQuerySet)()

    scope_region = "region"
    scope_provider = "operator"

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        ordering = ["region__path", "tier", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(floor_area__gte=0),
                                   name="facility_floor_area_not_negative"),
            models.CheckConstraint(
                condition=Q(run_by=RunBy.SELF, operator__isnull=True)
                | Q(run_by=RunBy.CONTRACTED, operator__isnull=False),
                name="facility_operator_matches_run_by"),
            # Art 7(1), 7(2): one platform per district and per street.
            models.UniqueConstraint(
                fields=["region"],
                condition=Q(tier__in=[Tier.DISTRICT_PLATFORM, Tier.STREET_PLATFORM],
                            status=FacilityStatus.OPEN),
                name="facility_one_open_platform_per_region",
                violation_error_message=_("This region already has an open platform.")),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("facilities:facility_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.region_id and self.tier in TIER_LEVELS:
            allowed = TIER_LEVELS[self.tier]
            if self.region.kind not in allowed:
                errors["region"] = ValidationError(
                    _("A %(tier)s belongs to a %(levels)s, not a %(level)s."),
                    params={"tier": self.get_tier_display(),
                            "levels": _(" or ").join(str(RegionKind(k).label)
                                                     for k in allowed),
                            "level": self.region.get_kind_display()},
                    code="wrong_region_level")
        if self.tier == Tier.OTHER and self.kind not in OTHER_KINDS:
            errors["kind"] = ValidationError(
                _("Say what kind of facility this is: a community eldercare complex, "
                  "a community nursing home, a day-care centre or a meal centre."),
                code="kind_required")
        elif self.tier == Tier.COMMUNITY_STATION and self.kind and self.kind not in STATION_KINDS:
            errors["kind"] = ValidationError(
                _("A community station is an activity station, a Starlight home, a rural "
                  "station or a five-guarantee mutual-aid point."), code="wrong_kind")
        elif self.tier in (Tier.DISTRICT_PLATFORM, Tier.STREET_PLATFORM) and self.kind:
            errors["kind"] = ValidationError(_("A platform has no kind; leave it empty."),
                                             code="kind_not_allowed")
        if self.run_by == RunBy.CONTRACTED and not self.operator_id:
            errors["operator"] = ValidationError(
                _("Name the provider the facility is contracted to."), code="operator_required")
        elif self.run_by == RunBy.SELF and self.operator_id:
            errors["operator"] = ValidationError(
                _("A facility the office runs itself has no contracted operator."),
                code="operator_not_allowed")
        if errors:
            raise ValidationError(errors)

    @property
    def street(self):
        """The street the facility belongs to (None for a district platform)."""
        if self.region.kind == RegionKind.STREET:
            return self.region
        if self.region.kind == RegionKind.COMMUNITY:
            return self.region.parent
        return None

    @property
    def district_id(self) -> int | None:
        """The district whose policy values and platform apply."""
        region = self.region
        if region.kind == RegionKind.DISTRICT:
            return region.pk
        if region.kind == RegionKind.STREET:
            return region.parent_id
        if region.kind == RegionKind.COMMUNITY:
            return region.parent.parent_id
        return None

    @property
    def is_open(self) -> bool:
        return self.status == FacilityStatus.OPEN


@track_changes()
class FacilityFunding(TimeStampedModel):
    """The operating funding a facility receives for one year (Art 9)."""

    facility = models.ForeignKey(Facility, verbose_name=_("facility"),
                                 on_delete=models.PROTECT, related_name="funding")
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("operating funding (yuan)"), max_digits=14,
                                 decimal_places=2)
    basis = models.CharField(
        _("source or basis"), max_length=300, blank=True,
        help_text=_("Budget line, contract or notice the amount comes from."))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager()

    scope_region = "facility__region"
    scope_provider = "facility__operator"

    class Meta:
        verbose_name = _("facility funding")
        verbose_name_plural = _("facility funding")
        ordering = ["facility", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["facility", "year"],
                                    name="facility_funding_one_per_year",
                                    violation_error_message=_(
                                        "Funding for this year is already recorded.")),
            models.CheckConstraint(condition=Q(amount__gte=0),
                                   name="facility_funding_not_negative"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100),
                                   name="facility_funding_year_sane"),
        ]

    def __str__(self):
        return f"{self.facility} · {self.year}: {self.amount}"


@track_changes()
class FacilityChange(models.Model):
    """The approval on record for closing a facility or changing its use
    (Art 11, 34): the district government's approval, the public notice,
    the date it takes effect and the report to the city civil-affairs bureau
    (required by ``services.record_change``; rows recorded before that rule
    may lack it). Never edited once recorded."""

    facility = models.ForeignKey(Facility, verbose_name=_("facility"),
                                 on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(_("change"), max_length=16, choices=ChangeKind.choices)
    new_use = models.CharField(_("new use"), max_length=200, blank=True)
    approving_authority = models.CharField(
        _("approving authority"), max_length=200,
        help_text=_("The district people's government that approved it (Art 11)."))
    approval_reference = models.CharField(_("approval reference (文号)"), max_length=100)
    approved_on = models.DateField(_("approved on"))
    notice_published_on = models.DateField(_("public notice published on"))
    notice_channel = models.CharField(
        _("where the notice was published"), max_length=200, blank=True)
    reported_to_city_on = models.DateField(
        _("reported to the city civil-affairs bureau on"), null=True, blank=True)
    effective_on = models.DateField(_("takes effect on"))
    previous_status = models.CharField(_("status before"), max_length=8,
                                       choices=FacilityStatus.choices)
    previous_use = models.CharField(_("use before"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
        related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedManager()

    scope_region = "facility__region"
    scope_provider = "facility__operator"

    class Meta:
        verbose_name = _("facility closure or change of use")
        verbose_name_plural = _("facility closures and changes of use")
        ordering = ["facility", "-effective_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(effective_on__gte=models.F("approved_on")),
                                   name="facility_change_effective_after_approval"),
            models.CheckConstraint(
                condition=Q(notice_published_on__gte=models.F("approved_on")),
                name="facility_change_notice_after_approval"),
            models.CheckConstraint(
                condition=Q(effective_on__gte=models.F("notice_published_on")),
                name="facility_change_effective_after_notice"),
            models.CheckConstraint(
                condition=~Q(kind=ChangeKind.CHANGE_OF_USE) | ~Q(new_use=""),
                name="facility_change_of_use_names_the_use"),
        ]
        triggers = [
            # The approval on record is history: never edited or removed.
            pgtrigger.Protect(name="facility_change_append_only",
                              operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self):
        return f"{self.facility} · {self.get_kind_display()} · {self.effective_on}"
