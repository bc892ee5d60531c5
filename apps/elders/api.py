from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.audit.services import log_access, log_listing
from apps.core.api import ScopedViewSetMixin
from apps.core.filters import ScopedFilterSet
from apps.core.permissions import ActionPermissions
from apps.elders import serializers as s
from apps.elders.identity import normalise
from apps.elders.models import NUMBERED_AS_RESIDENT_ID, DocumentType, Elder, LifeStatus
from apps.elders.services import (
    add_contact,
    identity_digest,
    record_life_status,
    register_elder,
    update_elder,
)
from apps.regions.models import Region


class ElderFilter(ScopedFilterSet):
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", label="name contains")
    id_number = filters.CharFilter(method="filter_id_number",
                                   label="exact identity number (keyed digest)")
    document_type = filters.ChoiceFilter(choices=DocumentType.choices)
    life_status = filters.ChoiceFilter(choices=LifeStatus.choices)
    residence_street = filters.ModelChoiceFilter(queryset=Region.objects.all())
    hukou_street = filters.ModelChoiceFilter(queryset=Region.objects.all())
    community = filters.ModelChoiceFilter(queryset=Region.objects.all())

    class Meta:
        model = Elder
        fields = ["sex", "lives_alone", "pure_elderly_household", "gugua", "dibao",
                  "low_income", "youfu", "sanwu_or_wubao"]

    def filter_id_number(self, queryset, name, value):
        kind = self.data.get("document_type") or DocumentType.RESIDENT_ID
        return queryset.filter(id_number_digest=identity_digest(kind, normalise(value)))


class ElderViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                   viewsets.GenericViewSet):
    """The registry: list, read (logged), register, update, life status, contacts."""

    queryset = Elder.objects.select_related("residence_street", "hukou_street")
    serializer_class = s.ElderSerializer
    filterset_class = ElderFilter
    permission_classes = [ActionPermissions]
    action_permissions = {"life_status": "elders.change_elder",
                          "add_contact": "elders.add_contact"}

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

    @extend_schema(request=s.ElderCreateSerializer, responses={201: s.ElderSerializer})
    def create(self, request, *args, **kwargs):
        payload = s.ElderCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        identity = {f: data[f] for f in ("document_type", "id_number", "birth_date", "sex")
                    if f in data}
        if identity["document_type"] in NUMBERED_AS_RESIDENT_ID:
            identity.pop("birth_date", None), identity.pop("sex", None)
        elder = register_elder(by=request.user, **identity, **payload.profile_changes())
        return Response(s.ElderSerializer(elder).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ElderUpdateSerializer, responses=s.ElderSerializer)
    def partial_update(self, request, pk=None, **kwargs):
        elder = self.get_object()
        payload = s.ElderUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        changed_on = payload.validated_data.get("changed_on") or timezone.localdate()
        elder = update_elder(elder=elder, changed_on=changed_on, **payload.profile_changes())
        return Response(s.ElderSerializer(elder).data)

    @extend_schema(request=s.LifeStatusSerializer, responses=s.ElderSerializer)
    @action(detail=True, methods=["post"], url_path="life-status")
    def life_status(self, request, pk=None, **kwargs):
        elder = self.get_object()
        payload = s.LifeStatusSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        elder = record_life_status(elder=elder, status=data["life_status"],
                                   since=data["life_status_since"], note=data["note"])
        return Response(s.ElderSerializer(elder).data)

    @extend_schema(request=s.ContactCreateSerializer, responses={201: s.ContactSerializer})
    @action(detail=True, methods=["post"], url_path="contacts")
    def add_contact(self, request, pk=None, **kwargs):
        elder = self.get_object()
        payload = s.ContactCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        contact = add_contact(elder=elder, **payload.validated_data)
        return Response(s.ContactSerializer(contact).data, status=status.HTTP_201_CREATED)
