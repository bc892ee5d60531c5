from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from apps.catalogue.models import GuidePrice, ServiceItem
from apps.catalogue.serializers import GuidePriceSerializer, ServiceItemSerializer
from apps.catalogue.services import publish_guide_price
from apps.elders.api import FIELD_ERRORS, ServiceViewSetMixin


class ServiceItemViewSet(viewsets.ReadOnlyModelViewSet):
    """The service catalogue; ``guide_price`` is the city guide price in force today."""

    queryset = ServiceItem.objects.all()
    serializer_class = ServiceItemSerializer
    filterset_fields = ["category", "bonus_eligible", "is_active"]

    def get_queryset(self):
        return super().get_queryset().with_guide_price(timezone.localdate())


class GuidePriceFilter(filters.FilterSet):
    on = filters.DateFilter(method="filter_on",
                            label="Only the version in force on this day (YYYY-MM-DD)")

    class Meta:
        model = GuidePrice
        fields = ["item", "on"]

    def filter_on(self, queryset, name, value):
        in_force = (GuidePrice.objects.in_force(value).order_by("item_id", "-valid_from")
                    .distinct("item").values("pk"))
        return queryset.filter(pk__in=in_force)


class GuidePriceViewSet(ServiceViewSetMixin, mixins.CreateModelMixin,
                        viewsets.ReadOnlyModelViewSet):
    """Versions of the city guide prices (Art 19). A new version starts today
    or later; a version in force is never changed."""

    queryset = GuidePrice.objects.select_related("item").order_by("item__code", "-valid_from")
    serializer_class = GuidePriceSerializer
    filterset_class = GuidePriceFilter

    @extend_schema(responses={201: GuidePriceSerializer, 400: FIELD_ERRORS})
    def create(self, request, *args, **kwargs):
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        version = publish_guide_price(by=request.user, **payload.validated_data)
        return Response(self.get_serializer(version).data, status=status.HTTP_201_CREATED)
