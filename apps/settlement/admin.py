"""Settlement runs in Django admin, read-only: a run moves only through its
services (compute, review, approve, pay), and an approved one only through
none (the database refuses it)."""

from django.contrib import admin

from apps.contracts.admin import ReadOnlyInline
from apps.core.admin import ServiceRecordAdmin
from apps.settlement.models import ProviderSettlement, SettlementLine, SettlementRun


class ProviderSettlementInline(ReadOnlyInline):
    model = ProviderSettlement
    fields = ["provider", "status", "visits", "elders", "subsidy", "bonus", "adjustments",
              "payable"]


@admin.register(SettlementRun)
class SettlementRunAdmin(ServiceRecordAdmin):
    list_display = ["district", "month", "status", "visits", "subsidy", "bonus", "payable",
                    "reviewed_by", "approved_by", "review_note"]
    list_filter = ["status"]
    list_select_related = ["district", "reviewed_by", "approved_by"]
    inlines = [ProviderSettlementInline]


@admin.register(ProviderSettlement)
class ProviderSettlementAdmin(ServiceRecordAdmin):
    list_display = ["run", "provider", "status", "visits", "subsidy", "bonus", "payable"]
    list_filter = ["status"]
    list_select_related = ["run__district", "provider"]


@admin.register(SettlementLine)
class SettlementLineAdmin(ServiceRecordAdmin):
    list_display = ["run", "provider", "elder", "visit", "cost", "subsidy", "elder_pays",
                    "bonus", "is_adjustment"]
    list_filter = ["is_adjustment"]
    list_select_related = ["run__district", "provider", "elder", "visit"]
