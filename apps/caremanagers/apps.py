from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareManagersConfig(AppConfig):
    name = "apps.caremanagers"
    label = "caremanagers"
    verbose_name = _("Care managers")
