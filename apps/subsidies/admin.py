from django.contrib import admin

from apps.core.admin import ReadOnlyAdminMixin, ScopedAdmin
from apps.subsidies.models import Entitlement


@admin.register(Entitlement)
class EntitlementAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    """Entitlements change only through approvals, changes of circumstances
    and fraud cancellations; admin shows the chain."""

    list_display = ["elder", "subsidy_class", "care_level", "monthly_amount", "valid_from",
                    "valid_until", "status", "end_reason"]
    list_filter = ["subsidy_class", "status", "care_level", "end_reason"]
    search_fields = ["elder__name"]
    list_select_related = ["elder"]
    date_hierarchy = "valid_from"

    def has_add_permission(self, request):
        return False
