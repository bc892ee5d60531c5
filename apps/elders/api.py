from rest_framework.response import Response

from apps.audit.services import log_access, log_listing
from apps.core.api import ScopedReadOnlyViewSet
from apps.elders.models import Elder
from apps.elders.serializers import ElderSerializer


class ElderViewSet(ScopedReadOnlyViewSet):
    queryset = Elder.objects.select_related("residence_street", "hukou_street")
    serializer_class = ElderSerializer
    filterset_fields = ["residence_street", "hukou_street", "sex"]

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        log_listing(request=self.request, objects=page or [])
        return page

    def retrieve(self, request, *args, **kwargs):
        elder = self.get_object()
        log_access(request=request, obj=elder)
        return Response(self.get_serializer(elder).data)
