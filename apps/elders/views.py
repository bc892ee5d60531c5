from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView, ListView, TemplateView, UpdateView

from apps.audit.models import AccessAction
from apps.audit.services import log_access, log_listing
from apps.core.forms import add_service_errors
from apps.core.private_search import PrivateSearchMixin
from apps.core.views import ScopedObjectFormMixin, ScopedViewMixin
from apps.elders.forms import (
    ECONOMY_FIELDS,
    HOUSEHOLD_FIELDS,
    ContactForm,
    ElderRegisterForm,
    ElderUpdateForm,
    LifeStatusForm,
)
from apps.elders.identity import age_on
from apps.elders.models import ContactRole, DocumentType, Elder
from apps.elders.services import (
    PROFILE_FIELDS,
    add_contact,
    find_duplicate,
    record_life_status,
    register_elder,
    update_elder,
)
from apps.regions.models import Region, RegionKind

ECONOMY_FLAGS = [f for f in ECONOMY_FIELDS if f not in ("model_worker", "monthly_pension")]


class ElderListView(PrivateSearchMixin, ScopedViewMixin, ListView):
    private_fields = ("q",)
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

    def get_context_data(self, **kwargs):
        from apps.applications.models import Application
        from apps.subsidies.models import Entitlement

        context = super().get_context_data(**kwargs)
        user, elder = self.request.user, self.object
        context["age"] = age_on(elder.birth_date, timezone.localdate())
        context["household"] = [Elder._meta.get_field(f).verbose_name
                                for f in HOUSEHOLD_FIELDS if getattr(elder, f)]
        context["economy"] = [Elder._meta.get_field(f).verbose_name for f in ECONOMY_FLAGS
                              if getattr(elder, f)]
        if elder.model_worker != "none":
            context["economy"].append(elder.get_model_worker_display())
        context["contacts"] = elder.contacts.all()
        context["applications"] = (Application.objects.visible_to(user).filter(elder=elder)
                                   .select_related("responsible_office"))
        context["entitlements"] = (Entitlement.objects.visible_to(user).filter(elder=elder)
                                   .select_related("service_street"))
        return context


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


class ElderFormMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """A registry form whose service errors land on their fields."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}


class ElderRegisterView(ElderFormMixin, FormView):
    """Register an elder at the street window; the service refuses a bad
    identity number, an elder under 60 and a duplicate."""

    permission_required = "elders.add_elder"
    form_class = ElderRegisterForm
    template_name = "elders/elder_form.html"
    extra_context = {"title": gettext_lazy("Register an elder")}

    def get_initial(self):
        user = self.request.user
        street = user.region if user.region and user.region.kind == RegionKind.STREET else None
        return {"residence_street": street, "hukou_street": street}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            with transaction.atomic():
                elder = register_elder(by=self.request.user, **form.service_fields())
                if data.get("agent_name"):
                    add_contact(elder=elder, role=data["agent_role"] or ContactRole.AGENT,
                                name=data["agent_name"],
                                relationship=data.get("agent_relationship", ""),
                                phone=data.get("agent_phone", ""))
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(name)s is registered.") % {"name": elder.name})
        return redirect("elders:elder_detail", pk=elder.pk)


class CheckNumberView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Tell the clerk, as the number is typed, whether it is registered.

    Only an elder the clerk may see is named; elsewhere the answer says no
    more than "registered in another street".
    """

    permission_required = "elders.add_elder"
    template_name = "elders/_number_check.html"
    # posted, never a query string: the web server logs query strings
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(**kwargs))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        number = self.request.POST.get("id_number", "")
        document_type = self.request.POST.get("document_type") or DocumentType.RESIDENT_ID
        duplicate = find_duplicate(document_type, number) if len(number) >= 8 else None
        context["duplicate"] = duplicate
        if duplicate is not None:
            context["visible"] = Elder.objects.visible_to(self.request.user).filter(
                pk=duplicate.pk).exists()
        return context


class StreetSearchView(LoginRequiredMixin, TemplateView):
    """Streets of the whole city whose name contains the typed text, as
    ``<option>`` elements for the hukou-street picker."""

    template_name = "elders/_street_options.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        term = self.request.GET.get("hukou_street_search", "").strip()
        context["streets"] = (
            Region.objects.filter(kind=RegionKind.STREET, name__icontains=term)
            .select_related("parent").order_by("path")[:20] if len(term) >= 2 else [])
        return context


class ElderUpdateView(ElderFormMixin, ScopedViewMixin, UpdateView):
    model = Elder
    permission_required = "elders.change_elder"
    form_class = ElderUpdateForm
    template_name = "elders/elder_form.html"
    extra_context = {"title": gettext_lazy("Update the record")}

    def get_initial(self):
        return {"changed_on": timezone.localdate()}

    def form_valid(self, form):
        changes = {f: form.cleaned_data[f] for f in form.changed_data if f in PROFILE_FIELDS}
        for field in ("phone", "address"):
            if field in changes:
                changes[field] = changes[field] or None
        try:
            update_elder(elder=self.object, changed_on=form.cleaned_data["changed_on"],
                         **changes)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The record is updated."))
        return redirect("elders:elder_detail", pk=self.object.pk)


class ElderActionView(ScopedObjectFormMixin, FormView):
    """A form about one elder that calls one service."""

    model = Elder
    template_name = "elders/elder_action.html"

    def form_valid(self, form):
        try:
            self.perform(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return redirect("elders:elder_detail", pk=self.object.pk)


class LifeStatusView(ElderActionView):
    permission_required = "elders.change_elder"
    form_class = LifeStatusForm
    extra_context = {"title": gettext_lazy("Change the life status"),
                     "hint": gettext_lazy("Death, moving away or entering a care institution ends "
                                   "the subsidy at the end of that month (Art 32).")}
    success_message = gettext_lazy("The life status is recorded.")

    def get_initial(self):
        return {"life_status": self.object.life_status,
                "life_status_since": timezone.localdate()}

    def perform(self, data):
        record_life_status(elder=self.object, status=data["life_status"],
                           since=data["life_status_since"], note=data["note"])


class ContactCreateView(ElderActionView):
    permission_required = "elders.add_contact"
    form_class = ContactForm
    extra_context = {"title": gettext_lazy("Add a contact")}
    success_message = gettext_lazy("The contact is added.")

    def perform(self, data):
        add_contact(elder=self.object, **data)
