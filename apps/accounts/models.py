import pghistory
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.roles import ROLE_JURISDICTION, Role
from apps.audit.history import track_changes
from apps.core.scoping import ScopedQuerySet
from apps.regions.models import RegionKind


class StaffManager(UserManager.from_queryset(ScopedQuerySet)):
    pass


@track_changes(exclude=["password", "last_login"])
class User(AbstractUser):
    """A member of staff. The jurisdiction is one node of the region tree,
    or, for provider staff, their organisation."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("jurisdiction"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="staff",
        help_text=_("The city, district or street this person works for."),
    )
    provider = models.ForeignKey(
        "providers.Provider", verbose_name=_("service provider"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="staff",
        help_text=_("For provider staff only: the organisation they work for."),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)

    objects = StaffManager()

    scope_region = "region"
    scope_provider = "provider"

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(region__isnull=True) | models.Q(provider__isnull=True),
                name="user_one_jurisdiction",
            ),
        ]

    def __str__(self):
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username

    def get_full_name(self):
        # Chinese names read family name first, with no space: 陈小红.
        names = f"{self.last_name}{self.first_name}"
        if any("\u4e00" <= ch <= "\u9fff" for ch in names):
            return names.strip()
        return super().get_full_name()

    def clean(self):
        super().clean()
        if not self.role:
            return
        expected = ROLE_JURISDICTION[Role(self.role)]
        if expected == "provider":
            if not self.provider_id or self.region_id:
                raise ValidationError({"provider": ValidationError(
                    _("Provider staff belong to a provider, not a region."),
                    code="provider_required",
                )})
        elif not self.region_id or self.region.kind != expected or self.provider_id:
            raise ValidationError({"region": ValidationError(
                _("This role needs a jurisdiction of level: %(kind)s."),
                params={"kind": RegionKind(expected).label},
                code="wrong_jurisdiction_level",
            )})


# Role changes show in the trail as group membership added or removed, and
# individual permission grants likewise (the through tables have no model of
# their own to decorate).
UserGroupEvent = pghistory.create_event_model(
    User.groups.through,
    pghistory.InsertEvent("group.add"),
    pghistory.DeleteEvent("group.remove"),
    obj_field=None,
    model_name="UserGroupEvent",
    app_label="accounts",
    abstract=False,
)
UserPermissionEvent = pghistory.create_event_model(
    User.user_permissions.through,
    pghistory.InsertEvent("permission.add"),
    pghistory.DeleteEvent("permission.remove"),
    obj_field=None,
    model_name="UserPermissionEvent",
    app_label="accounts",
    abstract=False,
)
