"""Facility screens: the list with its compliance column, a facility's page,
the district's create and edit forms, funding entry, a closure or change of
use (through the service), and the district overview. Every read starts
from ``visible_to``."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import CreateView, DetailView, FormView, ListView, TemplateView
from django.views.generic.edit import UpdateView

from apps.core.forms import add_service_errors
from apps.core.views import ScopedObjectFormMixin, ScopedViewMixin
from apps.facilities import queries, rules, services
from apps.facilities.forms import (
    ChangeForm,
    FacilityFilterForm,
    FacilityForm,
    FundingForm,
    OverviewForm,
)
from apps.facilities.models import Facility, FacilityChange, FacilityFunding, Function
from apps.regions.models import Region, RegionKind


class FacilityListView(ScopedViewMixin, ListView):
    """Facilities in the user's jurisdiction, filtered, each with its flags."""

    model = Facility
    permission_required = "facilities.view_facility"
    template_name = "facilities/facility_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.day = timezone.localdate()
        self.flags = None
        queryset = super().get_queryset().with_places()
        self.filters = FacilityFilterForm(self.request.GET or None, user=self.request.user)
        if not self.filters.is_valid():
            return queryset
        data = self.filters.cleaned_data
        if data["q"]:
            queryset = queryset.filter(name__icontains=data["q"])
        if data["tier"]:
            queryset = queryset.filter(tier=data["tier"])
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["street"]:
            queryset = queryset.under(data["street"])
        if data["non_compliant"]:
            # Compliance is computed, not stored: flag every match, keep the flagged.
            facilities = list(queryset)
            self.flags = queries.flags_for(facilities, self.day)
            return [f for f in facilities if self.flags[f.pk]]
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = list(context["object_list"])
        flags = self.flags if self.flags is not None else queries.flags_for(page, self.day)
        for facility in page:
            facility.flags = flags.get(facility.pk, [])
        context.update(object_list=page, filters=self.filters, day=self.day)
        return context


class FacilityDetailView(ScopedViewMixin, DetailView):
    """A facility: its facts, flags, licences, funding by year and changes."""

    model = Facility
    permission_required = "facilities.view_facility"
    template_name = "facilities/facility_detail.html"

    def get_queryset(self):
        return super().get_queryset().with_places()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        facility, user, day = self.object, self.request.user, timezone.localdate()
        facts = queries.facts_of(facility, year=day.year)
        context.update(
            day=day,
            flags=queries.flags_for([facility], day)[facility.pk],
            functions=[Function(f).label for f in facility.functions],
            missing_functions=[Function(f).label for f in rules.missing_functions(facts)],
            licences=[
                (label, licence, licence.expired_on(day)) for label, licence in (
                    (_("Food-business licence"), facts.meals_licence),
                    (_("Medical-institution licence"), facts.medical_licence),
                    (_("Eldercare-institution permit"), facts.institution_permit))
            ],
            funding=FacilityFunding.objects.visible_to(user).filter(facility=facility)
            .select_related("recorded_by").order_by("-year"),
            changes=FacilityChange.objects.visible_to(user).filter(facility=facility)
            .select_related("recorded_by").order_by("-effective_on", "-pk"),
        )
        return context


class FacilityFormMixin:
    """The district's create and edit forms: choices from the user's scope,
    a message on save, then the facility's page (its ``get_absolute_url``)."""

    model = Facility
    form_class = FacilityForm
    template_name = "facilities/facility_form.html"
    success_message = None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, self.success_message)
        return response


class FacilityCreateView(LoginRequiredMixin, PermissionRequiredMixin, FacilityFormMixin,
                         CreateView):
    """The district registers a facility (open, in its tier's eldercare use)."""

    permission_required = "facilities.add_facility"
    extra_context = {"title": gettext_lazy("Add a facility")}
    success_message = gettext_lazy("The facility is registered.")

    def get_initial(self):
        region = self.request.user.region
        return {"region": region} if region and region.kind != RegionKind.CITY else {}


class FacilityUpdateView(ScopedViewMixin, FacilityFormMixin, UpdateView):
    permission_required = "facilities.change_facility"
    extra_context = {"title": gettext_lazy("Edit the facility")}
    success_message = gettext_lazy("The facility is updated.")

    def get_queryset(self):
        return super().get_queryset().with_places()


class FacilityFundingView(ScopedObjectFormMixin, FormView):
    """Record (or correct) one year's operating funding of a facility."""

    model = Facility
    permission_required = "facilities.add_facilityfunding"
    form_class = FundingForm
    template_name = "facilities/funding_form.html"

    def form_valid(self, form):
        data, user = form.cleaned_data, self.request.user
        exists = FacilityFunding.objects.filter(facility=self.object, year=data["year"]).exists()
        if exists and not user.has_perm("facilities.change_facilityfunding"):
            form.add_error("year", _("Funding for this year is already recorded."))
            return self.form_invalid(form)
        try:
            services.record_funding(facility=self.object, year=data["year"],
                                    amount=data["amount"], basis=data["basis"], by=user)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Funding for %(year)s is recorded.")
                         % {"year": data["year"]})
        return redirect(self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["funding"] = (FacilityFunding.objects.visible_to(self.request.user)
                              .filter(facility=self.object).order_by("-year"))
        return context


class FacilityChangeView(ScopedObjectFormMixin, FormView):
    """Record the district government's approval of a closure or change of
    use (Art 11, 34); the service checks it and updates the facility."""

    model = Facility
    permission_required = "facilities.add_facilitychange"
    form_class = ChangeForm
    template_name = "facilities/change_form.html"

    def get_initial(self):
        district = Region.objects.filter(pk=self.object.district_id).first()
        return {"approving_authority": f"{district.name}人民政府" if district else ""}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            change = services.record_change(facility=self.object, by=self.request.user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(change)s recorded; the facility is updated.")
                         % {"change": change.get_kind_display()})
        return redirect(self.object)


class OverviewView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Per street of a district: facilities by tier and their flags, and the
    district platform (only what the user's jurisdiction covers)."""

    permission_required = "facilities.view_facility"
    template_name = "facilities/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, day = self.request.user, timezone.localdate()
        form = OverviewForm(self.request.GET or None, user=user)
        districts = list(form.fields["district"].queryset)
        district = form.cleaned_data["district"] if form.is_valid() else next(
            iter(districts), None)
        if district is None and user.region_id and user.region.kind != RegionKind.CITY:
            # A street office sees the rows of its own street in its district.
            district = user.region
            while district.kind != RegionKind.DISTRICT and district.parent_id:
                district = district.parent
        if district is not None and not form.is_bound:
            form = OverviewForm(initial={"district": district}, user=user)
        context.update(form=form, day=day, choose_district=len(districts) > 1, overview=(
            queries.district_overview(district=district, user=user, day=day)
            if district is not None else None))
        return context
