from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.audit.history import track_changes


class ServiceCategory(models.TextChoices):
    """The service categories of Art 13 (extensible by adding items)."""

    REHABILITATION_NURSING = "rehabilitation_nursing", _("Rehabilitation nursing")
    LIFE_CARE = "life_care", _("Life care")
    MEALS = "meals", _("Meals")
    HEALTHCARE = "healthcare", _("Healthcare")
    DAY_CARE = "day_care", _("Day care")
    RESPITE = "respite", _("Temporary respite")
    RECREATION = "recreation", _("Culture and recreation")
    EMOTIONAL_SUPPORT = "emotional_support", _("Emotional support")
    HOSPICE = "hospice", _("Hospice care")
    EMERGENCY_CALL = "emergency_call", _("Emergency-call service (Ping'an Tong)")
    OTHER = "other", _("Other (technology- or finance-aided)")


class ServiceUnit(models.TextChoices):
    VISIT = "visit", _("visit")
    HOUR = "hour", _("hour")
    MEAL = "meal", _("meal")
    DAY = "day", _("day")
    MONTH = "month", _("month")


@track_changes()
class ServiceItem(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=32, choices=ServiceCategory.choices)
    unit = models.CharField(_("unit"), max_length=16, choices=ServiceUnit.choices)
    guide_price = models.DecimalField(
        _("city guide price"), max_digits=10, decimal_places=2, null=True, blank=True,
        help_text=_("Leave empty where the city publishes no guide price."),
    )
    min_duration_minutes = models.PositiveIntegerField(
        _("minimum duration (minutes)"), null=True, blank=True,
        help_text=_("A visit shorter than this does not count (Art 24)."),
    )
    bonus_eligible = models.BooleanField(
        _("earns the per-visit performance subsidy"), default=False,
        help_text=_("Day care, rehabilitation nursing, home life care and home medical visits."),
    )
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        ordering = ["category", "code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(guide_price__gte=0),
                                   name="item_price_not_negative"),
        ]

    def __str__(self):
        return self.name

    def guide_price_on(self, day):
        """The city guide price in force on ``day`` (None where none is
        published). The one place contracts and settlement read it."""
        return self.guide_price
