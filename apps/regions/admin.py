from django.contrib import admin

from apps.core.admin import ScopedAdmin
from apps.regions.models import Region, RegionKind


@admin.register(Region)
class RegionAdmin(ScopedAdmin):
    list_display = ["name", "code", "kind", "parent", "is_demo"]
    list_filter = ["kind", "is_demo"]
    search_fields = ["name", "code"]
    readonly_fields = ["path"]
    list_select_related = ["parent"]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "kind" and not request.user.is_superuser:
            # The official tree is reference data; offices add communities.
            kwargs["choices"] = [(RegionKind.COMMUNITY, RegionKind.COMMUNITY.label)]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # Codes and places in the tree are fixed once created: paths below
        # depend on them.
        if obj is not None:
            return [*self.readonly_fields, "code", "kind", "parent"]
        return self.readonly_fields
