"""The provider registry: district staff list, register and edit providers;
a provider's own staff keep their profile, insurance and roster current
("My organisation"). Every read goes through ``visible_to``: another
provider's pages answer 404."""

from django.contrib import messages
from django.db.models import QuerySet
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import CreateView, DetailView, ListView, UpdateView, View

from apps.core.scoping import get_visible_or_404
from apps.core.views import ScopedViewMixin
from apps.providers.forms import (
    CertificateForm,
    InsurancePolicyForm,
    OrganisationProfileForm,
    ProviderFilterForm,
    ProviderForm,
    StaffMemberForm,
)
from apps.providers.models import Certificate, InsurancePolicy, Provider, StaffMember
from apps.providers.queries import compliance_for, with_rehab_nursing_clients


def _with_flags(providers) -> list[Provider]:
    """``providers`` as a list, each with its compliance flags today as ``flags``."""
    rows = list(providers)
    flags = compliance_for(rows, day=timezone.localdate())
    for provider in rows:
        provider.flags = flags[provider.pk]
    return rows


class ProviderListView(ScopedViewMixin, ListView):
    """The providers in the user's jurisdiction with their compliance flags."""

    model = Provider
    permission_required = "providers.view_provider"
    template_name = "providers/provider_list.html"
    paginate_by = 50

    def get_queryset(self):
        # the rehabilitation-nursing clients counted from the agreements in
        # force today, in the query that lists the page (``rehab_clients_on_day``)
        queryset = with_rehab_nursing_clients(super().get_queryset().select_related("region"),
                                              timezone.localdate())
        self.filters = ProviderFilterForm(self.request.GET or None)
        data = self.filters.cleaned_data if self.filters.is_valid() else {}
        if data.get("q"):
            term = data["q"].strip()
            queryset = queryset.filter(name__icontains=term) | queryset.filter(
                credit_code__icontains=term.upper())
        queryset = queryset.order_by("name", "pk")
        if data.get("flagged"):
            # the filter reads every row's flags; otherwise only the page's are needed
            return [provider for provider in _with_flags(queryset) if provider.flags]
        return queryset

    def paginate_queryset(self, queryset, page_size):
        paginator, page, rows, is_paginated = super().paginate_queryset(queryset, page_size)
        if isinstance(queryset, QuerySet):
            page.object_list = rows = _with_flags(rows)
        return paginator, page, rows, is_paginated

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filters"] = self.filters
        return context


class ProviderDetailView(ScopedViewMixin, DetailView):
    """A provider's profile, insurance, roster with certificates and flags."""

    model = Provider
    permission_required = "providers.view_provider"
    template_name = "providers/provider_detail.html"

    def get_queryset(self):
        return with_rehab_nursing_clients(super().get_queryset(), timezone.localdate())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        provider, day = self.object, timezone.localdate()
        context.update(
            flags=compliance_for([provider], day=day)[provider.pk],
            policies=provider.insurance_policies.all(),
            staff=provider.staff_members.prefetch_related("certificates"),
            today=day,
            own=provider.pk == self.request.user.provider_id,
        )
        return context


class MyOrganisationView(ScopedViewMixin, View):
    """Provider staff land on their own organisation's page."""

    permission_required = "providers.view_provider"

    def get(self, request, *args, **kwargs):
        provider = get_visible_or_404(Provider, request.user, pk=request.user.provider_id)
        return redirect("providers:provider_detail", pk=provider.pk)


class ProviderFormMixin:
    template_name = "providers/provider_form.html"

    def get_form_class(self):
        if self.request.user.provider_id:
            return OrganisationProfileForm
        return ProviderForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_success_url(self):
        return reverse("providers:provider_detail", args=[self.object.pk])


class ProviderCreateView(ScopedViewMixin, ProviderFormMixin, CreateView):
    """Register a provider in the user's district."""

    model = Provider
    permission_required = "providers.add_provider"

    def get_form_class(self):
        return ProviderForm

    def form_valid(self, form):
        messages.success(self.request, _("The provider is registered."))
        return super().form_valid(form)


class ProviderUpdateView(ScopedViewMixin, ProviderFormMixin, UpdateView):
    """District staff edit the registration; a provider edits its profile."""

    model = Provider
    permission_required = "providers.change_provider"

    def form_valid(self, form):
        messages.success(self.request, _("The profile is saved."))
        return super().form_valid(form)


class RosterFormMixin(ScopedViewMixin):
    """Add or edit one insurance policy, staff member or certificate.

    To add, the URL's pk names the parent (a provider, or for a certificate
    a staff member), looked up in scope: another provider's parent is a
    404. ``model`` is the parent's model when adding, the row's when
    editing, so the URL's pk always names an object of ``model``.
    """

    template_name = "providers/roster_form.html"

    def get_title(self) -> str:
        raise NotImplementedError

    def provider(self):
        return self.object.provider

    def get_success_url(self):
        return reverse("providers:provider_detail", args=[self.provider().pk])

    def form_valid(self, form):
        messages.success(self.request, _("Saved."))
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title=self.get_title(), provider=self.provider())
        return context


class RosterCreateMixin(RosterFormMixin):
    parent_field = "provider"

    @cached_property
    def parent(self):
        return get_visible_or_404(self.model, self.request.user, pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        row = self.form_class._meta.model(**{self.parent_field: self.parent})
        return {**super().get_form_kwargs(), "instance": row}

    def provider(self):
        return self.parent


class InsuranceCreateView(RosterCreateMixin, CreateView):
    model = Provider
    form_class = InsurancePolicyForm
    permission_required = "providers.add_insurancepolicy"

    def get_title(self):
        return _("Add an insurance policy")


class InsuranceUpdateView(RosterFormMixin, UpdateView):
    model = InsurancePolicy
    form_class = InsurancePolicyForm
    permission_required = "providers.change_insurancepolicy"

    def get_title(self):
        return _("Edit the insurance policy")


class StaffCreateView(RosterCreateMixin, CreateView):
    model = Provider
    form_class = StaffMemberForm
    permission_required = "providers.add_staffmember"

    def get_title(self):
        return _("Add a staff member")


class StaffUpdateView(RosterFormMixin, UpdateView):
    model = StaffMember
    form_class = StaffMemberForm
    permission_required = "providers.change_staffmember"

    def get_title(self):
        return _("Edit %(name)s") % {"name": self.object.name}


class CertificateCreateView(RosterCreateMixin, CreateView):
    model = StaffMember
    form_class = CertificateForm
    permission_required = "providers.add_certificate"
    parent_field = "staff"

    def provider(self):
        return self.parent.provider

    def get_title(self):
        return _("Add a certificate of %(name)s") % {"name": self.parent.name}


class CertificateUpdateView(RosterFormMixin, UpdateView):
    model = Certificate
    form_class = CertificateForm
    permission_required = "providers.change_certificate"

    def provider(self):
        return self.object.staff.provider

    def get_title(self):
        return _("Edit a certificate of %(name)s") % {"name": self.object.staff.name}
