from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api import ScopedViewSetMixin
from apps.core.filters import MonthFilter, ScopedFilterSet
from apps.core.permissions import ActionPermissions
from apps.elders.api import FIELD_ERRORS, ServiceViewSetMixin
from apps.elders.models import Elder
from apps.subsidies import rules
from apps.subsidies.models import Entitlement, EntitlementStatus, SubsidyClass
from apps.subsidies.serializers import EntitlementSerializer, FraudCancellationSerializer
from apps.subsidies.services import cancel_for_fraud


class EntitlementFilter(ScopedFilterSet):
    # ScopedFilterSet narrows the elders to those the caller sees.
    elder = filters.ModelChoiceFilter(queryset=Elder.objects.all())
    status = filters.ChoiceFilter(choices=EntitlementStatus.choices)
    subsidy_class = filters.ChoiceFilter(choices=SubsidyClass.choices)
    month = MonthFilter(method="filter_month",
                        label="In force during the month YYYY-MM (cancelled ones excluded)")

    class Meta:
        model = Entitlement
        fields = ["elder", "status", "subsidy_class"]

    def filter_month(self, queryset, name, value):
        start = rules.month_start(value)
        return queryset.in_force_during(start, rules.month_end(start)).exclude(
            status=EntitlementStatus.CANCELLED)


class EntitlementViewSet(ServiceViewSetMixin, ScopedViewSetMixin,
                         viewsets.ReadOnlyModelViewSet):
    """Monthly entitlements as settlement reads them; cancellation for fraud."""

    queryset = Entitlement.objects.order_by("elder_id", "-valid_from", "-pk")
    serializer_class = EntitlementSerializer
    filterset_class = EntitlementFilter
    permission_classes = [ActionPermissions]
    action_permissions = {"cancel_for_fraud": "subsidies.cancel_entitlement"}
    service_error_fields = {"cancelled_on": "found_on", "end_note": "reason"}

    @extend_schema(request=FraudCancellationSerializer,
                   responses={200: EntitlementSerializer, 400: FIELD_ERRORS})
    @action(detail=True, methods=["post"], url_path="cancel-for-fraud")
    def cancel_for_fraud(self, request, pk=None, **kwargs):
        """Cancel an entitlement obtained by fraud, recording what to recover (Art 36)."""
        entitlement = self.get_object()
        payload = FraudCancellationSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        entitlement = cancel_for_fraud(entitlement=entitlement, by=request.user,
                                       **payload.validated_data)
        return Response(EntitlementSerializer(entitlement).data)
