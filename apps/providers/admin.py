from django.contrib import admin

from apps.core.admin import ScopedAdmin
from apps.providers.models import (
    DISTRICT_ONLY_FIELDS,
    Certificate,
    InsurancePolicy,
    Provider,
    StaffMember,
)


class InsurancePolicyInline(admin.TabularInline):
    model = InsurancePolicy
    extra = 0
    fields = ["kind", "insurer", "policy_number", "valid_from", "valid_until"]


class CertificateInline(admin.TabularInline):
    model = Certificate
    extra = 0
    fields = ["kind", "number", "issued_on", "expires_on"]


@admin.register(Provider)
class ProviderAdmin(ScopedAdmin):
    list_display = ["name", "credit_code", "region", "rehab_nursing_clients", "is_demo"]
    list_filter = ["is_demo"]
    search_fields = ["name", "credit_code"]
    list_select_related = ["region"]
    inlines = [InsurancePolicyInline]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if getattr(request.user, "provider_id", None):
            # a provider's own staff never set what the district records
            readonly += [name for name in DISTRICT_ONLY_FIELDS if name not in readonly]
        return readonly


@admin.register(InsurancePolicy)
class InsurancePolicyAdmin(ScopedAdmin):
    list_display = ["provider", "kind", "insurer", "policy_number", "valid_from", "valid_until"]
    list_filter = ["kind"]
    search_fields = ["provider__name", "insurer", "policy_number"]
    list_select_related = ["provider"]


@admin.register(StaffMember)
class StaffMemberAdmin(ScopedAdmin):
    list_display = ["name", "provider", "role", "active", "joined_on"]
    list_filter = ["role", "active"]
    search_fields = ["name", "provider__name"]
    list_select_related = ["provider"]
    inlines = [CertificateInline]


@admin.register(Certificate)
class CertificateAdmin(ScopedAdmin):
    list_display = ["number", "kind", "staff", "issued_on", "expires_on"]
    list_filter = ["kind"]
    search_fields = ["number", "staff__name", "staff__provider__name"]
    list_select_related = ["staff", "staff__provider"]
