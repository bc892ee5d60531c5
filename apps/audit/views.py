from django.views.generic import ListView

from apps.audit.models import AccessLog
from apps.core.views import ScopedViewMixin


class AccessLogListView(ScopedViewMixin, ListView):
    model = AccessLog
    permission_required = "audit.view_accesslog"
    template_name = "audit/access_list.html"
    paginate_by = 100

    def get_queryset(self):
        return super().get_queryset().select_related("user", "region")
