from rest_framework import viewsets

from apps.catalogue.models import ServiceItem
from apps.catalogue.serializers import ServiceItemSerializer


class ServiceItemViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = ServiceItem.objects.all()
    serializer_class = ServiceItemSerializer
    filterset_fields = ["category", "bonus_eligible", "is_active"]
