from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.applications.models import (
    Application,
    CareLevel,
    Kind,
    Material,
    Transition,
)
from apps.applications.services import ERRORS
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
    allowed_actions = serializers.ListField(
        child=serializers.CharField(), read_only=True,
        help_text="The steps that may follow, each with its own endpoint.")

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
    decided application it disputes). Elders, agents and disputed
    applications are offered from the caller's scope only."""

    elder = serializers.PrimaryKeyRelatedField(queryset=Elder.objects.none())
    kind = serializers.ChoiceField(Kind.choices)
    received_on = serializers.DateField(required=False, help_text="Default today.")
    materials = serializers.ListField(child=serializers.ChoiceField(Material.choices),
                                      required=False, default=list)
    agent = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.none(), required=False, allow_null=True,
        help_text="The elder's guardian or authorised agent who handed it in.")
    willing_to_pay_half = serializers.BooleanField(default=False)
    objection_to = serializers.PrimaryKeyRelatedField(
        queryset=Application.objects.none(), required=False, allow_null=True,
        help_text="For an objection: the decided application it disputes.")
    entrustment_reference = serializers.CharField(max_length=100, required=False,
                                                  allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["elder"].queryset = Elder.objects.visible_to(user)
            self.fields["agent"].queryset = Contact.objects.visible_to(user)
            self.fields["objection_to"].queryset = Application.objects.visible_to(user)

    def validate(self, attrs):
        agent = attrs.get("agent")
        if agent is not None and agent.elder_id != attrs["elder"].pk:
            raise serializers.ValidationError(
                {"agent": _("Choose a contact of this elder.")}, code="agent_of_other_elder")
        return attrs


REASON_REQUIRED = {"required": ERRORS["reason_required"], "blank": ERRORS["reason_required"]}


class StepSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="The step's date; default today.")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class PassInitialCheckSerializer(StepSerializer):
    """The street's initial check is passed: the file goes to the district."""


class ReturnForMaterialsSerializer(StepSerializer):
    """Materials are missing: the file goes back to the applicant (no clock)."""

    reason = serializers.CharField(error_messages=REASON_REQUIRED,
                                   help_text="What is missing; told to the applicant.")


class ResubmitSerializer(StepSerializer):
    """The applicant brings the missing materials: the initial check restarts."""


class WithdrawSerializer(StepSerializer):
    """The applicant withdraws the application."""

    reason = serializers.CharField(error_messages=REASON_REQUIRED)


class DecisionSerializer(StepSerializer):
    care_level = serializers.ChoiceField(CareLevel.choices, required=False, allow_blank=True,
                                         default="")
    assessed_on = serializers.DateField(required=False, allow_null=True, default=None)
    assessment_reference = serializers.CharField(max_length=100, required=False,
                                                 allow_blank=True, default="")


class ApproveSerializer(DecisionSerializer):
    """Approve after verification or re-review; a subsidy or re-assessment
    needs the care-need level and the date of the assessment."""


class RefuseSerializer(DecisionSerializer):
    """Refuse after verification or re-review, with the reasons."""

    reason = serializers.CharField(error_messages=REASON_REQUIRED,
                                   help_text="The reasons; told to the applicant.")


class EligibilityPreviewSerializer(serializers.Serializer):
    """The level to check the elder against; nothing is recorded."""

    care_level = serializers.ChoiceField(CareLevel.choices)
    on = serializers.DateField(required=False, help_text="Values in force on; default today.")


class CriterionSerializer(serializers.Serializer):
    code = serializers.CharField()
    met = serializers.BooleanField()
    reason = serializers.CharField()


class EligibleTermsSerializer(serializers.Serializer):
    subsidy_class = serializers.CharField()
    monthly_amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    nursing_supplement = serializers.DecimalField(max_digits=10, decimal_places=2)
    elder_share = serializers.DecimalField(max_digits=4, decimal_places=3)


class EligibilitySerializer(serializers.Serializer):
    age = serializers.IntegerField()
    eligible = serializers.BooleanField()
    own_cost_only = serializers.BooleanField()
    prerequisites = CriterionSerializer(many=True)
    class1 = CriterionSerializer(many=True)
    class2 = CriterionSerializer(many=True)
    entitlement = EligibleTermsSerializer(allow_null=True)
