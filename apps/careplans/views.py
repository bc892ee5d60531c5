"""Plan and agreement screens: the care manager's plan with its monthly
budget and history, the agreements of the street's elders (a provider: its
own), signing at the contract's prices, ending or referring on the Art 17
grounds. Every view reads through ``visible_to`` and writes through one
service."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Prefetch, Q, Value, When
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, FormView, ListView, TemplateView

from apps.audit.services import log_access
from apps.caremanagers.models import CareManager
from apps.careplans import services
from apps.careplans.forms import (
    AgreedItemFormSet,
    AgreementFilterForm,
    EndAgreementForm,
    PlanFilterForm,
    PlanForm,
    PlanLineFormSet,
    SignForm,
)
from apps.careplans.models import (
    AgreementStatus,
    PlanStatus,
    ServiceAgreement,
    ServicePlan,
    ServicePlanItem,
)
from apps.catalogue.models import ServiceItem
from apps.contracts.models import Contract, ContractStatus
from apps.contracts.views import ItemFormSetMixin
from apps.core.forms import add_service_errors
from apps.core.private_search import PrivateSearchMixin
from apps.core.scoping import get_visible_or_404
from apps.core.views import ScopedObjectFormMixin, ScopedViewMixin
from apps.elders.models import Elder
from apps.providers.models import Provider
from apps.regions.models import Region

VIEW_PLAN = "careplans.view_serviceplan"
VIEW_AGREEMENT = "careplans.view_serviceagreement"
LAST_DAY = date(9999, 12, 31)


def contracted_providers(elder, day: date | None = None):
    """Providers with an active contract covering where the elder lives on
    ``day`` (today) or later. The contract may be another district's (an
    elder whose hukou is elsewhere is served near the residence, Art 30):
    the caller already sees the elder, and these are the elder's choices."""
    day = day or timezone.localdate()
    contracts = (Contract.objects.filter(status=ContractStatus.ACTIVE, ends_on__gte=day)
                 .covering(*services.service_area(elder)))
    return Provider.objects.filter(pk__in=contracts.values("provider")).order_by("name")


class ElderWorkMixin(ScopedObjectFormMixin):
    """A form about one elder (``elder_pk``), written by staff of the street
    that serves the elder: out of scope, either is a 404."""

    model = Elder

    def get_object(self, queryset=None):
        user = self.request.user
        elder = get_visible_or_404(Elder, user, pk=self.kwargs["elder_pk"])
        self.entitlement = (services.current_entitlement(elder, LAST_DAY)
                            or services.entitlement_on(elder, timezone.localdate()))
        self.street = services.service_street(elder, self.entitlement)
        get_visible_or_404(Region, user, pk=self.street.pk)
        return elder

    @property
    def elder(self):
        return self.object

    def get_context_data(self, **kwargs):
        return super().get_context_data(elder=self.elder, street=self.street,
                                        entitlement=self.entitlement, **kwargs)


# --- plans -----------------------------------------------------------------------


def _plans_with_items(queryset):
    return queryset.select_related(
        "elder", "entitlement", "care_manager", "written_by").prefetch_related(
        Prefetch("items", queryset=ServicePlanItem.objects.select_related(
            "service_item", "provider")))


