from apps.core.api import ScopedReadOnlyViewSet
from apps.findings.filters import FindingFilter
from apps.findings.models import Finding
from apps.findings.serializers import FindingSerializer


class FindingViewSet(ScopedReadOnlyViewSet):
    """Audit findings in the caller's jurisdiction (a street: those about its
    elders), read-only; decisions on them come with the settlement."""

    queryset = Finding.objects.select_related("district", "provider").order_by(
        "status", "-month", "-pk")
    serializer_class = FindingSerializer
    filterset_class = FindingFilter
