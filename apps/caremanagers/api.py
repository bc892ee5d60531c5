from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from apps.caremanagers import services
from apps.caremanagers.models import CareManager, CaseAssignment
from apps.caremanagers.serializers import (
    AssignSerializer,
    CareManagerSerializer,
    CaseAssignmentSerializer,
)
from apps.core.api import ScopedViewSetMixin
from apps.core.filters import ScopedFilterSet
from apps.elders.api import FIELD_ERRORS, ServiceViewSetMixin
from apps.elders.models import Elder
from apps.regions.models import Region


class CareManagerFilter(ScopedFilterSet):
    street = filters.ModelChoiceFilter(queryset=Region.objects.all())

    class Meta:
        model = CareManager
        fields = ["street", "active", "qualification"]


class CareManagerViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Care managers (养老管理员) of the streets in the caller's jurisdiction,
    with the number of elders each looks after now."""

    queryset = CareManager.objects.with_caseload().order_by("street__path", "name", "pk")
    serializer_class = CareManagerSerializer
    filterset_class = CareManagerFilter


class CaseAssignmentFilter(ScopedFilterSet):
    elder = filters.ModelChoiceFilter(queryset=Elder.objects.all())
    care_manager = filters.ModelChoiceFilter(queryset=CareManager.objects.all())
    open = filters.BooleanFilter(field_name="ends_on", lookup_expr="isnull",
                                 label="Only assignments that have not ended")

    class Meta:
        model = CaseAssignment
        fields = ["elder", "care_manager", "open"]


class CaseAssignmentViewSet(ServiceViewSetMixin, ScopedViewSetMixin, mixins.CreateModelMixin,
                            viewsets.ReadOnlyModelViewSet):
    """Which care manager looks after which elder, and since when."""

    queryset = CaseAssignment.objects.select_related("elder", "care_manager") \
        .order_by("-starts_on", "-pk")
    serializer_class = CaseAssignmentSerializer
    filterset_class = CaseAssignmentFilter
    service_error_fields = {"on": "starts_on"}

    @extend_schema(request=AssignSerializer,
                   responses={201: CaseAssignmentSerializer, 400: FIELD_ERRORS})
    def create(self, request, *args, **kwargs):
        """Assign the elder to a care manager of their service street (the
        street of their current entitlement, else where they live)."""
        payload = AssignSerializer(data=request.data, user=request.user)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        assignment = services.assign(elder=data["elder"], care_manager=data["care_manager"],
                                     on=data["starts_on"])
        return Response(CaseAssignmentSerializer(assignment).data,
                        status=status.HTTP_201_CREATED)
