from django.contrib import admin

from apps.core.admin import ScopedAdmin
from apps.regions.models import Region


@admin.register(Region)
class RegionAdmin(ScopedAdmin):
    list_display = ["name", "code", "kind", "parent", "is_demo"]
    list_filter = ["kind", "is_demo"]
    search_fields = ["name", "code"]
    readonly_fields = ["path"]
    list_select_related = ["parent"]

    def get_readonly_fields(self, request, obj=None):
        # Codes and places in the tree are fixed once created: paths below
        # depend on them.
        if obj is not None:
            return [*self.readonly_fields, "code", "kind", "parent"]
        return self.readonly_fields
