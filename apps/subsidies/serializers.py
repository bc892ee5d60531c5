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
    """Fraud found (Art 36): the entitlement is cancelled from its first day."""

    found_on = serializers.DateField(help_text="The day the fraud was found.")
    recovery_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2,
        help_text="Yuan to recover: what was paid under the entitlement.")
    reason = serializers.CharField()
