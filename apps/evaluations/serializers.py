from rest_framework import serializers

from apps.catalogue.models import ServiceCategory
from apps.evaluations.models import (
    POINTS,
    CriterionScore,
    Evaluation,
    EvaluationCriterion,
    ProviderGrade,
)
from apps.providers.models import Provider


class CriterionScoreSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="criterion.code", read_only=True)
    label = serializers.CharField(source="criterion.label", read_only=True)

    class Meta:
        model = CriterionScore
        fields = ["code", "label", "points", "maximum"]
        read_only_fields = fields


class EvaluationSerializer(serializers.ModelSerializer):
    """An evaluation as it stands; the total and grades are the server's."""

    scores = CriterionScoreSerializer(many=True, read_only=True)

    class Meta:
        model = Evaluation
        fields = ["id", "provider", "category", "year", "district", "status",
                  "self_assessment", "self_score", "self_assessed_at", "scores", "total",
                  "grade", "district_notes", "published_on", "posting_until", "appeal_until",
                  "appealed_on", "appeal_reason", "decided_on", "appeal_outcome", "decision_reason",
                  "review_total", "final_grade", "final_on", "rectification_until",
                  "rechecked_on", "recheck_result", "recheck_notes"]
        read_only_fields = fields


class EvaluationOpenSerializer(serializers.Serializer):
    provider = serializers.PrimaryKeyRelatedField(queryset=Provider.objects.none())
    category = serializers.ChoiceField(ServiceCategory.choices)
    year = serializers.IntegerField(min_value=2000)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = Provider.objects.visible_to(user)


class ScoresSerializer(serializers.Serializer):
    """Points per criterion code of the category's sheet; errors come back
    under each criterion code."""

    scores = serializers.DictField(child=serializers.DecimalField(**POINTS))
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class PublishSerializer(serializers.Serializer):
    published_on = serializers.DateField(
        required=False, help_text="Default today; any other day is refused (error code "
                                  "not_today), as is publishing before the provider's "
                                  "self-assessment (no_self_assessment).")


class SelfAssessmentSerializer(serializers.Serializer):
    self_assessment = serializers.CharField()
    self_score = serializers.DecimalField(**POINTS)


class AppealSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Lodged today; accepted from the day of "
                                             "publication until appeal_until, refused "
                                             "outside it (error code outside_window).")


class DecisionSerializer(serializers.Serializer):
    reason = serializers.CharField()
    total = serializers.DecimalField(
        **POINTS, required=False, allow_null=True, default=None,
        help_text="A revised total; leave out to confirm the district's result.")


class RectificationSerializer(serializers.Serializer):
    rectification_until = serializers.DateField()


class RecheckSerializer(serializers.Serializer):
    passed = serializers.BooleanField()
    rechecked_on = serializers.DateField(required=False, help_text="Default today.")
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class EvaluationCriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = EvaluationCriterion
        fields = ["id", "code", "label", "maximum", "order", "active", "category"]
        read_only_fields = fields


class ProviderGradeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProviderGrade
        fields = ["id", "provider", "category", "year", "grade", "effective_from"]
        read_only_fields = fields
