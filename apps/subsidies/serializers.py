from rest_framework import serializers

from apps.subsidies.models import Entitlement


class EntitlementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Entitlement
        fields = ["id", "elder", "application", "predecessor", "subsidy_class", "care_level",
                  "monthly_amount", "nursing_supplement", "elder_share", "service_street",
                  "paying_district", "valid_from", "valid_until", "status", "end_reason",
                  "end_note", "criteria", "cancelled_on", "recovery_amount"]


class FraudCancellationSerializer(serializers.Serializer):
    found_on = serializers.DateField()
    recovery_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    reason = serializers.CharField()
