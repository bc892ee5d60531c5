from rest_framework import serializers

from apps.caremanagers.models import CareManager, CaseAssignment
from apps.elders.models import Elder


class CareManagerSerializer(serializers.ModelSerializer):
    caseload = serializers.IntegerField(
        read_only=True,
        help_text="Elders on the care manager's books now (open assignments); for an "
                  "inactive care manager, elders waiting to be reassigned (the street's "
                  "staffing counts them as without a care manager).")
    qualified = serializers.BooleanField(
        source="is_qualified", read_only=True,
        help_text="At least the junior social-worker qualification (Art 5).")

    class Meta:
        model = CareManager
        fields = ["id", "street", "name", "qualification", "qualified", "certificate_number",
                  "active", "since", "caseload"]


class CaseAssignmentSerializer(serializers.ModelSerializer):
    elder_name = serializers.CharField(source="elder.name", read_only=True)
    care_manager_name = serializers.CharField(source="care_manager.name", read_only=True)

    class Meta:
        model = CaseAssignment
        fields = ["id", "elder", "elder_name", "care_manager", "care_manager_name",
                  "starts_on", "ends_on"]


class AssignSerializer(serializers.Serializer):
    """Make a care manager of the elder's service street look after the
    elder; the elder's open assignment ends the day before ``starts_on``."""

    elder = serializers.PrimaryKeyRelatedField(queryset=Elder.objects.none())
    care_manager = serializers.PrimaryKeyRelatedField(queryset=CareManager.objects.none())
    starts_on = serializers.DateField()

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["elder"].queryset = Elder.objects.visible_to(user)
        self.fields["care_manager"].queryset = CareManager.objects.visible_to(user)
