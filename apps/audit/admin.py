from django.contrib import admin

from apps.audit.models import AccessLog
from apps.core.admin import ReadOnlyAdminMixin, ScopedAdmin


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["at", "user", "action", "object_label", "region", "ip"]
    list_filter = ["action"]
    search_fields = ["object_label", "user__username"]
    list_select_related = ["user", "region"]

    def has_add_permission(self, request):
        return False
