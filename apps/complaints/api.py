from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.complaints import services
from apps.complaints.filters import ComplaintFilter
from apps.complaints.models import Complaint
from apps.complaints.serializers import (
    ComplaintSerializer,
    ComplaintWriteSerializer,
    ResolveSerializer,
    StartHandlingSerializer,
)
from apps.core.api import ScopedViewSetMixin
from apps.core.permissions import ActionPermissions
from apps.elders.api import FIELD_ERRORS, ServiceViewSetMixin


class ComplaintViewSet(ServiceViewSetMixin, ScopedViewSetMixin, mixins.CreateModelMixin,
                       viewsets.ReadOnlyModelViewSet):
    """Complaints against providers handled by the caller's streets: record
    them, take them up, resolve them. Every write is a service."""

    queryset = Complaint.objects.select_related("provider", "street").order_by(
        "-received_on", "-pk")
    serializer_class = ComplaintSerializer
    filterset_class = ComplaintFilter
    permission_classes = [ActionPermissions]
    action_permissions = {"start_handling": "complaints.change_complaint",
                          "resolve": "complaints.change_complaint"}

    def _answer(self, complaint, code=status.HTTP_200_OK):
        return Response(ComplaintSerializer(self.get_queryset().get(pk=complaint.pk)).data,
                        status=code)

    @extend_schema(request=ComplaintWriteSerializer,
                   responses={201: ComplaintSerializer, 400: FIELD_ERRORS})
    def create(self, request, *args, **kwargs):
        """Record a complaint, numbered TS-<district>-<year>-<n>, its answer due
        ``complaint.answer_working_days`` working days after receipt."""
        payload = ComplaintWriteSerializer(data=request.data, user=request.user)
        payload.is_valid(raise_exception=True)
        complaint = services.record_complaint(by=request.user, **payload.validated_data)
        return self._answer(complaint, status.HTTP_201_CREATED)

    @extend_schema(request=StartHandlingSerializer,
                   responses={200: ComplaintSerializer, 400: FIELD_ERRORS})
    @action(detail=True, methods=["post"], url_path="start-handling")
    def start_handling(self, request, pk=None, **kwargs):
        """Take up a complaint just received."""
        complaint = self.get_object()
        payload = StartHandlingSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._answer(services.start_handling(
            complaint=complaint, by=request.user, **payload.validated_data))

    @extend_schema(request=ResolveSerializer,
                   responses={200: ComplaintSerializer, 400: FIELD_ERRORS})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None, **kwargs):
        """Close the complaint: upheld, it is resolved; otherwise closed as
        not upheld."""
        complaint = self.get_object()
        payload = ResolveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._answer(services.resolve(complaint=complaint, by=request.user,
                                             **payload.validated_data))
