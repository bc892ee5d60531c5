from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone, translation
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings

from apps.audit.services import log_access, log_listing
from apps.core.api import ScopedViewSetMixin
from apps.core.filters import ScopedFilterSet
from apps.core.permissions import ActionPermissions
from apps.elders import serializers as s
from apps.elders.models import DocumentType, Elder, LifeStatus, Sex
from apps.elders.services import (
    add_contact,
    identity_digest,
    record_life_status,
    register_elder,
    update_elder,
)
from apps.regions.models import Region

FIELD_ERRORS = OpenApiResponse(
    description="Field errors in the request's language: {field: [message]}; "
    "errors that concern no single field come under non_field_errors.")


def service_error(error: DjangoValidationError, fields: dict[str, str] | None = None
                  ) -> ValidationError:
    """Turn a service's ValidationError into DRF's, keeping each error's code.

    ``fields`` renames a service's field to the request field that carries it.
    """
    fields = fields or {}
    if not hasattr(error, "error_dict"):
        return ValidationError({api_settings.NON_FIELD_ERRORS_KEY: _details(error.error_list)})
    detail = {}
    for field, errors in error.error_dict.items():
        key = (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS
               else fields.get(field, field))
        detail.setdefault(key, []).extend(_details(errors))
    return ValidationError(detail)


def _details(errors) -> list[ErrorDetail]:
    return [ErrorDetail(message, code=item.code or "invalid")
            for item in errors for message in item.messages]


class ServiceViewSetMixin:
    """Answer in the request's language (its language cookie, else its
    Accept-Language, else Chinese) and report a service's refusal as 400
    field errors that keep their codes.

    The staff screens ignore Accept-Language on purpose (office PCs run
    English systems); a system calling the API says what it wants.
    """

    # service field -> request field, where the two names differ
    service_error_fields: dict[str, str] = {}

    def initial(self, request, *args, **kwargs):
        translation.activate(translation.get_language_from_request(request))
        request.LANGUAGE_CODE = translation.get_language()
        super().initial(request, *args, **kwargs)

    def handle_exception(self, exc):
        if isinstance(exc, DjangoValidationError):
            exc = service_error(exc, self.service_error_fields)
        return super().handle_exception(exc)


class ElderFilter(ScopedFilterSet):
    # No filter takes a name or a number: those are posted to ``search``.
    document_type = filters.ChoiceFilter(choices=DocumentType.choices)
    sex = filters.ChoiceFilter(choices=Sex.choices)
    life_status = filters.ChoiceFilter(choices=LifeStatus.choices)
    # ScopedFilterSet narrows each to the regions the caller sees.
    residence_street = filters.ModelChoiceFilter(queryset=Region.objects.all())
    hukou_street = filters.ModelChoiceFilter(queryset=Region.objects.all())
    community = filters.ModelChoiceFilter(queryset=Region.objects.all())

    class Meta:
        model = Elder
        fields = ["lives_alone", "pure_elderly_household",
                  "lives_only_with_severely_disabled_child", "gugua", "sanwu_or_wubao",
                  "dibao", "low_income", "youfu", "model_worker",
                  "family_planning_special_support"]


class ElderViewSet(ServiceViewSetMixin, ScopedViewSetMixin, mixins.ListModelMixin,
                   mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The registry: list, read (logged), register, update, life status, contacts."""

    queryset = Elder.objects.select_related("residence_street", "hukou_street")
    serializer_class = s.ElderSerializer
    filterset_class = ElderFilter
    permission_classes = [ActionPermissions]
    action_permissions = {"life_status": "elders.change_elder",
                          "add_contact": "elders.add_contact",
                          "search": "elders.view_elder"}

    def get_serializer_class(self):
        return s.ElderDetailSerializer if self.action == "retrieve" else s.ElderSerializer

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        log_listing(request=self.request, objects=page or [])
        return page

    def retrieve(self, request, *args, **kwargs):
        elder = self.get_object()
        log_access(request=request, obj=elder)
        return Response(self.get_serializer(elder).data)

    @extend_schema(request=s.ElderSearchSerializer,
                   responses={200: s.ElderPageSerializer, 400: FIELD_ERRORS})
    @action(detail=False, methods=["post"])
    def search(self, request, **kwargs):
        """The elders whose name contains ``q``, or whose document number is
        ``id_number``: posted, so that neither appears in a URL. The list's
        other filters apply from the query string; the answer is a page."""
        payload = s.ElderSearchSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        queryset = self.filter_queryset(self.get_queryset())
        if data["id_number"]:
            # stored encrypted: only its keyed digest can be matched
            kind = data.get("document_type") or DocumentType.RESIDENT_ID
            queryset = queryset.filter(id_number_digest=identity_digest(kind, data["id_number"]))
        if data["q"]:
            queryset = queryset.filter(name__icontains=data["q"])
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(s.ElderSerializer(page, many=True).data)

    @extend_schema(request=s.ElderCreateSerializer,
                   responses={201: s.ElderSerializer, 400: FIELD_ERRORS})
    def create(self, request, *args, **kwargs):
        payload = s.ElderCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        elder = register_elder(by=request.user, **payload.registration())
        return Response(s.ElderSerializer(elder).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ElderUpdateSerializer,
                   responses={200: s.ElderSerializer, 400: FIELD_ERRORS})
    def partial_update(self, request, pk=None, **kwargs):
        elder = self.get_object()
        payload = s.ElderUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        changed_on = payload.validated_data.get("changed_on") or timezone.localdate()
        elder = update_elder(elder=elder, changed_on=changed_on, **payload.profile_changes())
        return Response(s.ElderSerializer(elder).data)

    @extend_schema(request=s.LifeStatusSerializer,
                   responses={200: s.ElderSerializer, 400: FIELD_ERRORS})
    @action(detail=True, methods=["post"], url_path="life-status")
    def life_status(self, request, pk=None, **kwargs):
        elder = self.get_object()
        payload = s.LifeStatusSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        elder = record_life_status(elder=elder, status=data["life_status"],
                                   since=data["life_status_since"], note=data["note"])
        return Response(s.ElderSerializer(elder).data)

    @extend_schema(request=s.ContactCreateSerializer,
                   responses={201: s.ContactSerializer, 400: FIELD_ERRORS})
    @action(detail=True, methods=["post"], url_path="contacts")
    def add_contact(self, request, pk=None, **kwargs):
        elder = self.get_object()
        payload = s.ContactCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        contact = add_contact(elder=elder, **payload.validated_data)
        return Response(s.ContactSerializer(contact).data, status=status.HTTP_201_CREATED)
