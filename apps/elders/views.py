from django.contrib import messages
from django.db.models import Q
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView

from apps.audit.models import AccessAction
from apps.audit.services import log_access, log_listing
from apps.core.views import ScopedViewMixin
from apps.elders.models import Elder


class ElderListView(ScopedViewMixin, ListView):
    model = Elder
    permission_required = "elders.view_elder"
    template_name = "elders/elder_list.html"
    paginate_by = 50

    def get_queryset(self):
        queryset = super().get_queryset().select_related(
            "residence_street", "hukou_street", "community")
        term = self.request.GET.get("q", "").strip()
        if term:
            queryset = queryset.filter(
                Q(name__icontains=term) | Q(id_number_masked__icontains=term)
            )
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        log_listing(request=self.request, objects=context["object_list"])
        return context


class ElderDetailView(ScopedViewMixin, DetailView):
    """An elder's personal record; every view is written to the access log."""

    model = Elder
    permission_required = "elders.view_elder"
    template_name = "elders/elder_detail.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        log_access(request=request, obj=self.object, action=AccessAction.VIEW)
        return response


class ElderRevealView(ElderDetailView):
    """Show the full identity number in this one response, and log it.

    The number goes straight into the page (which is never cached), not into
    the session, so it is stored nowhere in clear.
    """

    permission_required = "elders.reveal_identity_number"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        log_access(request=request, obj=self.object, action=AccessAction.REVEAL)
        messages.info(
            request, _("The full identity number is shown once and the access is logged.")
        )
        context = self.get_context_data(object=self.object, revealed=self.object.id_number)
        return self.render_to_response(context)
