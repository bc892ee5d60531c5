from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.applications.models import Application
from apps.assessments.models import (
    Assessment,
    AssessmentBody,
    AssessmentReason,
    Assessor,
    FeeStatement,
    Instrument,
    Place,
)
from apps.elders.models import Elder


class AssessmentSerializer(serializers.ModelSerializer):
    """An assessment as the server scored it; answers are option codes."""

    class Meta:
        model = Assessment
        fields = ["id", "elder", "application", "instrument", "review_of", "reason", "status",
                  "requested_on", "body", "place", "scheduled_on", "assessors", "answers",
                  "coma", "mental_diagnosis", "risk_events", "subtotals", "total",
                  "preliminary_grade", "final_grade", "change_reasons", "care_level",
                  "assessed_on", "informant_name", "informant_relationship", "locked_at",
                  "fee", "district_pays", "elder_pays", "external_issuer",
                  "external_reference"]
        read_only_fields = fields


class AnswersSerializer(serializers.Serializer):
    """Some answers of the draft: item code -> option code. A total sent here
    is not accepted: the server scores."""

    answers = serializers.DictField(child=serializers.CharField(), required=False,
                                    default=dict)
    coma = serializers.BooleanField(required=False, allow_null=True, default=None)
    mental_diagnosis = serializers.BooleanField(required=False, allow_null=True, default=None)
    risk_events = serializers.DictField(child=serializers.IntegerField(), required=False,
                                        allow_null=True, default=None)


class SignatureSerializer(serializers.Serializer):
    informant_name = serializers.CharField(max_length=50)
    informant_relationship = serializers.CharField(max_length=30, required=False,
                                                   allow_blank=True, default="")


# --- requests, schedules, recorded results and the bodies' fee statements ---
# Every related id is looked up among the rows the caller sees: an id out of
# the caller's scope answers exactly like an id that does not exist.


def _scoped(model, user):
    rows = model.objects.all() if user is None else model.objects.visible_to(user)
    # a body contracted for several districts of the caller's scope would
    # otherwise come back once per district
    return rows.distinct()


def _check_application(attrs):
    application = attrs.get("application")
    if application is not None and application.elder_id != attrs["elder"].pk:
        raise serializers.ValidationError(
            {"application": _("Choose an application of this elder.")},
            code="application_of_other_elder")
    return attrs


class AssessmentCreateSerializer(serializers.Serializer):
    """Request an assessment of an elder with the default instrument version.
    A second team (复评) is requested from the disputed assessment
    (``POST /api/assessments/{id}/review/``), not here."""

    elder = serializers.PrimaryKeyRelatedField(queryset=Elder.objects.none())
    reason = serializers.ChoiceField(
        AssessmentReason.choices,
        help_text="Any reason but \"review\": a second team is requested through "
                  "the review endpoint of the disputed assessment.")
    application = serializers.PrimaryKeyRelatedField(
        queryset=Application.objects.none(), required=False, allow_null=True, default=None,
        help_text="The elder's application the assessment is made for.")
    requested_on = serializers.DateField(required=False, help_text="Default today.")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["elder"].queryset = Elder.objects.visible_to(user)
        self.fields["application"].queryset = Application.objects.visible_to(user)

    def validate_reason(self, value):
        if value == AssessmentReason.REVIEW:
            raise serializers.ValidationError(
                _("A second assessment (复评) is requested from the disputed assessment."),
                code="review_needs_first")
        return value

    def validate(self, attrs):
        return _check_application(attrs)


class AssessmentScheduleSerializer(serializers.Serializer):
    """Give a requested assessment its body, team, place and date. A home
    assessment needs at least the policy's number of assessors (two)."""

    body = serializers.PrimaryKeyRelatedField(queryset=AssessmentBody.objects.none())
    assessors = serializers.PrimaryKeyRelatedField(
        queryset=Assessor.objects.none(), many=True,
        help_text="Qualified assessors of the body.")
    place = serializers.ChoiceField(Place.choices)
    scheduled_on = serializers.DateField()

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = _scoped(AssessmentBody, user)
        self.fields["assessors"].child_relation.queryset = _scoped(Assessor, user)


