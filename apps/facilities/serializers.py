from datetime import date
from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.facilities.models import Facility, FacilityChange, FacilityFunding, Function
from apps.facilities.rules import plain_number


class FlagSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="e.g. area_below_floor, functions_missing, "
                                 "no_medical_room, funding_not_recorded, funding_below_floor, "
                                 "meals_licence_missing, medical_licence_expired")
    message = serializers.CharField(help_text="What to fix, in the request's language.")
    numbers = serializers.DictField(
        help_text="The figures behind the flag: amounts and areas as decimal strings, "
                  "dates as ISO dates, missing functions as a list of codes.")


def _plain(value):
    if isinstance(value, Decimal):
        return str(plain_number(value))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


class FundingSerializer(serializers.ModelSerializer):
    class Meta:
        model = FacilityFunding
        fields = ["year", "amount", "basis"]
        read_only_fields = fields


class ChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = FacilityChange
        fields = ["kind", "new_use", "approving_authority", "approval_reference", "approved_on",
                  "notice_published_on", "notice_channel", "reported_to_city_on",
                  "effective_on", "previous_status", "previous_use", "note", "recorded_at"]
        read_only_fields = fields


class FacilitySerializer(serializers.ModelSerializer):
    """A facility with its funding, its closures and changes of use, and its
    compliance flags on the day of the request (against that year's funding)."""

    functions = serializers.ListField(child=serializers.ChoiceField(choices=Function.choices),
                                      read_only=True)
    funding = FundingSerializer(many=True, read_only=True)
    changes = ChangeSerializer(many=True, read_only=True)
    compliance_flags = serializers.SerializerMethodField()

    class Meta:
        model = Facility
        fields = ["id", "name", "tier", "kind", "region", "address", "floor_area", "functions",
                  "has_medical_room", "clinic_partner", "serves_residents_directly",
                  "meals_licence_number", "meals_licence_expires", "medical_licence_number",
                  "medical_licence_expires", "institution_permit_number",
                  "institution_permit_expires", "run_by", "operator", "status", "current_use",
                  "funding", "changes", "compliance_flags"]
        read_only_fields = fields

    @extend_schema_field(FlagSerializer(many=True))
    def get_compliance_flags(self, facility):
        flags = self.context.get("flags", {}).get(facility.pk, [])
        return [{"code": flag.code, "message": flag.message,
                 "numbers": {key: _plain(value) for key, value in flag.numbers.items()}}
                for flag in flags]
