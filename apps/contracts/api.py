from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.audit.services import log_access
from apps.contracts import services
from apps.contracts.models import (
    CarerAgreement,
    CarerAgreementItem,
    Contract,
    ContractItem,
    TenderBar,
)
from apps.contracts.serializers import (
    CarerAgreementSerializer,
    CarerAgreementWriteSerializer,
    ContractSerializer,
    ContractWriteSerializer,
    EndContractSerializer,
    RenewalSerializer,
    TenderBarSerializer,
)
from apps.core.api import ScopedReadOnlyViewSet, ScopedViewSetMixin
from apps.core.permissions import ActionPermissions
from apps.elders.api import FIELD_ERRORS, ServiceViewSetMixin


class ContractViewSet(ServiceViewSetMixin, ScopedViewSetMixin, mixins.CreateModelMixin,
                      mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Service contracts in the caller's jurisdiction (a provider: its own),
    with their items against the guide prices and their renewals. District
    staff record, correct, renew and end them; every write is a service."""

    queryset = Contract.objects.select_related("provider", "purchaser").prefetch_related(
        "covered_area", "renewals",
        Prefetch("items", queryset=ContractItem.objects.select_related("service_item")),
    ).order_by("-starts_on", "reference")
    serializer_class = ContractSerializer
    filterset_fields = ["status", "provider", "purchaser"]
    permission_classes = [ActionPermissions]
    action_permissions = {"end": "contracts.end_contract",
                          "renew": "contracts.add_contractrenewal"}
    http_method_names = ["get", "post", "put", "head", "options"]

    def _answer(self, contract, code=status.HTTP_200_OK):
        return Response(ContractSerializer(self.get_queryset().get(pk=contract.pk)).data,
                        status=code)

    @extend_schema(request=ContractWriteSerializer,
                   responses={201: ContractSerializer, 400: FIELD_ERRORS})
    def create(self, request, *args, **kwargs):
        """Record a contract with its prices (at most three years, Art 14; never
        with a provider barred on the day it is signed or on its first day,
        Art 25)."""
        payload = ContractWriteSerializer(data=request.data, user=request.user)
        payload.is_valid(raise_exception=True)
        contract = services.create_contract(by=request.user, **payload.service_arguments())
        return self._answer(contract, status.HTTP_201_CREATED)

    @extend_schema(request=ContractWriteSerializer,
                   responses={200: ContractSerializer, 400: FIELD_ERRORS})
    def update(self, request, *args, **kwargs):
        """Correct an active contract; its items become exactly those sent."""
        contract = self.get_object()
        payload = ContractWriteSerializer(data=request.data, user=request.user,
                                          context={"contract": contract})
        payload.is_valid(raise_exception=True)
        return self._answer(services.update_contract(
            contract=contract, by=request.user, **payload.service_arguments()))

    @extend_schema(request=EndContractSerializer,
                   responses={200: ContractSerializer, 400: FIELD_ERRORS})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None, **kwargs):
        """End the contract early; no tender bar is recorded here."""
        contract = self.get_object()
        payload = EndContractSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        return self._answer(services.end_contract(
            contract=contract, on=data["ended_on"], reason=data["end_reason"],
            by=request.user))

    @extend_schema(request=RenewalSerializer,
                   responses={200: ContractSerializer, 400: FIELD_ERRORS})
    @action(detail=True, methods=["post"])
    def renew(self, request, pk=None, **kwargs):
        """Record the renewal decision for a contract year (Art 22–25)."""
        contract = self.get_object()
        payload = RenewalSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        services.record_renewal(contract=contract, year=data["year"], on=data["decided_on"],
                                decision=data["decision"], note=data["note"],
                                by=request.user)
        return self._answer(contract)


class TenderBarViewSet(ScopedReadOnlyViewSet):
    """Providers barred from tenders (Art 25); recorded by the evaluation."""

    queryset = TenderBar.objects.select_related("provider").order_by("-starts_on", "-pk")
    serializer_class = TenderBarSerializer
    filterset_fields = ["provider"]


class CarerAgreementViewSet(ServiceViewSetMixin, ScopedViewSetMixin, mixins.CreateModelMixin,
                            viewsets.ReadOnlyModelViewSet):
    """Three-party agreements (Art 31) of the caller's streets."""

    queryset = CarerAgreement.objects.select_related("elder").prefetch_related(
        Prefetch("items", queryset=CarerAgreementItem.objects.select_related("service_item")),
    ).order_by("-starts_on", "-pk")
    serializer_class = CarerAgreementSerializer
    filterset_fields = ["elder", "street", "relationship"]
    permission_classes = [ActionPermissions]

    def retrieve(self, request, *args, **kwargs):
        agreement = self.get_object()
        log_access(request=request, obj=agreement.elder)
        return Response(self.get_serializer(agreement).data)

    @extend_schema(request=CarerAgreementWriteSerializer,
                   responses={201: CarerAgreementSerializer, 400: FIELD_ERRORS})
    def create(self, request, *args, **kwargs):
        """Record a three-party agreement where no provider covers the
        elder's street for the services, for a subsidised elder, with the
        district centre's verification and consent (Art 31)."""
        payload = CarerAgreementWriteSerializer(data=request.data, user=request.user)
        payload.is_valid(raise_exception=True)
        agreement = services.create_carer_agreement(by=request.user,
                                                    **payload.service_arguments())
        row = self.get_queryset().get(pk=agreement.pk)
        return Response(CarerAgreementSerializer(row).data, status=status.HTTP_201_CREATED)
