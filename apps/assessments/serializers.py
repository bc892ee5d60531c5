from rest_framework import serializers

from apps.assessments.models import Assessment


class AssessmentSerializer(serializers.ModelSerializer):
    """An assessment as the server scored it; answers are option codes."""

    class Meta:
        model = Assessment
        fields = ["id", "elder", "application", "instrument", "review_of", "reason", "status",
                  "requested_on", "body", "place", "scheduled_on", "assessors", "answers",
                  "coma", "mental_diagnosis", "risk_events", "subtotals", "total",
                  "preliminary_grade", "final_grade", "change_reasons", "care_level",
                  "assessed_on", "informant_name", "informant_relationship", "locked_at",
                  "fee", "district_pays", "elder_pays"]
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
