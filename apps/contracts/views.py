"""Contract screens: the district's contracts with their prices set against
the guide prices, renewals and ends, the tender bars; the street's
three-party agreements. Provider staff read their own contracts. Every
view reads through ``visible_to`` and writes through one service."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, FormView, ListView

from apps.audit.services import log_access
from apps.contracts import rules, services
from apps.contracts.forms import (
    CarerAgreementForm,
    ContractFilterForm,
    ContractForm,
    ElderSearchForm,
    EndContractForm,
    ItemFormSet,
    RenewalForm,
)
from apps.contracts.models import CarerAgreement, Contract, TenderBar, labelled_grades
from apps.core.forms import add_service_errors
from apps.core.private_search import PrivateSearchMixin
from apps.core.scoping import get_visible_or_404
from apps.core.views import ScopedObjectFormMixin, ScopedViewMixin
from apps.elders.models import Elder
from apps.regions.models import Region

VIEW = "contracts.view_contract"


class ContractMixin(ScopedViewMixin):
    model = Contract
    permission_required = VIEW

    def get_queryset(self):
        return super().get_queryset().select_related("provider", "purchaser")


class ContractListView(ContractMixin, ListView):
    """The contracts in the user's jurisdiction (a provider: its own)."""

    template_name = "contracts/contract_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.today = timezone.localdate()
        queryset = super().get_queryset().prefetch_related("covered_area", "renewals")
        self.filters = ContractFilterForm(self.request.GET or None)
        if self.filters.is_valid():
            if self.filters.cleaned_data["status"]:
                queryset = queryset.filter(status=self.filters.cleaned_data["status"])
            if self.filters.cleaned_data["renewal_due"]:
                queryset = queryset.renewal_due(self.today)
        return queryset.order_by("-starts_on", "reference")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(filters=self.filters, **kwargs)
        for contract in context["object_list"]:
            contract.renewal_due_year = contract.renewal_year_due(self.today)
        return context


class ContractDetailView(ContractMixin, DetailView):
    """One contract: parties, area, items against the guide prices,
    renewals, and the actions the user may take."""

    template_name = "contracts/contract_detail.html"

    def get_context_data(self, **kwargs):
        contract = self.object
        return super().get_context_data(
            items=contract.items.select_related("service_item"),
            renewals=contract.renewals.select_related("decided_by"),
            covered_area=contract.covered_area.all(),
            **kwargs)


def _item_rows(formset, starts_on):
    """Each item row with the guide price in force on ``starts_on`` and the
    price's deviation from it, for the form to show."""
    for form in formset.forms:
        form.deviation = None
        data = getattr(form, "cleaned_data", None) or {}
        item, price = data.get("service_item"), data.get("price")
        if item is not None and price is not None and starts_on is not None:
            form.deviation = rules.price_deviation(price, item.guide_price_on(starts_on))


def _item_initial(owner):
    """The formset rows of a contract's or an agreement's items."""
    return [{"service_item": item.service_item_id, "price": item.price}
            for item in owner.items.all()]


class ItemFormSetMixin:
    """A form with its formset of (service item, price) rows, both written
    by one service call, ``save(data, items)``; ``saved(obj)`` answers."""

    def get_formset(self):
        if self.request.method == "POST":
            return ItemFormSet(self.request.POST, prefix="items")
        return ItemFormSet(prefix="items", initial=self.get_item_initial())

    def get_item_initial(self):
        return []

    def get_context_data(self, **kwargs):
        kwargs.setdefault("formset", self.get_formset())
        return super().get_context_data(**kwargs)

    def validated(self, form, formset):
        """Called once both are validated, whatever the outcome."""

    def post(self, request, *args, **kwargs):
        form, formset = self.get_form(), self.get_formset()
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        self.validated(form, formset)
        if form_ok and formset_ok:
            try:
                obj = self.save(form.cleaned_data, formset.pairs())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return self.saved(obj)
        return self.render_to_response(self.get_context_data(form=form, formset=formset))


class ContractFormMixin(ItemFormSetMixin):
    """A contract form with its item formset, written by one service."""

    template_name = "contracts/contract_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def validated(self, form, formset):
        _item_rows(formset, form.cleaned_data.get("starts_on") if form.is_valid() else None)

    def saved(self, contract):
        messages.success(self.request, _("Contract %(ref)s is saved.")
                         % {"ref": contract.reference})
        return redirect("contracts:contract_detail", pk=contract.pk)


class ContractCreateView(ContractFormMixin, ScopedViewMixin, FormView):
    form_class = ContractForm
    permission_required = ("contracts.add_contract", "contracts.add_contractitem")

    def save(self, data, items):
        return services.create_contract(items=items, by=self.request.user, **data)


class ContractUpdateView(ContractFormMixin, ScopedObjectFormMixin, FormView):
    model = Contract
    form_class = ContractForm
    permission_required = ("contracts.change_contract", "contracts.change_contractitem")

    def get_initial(self):
        contract = self.object
        return {"reference": contract.reference, "purchaser": contract.purchaser_id,
                "provider": contract.provider_id,
                "covered_area": list(contract.covered_area.values_list("pk", flat=True)),
                "signed_on": contract.signed_on, "starts_on": contract.starts_on,
                "ends_on": contract.ends_on}

    def get_item_initial(self):
        return _item_initial(self.object)

    def get_formset(self):
        formset = super().get_formset()
        if self.request.method != "POST":
            for form, item in zip(formset.forms, self.object.items.select_related(
                    "service_item"), strict=False):
                form.deviation = item.deviation
        return formset

    def save(self, data, items):
        return services.update_contract(contract=self.object, items=items,
                                        by=self.request.user, **data)


