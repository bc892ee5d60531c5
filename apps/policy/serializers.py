from rest_framework import serializers

from apps.policy.models import PolicyValue


class PolicyValueSerializer(serializers.ModelSerializer):
    unit = serializers.SerializerMethodField()

    class Meta:
        model = PolicyValue
        fields = ["id", "key", "region", "value", "unit", "valid_from", "basis"]

    def get_unit(self, obj) -> str:
        return str(obj.parameter.unit.value)
