from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from apps.audit.models import AccessAction
from apps.audit.services import log_access
from apps.core.scoping import get_visible_or_404
from apps.core.views import ScopedViewMixin
from apps.elders.models import Elder


class ElderListView(ScopedViewMixin, ListView):
    model = Elder
    permission_required = "elders.view_elder"
    template_name = "elders/elder_list.html"
    paginate_by = 50

    def get_queryset(self):
        queryset = super().get_queryset().select_related("residence_street", "hukou_street")
        term = self.request.GET.get("q", "").strip()
        if term:
            queryset = queryset.filter(
                Q(name__icontains=term) | Q(id_number_masked__icontains=term)
            )
        return queryset


class ElderDetailView(ScopedViewMixin, DetailView):
    """An elder's personal record; every view is written to the access log."""

    model = Elder
    permission_required = "elders.view_elder"
    template_name = "elders/elder_detail.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        log_access(request=request, obj=self.object, action=AccessAction.VIEW)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["revealed"] = self.request.session.pop(f"reveal-{self.object.pk}", None)
        return context


class ElderRevealView(ScopedViewMixin, View):
    """Show the full identity number once, on purpose, and log it."""

    model = Elder
    permission_required = "elders.reveal_identity_number"
    http_method_names = ["post"]

    def get_queryset(self):
        return Elder.objects.all()

    def post(self, request, pk):
        elder = get_visible_or_404(self.get_queryset(), request.user, pk=pk)
        log_access(request=request, obj=elder, action=AccessAction.REVEAL)
        request.session[f"reveal-{elder.pk}"] = elder.id_number
        messages.info(
            request, _("The full identity number is shown once and the access is logged.")
        )
        return redirect("elders:elder_detail", pk=elder.pk)
