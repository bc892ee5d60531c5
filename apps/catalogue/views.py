from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.views.generic import ListView

from apps.catalogue.models import ServiceItem


class ServiceItemListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    permission_required = "catalogue.view_serviceitem"
    template_name = "catalogue/item_list.html"
    queryset = ServiceItem.objects.filter(is_active=True)
