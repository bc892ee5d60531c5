from django.contrib import admin

from apps.audit.models import AccessAction
from apps.audit.services import log_access, log_listing
from apps.core.admin import ScopedAdmin
from apps.elders.models import Elder


@admin.register(Elder)
class ElderAdmin(ScopedAdmin):
    """Read and correct names and places; identity numbers stay masked."""

    list_display = ["name", "id_number_masked", "birth_date", "sex", "residence_street",
                    "hukou_street"]
    list_filter = ["sex", "document_type"]
    search_fields = ["name"]
    list_select_related = ["residence_street", "hukou_street"]
    fields = ["name", "document_type", "id_number_masked", "birth_date", "sex",
              "hukou_street", "residence_street", "community"]
    readonly_fields = ["document_type", "id_number_masked", "birth_date", "sex"]

    def has_add_permission(self, request):
        # Registration goes through the street-office form (identity checks).
        return False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            log_listing(request=request, objects=changelist.result_list)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET":
            log_access(request=request, obj=self.get_object(request, object_id),
                       action=AccessAction.VIEW)
        return response
