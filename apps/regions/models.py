from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.audit.history import track_changes
from apps.core.models import ScopedManager


class RegionKind(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street or town")
    COMMUNITY = "community", _("Community or village")


PARENT_KIND = {
    RegionKind.CITY: None,
    RegionKind.DISTRICT: RegionKind.CITY,
    RegionKind.STREET: RegionKind.DISTRICT,
    RegionKind.COMMUNITY: RegionKind.STREET,
}


class RegionManager(ScopedManager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


@track_changes()
class Region(models.Model):
    """A node of the administrative tree: city → district → street/town →
    community/village, identified by its official division code.

    Demo communities carry ``is_demo`` and a code that cannot pass for an
    official one.
    """

    code = models.CharField(
        _("division code"), max_length=32, unique=True,
        validators=[RegexValidator(r"^[0-9A-Za-z-]+$", _("Letters, digits and hyphens only."),
                                   code="bad_code")],
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("level"), max_length=16, choices=RegionKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = RegionManager()

    scope_region = ""  # a region is scoped by its own path

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["path"], name="region_path_prefix",
                         opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="city", parent__isnull=True)
                | models.Q(parent__isnull=False) & ~models.Q(kind="city"),
                name="region_only_city_is_root",
            ),
            # One city: whole-city scope is given to whoever sits at the root.
            models.UniqueConstraint(fields=["kind"], condition=models.Q(parent__isnull=True),
                                    name="region_single_root"),
            models.CheckConstraint(condition=~models.Q(code__contains="/"),
                                   name="region_code_has_no_slash"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The path is structure, not policy: it is what makes subtree scoping
        # a single prefix match. Moving a node is not supported.
        self.path = f"{self.parent.path if self.parent_id else '/'}{self.code}/"
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.code,)

    def clean(self):
        expected = PARENT_KIND[self.kind]
        actual = self.parent.kind if self.parent_id else None
        if expected != actual:
            raise ValidationError({"parent": ValidationError(
                _("A %(kind)s must sit directly under a %(parent)s."),
                params={"kind": self.get_kind_display(),
                        "parent": RegionKind(expected).label if expected else _("nothing")},
                code="wrong_parent_level",
            )})

    @property
    def district_code(self) -> str | None:
        codes = self.path.strip("/").split("/")
        return codes[1] if len(codes) > 1 else None
