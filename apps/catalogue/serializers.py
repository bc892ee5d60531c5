from rest_framework import serializers

from apps.catalogue.models import ServiceItem


class ServiceItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceItem
        fields = ["id", "code", "name", "category", "unit", "guide_price",
                  "min_duration_minutes", "bonus_eligible", "is_active"]
