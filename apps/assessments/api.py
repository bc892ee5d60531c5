from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.assessments import services
from apps.assessments.filters import AssessorFilter, FeeStatementFilter
from apps.assessments.models import Assessment, AssessmentBody, Assessor, FeeStatement
from apps.assessments.serializers import (
    AnswersSerializer,
    AssessmentBodySerializer,
    AssessmentCreateSerializer,
    AssessmentReviewSerializer,
    AssessmentScheduleSerializer,
    AssessmentSerializer,
    AssessorSerializer,
    FeeStatementSerializer,
    RecordResultSerializer,
    SignatureSerializer,
)
from apps.audit.services import log_access
from apps.core.api import ScopedViewSetMixin
from apps.core.permissions import ActionPermissions
from apps.elders.api import FIELD_ERRORS, ServiceViewSetMixin

CONDUCT = "assessments.conduct_assessment"
SCHEDULE = "assessments.schedule_assessment"
ISSUE = "assessments.issue_feestatement"


class AssessmentViewSet(ServiceViewSetMixin, ScopedViewSetMixin,
                        viewsets.ReadOnlyModelViewSet):
    """Assessments in the caller's jurisdiction, and the assessor's steps:
    save answers, score (on the server), sign and lock."""

    queryset = Assessment.objects.select_related("elder").prefetch_related("assessors") \
        .order_by("-requested_on", "-pk")
    serializer_class = AssessmentSerializer
    filterset_fields = ["status", "reason", "elder", "final_grade"]
    permission_classes = [ActionPermissions]
    action_permissions = {"save_answers": CONDUCT, "score": CONDUCT, "sign": CONDUCT,
                          "create": SCHEDULE, "schedule": SCHEDULE, "review": SCHEDULE,
                          "record_result": SCHEDULE}

    def get_queryset(self):
        rows = super().get_queryset()
        if self.action_permissions.get(self.action) == CONDUCT:
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

    # --- the district's steps: request, schedule, a second team, results
    # issued elsewhere. Elders, applications, bodies and assessors are looked
    # up in the caller's scope; a refused step answers 400 and writes nothing.

    def _created(self, assessment):
        row = super().get_queryset().get(pk=assessment.pk)
        return Response(AssessmentSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AssessmentCreateSerializer,
                   responses={201: AssessmentSerializer, 400: FIELD_ERRORS})
    def create(self, request, *args, **kwargs):
        """Request an assessment (default instrument version, fee per Art 21)."""
        payload = AssessmentCreateSerializer(data=request.data, user=request.user)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        return self._created(services.request_assessment(
            elder=data["elder"], reason=data["reason"], application=data["application"],
            on=data.get("requested_on")))

    @extend_schema(request=AssessmentScheduleSerializer,
                   responses={200: AssessmentSerializer, 400: FIELD_ERRORS})
    @action(detail=True, methods=["post"])
    def schedule(self, request, pk=None, **kwargs):
        """Give the assessment a contracted body, a qualified team, a place and a date."""
        assessment = self.get_object()
        payload = AssessmentScheduleSerializer(data=request.data, user=request.user)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        return self._answer(services.schedule_assessment(
            assessment=assessment, body=data["body"], assessors=data["assessors"],
            place=data["place"], on=data["scheduled_on"]))

    @extend_schema(request=AssessmentReviewSerializer,
                   responses={201: AssessmentSerializer, 400: FIELD_ERRORS})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None, **kwargs):
        """Request a second team (复评) for this signed, disputed assessment;
        answers the new assessment. Both results are kept."""
        assessment = self.get_object()
        payload = AssessmentReviewSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._created(services.request_review(
            assessment=assessment, on=payload.validated_data.get("requested_on")))

    @extend_schema(request=RecordResultSerializer,
                   responses={201: AssessmentSerializer, 400: FIELD_ERRORS})
    @action(detail=False, methods=["post"], url_path="record-result")
    def record_result(self, request, *args, **kwargs):
        """Record a result issued elsewhere (a Barthel total, a long-term-care
        grade), named by instrument code and version; it is locked at once."""
        payload = RecordResultSerializer(data=request.data, user=request.user)
        payload.is_valid(raise_exception=True)
        return self._created(services.record_result(**payload.validated_data))


class AssessmentBodyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Assessment bodies contracted for a district in the caller's jurisdiction."""

    queryset = AssessmentBody.objects.prefetch_related("districts").order_by("name", "pk")
    serializer_class = AssessmentBodySerializer

    def get_queryset(self):
        return super().get_queryset().distinct()


class AssessorViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Assessors of the bodies the caller sees; filter by body."""

    queryset = Assessor.objects.order_by("body__name", "name", "pk")
    serializer_class = AssessorSerializer
    filterset_class = AssessorFilter

    def get_queryset(self):
        return super().get_queryset().distinct()


class FeeStatementViewSet(ServiceViewSetMixin, ScopedViewSetMixin,
                          viewsets.ReadOnlyModelViewSet):
    """What each district owes each assessment body for a month (Art 21), with
    its lines; the district issues a draft for payment once the month is over."""

    queryset = FeeStatement.objects.select_related("body", "district", "issued_by") \
        .prefetch_related(Prefetch(
            "assessments", queryset=Assessment.objects.select_related("elder")
            .order_by("assessed_on", "pk"))) \
        .order_by("-month", "body__name", "pk")
    serializer_class = FeeStatementSerializer
    filterset_class = FeeStatementFilter
    permission_classes = [ActionPermissions]
    action_permissions = {"issue": ISSUE}

    @extend_schema(request=None, responses={200: FeeStatementSerializer, 400: FIELD_ERRORS})
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None, **kwargs):
        """Issue a draft statement for payment; from then on it never changes."""
        statement = services.issue_fee_statement(statement=self.get_object(), by=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=statement.pk)).data)
