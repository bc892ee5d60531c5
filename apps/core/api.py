"""Shared API plumbing: permissions, scoping, error mapping."""

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import JsonResponse
from django.views import defaults
from drf_spectacular import openapi
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.views import exception_handler as drf_exception_handler


class ScopedViewSetMixin:
    """Start every API read from ``visible_to``; detail misses are 404."""

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


def not_found(request, exception=None):
    """Django's 404 page, but JSON under /api/ (a path no API route
    matches, such as ``/api/applications/x.5/approve/``), as every other
    API answer."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)


def exception_handler(exc, context):
    """Answer Django ValidationErrors from services as 400 with field errors."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = exc.message_dict
        else:
            detail = {"non_field_errors": exc.messages}
        exc = ValidationError(detail=detail)
    return drf_exception_handler(exc, context)


class ErrorDetailSerializer(serializers.Serializer):
    """DRF's answer to a refused request: ``{"detail": message}``."""

    detail = serializers.CharField()


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, with the errors every endpoint can answer:
    400 where the request carries a body or query parameters (field errors,
    or a body that does not parse), 415 for a body of another media type,
    403 without the permission, 404 for a key or a page that the caller
    does not see. An operation's own ``extend_schema`` responses win."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation["responses"]
        places = {parameter["in"] for parameter in operation.get("parameters", [])}
        queries = {parameter["name"] for parameter in operation.get("parameters", [])
                   if parameter["in"] == "query"}
        if "requestBody" in operation or queries:
            responses.setdefault("400", {
                "description": "Field errors in the request's language: {field: [message]} "
                "(errors that concern no single field under non_field_errors), or "
                "{detail: message} for a body that does not parse.",
                "content": {"application/json": {"schema": build_basic_type(
                    OpenApiTypes.OBJECT)}}})
        if "requestBody" in operation:
            responses.setdefault("415", self._detail(
                "The body's Content-Type is not one this operation reads."))
        responses.setdefault("403", self._detail(
            "Not signed in, or without the permission this operation needs."))
        if "path" in places or "page" in queries:
            responses.setdefault("404", self._detail(
                "No such row in the caller's jurisdiction, or no such page."))
        return operation

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if isinstance(field, serializers.ChoiceField) and field.read_only \
                and not field.allow_blank and _blank_model_field(field):
            # DRF drops allow_blank from read-only fields (read_only_fields),
            # yet the row may hold "" (no choice made): the schema says so.
            field.allow_blank = True
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def _detail(self, description):
        component = self.resolve_serializer(ErrorDetailSerializer, "response")
        return {"description": description,
                "content": {"application/json": {"schema": component.ref}}}


def _blank_model_field(field) -> bool:
    """Whether a serializer field reads a text column that may be blank."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or len(field.source_attrs) != 1:
        return False
    try:
        model_field = model._meta.get_field(field.source_attrs[0])
    except FieldDoesNotExist:
        return False
    return isinstance(model_field, models.CharField | models.TextField) and model_field.blank
