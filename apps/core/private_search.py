"""Searches by a person's name or number that keep the term out of URLs.

A query string ends up in the web server's access log (gunicorn logs the
request line), the browser history and the Referer of the next request. So
a search field that names a person is posted, kept in the session for that
page, and the page is shown again by GET without it (post/redirect/get); the
other filters and the page number stay in the query string as before.
"""

from django.http import Http404, HttpResponseNotAllowed, QueryDict
from django.shortcuts import redirect

#: the hidden field a private search form posts, telling it from other forms
#: the same page may post (a complaint's own form)
MARKER = "private_search"


def search_key(request) -> str:
    """Where a page's private search terms are kept in the session."""
    return f"private-search:{request.path}"


def redirect_without(request, params, dropped: tuple[str, ...]):
    """Redirect to this page with ``params`` but the ``dropped`` names (and
    empty values) in its query string."""
    public = QueryDict(mutable=True)
    for name in params:
        if name in dropped:
            continue
        values = [value for value in params.getlist(name) if value != ""]
        if values:
            public.setlist(name, values)
    query = public.urlencode()
    return redirect(f"{request.path}?{query}" if query else request.path)


class PrivateSearchMixin:
    """For a view whose filter form has ``private_fields`` (names, numbers)."""

    private_fields: tuple[str, ...] = ()

    def post(self, request, *args, **kwargs):
        if MARKER not in request.POST:
            parent = getattr(super(), "post", None)
            if parent is None:
                return HttpResponseNotAllowed(["GET", "HEAD"])
            return parent(request, *args, **kwargs)
        request.session[search_key(request)] = {
            name: value for name in self.private_fields
            if (value := request.POST.get(name, "").strip())}
        return redirect_without(request, request.POST, (
            *self.private_fields, MARKER, "csrfmiddlewaretoken", "page"))

    def dispatch(self, request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return super().dispatch(request, *args, **kwargs)
        # the view reads the kept terms as if they were in the query string;
        # the page is rendered (links, {% querystring %}) from the real one
        original = request.GET
        merged = original.copy()
        for name in self.private_fields:
            merged.pop(name, None)  # never taken from a URL
        for name, value in request.session.get(search_key(self.request), {}).items():
            merged[name] = value
        request.GET = merged
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            request.GET = original

    def paginate_queryset(self, queryset, page_size):
        try:
            return super().paginate_queryset(queryset, page_size)
        except Http404:
            # a page number from before a search narrowed the list (another
            # tab, the back button): show the last page there is, not an error
            if "page" not in self.request.GET:
                raise
            self.request.GET["page"] = "last"  # the dispatch's mutable copy
            return super().paginate_queryset(queryset, page_size)

    def get_context_data(self, **kwargs):
        # the kept terms, for a template that shows them in its search box
        return super().get_context_data(
            private_search=self.request.session.get(search_key(self.request), {}), **kwargs)
