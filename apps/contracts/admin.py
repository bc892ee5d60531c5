"""Contracts in Django admin, read-only: every write goes through the
services (term limit, tender bar, coverage), which the staff screens and the
API call; a raw admin save would skip them."""

from django.contrib import admin

from apps.contracts.models import (
    CarerAgreement,
    CarerAgreementItem,
    Contract,
    ContractItem,
    ContractRenewal,
    TenderBar,
)
from apps.core.admin import ReadOnlyAdminMixin, ServiceRecordAdmin


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


class ContractItemInline(ReadOnlyInline):
    model = ContractItem
    fields = ["service_item", "price", "guide_price"]


class ContractRenewalInline(ReadOnlyInline):
    model = ContractRenewal
    fields = ["year", "decision", "decided_on", "grades", "note", "decided_by"]


@admin.register(Contract)
class ContractAdmin(ServiceRecordAdmin):
    list_display = ["reference", "provider", "purchaser", "starts_on", "ends_on", "status"]
    list_filter = ["status"]
    search_fields = ["reference", "provider__name"]
    list_select_related = ["provider", "purchaser"]
    inlines = [ContractItemInline, ContractRenewalInline]


@admin.register(ContractItem)
class ContractItemAdmin(ServiceRecordAdmin):
    list_display = ["contract", "service_item", "price", "guide_price"]
    list_select_related = ["contract__provider", "service_item"]
    search_fields = ["contract__reference"]
    readonly_fields = ["guide_price"]


@admin.register(ContractRenewal)
class ContractRenewalAdmin(ServiceRecordAdmin):
    list_display = ["contract", "year", "decision", "decided_on", "decided_by"]
    list_filter = ["decision"]
    list_select_related = ["contract__provider", "decided_by"]


@admin.register(TenderBar)
class TenderBarAdmin(ServiceRecordAdmin):
    """Bars are recorded by the evaluation (``end_contracts_and_bar``)."""

    list_display = ["provider", "starts_on", "lifts_on", "evaluation_reference"]
    list_select_related = ["provider"]
    search_fields = ["provider__name", "evaluation_reference"]


class CarerAgreementItemInline(ReadOnlyInline):
    model = CarerAgreementItem
    fields = ["service_item", "price"]

    def has_view_permission(self, request, obj=None):
        # the items are part of the agreement, with no permissions of their own
        return request.user.has_perm("contracts.view_careragreement")


@admin.register(CarerAgreement)
class CarerAgreementAdmin(ServiceRecordAdmin):
    list_display = ["elder", "carer_name", "relationship", "street", "starts_on", "ends_on"]
    list_filter = ["relationship"]
    list_select_related = ["elder", "street"]
    search_fields = ["carer_name", "elder__name"]
    exclude = ["carer_phone"]
    inlines = [CarerAgreementItemInline]
