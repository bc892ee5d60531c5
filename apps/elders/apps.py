from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EldersConfig(AppConfig):
    name = "apps.elders"
    label = "elders"
    verbose_name = _("Elders")
