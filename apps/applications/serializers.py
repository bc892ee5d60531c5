from rest_framework import serializers

from apps.applications.models import (
    Application,
    CareLevel,
    Kind,
    Material,
    Transition,
)
from apps.elders.models import Contact, Elder


class TransitionSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()

    class Meta:
        model = Transition
        fields = ["action", "from_status", "to_status", "actor", "at", "effective_on",
                  "reason", "due_date"]


class ApplicationSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    elder_name = serializers.CharField(source="elder.name", read_only=True)
    allowed_actions = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Application
        fields = ["id", "reference", "kind", "status", "elder", "elder_name", "objection_to",
                  "route_case", "receiving_street", "checking_street", "service_street",
                  "paying_district", "entrustment_reference", "received_on", "materials",
                  "willing_to_pay_half", "notes", "responsible_office", "step_started_on",
                  "due_date", "due_provisional", "care_level", "assessed_on",
                  "assessment_reference", "decided_on", "decision_reason", "eligibility",
                  "allowed_actions"]


class ApplicationDetailSerializer(ApplicationSerializer):
    transitions = TransitionSerializer(many=True, read_only=True)

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "transitions"]


class ApplicationCreateSerializer(serializers.Serializer):
    """An application received at the window (an objection names the
    decided application it disputes)."""

    elder = serializers.PrimaryKeyRelatedField(queryset=Elder.objects.none())
    kind = serializers.ChoiceField(Kind.choices)
    received_on = serializers.DateField(required=False)
    materials = serializers.ListField(child=serializers.ChoiceField(Material.choices),
                                      required=False, default=list)
    agent = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.none(),
                                               required=False, allow_null=True)
    willing_to_pay_half = serializers.BooleanField(default=False)
    objection_to = serializers.PrimaryKeyRelatedField(queryset=Application.objects.none(),
                                                      required=False, allow_null=True)
    entrustment_reference = serializers.CharField(max_length=100, required=False,
                                                  allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["elder"].queryset = Elder.objects.visible_to(user)
            self.fields["agent"].queryset = Contact.objects.visible_to(user)
            self.fields["objection_to"].queryset = Application.objects.visible_to(user)


class StepSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="The step's date; default today.")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class DecisionSerializer(StepSerializer):
    care_level = serializers.ChoiceField(CareLevel.choices, required=False, allow_blank=True,
                                         default="")
    assessed_on = serializers.DateField(required=False, allow_null=True, default=None)
    assessment_reference = serializers.CharField(max_length=100, required=False,
                                                 allow_blank=True, default="")


class PreviewQuerySerializer(serializers.Serializer):
    care_level = serializers.ChoiceField(CareLevel.choices)
    on = serializers.DateField(required=False)


class CriterionSerializer(serializers.Serializer):
    code = serializers.CharField()
    met = serializers.BooleanField()
    reason = serializers.CharField()


class EligibilitySerializer(serializers.Serializer):
    age = serializers.IntegerField()
    eligible = serializers.BooleanField()
    own_cost_only = serializers.BooleanField()
    prerequisites = CriterionSerializer(many=True)
    class1 = CriterionSerializer(many=True)
    class2 = CriterionSerializer(many=True)
    entitlement = serializers.DictField(allow_null=True)
