from django.utils import timezone
from django.views.generic import TemplateView

from apps.applications.deadlines import horizon_on, office_counts
from apps.applications.models import Application
from apps.core.views import ScopedViewMixin


class DeadlinesView(ScopedViewMixin, TemplateView):
    """Overdue and due-soon steps per street and district office in scope,
    with the list behind a chosen office and band."""

    permission_required = "applications.view_application"
    template_name = "applications/deadlines.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        horizon = horizon_on(timezone.localdate())
        visible = Application.objects.visible_to(self.request.user)
        rows = office_counts(visible, horizon)
        context.update(horizon=horizon, rows=rows,
                       totals={k: sum(r[k] for r in rows) for k in
                               ("overdue", "due_soon", "on_time", "provisional", "total")})
        office, band = self.request.GET.get("office"), self.request.GET.get("band")
        if office and office.isdigit() and band in ("overdue", "soon"):
            listed = visible.with_clock().filter(responsible_office_id=int(office))
            listed = (listed.filter(due_date__lt=horizon.today) if band == "overdue" else
                      listed.filter(due_date__gte=horizon.today, due_date__lte=horizon.soon))
            context["listed"] = listed.select_related("elder").order_by("due_date", "pk")[:200]
            context["band"] = band
        return context
