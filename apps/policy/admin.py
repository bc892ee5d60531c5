from django.contrib import admin

from apps.policy.models import PolicyValue


@admin.register(PolicyValue)
class PolicyValueAdmin(admin.ModelAdmin):
    """New versions are added; a version in force is never edited."""

    list_display = ["key", "region", "value", "valid_from", "basis", "created_by", "created_at"]
    list_filter = ["key", "region"]
    search_fields = ["key", "basis"]
    date_hierarchy = "valid_from"

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.has_taken_effect:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is None or obj.has_taken_effect:
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return ["created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
