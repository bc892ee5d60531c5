from django.contrib import admin

from apps.caremanagers.models import CareManager, CaseAssignment
from apps.core.admin import ScopedAdmin


@admin.register(CareManager)
class CareManagerAdmin(ScopedAdmin):
    list_display = ["name", "street", "qualification", "certificate_number", "active", "since"]
    list_filter = ["qualification", "active"]
    search_fields = ["name", "certificate_number"]
    list_select_related = ["street"]
    raw_id_fields = ["user"]


@admin.register(CaseAssignment)
class CaseAssignmentAdmin(ScopedAdmin):
    """Assignments are made on the caseload screen (the service ends the
    previous one); here they are read."""

    list_display = ["elder", "care_manager", "starts_on", "ends_on"]
    list_filter = ["ends_on"]
    list_select_related = ["elder", "care_manager__street"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
