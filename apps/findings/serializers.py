from rest_framework import serializers

from apps.findings.models import Finding


class FindingSerializer(serializers.ModelSerializer):
    """An audit finding with its rule, evidence and the amount at stake."""

    rule_label = serializers.CharField(source="get_rule_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    district_name = serializers.CharField(source="district.name", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True,
                                          allow_null=True, default=None)

    class Meta:
        model = Finding
        fields = ["id", "rule", "rule_label", "source_key", "district", "district_name",
                  "month", "provider", "provider_name", "elder", "visit", "summary",
                  "evidence", "amount", "status", "status_label", "decided_by", "decided_at",
                  "decision_reason", "created_at"]
        read_only_fields = fields
