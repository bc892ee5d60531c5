from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.applications import serializers as s
from apps.applications import services
from apps.applications.models import Application, Kind, Status
from apps.core.api import ScopedViewSetMixin
from apps.core.filters import ScopedFilterSet
from apps.core.permissions import ActionPermissions
from apps.elders.models import Elder
from apps.regions.models import Region
from apps.subsidies.services import decision_record


class ApplicationFilter(ScopedFilterSet):
    kind = filters.ChoiceFilter(choices=Kind.choices)
    status = filters.ChoiceFilter(choices=Status.choices)
    elder = filters.ModelChoiceFilter(queryset=Elder.objects.all())
    responsible_office = filters.ModelChoiceFilter(queryset=Region.objects.all())
    due_before = filters.DateFilter(field_name="due_date", lookup_expr="lte")
    due_after = filters.DateFilter(field_name="due_date", lookup_expr="gte")
    received_after = filters.DateFilter(field_name="received_on", lookup_expr="gte")
    received_before = filters.DateFilter(field_name="received_on", lookup_expr="lte")
    overdue = filters.BooleanFilter(method="filter_overdue")

    class Meta:
        model = Application
        fields = ["kind", "status", "elder", "responsible_office"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        today = timezone.localdate()
        late = queryset.with_clock().filter(due_date__lt=today)
        return late if value else queryset.exclude(pk__in=late.values("pk"))


STEP = "applications.check_application"
DECIDE = "applications.decide_application"


class ApplicationViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):
    """Applications and their steps: one endpoint per transition, each
    calling the service that records it; refused steps answer 400 and
    write nothing."""

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

    def _answer(self, application, code=status.HTTP_200_OK):
        application = self.get_queryset().prefetch_related("transitions__actor").get(
            pk=application.pk)
        return Response(s.ApplicationDetailSerializer(application).data, status=code)

    @extend_schema(request=s.ApplicationCreateSerializer,
                   responses={201: s.ApplicationDetailSerializer})
    def create(self, request, *args, **kwargs):
        payload = s.ApplicationCreateSerializer(data=request.data, user=request.user)
        payload.is_valid(raise_exception=True)
        application = services.receive_application(by=request.user, **payload.validated_data)
        return self._answer(application, status.HTTP_201_CREATED)

    def _step(self, request, action_name):
        application = self.get_object()
        payload = s.StepSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.take_action(application=application, action=action_name, by=request.user,
                             **payload.validated_data)
        return self._answer(application)

    @extend_schema(request=s.StepSerializer, responses=s.ApplicationDetailSerializer)
    @action(detail=True, methods=["post"], url_path="pass-initial-check")
    def pass_initial_check(self, request, pk=None, **kwargs):
        return self._step(request, "pass_initial_check")

    @extend_schema(request=s.StepSerializer, responses=s.ApplicationDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return-for-materials")
    def return_for_materials(self, request, pk=None, **kwargs):
        return self._step(request, "return_for_materials")

    @extend_schema(request=s.StepSerializer, responses=s.ApplicationDetailSerializer)
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None, **kwargs):
        return self._step(request, "resubmit")

    @extend_schema(request=s.StepSerializer, responses=s.ApplicationDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None, **kwargs):
        return self._step(request, "withdraw")

    def _decide(self, request, approve):
        application = self.get_object()
        payload = s.DecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.decide_application(application=application, approve=approve,
                                    by=request.user, **payload.validated_data)
        return self._answer(application)

    @extend_schema(request=s.DecisionSerializer, responses=s.ApplicationDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None, **kwargs):
        return self._decide(request, True)

    @extend_schema(request=s.DecisionSerializer, responses=s.ApplicationDetailSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None, **kwargs):
        return self._decide(request, False)

    @extend_schema(parameters=[s.PreviewQuerySerializer],
                   responses=s.EligibilitySerializer)
    @action(detail=True, methods=["get"], url_path="eligibility-preview")
    def eligibility_preview(self, request, pk=None, **kwargs):
        application = self.get_object()
        query = s.PreviewQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        decision = services.preview_decision(
            application, care_level=query.validated_data["care_level"],
            on=query.validated_data.get("on") or timezone.localdate())
        return Response(decision_record(decision))
