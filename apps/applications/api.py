from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.applications import serializers as s
from apps.applications import services
from apps.applications.filters import ApplicationFilter
from apps.applications.models import Application
from apps.audit.services import log_access
from apps.core.api import ScopedViewSetMixin
from apps.core.permissions import ActionPermissions
from apps.elders.api import FIELD_ERRORS, ServiceViewSetMixin
from apps.subsidies.services import decision_record

STEP = "applications.check_application"
DECIDE = "applications.decide_application"


def _describe_step(body):
    return extend_schema(request=body,
                         responses={200: s.ApplicationDetailSerializer, 400: FIELD_ERRORS})


class ApplicationViewSet(ServiceViewSetMixin, ScopedViewSetMixin, mixins.ListModelMixin,
                         mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Applications and their steps: one endpoint per transition, each
    calling the service that records it; a refused step answers 400 and
    writes nothing.

    A user without the step's permission is answered 403 before anything is
    read; the service still checks the office and the order of the steps.
    """

    queryset = Application.objects.select_related("elder").order_by("-received_on", "-pk")
    serializer_class = s.ApplicationSerializer
    filterset_class = ApplicationFilter
    permission_classes = [ActionPermissions]
    action_permissions = {
        "create": "applications.receive_application",
        "pass_initial_check": STEP, "return_for_materials": STEP, "resubmit": STEP,
        "withdraw": STEP, "approve": DECIDE, "refuse": DECIDE, "eligibility_preview": DECIDE,
    }

    def get_serializer_class(self):
        return (s.ApplicationDetailSerializer if self.action == "retrieve"
                else s.ApplicationSerializer)

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("transitions__actor")
        return queryset

    def retrieve(self, request, *args, **kwargs):
        application = self.get_object()
        # the file is the elder's personal record, as on the staff screen
        log_access(request=request, obj=application.elder)
        return Response(self.get_serializer(application).data)

    def _answer(self, application, code=status.HTTP_200_OK):
        application = (super().get_queryset().prefetch_related("transitions__actor")
                       .get(pk=application.pk))
        return Response(s.ApplicationDetailSerializer(application).data, status=code)

    @extend_schema(request=s.ApplicationCreateSerializer,
                   responses={201: s.ApplicationDetailSerializer, 400: FIELD_ERRORS})
    def create(self, request, *args, **kwargs):
        payload = s.ApplicationCreateSerializer(data=request.data, user=request.user)
        payload.is_valid(raise_exception=True)
        application = services.receive_application(by=request.user, **payload.validated_data)
        return self._answer(application, status.HTTP_201_CREATED)

    def _step(self, request, action_name, body):
        application = self.get_object()
        payload = body(data=request.data)
        payload.is_valid(raise_exception=True)
        services.take_action(application=application, action=action_name, by=request.user,
                             **payload.validated_data)
        return self._answer(application)

    @_describe_step(s.PassInitialCheckSerializer)
    @action(detail=True, methods=["post"], url_path="pass-initial-check")
    def pass_initial_check(self, request, pk=None, **kwargs):
        return self._step(request, "pass_initial_check", s.PassInitialCheckSerializer)

    @_describe_step(s.ReturnForMaterialsSerializer)
    @action(detail=True, methods=["post"], url_path="return-for-materials")
    def return_for_materials(self, request, pk=None, **kwargs):
        return self._step(request, "return_for_materials", s.ReturnForMaterialsSerializer)

    @_describe_step(s.ResubmitSerializer)
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None, **kwargs):
        return self._step(request, "resubmit", s.ResubmitSerializer)

    @_describe_step(s.WithdrawSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None, **kwargs):
        return self._step(request, "withdraw", s.WithdrawSerializer)

    def _decide(self, request, approve, body):
        application = self.get_object()
        payload = body(data=request.data)
        payload.is_valid(raise_exception=True)
        services.decide_application(application=application, approve=approve,
                                    by=request.user, **payload.validated_data)
        return self._answer(application)

    @_describe_step(s.ApproveSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None, **kwargs):
        return self._decide(request, True, s.ApproveSerializer)

    @_describe_step(s.RefuseSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None, **kwargs):
        return self._decide(request, False, s.RefuseSerializer)

    @extend_schema(methods=["GET"], parameters=[s.EligibilityPreviewSerializer],
                   responses={200: s.EligibilitySerializer, 400: FIELD_ERRORS})
    @extend_schema(methods=["POST"], request=s.EligibilityPreviewSerializer,
                   responses={200: s.EligibilitySerializer, 400: FIELD_ERRORS})
    @action(detail=True, methods=["get", "post"], url_path="eligibility-preview")
    def eligibility_preview(self, request, pk=None, **kwargs):
        """Check Art 26-27 for a care-need level before deciding; records nothing."""
        application = self.get_object()
        source = request.query_params if request.method == "GET" else request.data
        payload = s.EligibilityPreviewSerializer(data=source)
        payload.is_valid(raise_exception=True)
        decision = services.preview_decision(
            application, care_level=payload.validated_data["care_level"],
            on=payload.validated_data.get("on") or timezone.localdate())
        return Response(decision_record(decision))
