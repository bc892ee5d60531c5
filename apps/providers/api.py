from apps.core.api import ScopedReadOnlyViewSet
from apps.providers.models import Provider
from apps.providers.serializers import ProviderSerializer


class ProviderViewSet(ScopedReadOnlyViewSet):
    queryset = Provider.objects.select_related("region")
    serializer_class = ProviderSerializer
