from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.views.generic import TemplateView
from django.views.generic.detail import SingleObjectMixin

from apps.core.navigation import menu_for
from apps.core.scoping import get_visible_or_404


class ScopedViewMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Staff HTML views: login, a model permission, and rows from ``visible_to``.

    List views get the scoped queryset; detail views look the object up in
    it, so an out-of-scope pk is a 404.
    """

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    def get_object(self, queryset=None):
        queryset = self.get_queryset() if queryset is None else queryset
        return get_visible_or_404(queryset, self.request.user, pk=self.kwargs["pk"])


class ScopedObjectFormMixin(ScopedViewMixin, SingleObjectMixin):
    """A form about one scoped object: the object is looked up (404 out of
    scope) before the form, and is ``self.object`` in the form's handlers."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sections"] = menu_for(self.request.user)
        return context
