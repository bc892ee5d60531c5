from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.scoping import ScopedQuerySet


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):
    pass
