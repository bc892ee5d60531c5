"""Plans and agreements in Django admin, read-only: every write goes
through the services (approval, contracts, bars, Art 17), which the staff
screens and the API call; a raw admin save would skip them."""

from django.contrib import admin

from apps.careplans.models import AgreementItem, ServiceAgreement, ServicePlan, ServicePlanItem
from apps.contracts.admin import ReadOnlyInline
from apps.core.admin import ServiceRecordAdmin


class ServicePlanItemInline(ReadOnlyInline):
    model = ServicePlanItem
    fields = ["service_item", "provider", "times_per_month", "units_per_time", "unit_price"]


class AgreementItemInline(ReadOnlyInline):
    model = AgreementItem
    fields = ["service_item", "unit_price", "times_per_month"]


@admin.register(ServicePlan)
class ServicePlanAdmin(ServiceRecordAdmin):
    list_display = ["elder", "starts_on", "ends_on", "status", "care_manager"]
    list_filter = ["status"]
    list_select_related = ["elder", "care_manager"]
    search_fields = ["elder__name"]
    inlines = [ServicePlanItemInline]


@admin.register(ServicePlanItem)
class ServicePlanItemAdmin(ServiceRecordAdmin):
    list_display = ["plan", "service_item", "provider", "times_per_month", "unit_price"]
    list_select_related = ["plan__elder", "service_item", "provider"]
    search_fields = ["plan__elder__name"]


@admin.register(ServiceAgreement)
class ServiceAgreementAdmin(ServiceRecordAdmin):
    list_display = ["reference", "elder", "provider", "starts_on", "ends_on", "status",
                    "end_reason"]
    list_filter = ["status", "end_reason"]
    list_select_related = ["elder", "provider"]
    search_fields = ["reference", "elder__name", "provider__name"]
    inlines = [AgreementItemInline]


@admin.register(AgreementItem)
class AgreementItemAdmin(ServiceRecordAdmin):
    list_display = ["agreement", "service_item", "unit_price", "times_per_month"]
    list_select_related = ["agreement__elder", "service_item"]
    search_fields = ["agreement__reference"]
