from django.contrib import admin
from django.contrib.admin.views.main import IS_FACETS_VAR, SEARCH_VAR, ChangeList
from django.http import Http404

from apps.core.private_search import MARKER, redirect_without, search_key
from apps.core.scoping import choices_for


class PrivateSearchChangeList(ChangeList):
    """A changelist that searches by the term kept in the session; its links
    (filters, pages, sorting) never carry it."""

    def __init__(self, request, *args, **kwargs):
        original = request.GET
        searched = original.copy()
        if term := request.session.get(search_key(request)):
            searched[SEARCH_VAR] = term
        request.GET = searched  # only while the changelist reads its parameters
        try:
            super().__init__(request, *args, **kwargs)
        finally:
            request.GET = original
        self.preserved_filters = self.model_admin.get_preserved_filters(request)
        self.params.pop(SEARCH_VAR, None)
        self.filter_params.pop(SEARCH_VAR, None)
        self.remove_facet_link = self.get_query_string(remove=[IS_FACETS_VAR])
        self.add_facet_link = self.get_query_string({IS_FACETS_VAR: True})


class PrivateSearchAdminMixin:
    """The changelist search of records about people (an elder's name) is
    posted and kept in the session for that page, like the staff screens'
    searches (``apps.core.private_search``): a query string ends up in access
    logs, browser history and Referer headers. A term typed into the URL is
    ignored, and the filters admin preserves in its links and redirects
    (``_changelist_filters``) never hold it. ``admin/search_form.html`` posts
    when ``private_search`` is set; its "show all" link clears the term.
    """

    private_search = True

    def changelist_view(self, request, extra_context=None):
        key = search_key(request)
        if request.method == "POST" and MARKER in request.POST:
            request.session[key] = request.POST.get(SEARCH_VAR, "").strip()
            return redirect_without(request, request.POST,
                                    (SEARCH_VAR, MARKER, "csrfmiddlewaretoken"))
        if CLEAR in request.GET:
            request.session.pop(key, None)
            return redirect_without(request, request.GET, (SEARCH_VAR, CLEAR))
        original = request.GET
        request.GET = original.copy()
        request.GET.pop(SEARCH_VAR, None)
        try:
            return super().changelist_view(request, extra_context)
        finally:
            request.GET = original

    def get_changelist(self, request, **kwargs):
        return PrivateSearchChangeList


#: the "show all" link of a private search
CLEAR = "clear_search"


class ScopedAdmin(PrivateSearchAdminMixin, admin.ModelAdmin):
    """Admin whose changelist, forms and object pages start from ``visible_to``.

    Foreign-key and many-to-many choices are limited to the user's scope for
    scoped targets, and an out-of-scope object answers 404 rather than the
    admin's usual "does not exist" redirect. Its search is private (above).
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