class PlanListView(PrivateSearchMixin, ScopedViewMixin, ListView):
    """The plans of the user's elders with each one's monthly budget."""

    private_fields = ("q",)  # a name: never in a URL (core.private_search)
    model = ServicePlan
    permission_required = VIEW_PLAN
    template_name = "careplans/plan_list.html"
    paginate_by = 50

    def get_queryset(self):
        queryset = _plans_with_items(super().get_queryset())
        self.filters = PlanFilterForm(self.request.GET or {"status": PlanStatus.ACTIVE})
        if self.filters.is_valid():
            data = self.filters.cleaned_data
            if data["status"]:
                queryset = queryset.filter(status=data["status"])
            if data["q"]:
                queryset = queryset.filter(elder__name__icontains=data["q"])
        return queryset.order_by("elder__name", "-starts_on", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(filters=self.filters, **kwargs)
        for plan in context["object_list"]:
            plan.budget = services.budget_for(plan)
        return context


class PlanDetailView(ScopedViewMixin, DetailView):
    """One plan: its services, the monthly budget against the entitlement,
    the agreements signed on it, and the elder's earlier plans."""

    model = ServicePlan
    permission_required = VIEW_PLAN
    template_name = "careplans/plan_detail.html"

    def get_queryset(self):
        return _plans_with_items(super().get_queryset())

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        log_access(request=request, obj=self.object.elder)
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        plan, user = self.object, self.request.user
        history = (ServicePlan.objects.visible_to(user).filter(elder=plan.elder_id)
                   .exclude(pk=plan.pk).select_related("care_manager")
                   .order_by("-starts_on", "-pk"))
        agreements = (ServiceAgreement.objects.visible_to(user).filter(elder=plan.elder_id)
                      .select_related("provider").order_by("-starts_on", "-pk"))
        return super().get_context_data(
            items=plan.items.all(), budget=services.budget_for(plan), history=history,
            agreements=agreements, is_active=plan.status == PlanStatus.ACTIVE, **kwargs)


class ElderPlanView(ScopedViewMixin, TemplateView):
    """The elder's plan: the one in force (else the latest), or an offer to
    write the first."""

    permission_required = VIEW_PLAN
    template_name = "careplans/plan_none.html"

    def get(self, request, *args, **kwargs):
        elder = get_visible_or_404(Elder, request.user, pk=kwargs["elder_pk"])
        in_force_first = Case(When(status=PlanStatus.ACTIVE, then=Value(0)), default=Value(1),
                              output_field=IntegerField())
        plan = (ServicePlan.objects.visible_to(request.user).filter(elder=elder)
                .order_by(in_force_first, "-starts_on", "-pk").first())
        if plan is not None:
            return redirect("careplans:plan_detail", pk=plan.pk)
        return self.render_to_response(self.get_context_data(elder=elder))


class PlanCreateView(ItemFormSetMixin, ElderWorkMixin, FormView):
    """Write the elder's plan; the plan in force, if any, is superseded."""

    form_class = PlanForm
    permission_required = ("careplans.add_serviceplan", "careplans.add_serviceplanitem")
    template_name = "careplans/plan_form.html"

    def get_form_kwargs(self):
        care_managers = (CareManager.objects.visible_to(self.request.user)
                         .filter(street=self.street, active=True).order_by("name"))
        return {**super().get_form_kwargs(), "care_managers": care_managers}

    def current_plan(self):
        return (ServicePlan.objects.filter(elder=self.elder, status=PlanStatus.ACTIVE)
                .prefetch_related("items").first())

    def get_initial(self):
        current = self.current_plan()
        if current is None:
            return {}
        return {"care_manager": current.care_manager_id, "needs": current.needs}

    def get_formset(self):
        providers = contracted_providers(self.elder)
        if self.request.method == "POST":
            return PlanLineFormSet(self.request.POST, prefix="items",
                                   form_kwargs={"providers": providers})
        current = self.current_plan()
        initial = [] if current is None else [
            {"service_item": item.service_item_id, "provider": item.provider_id,
             "times_per_month": item.times_per_month, "units_per_time": item.units_per_time}
            for item in current.items.all()]
        return PlanLineFormSet(prefix="items", initial=initial,
                               form_kwargs={"providers": providers})

    def get_context_data(self, **kwargs):
        return super().get_context_data(current=self.current_plan(), **kwargs)

    def save(self, data, lines):
        return services.write_plan(elder=self.elder, items=lines, user=self.request.user,
                                   **data)

    def saved(self, plan):
        messages.success(self.request, _("The service plan is saved."))
        return redirect("careplans:plan_detail", pk=plan.pk)


# --- agreements ----------------------------------------------------------------------


class AgreementMixin(ScopedViewMixin):
    model = ServiceAgreement
    permission_required = VIEW_AGREEMENT

    def get_queryset(self):
        return super().get_queryset().select_related("elder", "provider")


class AgreementListView(AgreementMixin, ListView):
    """The agreements of the user's elders (a provider: its own)."""

    template_name = "careplans/agreement_list.html"
    paginate_by = 50

    def get_queryset(self):
        queryset = super().get_queryset()
        self.filters = AgreementFilterForm(self.request.GET or None)
        self.elder = None
        if self.filters.is_valid():
            data = self.filters.cleaned_data
            if data["status"]:
                queryset = queryset.filter(status=data["status"])
            if data["elder"]:
                queryset = queryset.filter(elder=data["elder"])
                self.elder = (Elder.objects.visible_to(self.request.user)
                              .filter(pk=data["elder"]).first())
        return queryset.order_by("-starts_on", "-pk")

    def get_context_data(self, **kwargs):
        return super().get_context_data(filters=self.filters, elder=self.elder, **kwargs)


class AgreementDetailView(AgreementMixin, DetailView):
    template_name = "careplans/agreement_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("contract", "plan", "referred_to",
                                                     "ended_by", "created_by")

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        log_access(request=request, obj=self.object.elder)
        return self.render_to_response(self.get_context_data(
            object=self.object, items=self.object.items.select_related("service_item"),
            is_active=self.object.status == AgreementStatus.ACTIVE,
            outside_plan=services.items_outside_plan(self.object)))


