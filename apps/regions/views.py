from django.views.generic import DetailView, ListView

from apps.core.views import ScopedViewMixin
from apps.regions.models import Region


class RegionListView(ScopedViewMixin, ListView):
    model = Region
    permission_required = "regions.view_region"
    template_name = "regions/region_list.html"

    def get_queryset(self):
        return super().get_queryset().exclude(kind="community").select_related("parent")


class RegionDetailView(ScopedViewMixin, DetailView):
    model = Region
    permission_required = "regions.view_region"
    template_name = "regions/region_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["children"] = self.object.children.visible_to(self.request.user)
        return context
