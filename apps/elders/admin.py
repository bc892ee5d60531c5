from django.contrib import admin

from apps.audit.models import AccessAction
from apps.audit.services import log_access, log_listing
from apps.core.admin import ScopedAdmin
from apps.elders.models import Contact, Elder
from apps.elders.services import PROFILE_FIELDS, update_elder


@admin.register(Elder)
class ElderAdmin(ScopedAdmin):
    """Read and correct names and places; identity numbers stay masked."""

    list_display = ["name", "id_number_masked", "birth_date", "sex", "residence_street",
                    "hukou_street"]
    list_filter = ["sex", "document_type", "life_status"]
    search_fields = ["name"]
    list_select_related = ["residence_street", "hukou_street"]
    fields = ["name", "document_type", "id_number_masked", "birth_date", "sex",
              "hukou_street", "residence_street", "community",
              "lives_alone", "pure_elderly_household",
              "lives_only_with_severely_disabled_child", "gugua", "sanwu_or_wubao", "dibao",
              "low_income", "youfu", "model_worker", "family_planning_special_support",
              "monthly_pension", "life_status", "life_status_since"]
    # The life status changes through its own screen (it may end an
    # entitlement); identity comes from the registration.
    readonly_fields = ["document_type", "id_number_masked", "birth_date", "sex",
                       "life_status", "life_status_since"]

    def has_add_permission(self, request):
        # Registration goes through the street-office form (identity checks).
        return False

    def save_model(self, request, obj, form, change):
        # Corrections go through the registry service, which re-decides an
        # entitlement from the next month when an Art 26 fact changes.
        changes = {f: form.cleaned_data[f] for f in form.changed_data if f in PROFILE_FIELDS}
        update_elder(elder=obj, **changes)

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


@admin.register(Contact)
class ContactAdmin(ScopedAdmin):
    list_display = ["elder", "role", "name", "relationship"]
    list_filter = ["role"]
    search_fields = ["elder__name", "name"]
    list_select_related = ["elder"]
    fields = ["elder", "role", "name", "relationship"]
