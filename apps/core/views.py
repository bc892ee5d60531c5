from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.views.generic import TemplateView

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


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sections"] = menu_for(self.request.user)
        return context
