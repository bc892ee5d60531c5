import logging

from django.apps import AppConfig
from django.conf import settings

logger = logging.getLogger("eldercare")


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"

    def ready(self):
        from apps.core import logfilters

        logfilters.install()
        if settings.CELERY_TASK_ALWAYS_EAGER:
            logger.warning(
                "Celery: no CELERY_BROKER_URL configured; background tasks run "
                "eagerly in this process and beat schedules do not fire."
            )
