import pgtrigger
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.audit.history import track_changes
from apps.policy.parameters import PARAMETERS, Unit


class PolicyValueQuerySet(models.QuerySet):
    def in_force(self, on):
        """For each key, the version whose ``valid_from`` is latest on ``on``."""
        return (
            self.filter(valid_from__lte=on)
            .order_by("key", "-valid_from")
            .distinct("key")
        )


@track_changes()
@pgtrigger.register(
    # A version that has taken effect is history: it is never edited or
    # removed; a change is a new version with a later date. Versions still in
    # the future may be corrected.
    pgtrigger.Protect(
        name="policy_value_in_force_is_immutable",
        operation=pgtrigger.Update | pgtrigger.Delete,
        condition=pgtrigger.Condition("OLD.valid_from <= CURRENT_DATE"),
    ),
)
class PolicyValue(models.Model):
    """One dated version of a policy parameter."""

    key = models.CharField(
        _("parameter"), max_length=64,
        choices=[(p.key, p.label) for p in PARAMETERS.values()],
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    valid_from = models.DateField(_("in force from"))
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
        ordering = ["key", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["key", "valid_from"], name="policy_value_one_per_day"),
            models.CheckConstraint(condition=models.Q(value__gte=0),
                                   name="policy_value_not_negative"),
        ]

    def __str__(self):
        return f"{self.get_key_display()} = {self.display_value} ({self.valid_from})"

    @property
    def parameter(self):
        return PARAMETERS[self.key]

    @property
    def display_value(self) -> str:
        return f"{self.value.normalize():f} {self.parameter.unit.label}"

    def clean(self):
        if self.key in PARAMETERS and PARAMETERS[self.key].unit == Unit.SHARE and self.value > 1:
            raise ValidationError({"value": ValidationError(
                _("A share must lie between 0 and 1."), code="share_above_one")})
