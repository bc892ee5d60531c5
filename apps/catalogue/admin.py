from django.contrib import admin

from apps.catalogue.models import ServiceItem


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "category", "unit", "guide_price", "min_duration_minutes",
                    "bonus_eligible", "is_active"]
    list_filter = ["category", "bonus_eligible", "is_active"]
    search_fields = ["code", "name"]
