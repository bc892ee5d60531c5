import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import ScopedManager


class AccessAction(models.TextChoices):
    LIST = "list", _("Listed")
    VIEW = "view", _("Viewed")
    EXPORT = "export", _("Exported")
    REVEAL = "reveal", _("Revealed identity number")
    PRINT = "print", _("Printed")


class AccessLog(models.Model):
    """Who read whose personal record, when and from where (PIPL).

    Append-only: nothing in the application updates or deletes these rows,
    and the database refuses it too (see the migration's trigger).
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), null=True,
        # PROTECT: the log is append-only, so a user with entries is
        # deactivated, never deleted.
        on_delete=models.PROTECT, related_name="+",
    )
    action = models.CharField(_("action"), max_length=16, choices=AccessAction.choices)
    object_type = models.CharField(_("record type"), max_length=100)
    object_id = models.CharField(_("record"), max_length=64)
    object_label = models.CharField(_("record label"), max_length=200)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region of the record"), null=True,
        on_delete=models.PROTECT, related_name="+",
    )
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    path = models.CharField(_("page"), max_length=300, blank=True)

    objects = ScopedManager()

    scope_region = "region"

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        triggers = [
            pgtrigger.Protect(name="access_log_append_only",
                              operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self):
        when = f"{self.at:%Y-%m-%d %H:%M}"
        return f"{when} {self.user} {self.get_action_display()} {self.object_label}"
