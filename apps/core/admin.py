from django.contrib import admin
from django.http import Http404

from apps.core.scoping import choices_for


class ScopedAdmin(admin.ModelAdmin):
    """Admin whose changelist, forms and object pages start from ``visible_to``.

    Foreign-key and many-to-many choices are limited to the user's scope for
    scoped targets, and an out-of-scope object answers 404 rather than the
    admin's usual "does not exist" redirect.
    """

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            # Keep a record's current out-of-scope value selectable (an elder
            # whose hukou street is in another district stays editable).
            for name, field in form.base_fields.items():
                queryset = getattr(field, "queryset", None)
                current = getattr(obj, f"{name}_id", None)
                if queryset is not None and current is not None:
                    field.queryset = queryset | queryset.model._default_manager.filter(
                        pk=current)
        return form

    def _limit_choices(self, db_field, request, kwargs):
        choices = choices_for(db_field.remote_field.model, request.user)
        if "queryset" not in kwargs and choices is not None:
            kwargs["queryset"] = choices
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = self._limit_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs = self._limit_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ReadOnlyAdminMixin:
    """Reference rows that change only by adding new versions."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceRecordAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    """Rows only their services write (scored, signed, issued, decided):
    admin shows them and adds, changes or deletes nothing."""

    def has_add_permission(self, request):
        return False
