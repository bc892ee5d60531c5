from django.db.models import Prefetch
from django.utils import timezone
from rest_framework import mixins, viewsets

from apps.core.api import ScopedViewSetMixin
from apps.elders.api import ServiceViewSetMixin
from apps.providers.models import Certificate, InsurancePolicy, Provider, StaffMember
from apps.providers.queries import compliance_for
from apps.providers.serializers import (
    CertificateSerializer,
    InsurancePolicySerializer,
    ProviderSerializer,
    StaffMemberSerializer,
)


class WritableViewSet(ServiceViewSetMixin, ScopedViewSetMixin, mixins.CreateModelMixin,
                      mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """List, read, create and update rows in the caller's scope (no delete:
    the registry keeps its history). Writes need the model's add/change
    permission; a related id out of scope answers like one that does not
    exist."""


class ProviderViewSet(WritableViewSet):
    """Providers in the caller's jurisdiction with today's compliance flags;
    a provider's staff see and edit only their own organisation's profile."""

    queryset = Provider.objects.select_related("region").order_by("name", "pk")
    serializer_class = ProviderSerializer
    filterset_fields = ["region", "is_demo"]

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        self.flags = compliance_for(rows, day=timezone.localdate())
        return page

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "flags": getattr(self, "flags", {})}


class InsurancePolicyViewSet(WritableViewSet):
    """Premises liability and staff accident policies of visible providers."""

    queryset = InsurancePolicy.objects.order_by("provider__name", "kind", "-valid_until", "pk")
    serializer_class = InsurancePolicySerializer
    filterset_fields = ["provider", "kind"]


class StaffMemberViewSet(WritableViewSet):
    """Provider rosters with each person's certificates."""

    queryset = StaffMember.objects.prefetch_related(
        Prefetch("certificates", queryset=Certificate.objects.order_by("kind", "pk"))
    ).order_by("provider__name", "name", "pk")
    serializer_class = StaffMemberSerializer
    filterset_fields = ["provider", "role", "active"]


class CertificateViewSet(WritableViewSet):
    """Staff certificates; ``expires_on`` null means no expiry."""

    queryset = Certificate.objects.select_related("staff").order_by("staff__name", "kind", "pk")
    serializer_class = CertificateSerializer
    filterset_fields = ["staff", "kind"]
