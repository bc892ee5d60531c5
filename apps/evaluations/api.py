from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api import ScopedReadOnlyViewSet, ScopedViewSetMixin
from apps.core.permissions import ActionPermissions, ModelPermissions
from apps.elders.api import FIELD_ERRORS, ServiceViewSetMixin
from apps.evaluations import serializers as s
from apps.evaluations import services
from apps.evaluations.filters import EvaluationFilter, ProviderGradeFilter
from apps.evaluations.models import Evaluation, EvaluationCriterion, ProviderGrade

CHANGE = "evaluations.change_evaluation"


class EvaluationViewSet(ServiceViewSetMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Service evaluations in the caller's jurisdiction (a provider: its
    own), and their steps: scores, publication, the provider's
    self-assessment and appeal, the city centre's re-evaluation,
    rectification and re-check. A refused step answers 400 and writes
    nothing."""

    queryset = Evaluation.objects.select_related("provider", "district") \
        .prefetch_related("scores__criterion").order_by("-year", "provider__name", "pk")
    serializer_class = s.EvaluationSerializer
    filterset_class = EvaluationFilter
    permission_classes = [ActionPermissions]
    action_permissions = {
        "scores": CHANGE, "publish": "evaluations.publish_evaluation",
        "self_assessment": "evaluations.self_assess_evaluation",
        "appeal": "evaluations.appeal_evaluation", "decide_appeal": "evaluations.decide_appeal",
        "rectification": CHANGE, "recheck": CHANGE,
    }

    def _answer(self, evaluation, code=status.HTTP_200_OK):
        row = super().get_queryset().get(pk=evaluation.pk)
        return Response(s.EvaluationSerializer(row).data, status=code)

    def _payload(self, serializer_class, **kwargs):
        payload = serializer_class(data=self.request.data, **kwargs)
        payload.is_valid(raise_exception=True)
        return payload.validated_data

    @extend_schema(request=s.EvaluationOpenSerializer,
                   responses={201: s.EvaluationSerializer, 400: FIELD_ERRORS})
    def create(self, request, *args, **kwargs):
        """Open the year's evaluation of a provider for a service category."""
        data = self._payload(s.EvaluationOpenSerializer, user=request.user)
        return self._answer(services.open_evaluation(**data), status.HTTP_201_CREATED)

    @extend_schema(request=s.ScoresSerializer,
                   responses={200: s.EvaluationSerializer, 400: FIELD_ERRORS})
    @action(detail=True, methods=["post"])
    def scores(self, request, pk=None, **kwargs):
        """Record the district's points per criterion; the server totals and grades."""
        evaluation = self.get_object()
        data = self._payload(s.ScoresSerializer)
        return self._answer(services.record_scores(evaluation=evaluation, by=request.user,
                                                   **data))

    @extend_schema(request=s.PublishSerializer,
                   responses={200: s.EvaluationSerializer, 400: FIELD_ERRORS})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None, **kwargs):
        """Publish the result today, once the provider has self-assessed: posted
        for the publication period, open to appeal until ``appeal_until``."""
        evaluation = self.get_object()
        data = self._payload(s.PublishSerializer)
        return self._answer(services.publish_evaluation(
            evaluation=evaluation, on=data.get("published_on"), by=request.user))

    @extend_schema(request=s.SelfAssessmentSerializer,
                   responses={200: s.EvaluationSerializer, 400: FIELD_ERRORS})
    @action(detail=True, methods=["post"], url_path="self-assessment")
    def self_assessment(self, request, pk=None, **kwargs):
        """The provider's self-assessment, before publication."""
        evaluation = self.get_object()
        data = self._payload(s.SelfAssessmentSerializer)
        return self._answer(services.record_self_assessment(
            evaluation=evaluation, text=data["self_assessment"], score=data["self_score"],
            by=request.user))

    @extend_schema(request=s.AppealSerializer,
                   responses={200: s.EvaluationSerializer, 400: FIELD_ERRORS})
    @action(detail=True, methods=["post"])
    def appeal(self, request, pk=None, **kwargs):
        """Appeal to the city centre, from publication until ``appeal_until``."""
        evaluation = self.get_object()
        data = self._payload(s.AppealSerializer)
        return self._answer(services.appeal_evaluation(
            evaluation=evaluation, reason=data["reason"], by=request.user))

    @extend_schema(request=s.DecisionSerializer,
                   responses={200: s.EvaluationSerializer, 400: FIELD_ERRORS})
    @action(detail=True, methods=["post"], url_path="decide-appeal")
    def decide_appeal(self, request, pk=None, **kwargs):
        """The city centre's re-evaluation: confirm, or give a new total; final."""
        evaluation = self.get_object()
        data = self._payload(s.DecisionSerializer)
        return self._answer(services.decide_appeal(
            evaluation=evaluation, reason=data["reason"], total=data["total"],
            by=request.user))

    @extend_schema(request=s.RectificationSerializer,
                   responses={200: s.EvaluationSerializer, 400: FIELD_ERRORS})
    @action(detail=True, methods=["post"])
    def rectification(self, request, pk=None, **kwargs):
        """Set the rectification deadline of a final unqualified result."""
        evaluation = self.get_object()
        data = self._payload(s.RectificationSerializer)
        return self._answer(services.set_rectification(
            evaluation=evaluation, until=data["rectification_until"], by=request.user))

    @extend_schema(request=s.RecheckSerializer,
                   responses={200: s.EvaluationSerializer, 400: FIELD_ERRORS})
    @action(detail=True, methods=["post"])
    def recheck(self, request, pk=None, **kwargs):
        """Record the re-check; still unqualified ends the contracts (Art 25)."""
        evaluation = self.get_object()
        data = self._payload(s.RecheckSerializer)
        return self._answer(services.record_recheck(
            evaluation=evaluation, passed=data["passed"], notes=data["notes"],
            on=data.get("rechecked_on"), by=request.user))


class EvaluationCriterionViewSet(viewsets.ReadOnlyModelViewSet):
    """The score sheet set by the city centre (every category's criteria)."""

    queryset = EvaluationCriterion.objects.order_by("order", "code")
    serializer_class = s.EvaluationCriterionSerializer
    permission_classes = [ModelPermissions]
    filterset_fields = ["active", "category"]


class ProviderGradeViewSet(ScopedReadOnlyViewSet):
    """Final grades per provider, category and year; ``on`` gives the grade
    in force that day for each provider and category."""

    queryset = ProviderGrade.objects.select_related("provider") \
        .order_by("provider__name", "category", "-effective_from", "pk")
    serializer_class = s.ProviderGradeSerializer
    filterset_class = ProviderGradeFilter
    permission_classes = [ModelPermissions]