class AgreementSignView(ItemFormSetMixin, ElderWorkMixin, FormView):
    """Sign an agreement between the elder and a provider contracted for the
    elder's area (``?provider=``), at the contract's prices; without a
    provider, the contracted providers to choose from."""

    form_class = SignForm
    permission_required = ("careplans.add_serviceagreement", "careplans.add_agreementitem")
    template_name = "careplans/agreement_sign.html"

    def setup_provider(self):
        self.providers = contracted_providers(self.elder)
        chosen = self.request.GET.get("provider", "")
        self.provider = (self.providers.filter(pk=chosen).first()
                         if chosen.isdigit() else None)
        self.contract = None
        if self.provider is not None:
            self.contract = (services.covering_contracts(self.elder, timezone.localdate(),
                                                         LAST_DAY)
                             .filter(provider=self.provider).order_by("starts_on", "pk")
                             .first())

    def get(self, request, *args, **kwargs):
        self.setup_provider()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.setup_provider()
        if self.provider is None:
            return self.get(request, *args, **kwargs)
        return super().post(request, *args, **kwargs)

    def contract_items(self):
        return ServiceItem.objects.filter(contract_items__contract=self.contract).order_by(
            "category", "code")

    def get_formset(self):
        if self.provider is None:
            return None
        kwargs = {"prefix": "items", "form_kwargs": {"contract_items": self.contract_items()}}
        if self.request.method == "POST":
            return AgreedItemFormSet(self.request.POST, **kwargs)
        plan = ServicePlan.objects.filter(elder=self.elder, status=PlanStatus.ACTIVE).first()
        initial = [] if plan is None else [
            {"service_item": item.service_item_id, "times_per_month": item.times_per_month}
            for item in plan.items.filter(provider=self.provider)]
        return AgreedItemFormSet(initial=initial, **kwargs)

    def get_context_data(self, **kwargs):
        prices = ([] if self.contract is None else
                  self.contract.items.select_related("service_item"))
        plan = services.plan_in_force(self.elder, timezone.localdate())
        planned = None
        if plan is not None and self.provider is not None:
            planned = (plan.items.filter(Q(provider=self.provider) | Q(provider__isnull=True))
                       .select_related("service_item").order_by("service_item__code"))
        return super().get_context_data(providers=self.providers, provider=self.provider,
                                        contract=self.contract, prices=prices, plan=plan,
                                        planned=planned, **kwargs)

    def save(self, data, items):
        return services.sign_agreement(elder=self.elder, provider=self.provider, items=items,
                                       user=self.request.user, **data)

    def saved(self, agreement):
        messages.success(self.request, _("Agreement %(ref)s is signed.")
                         % {"ref": agreement.reference})
        outside = services.items_outside_plan(agreement, agreement.starts_on)
        if outside:
            messages.warning(self.request, _(
                "Not in the service plan: %(items)s. These services are paid by the elder "
                "(Art 29).") % {"items": ", ".join(item.name for item in outside)})
        return redirect("careplans:agreement_detail", pk=agreement.pk)


class AgreementEndView(ScopedObjectFormMixin, FormView):
    """End an agreement, or refer the elder to another provider (Art 17)."""

    model = ServiceAgreement
    form_class = EndAgreementForm
    permission_required = "careplans.end_serviceagreement"
    template_name = "careplans/agreement_end.html"

    def get_queryset(self):
        return super().get_queryset().select_related("elder", "provider")

    def get_form_kwargs(self):
        agreement = self.object
        providers = contracted_providers(agreement.elder).exclude(pk=agreement.provider_id)
        return {**super().get_form_kwargs(), "providers": providers}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.end_agreement(
                agreement=self.object, reason=data["end_reason"], ended_on=data["ended_on"],
                note=data["end_note"], family_notified_on=data["family_notified_on"],
                no_family=data["no_family"], referred_to=data["referred_to"],
                user=self.request.user)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The agreement is ended."))
        return redirect("careplans:agreement_detail", pk=self.object.pk)
