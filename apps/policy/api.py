from rest_framework import viewsets

from apps.policy.models import PolicyValue
from apps.policy.serializers import PolicyValueSerializer


class PolicyValueViewSet(viewsets.ReadOnlyModelViewSet):
    """Policy values are city-wide reference data: every version, dated."""

    queryset = PolicyValue.objects.order_by("key", "-valid_from")
    serializer_class = PolicyValueSerializer
    filterset_fields = ["key"]
