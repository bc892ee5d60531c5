from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.audit.history import track_changes
from apps.core.models import ScopedManager, TimeStampedModel


@track_changes()
class Provider(TimeStampedModel):
    """A service organisation (服务机构). Its staff see only their own
    organisation; district staff see the providers registered in their
    district. The full registry (contracts, insurance, roster) builds on this.
    """

    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("registered district"), on_delete=models.PROTECT,
        related_name="providers",
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = ScopedManager()

    scope_region = "region"
    scope_provider = "pk"

    class Meta:
        verbose_name = _("service provider")
        verbose_name_plural = _("service providers")
        ordering = ["name"]

    def __str__(self):
        return self.name
