"""Shared API plumbing: permissions, scoping, error mapping."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler as drf_exception_handler


class ScopedViewSetMixin:
    """Start every API read from ``visible_to``; detail misses are 404."""

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


def exception_handler(exc, context):
    """Answer Django ValidationErrors from services as 400 with field errors."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = exc.message_dict
        else:
            detail = {"non_field_errors": exc.messages}
        exc = ValidationError(detail=detail)
    return drf_exception_handler(exc, context)
