from apps.core.api import ScopedReadOnlyViewSet
from apps.regions.models import Region
from apps.regions.serializers import RegionSerializer


class RegionViewSet(ScopedReadOnlyViewSet):
    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    filterset_fields = ["kind", "parent", "code"]
