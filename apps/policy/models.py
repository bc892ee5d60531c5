from datetime import date

import pgtrigger
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.audit.history import track_changes
from apps.policy.parameters import PARAMETERS, Unit

# The policy calendar runs on Guangzhou's date, in SQL as in Python.
SHANGHAI_TODAY_SQL = "(now() AT TIME ZONE 'Asia/Shanghai')::date"


class PolicyValueQuerySet(models.QuerySet):
    def in_force(self, on: date):
        """For each key and district, the version whose start is latest on ``on``."""
        return (
            self.filter(valid_from__lte=on)
            .order_by("key", "region_id", "-valid_from")
            .distinct("key", "region_id")
        )


@track_changes()
@pgtrigger.register(
    # A version that has taken effect is history: it is never edited, moved
    # into the past or removed. A change is a new version dated after today;
    # versions still in the future may be corrected.
    pgtrigger.Protect(
        name="policy_value_in_force_is_immutable",
        operation=pgtrigger.Update | pgtrigger.Delete,
        condition=pgtrigger.Condition(f"OLD.valid_from <= {SHANGHAI_TODAY_SQL}"),
    ),
    pgtrigger.Protect(
        name="policy_value_not_moved_into_the_past",
        operation=pgtrigger.Update,
        condition=pgtrigger.Condition(f"NEW.valid_from <= {SHANGHAI_TODAY_SQL}"),
    ),
    pgtrigger.Protect(
        name="policy_value_not_backdated",
        operation=pgtrigger.Insert,
        condition=pgtrigger.Condition(f"NEW.valid_from <= {SHANGHAI_TODAY_SQL}"),
    ),
)
class PolicyValue(models.Model):
    """One dated version of a policy parameter, city-wide or for one district
    (for example each district's share of the funding)."""

    key = models.CharField(
        _("parameter"), max_length=64,
        choices=[(p.key, p.label) for p in PARAMETERS.values()],
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    valid_from = models.DateField(_("in force from"))
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("district"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"kind": "district"},
        help_text=_("Empty: the value applies to the whole city."),
    )
    basis = models.CharField(_("legal basis or notice"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )

    objects = PolicyValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("policy value")
        verbose_name_plural = _("policy values")
        ordering = ["key", "region__code", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["key", "region", "valid_from"],
                                    nulls_distinct=False, name="policy_value_one_per_day"),
            models.CheckConstraint(condition=models.Q(value__gte=0),
                                   name="policy_value_not_negative"),
        ]

    def __str__(self):
        where = f" {self.region}" if self.region_id else ""
        return f"{self.get_key_display()}{where} = {self.display_value} ({self.valid_from})"

    @property
    def parameter(self):
        return PARAMETERS[self.key]

    @property
    def display_value(self) -> str:
        return f"{self.value.normalize():f} {self.parameter.unit.label}"

    @property
    def has_taken_effect(self) -> bool:
        return self.valid_from <= timezone.localdate()

    def clean(self):
        errors = {}
        if self.key in PARAMETERS and PARAMETERS[self.key].unit == Unit.SHARE \
                and self.value is not None and self.value > 1:
            errors["value"] = ValidationError(_("A share must lie between 0 and 1."),
                                              code="share_above_one")
        if self.valid_from is not None and self.has_taken_effect:
            errors["valid_from"] = ValidationError(
                _("A new or corrected version takes effect after today: versions "
                  "already in force are history and are never rewritten."),
                code="not_after_today")
        if errors:
            raise ValidationError(errors)