class ContractEndView(ScopedObjectFormMixin, FormView):
    """End a contract early; a tender bar comes only from the evaluation."""

    model = Contract
    form_class = EndContractForm
    permission_required = "contracts.end_contract"
    template_name = "contracts/contract_end.html"

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.end_contract(contract=self.object, on=data["ended_on"],
                                  reason=data["end_reason"], by=self.request.user)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The contract is ended."))
        return redirect("contracts:contract_detail", pk=self.object.pk)


class ContractRenewView(ScopedObjectFormMixin, FormView):
    """Decide whether the contract continues into its next year, on the
    grades in force (shown for today)."""

    model = Contract
    form_class = RenewalForm
    permission_required = "contracts.add_contractrenewal"
    template_name = "contracts/contract_renew.html"

    def get_initial(self):
        today = timezone.localdate()
        return {"year": max(2, rules.contract_year(self.object.starts_on, today) + 1)}

    def get_context_data(self, **kwargs):
        day = timezone.localdate()
        return super().get_context_data(
            grades=labelled_grades(services.grades_in_force(self.object, day)),
            grades_on=day, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.record_renewal(contract=self.object, year=data["year"],
                                    on=data["decided_on"], decision=data["decision"],
                                    note=data["note"], by=self.request.user)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The renewal decision is recorded."))
        return redirect("contracts:contract_detail", pk=self.object.pk)


class TenderBarListView(ScopedViewMixin, ListView):
    """Providers barred from tenders (Art 25), read-only."""

    model = TenderBar
    permission_required = "contracts.view_tenderbar"
    template_name = "contracts/tenderbar_list.html"
    paginate_by = 50

    def get_queryset(self):
        return super().get_queryset().select_related("provider")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        for bar in context["object_list"]:
            bar.in_force_today = rules.bar_in_force(bar.starts_on, bar.lifts_on, today)
        return context


# --- three-party agreements ----------------------------------------------------


class AgreementMixin(ScopedViewMixin):
    model = CarerAgreement
    permission_required = "contracts.view_careragreement"

    def get_queryset(self):
        return super().get_queryset().select_related("elder", "street")


class CarerAgreementListView(PrivateSearchMixin, AgreementMixin, ListView):
    """The street's three-party agreements, and a search for the elder of
    a new one."""

    private_fields = ("q",)  # a name: never in a URL (core.private_search)
    template_name = "contracts/careragreement_list.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        search = ElderSearchForm(self.request.GET or None)
        elders = []
        if (self.request.user.has_perm("contracts.add_careragreement") and search.is_valid()
                and search.cleaned_data["q"]):
            user = self.request.user
            elders = (Elder.objects.visible_to(user)
                      .filter(name__icontains=search.cleaned_data["q"],
                              residence_street__in=Region.objects.visible_to(user))
                      .select_related("residence_street").order_by("name")[:20])
        context.update(search=search, elders=elders)
        return context


class CarerAgreementDetailView(AgreementMixin, DetailView):
    template_name = "contracts/careragreement_detail.html"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        log_access(request=request, obj=self.object.elder)
        return self.render_to_response(self.get_context_data(
            items=self.object.items.select_related("service_item")))


class AgreementFormMixin(ItemFormSetMixin):
    template_name = "contracts/careragreement_form.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(elder=self.elder, **kwargs)

    def saved(self, agreement):
        messages.success(self.request, _("The three-party agreement is saved."))
        return redirect("contracts:agreement_detail", pk=agreement.pk)


class CarerAgreementCreateView(AgreementFormMixin, ScopedObjectFormMixin, FormView):
    """A three-party agreement for one elder (``elder_pk``), with the
    street office of the elder's residence."""

    model = Elder
    form_class = CarerAgreementForm
    permission_required = "contracts.add_careragreement"

    def get_object(self, queryset=None):
        elder = get_visible_or_404(Elder, self.request.user, pk=self.kwargs["elder_pk"])
        # The agreement binds the street of the elder's residence: a user who
        # sees the elder through another street (the hukou) may not bind it.
        get_visible_or_404(Region, self.request.user, pk=elder.residence_street_id)
        return elder

    @property
    def elder(self):
        return self.object

    def save(self, data, items):
        return services.create_carer_agreement(
            elder=self.elder, street=self.elder.residence_street, items=items,
            by=self.request.user, **data)


class CarerAgreementUpdateView(AgreementFormMixin, ScopedObjectFormMixin, FormView):
    model = CarerAgreement
    form_class = CarerAgreementForm
    permission_required = "contracts.change_careragreement"

    @property
    def elder(self):
        return self.object.elder

    def get_initial(self):
        agreement = self.object
        return {"carer_name": agreement.carer_name, "relationship": agreement.relationship,
                "carer_phone": agreement.carer_phone, "signed_on": agreement.signed_on,
                "starts_on": agreement.starts_on, "ends_on": agreement.ends_on,
                "district_approved_on": agreement.district_approved_on,
                "district_approval_reference": agreement.district_approval_reference}

    def get_item_initial(self):
        return _item_initial(self.object)

    def save(self, data, items):
        return services.update_carer_agreement(agreement=self.object, items=items,
                                               by=self.request.user, **data)
