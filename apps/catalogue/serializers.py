from rest_framework import serializers

from apps.catalogue.models import GuidePrice, ServiceItem


class ServiceItemSerializer(serializers.ModelSerializer):
    guide_price = serializers.DecimalField(
        max_digits=10, decimal_places=2, read_only=True, allow_null=True,
        help_text="The city guide price in force today (null where none is published).")

    class Meta:
        model = ServiceItem
        fields = ["id", "code", "name", "category", "unit", "guide_price",
                  "min_duration_minutes", "bonus_eligible", "is_active"]


class GuidePriceSerializer(serializers.ModelSerializer):
    class Meta:
        model = GuidePrice
        fields = ["id", "item", "price", "valid_from", "basis", "created_at"]
        read_only_fields = ["created_at"]
        # one version per item and day is the service's check, in the request's language
        validators = []
