from django.contrib import admin

from apps.applications.models import Application, Document, Transition
from apps.core.admin import ReadOnlyAdminMixin, ScopedAdmin


class TransitionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Transition
    fields = ["action", "from_status", "to_status", "effective_on", "actor", "reason",
              "due_date", "at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    """Applications move only through the window and district screens (their
    services record every step); admin shows them with their history."""

    list_display = ["reference", "kind", "elder", "status", "responsible_office", "due_date",
                    "received_on"]
    list_filter = ["kind", "status", "route_case", "due_provisional"]
    search_fields = ["elder__name"]
    list_select_related = ["elder", "responsible_office"]
    date_hierarchy = "received_on"
    inlines = [TransitionInline]

    def has_add_permission(self, request):
        return False


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["application", "kind", "original_name", "size", "uploaded_by",
                    "uploaded_at"]
    list_filter = ["kind"]
    exclude = ["file"]
    list_select_related = ["application__elder", "uploaded_by"]

    def has_add_permission(self, request):
        return False


@admin.register(Transition)
class TransitionAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["application", "action", "from_status", "to_status", "effective_on",
                    "actor", "at"]
    list_filter = ["action"]
    list_select_related = ["application__elder", "actor"]

    def has_add_permission(self, request):
        return False
