from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FindingsConfig(AppConfig):
    name = "apps.findings"
    label = "findings"
    verbose_name = _("Audit findings")
