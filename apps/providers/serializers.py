"""The provider registry over the API: providers with their compliance
flags, insurance policies, and staff with their certificates. Every related
id is looked up among the rows the caller sees; model rules (``clean``)
apply as on the screens."""

import copy

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.catalogue.models import ServiceCategory
from apps.core.scoping import choices_for
from apps.providers import rules
from apps.providers.models import (
    DISTRICT_ONLY_FIELDS,
    Certificate,
    InsurancePolicy,
    Provider,
    StaffMember,
)
from apps.providers.queries import compliance_for
from apps.regions.models import RegionKind


class ProviderFlagSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="nurse_ratio, no_premises_liability, "
                                 "no_staff_accident, certificate_expired or certificate_expiring")
    severity = serializers.CharField(help_text=f"{rules.ERROR} or {rules.WARNING}")
    message = serializers.CharField(help_text="What to fix, in the request's language.")


class RegistrySerializer(serializers.ModelSerializer):
    """A registry row: each related id is looked up among the rows the caller
    sees (``choices_for``), and the model's ``clean`` applies to the row as
    it would be saved."""

    def get_fields(self):
        fields = super().get_fields()
        user = _user(self)
        if user is not None:
            for field in fields.values():
                queryset = getattr(field, "queryset", None)
                choices = None if queryset is None else choices_for(queryset.model, user)
                if choices is not None:
                    field.queryset = choices
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        row = copy.copy(self.instance) if self.instance is not None else self.Meta.model()
        for name, value in attrs.items():
            setattr(row, name, value)
        row.clean()
        return attrs


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class ProviderSerializer(RegistrySerializer):
    """A provider and its compliance flags today. A provider's own staff may
    change only the profile; the district registers name, code and district
    and records the rehabilitation-nursing client count (read-only, so
    ignored, when a provider's staff write it)."""

    service_categories = serializers.ListField(
        child=serializers.ChoiceField(ServiceCategory.choices), required=False)
    flags = serializers.SerializerMethodField()

    class Meta:
        model = Provider
        fields = ["id", "name", "credit_code", "region", "legal_representative",
                  "registered_address", "contact_person", "contact_phone",
                  "service_categories", "rehab_nursing_clients", "is_demo", "flags"]
        read_only_fields = ["is_demo"]

    def get_fields(self):
        fields = super().get_fields()
        user = _user(self)
        if user is not None:
            fields["region"].queryset = fields["region"].queryset.filter(
                kind=RegionKind.DISTRICT)
            if getattr(user, "provider_id", None):
                for name in ("name", "credit_code", "region", *DISTRICT_ONLY_FIELDS):
                    fields[name].read_only = True
        return fields

    @extend_schema_field(ProviderFlagSerializer(many=True))
    def get_flags(self, provider):
        flags = self.context.get("flags", {}).get(provider.pk)
        if flags is None:
            flags = compliance_for([provider], day=timezone.localdate())[provider.pk]
        return ProviderFlagSerializer(flags, many=True).data


class InsurancePolicySerializer(RegistrySerializer):
    class Meta:
        model = InsurancePolicy
        fields = ["id", "provider", "kind", "insurer", "policy_number", "valid_from",
                  "valid_until"]


class CertificateSerializer(RegistrySerializer):
    class Meta:
        model = Certificate
        fields = ["id", "staff", "kind", "number", "issued_on", "expires_on"]


class StaffMemberSerializer(RegistrySerializer):
    """A staff member with their certificates (read here; written through
    /api/provider-certificates/)."""

    certificates = CertificateSerializer(many=True, read_only=True)

    class Meta:
        model = StaffMember
        fields = ["id", "provider", "name", "role", "phone", "active", "joined_on",
                  "certificates"]
