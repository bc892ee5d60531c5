from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.audit.history import track_changes
from apps.catalogue import rules
from apps.core.models import TimeStampedModel


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


class ServiceItemQuerySet(models.QuerySet):
    def with_guide_price(self, day):
        """Annotate ``guide_price``: the city guide price in force on ``day``
        (None where none is), in the same query as the items."""
        in_force = GuidePrice.objects.filter(item=OuterRef("pk")).in_force(day).values("price")[:1]
        return self.annotate(guide_price=Subquery(in_force))


@track_changes()
class ServiceItem(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=32, choices=ServiceCategory.choices)
    unit = models.CharField(_("unit"), max_length=16, choices=ServiceUnit.choices)
    min_duration_minutes = models.PositiveIntegerField(
        _("minimum duration (minutes)"), null=True, blank=True,
        help_text=_("A visit shorter than this does not count (Art 24)."),
    )
    bonus_eligible = models.BooleanField(
        _("earns the per-visit performance subsidy"), default=False,
        help_text=_("Day care, rehabilitation nursing, home life care and home medical visits."),
    )
    is_active = models.BooleanField(_("offered"), default=True)

    objects = ServiceItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        ordering = ["category", "code"]

    def __str__(self):
        return self.name

    def guide_price_on(self, day):
        """The city guide price in force on ``day`` (None where none is
        published). The one place contracts and settlement read it."""
        version = self.guide_prices.in_force(day).first()
        return None if version is None else version.price


class GuidePriceQuerySet(models.QuerySet):
    def in_force(self, day):
        """Versions that have started by ``day``, latest first: the first
        version of an item is the one in force."""
        return self.filter(valid_from__lte=day).order_by("-valid_from")


@track_changes()
class GuidePrice(TimeStampedModel):
    """A version of the city guide price of one service item (Art 19), in
    force from ``valid_from`` until the next version of the same item.

    A version in force is never edited: a new price is a new version. Only a
    version that has not started may still be corrected.
    """

    item = models.ForeignKey(ServiceItem, verbose_name=_("service item"),
                             on_delete=models.PROTECT, related_name="guide_prices")
    price = models.DecimalField(_("guide price"), max_digits=10, decimal_places=2,
                                validators=[MinValueValidator(0)])
    valid_from = models.DateField(_("in force from"))
    basis = models.CharField(_("basis"), max_length=200,
                             help_text=_("The document that sets the price."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    objects = GuidePriceQuerySet.as_manager()

    class Meta:
        verbose_name = _("guide price")
        verbose_name_plural = _("guide prices")
        ordering = ["item", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["item", "valid_from"],
                                    name="one_guide_price_per_item_and_day"),
            models.CheckConstraint(condition=Q(price__gte=0),
                                   name="guide_price_not_negative"),
        ]

    def __str__(self):
        return f"{self.item} · {self.price} · {self.valid_from}"

    def clean(self):
        today = timezone.localdate()
        stored = (GuidePrice.objects.filter(pk=self.pk).values("item_id", "price", "valid_from",
                                                                "basis").first()
                  if self.pk is not None else None)
        if stored is not None:
            if stored == {"item_id": self.item_id, "price": self.price,
                          "valid_from": self.valid_from, "basis": self.basis}:
                return  # saved again unchanged (an admin inline)
            if not rules.may_change(stored["valid_from"], today):
                raise ValidationError(
                    _("This version is in force; add a new version instead."),
                    code="in_force")
        if self.valid_from is not None and not rules.may_start_on(self.valid_from, today):
            raise ValidationError({"valid_from": ValidationError(
                _("A new version cannot start in the past."), code="in_past")})
