from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.audit.services import log_access
from apps.careplans import services
from apps.careplans.models import AgreementItem, ServiceAgreement, ServicePlan, ServicePlanItem
from apps.careplans.serializers import (
    EndAgreementSerializer,
    ServiceAgreementSerializer,
    ServiceAgreementWriteSerializer,
    ServicePlanSerializer,
    ServicePlanWriteSerializer,
)
from apps.core.api import ScopedViewSetMixin
from apps.core.permissions import ActionPermissions
from apps.elders.api import FIELD_ERRORS, ServiceViewSetMixin
from apps.regions.models import Region


def _check_serving_street(user, elder) -> None:
    """A plan or an agreement is written by staff of the street that serves
    the elder; to anyone else the elder reads as absent."""
    street = services.service_street(elder)
    if not Region.objects.visible_to(user).filter(pk=street.pk).exists():
        raise ValidationError({"elder": [
            f'Invalid pk "{elder.pk}" - object does not exist.']}, code="does_not_exist")


class ServicePlanViewSet(ServiceViewSetMixin, ScopedViewSetMixin, mixins.CreateModelMixin,
                         viewsets.ReadOnlyModelViewSet):
    """Service plans (服务方案, Art 28(4)) of the caller's elders, each with its
    monthly budget against the entitlement. Writing a plan supersedes the
    plan in force; plans are never changed in place."""

    queryset = ServicePlan.objects.select_related("elder", "entitlement").prefetch_related(
        Prefetch("items", queryset=ServicePlanItem.objects.select_related(
            "service_item", "provider")),
    ).order_by("-starts_on", "-pk")
    serializer_class = ServicePlanSerializer
    filterset_fields = ["elder", "status", "care_manager"]
    permission_classes = [ActionPermissions]

    def retrieve(self, request, *args, **kwargs):
        plan = self.get_object()
        log_access(request=request, obj=plan.elder)
        return Response(self.get_serializer(plan).data)

    @extend_schema(request=ServicePlanWriteSerializer,
                   responses={201: ServicePlanSerializer, 400: FIELD_ERRORS})
    def create(self, request, *args, **kwargs):
        """Write the plan of an approved elder from ``starts_on``."""
        payload = ServicePlanWriteSerializer(data=request.data, user=request.user)
        payload.is_valid(raise_exception=True)
        arguments = payload.service_arguments()
        _check_serving_street(request.user, arguments["elder"])
        plan = services.write_plan(user=request.user, **arguments)
        return Response(ServicePlanSerializer(self.get_queryset().get(pk=plan.pk)).data,
                        status=status.HTTP_201_CREATED)


class ServiceAgreementViewSet(ServiceViewSetMixin, ScopedViewSetMixin, mixins.CreateModelMixin,
                              viewsets.ReadOnlyModelViewSet):
    """Service agreements (Art 16, 29) of the caller's elders (a provider:
    its own), at the prices of the provider's contract. ``end`` ends one or
    refers the elder to another provider on the Art 17 grounds."""

    queryset = ServiceAgreement.objects.select_related("elder", "provider", "contract") \
        .prefetch_related(Prefetch("items", queryset=AgreementItem.objects.select_related(
            "service_item"))).order_by("-starts_on", "-pk")
    serializer_class = ServiceAgreementSerializer
    filterset_fields = ["elder", "provider", "status"]
    permission_classes = [ActionPermissions]
    action_permissions = {"end": "careplans.end_serviceagreement"}

    def _answer(self, agreement, code=status.HTTP_200_OK):
        return Response(ServiceAgreementSerializer(
            self.get_queryset().get(pk=agreement.pk)).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        agreement = self.get_object()
        log_access(request=request, obj=agreement.elder)
        return Response(self.get_serializer(agreement).data)

    @extend_schema(request=ServiceAgreementWriteSerializer,
                   responses={201: ServiceAgreementSerializer, 400: FIELD_ERRORS})
    def create(self, request, *args, **kwargs):
        """Sign an agreement between an approved elder and a provider
        contracted for the elder's area; the number is given."""
        payload = ServiceAgreementWriteSerializer(data=request.data, user=request.user)
        payload.is_valid(raise_exception=True)
        arguments = payload.service_arguments()
        _check_serving_street(request.user, arguments["elder"])
        agreement = services.sign_agreement(user=request.user, **arguments)
        return self._answer(agreement, status.HTTP_201_CREATED)

    @extend_schema(request=EndAgreementSerializer,
                   responses={200: ServiceAgreementSerializer, 400: FIELD_ERRORS})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None, **kwargs):
        """End the agreement, or refer the elder to another provider (Art 17)."""
        agreement = self.get_object()
        payload = EndAgreementSerializer(data=request.data, user=request.user)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        return self._answer(services.end_agreement(
            agreement=agreement, reason=data["end_reason"], ended_on=data["ended_on"],
            note=data["end_note"], family_notified_on=data["family_notified_on"],
            no_family=data["no_family"], referred_to=data["referred_to"], user=request.user))
