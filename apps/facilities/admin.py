from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.core.admin import ScopedAdmin
from apps.facilities import services
from apps.facilities.models import Facility, FacilityChange, FacilityFunding


@admin.register(Facility)
class FacilityAdmin(ScopedAdmin):
    """Facilities. Status and current use are read-only here: a closure or
    change of use is added under 'facility closures and changes of use'."""

    list_display = ["name", "tier", "kind", "region", "floor_area", "run_by", "operator",
                    "status", "is_demo"]
    list_filter = ["tier", "status", "run_by"]
    search_fields = ["name", "address"]
    list_select_related = ["region", "operator"]
    readonly_fields = ["status", "current_use"]

    def has_delete_permission(self, request, obj=None):
        # A facility ends by a recorded closure (Art 11), never by deletion.
        return False


@admin.register(FacilityFunding)
class FacilityFundingAdmin(ScopedAdmin):
    list_display = ["facility", "year", "amount", "basis"]
    list_filter = ["year"]
    search_fields = ["facility__name"]
    list_select_related = ["facility"]
    readonly_fields = ["recorded_by"]

    def save_model(self, request, obj, form, change):
        obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


class FacilityChangeAdminForm(forms.ModelForm):
    """Checks a new change exactly as the service will record it."""

    class Meta:
        model = FacilityChange
        fields = ["facility", "kind", "new_use", "approving_authority", "approval_reference",
                  "approved_on", "notice_published_on", "notice_channel",
                  "reported_to_city_on", "effective_on", "note"]

    def clean(self):
        data = super().clean()
        facility = data.get("facility")
        if facility is not None:
            errors = services.change_errors(
                facility=facility, kind=data.get("kind", ""),
                approving_authority=data.get("approving_authority", ""),
                approval_reference=data.get("approval_reference", ""),
                approved_on=data.get("approved_on"),
                notice_published_on=data.get("notice_published_on"),
                effective_on=data.get("effective_on"),
                reported_to_city_on=data.get("reported_to_city_on"),
                new_use=data.get("new_use", ""),
                on=timezone.localdate())
            if errors:
                raise ValidationError(errors)
        return data


@admin.register(FacilityChange)
class FacilityChangeAdmin(ScopedAdmin):
    """Recorded closures and changes of use: added through the service,
    read-only once recorded."""

    form = FacilityChangeAdminForm
    list_display = ["facility", "kind", "new_use", "approval_reference", "approved_on",
                    "notice_published_on", "effective_on", "recorded_by"]
    list_filter = ["kind"]
    search_fields = ["facility__name", "approval_reference"]
    list_select_related = ["facility", "recorded_by"]
    date_hierarchy = "effective_on"

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [f.name for f in FacilityChange._meta.fields]

    def get_fields(self, request, obj=None):
        if obj is None:
            return FacilityChangeAdminForm.Meta.fields
        return [f.name for f in FacilityChange._meta.fields if f.name != "id"]

    def has_change_permission(self, request, obj=None):
        # The change page of a recorded row shows it read-only.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # The form's fields are the service's arguments (as on the staff screen).
        recorded = services.record_change(**form.cleaned_data, by=request.user)
        obj.pk = recorded.pk
        obj.refresh_from_db()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "facility" and field is not None:
            field.queryset = field.queryset.open()
        return field