class AssessmentReviewSerializer(serializers.Serializer):
    """Request a second team (复评) for a disputed, signed assessment."""

    requested_on = serializers.DateField(required=False, help_text="Default today.")


class RecordResultSerializer(serializers.Serializer):
    """Record a result issued elsewhere, named by its instrument's code and
    version (e.g. "Barthel" "1965" with a total, "LTC-2021" "2021" with a
    grade). It is locked at once and maps to a care-need level."""

    elder = serializers.PrimaryKeyRelatedField(queryset=Elder.objects.none())
    instrument = serializers.CharField(
        max_length=40, help_text="The instrument's code, e.g. \"Barthel\" or \"LTC-2021\".")
    instrument_version = serializers.CharField(
        max_length=20, help_text="The instrument's version, e.g. \"1965\" or \"2021\".")
    assessed_on = serializers.DateField()
    issuer = serializers.CharField(max_length=100, help_text="Who issued the result.")
    reference = serializers.CharField(max_length=60, required=False, allow_blank=True,
                                      default="",
                                      help_text="The issued result's own reference.")
    reason = serializers.ChoiceField(AssessmentReason.choices, required=False,
                                     default=AssessmentReason.FIRST,
                                     help_text="Any reason but \"review\"; default first.")
    total = serializers.IntegerField(min_value=0, required=False, allow_null=True,
                                     default=None,
                                     help_text="For an instrument recording a total.")
    grade = serializers.CharField(max_length=20, required=False, allow_blank=True,
                                  default="",
                                  help_text="For an instrument recording a grade.")
    application = serializers.PrimaryKeyRelatedField(
        queryset=Application.objects.none(), required=False, allow_null=True, default=None)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["elder"].queryset = Elder.objects.visible_to(user)
        self.fields["application"].queryset = Application.objects.visible_to(user)

    validate_reason = AssessmentCreateSerializer.validate_reason

    def validate(self, attrs):
        try:
            attrs["instrument"] = Instrument.objects.get(
                code=attrs["instrument"], version=attrs.pop("instrument_version"))
        except Instrument.DoesNotExist:
            raise serializers.ValidationError(
                {"instrument": _("No instrument has this code and version.")},
                code="unknown_instrument") from None
        return _check_application(attrs)


class AssessmentBodySerializer(serializers.ModelSerializer):
    class Meta:
        model = AssessmentBody
        fields = ["id", "name", "credit_code", "districts"]
        read_only_fields = fields


class AssessorSerializer(serializers.ModelSerializer):
    qualified = serializers.BooleanField(read_only=True)

    class Meta:
        model = Assessor
        fields = ["id", "body", "name", "profession", "qualification", "trained_on",
                  "examination_passed_on", "active", "qualified"]
        read_only_fields = fields


class FeeStatementLineSerializer(serializers.ModelSerializer):
    """One assessment on a statement; never an identity number."""

    assessment = serializers.IntegerField(source="pk", read_only=True)
    elder_name = serializers.CharField(source="elder.name", read_only=True)

    class Meta:
        model = Assessment
        fields = ["assessment", "elder_name", "assessed_on", "reason", "fee",
                  "district_pays", "elder_pays"]
        read_only_fields = fields


class FeeStatementSerializer(serializers.ModelSerializer):
    body_name = serializers.CharField(source="body.name", read_only=True)
    district_name = serializers.CharField(source="district.name", read_only=True)
    issued_by = serializers.StringRelatedField(read_only=True, allow_null=True)
    lines = FeeStatementLineSerializer(source="assessments", many=True, read_only=True)

    class Meta:
        model = FeeStatement
        fields = ["id", "body", "body_name", "district", "district_name", "month", "status",
                  "assessment_count", "fee_total", "district_total", "elder_total",
                  "issued_at", "issued_by", "paid_on", "lines"]
        read_only_fields = fields
