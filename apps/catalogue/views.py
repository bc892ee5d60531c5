"""The service catalogue with the city guide prices (Art 13, 19): the staff
list, each item's price history with the form for a new version, and the
public notice of the prices in force (no login, no personal data)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView, TemplateView

from apps.catalogue.forms import GuidePriceForm
from apps.catalogue.models import GuidePrice, ServiceItem
from apps.catalogue.services import publish_guide_price
from apps.core.forms import add_service_errors

ADD_PRICE = "catalogue.add_guideprice"


class ServiceItemListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    permission_required = "catalogue.view_serviceitem"
    template_name = "catalogue/item_list.html"

    def get_queryset(self):
        self.today = timezone.localdate()
        return ServiceItem.objects.filter(is_active=True).with_guide_price(self.today)

    def get_context_data(self, **kwargs):
        return super().get_context_data(today=self.today, **kwargs)


class GuidePriceHistoryView(LoginRequiredMixin, PermissionRequiredMixin, FormView):
    """One item's price versions, newest first; holders of add_guideprice
    publish a new version here."""

    permission_required = ("catalogue.view_serviceitem", "catalogue.view_guideprice")
    template_name = "catalogue/price_history.html"
    form_class = GuidePriceForm
    model = ServiceItem

    def dispatch(self, request, *args, **kwargs):
        self.item = get_object_or_404(ServiceItem, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(ADD_PRICE):
            return self.handle_no_permission()
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            publish_guide_price(item=self.item, by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The new guide price is published."))
        return redirect("catalogue:price_history", pk=self.item.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        versions = list(self.item.guide_prices.order_by("-valid_from"))
        current = next((v for v in versions if v.valid_from <= today), None)
        for version in versions:
            version.state = ("future" if version.valid_from > today
                             else "current" if version is current else "past")
        context.update(item=self.item, versions=versions, today=today,
                       can_add=self.request.user.has_perm(ADD_PRICE))
        return context


class PublicGuidePriceView(TemplateView):
    """The notice of Art 19: every item's guide price in force today and the
    changes already announced, printable for the notice boards."""

    template_name = "catalogue/public_guide_prices.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        items = list(ServiceItem.objects.filter(is_active=True).with_guide_price(today))
        upcoming = (GuidePrice.objects.filter(valid_from__gt=today, item__is_active=True)
                    .select_related("item").order_by("valid_from", "item__category",
                                                     "item__code"))
        context.update(today=today, items=items, upcoming=upcoming)
        return context
