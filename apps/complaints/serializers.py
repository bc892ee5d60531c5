from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.complaints import rules
from apps.complaints.forms import providers_for_complaints, streets_for
from apps.complaints.models import (
    Complaint,
    ComplaintCategory,
    ComplaintSource,
)
from apps.elders.models import Elder
from apps.providers.models import Provider
from apps.regions.models import Region
from apps.visits.models import ServiceVisit


class ComplaintSerializer(serializers.ModelSerializer):
    """A complaint against a provider and how far it has come. The
    complainant's phone is not part of the API."""

    provider_name = serializers.CharField(source="provider.name", read_only=True)
    street_name = serializers.CharField(source="street.name", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = ["id", "reference", "provider", "provider_name", "street", "street_name",
                  "elder", "visit", "follow_up", "received_on", "source", "category",
                  "description", "complainant_name", "status", "due_on", "overdue",
                  "handled_by", "provider_response", "resolution", "upheld", "closed_on",
                  "recorded_by", "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_overdue(self, complaint) -> bool:
        return rules.is_overdue(complaint.status, complaint.due_on, timezone.localdate())


class ComplaintWriteSerializer(serializers.Serializer):
    """A complaint to record; the street defaults to the elder's residence
    street, the elder to the visit's."""

    provider = serializers.PrimaryKeyRelatedField(queryset=Provider.objects.none())
    street = serializers.PrimaryKeyRelatedField(queryset=Region.objects.none(), required=False,
                                                allow_null=True, default=None)
    received_on = serializers.DateField()
    source = serializers.ChoiceField(
        choices=[c for c in ComplaintSource.choices if c[0] != ComplaintSource.FOLLOW_UP])
    category = serializers.ChoiceField(choices=ComplaintCategory.choices)
    description = serializers.CharField()
    complainant_name = serializers.CharField(max_length=50, required=False, allow_blank=True,
                                             default="")
    complainant_phone = serializers.CharField(max_length=32, required=False,
                                              allow_blank=True, default="")
    elder = serializers.PrimaryKeyRelatedField(queryset=Elder.objects.none(), required=False,
                                               allow_null=True, default=None)
    visit = serializers.PrimaryKeyRelatedField(queryset=ServiceVisit.objects.none(),
                                               required=False, allow_null=True, default=None)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers_for_complaints(user)
        self.fields["street"].queryset = streets_for(user)
        self.fields["elder"].queryset = Elder.objects.visible_to(user)
        self.fields["visit"].queryset = ServiceVisit.objects.visible_to(user)


class StartHandlingSerializer(serializers.Serializer):
    provider_response = serializers.CharField(required=False, allow_blank=True, default=None,
                                              allow_null=True)


class ResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField()
    upheld = serializers.BooleanField()
    closed_on = serializers.DateField()
    provider_response = serializers.CharField(required=False, allow_blank=True, default=None,
                                              allow_null=True)
