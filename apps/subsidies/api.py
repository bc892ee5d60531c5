from datetime import date

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.core.api import ScopedViewSetMixin
from apps.core.filters import ScopedFilterSet
from apps.core.permissions import ActionPermissions
from apps.elders.models import Elder
from apps.subsidies import rules
from apps.subsidies.models import Entitlement, EntitlementStatus, SubsidyClass
from apps.subsidies.serializers import EntitlementSerializer, FraudCancellationSerializer
from apps.subsidies.services import cancel_for_fraud


class EntitlementFilter(ScopedFilterSet):
    elder = filters.ModelChoiceFilter(queryset=Elder.objects.all())
    status = filters.ChoiceFilter(choices=EntitlementStatus.choices)
    subsidy_class = filters.ChoiceFilter(choices=SubsidyClass.choices)
    month = filters.CharFilter(method="filter_month", label="in force in month YYYY-MM")

    class Meta:
        model = Entitlement
        fields = ["elder", "status", "subsidy_class"]

    def filter_month(self, queryset, name, value):
        try:
            start = date.fromisoformat(f"{value}-01")
        except ValueError as exc:
            raise ValidationError({"month": ["YYYY-MM"]}) from exc
        return queryset.in_force_during(start, rules.month_end(start)).exclude(
            status=EntitlementStatus.CANCELLED)


class EntitlementViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Monthly entitlements as settlement reads them; cancellation for fraud."""

    queryset = Entitlement.objects.select_related("elder").order_by("elder_id", "-valid_from")
    serializer_class = EntitlementSerializer
    filterset_class = EntitlementFilter
    permission_classes = [ActionPermissions]
    action_permissions = {"cancel_for_fraud": "subsidies.cancel_entitlement"}

    @extend_schema(request=FraudCancellationSerializer, responses=EntitlementSerializer)
    @action(detail=True, methods=["post"], url_path="cancel-for-fraud")
    def cancel_for_fraud(self, request, pk=None, **kwargs):
        entitlement = self.get_object()
        payload = FraudCancellationSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        entitlement = cancel_for_fraud(entitlement=entitlement, found_on=data["found_on"],
                                       recovery_amount=data["recovery_amount"],
                                       reason=data["reason"], by=request.user)
        return Response(EntitlementSerializer(entitlement).data)
