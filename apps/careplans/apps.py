from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CarePlansConfig(AppConfig):
    name = "apps.careplans"
    label = "careplans"
    verbose_name = _("Service plans and agreements")
