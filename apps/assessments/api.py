from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.assessments import services
from apps.assessments.models import Assessment
from apps.assessments.serializers import (
    AnswersSerializer,
    AssessmentSerializer,
    SignatureSerializer,
)
from apps.audit.services import log_access
from apps.core.api import ScopedViewSetMixin
from apps.core.permissions import ActionPermissions
from apps.elders.api import ServiceViewSetMixin

CONDUCT = "assessments.conduct_assessment"


class AssessmentViewSet(ServiceViewSetMixin, ScopedViewSetMixin,
                        viewsets.ReadOnlyModelViewSet):
    """Assessments in the caller's jurisdiction, and the assessor's steps:
    save answers, score (on the server), sign and lock."""

    queryset = Assessment.objects.select_related("elder").prefetch_related("assessors") \
        .order_by("-requested_on", "-pk")
    serializer_class = AssessmentSerializer
    filterset_fields = ["status", "reason", "elder", "final_grade"]
    permission_classes = [ActionPermissions]
    action_permissions = {"save_answers": CONDUCT, "score": CONDUCT, "sign": CONDUCT}

    def get_queryset(self):
        rows = super().get_queryset()
        if self.action in self.action_permissions:
            # an assessor's account acts only on its own team's assessments
            rows = rows & Assessment.objects.conductable_by(self.request.user)
        return rows

    def retrieve(self, request, *args, **kwargs):
        assessment = self.get_object()
        log_access(request=request, obj=assessment.elder)
        return Response(self.get_serializer(assessment).data)

    def _answer(self, assessment):
        return Response(AssessmentSerializer(self.get_queryset().get(pk=assessment.pk)).data)

    @extend_schema(request=AnswersSerializer, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"], url_path="answers")
    def save_answers(self, request, pk=None, **kwargs):
        assessment = self.get_object()
        payload = AnswersSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._answer(services.save_answers(assessment=assessment,
                                                  **payload.validated_data))

    @extend_schema(request=None, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def score(self, request, pk=None, **kwargs):
        return self._answer(services.score_assessment(assessment=self.get_object()))

    @extend_schema(request=SignatureSerializer, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None, **kwargs):
        assessment = self.get_object()
        payload = SignatureSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._answer(services.sign_assessment(assessment=assessment,
                                                     **payload.validated_data))
