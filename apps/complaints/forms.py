"""Forms of the complaint screens: they check the shape of the input; the
rules (links, dates, transitions) are the services'. Every choice is a row
the user may see."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.complaints.models import (
    Complaint,
    ComplaintCategory,
    ComplaintSource,
    ComplaintStatus,
)
from apps.contracts.models import Contract
from apps.elders.forms import DateInput
from apps.elders.models import Elder
from apps.providers.models import Provider
from apps.regions.models import Region, RegionKind
from apps.visits.models import ServiceVisit

# how far back the visits offered for a complaint go
VISIT_CHOICE_DAYS = 180


def _today():
    return timezone.localdate()


def providers_for_complaints(user):
    """Providers a complaint may name: those the user sees, and those with a
    contract the user sees (purchased by or covering the user's area)."""
    return Provider.objects.filter(
        Q(pk__in=Provider.objects.visible_to(user).values("pk"))
        | Q(pk__in=Contract.objects.visible_to(user).values("provider"))).order_by("name")


def providers_for_filter(user):
    """The provider filter: the providers above and those named in the
    complaints the user sees."""
    return Provider.objects.filter(
        Q(pk__in=providers_for_complaints(user).values("pk"))
        | Q(pk__in=Complaint.objects.visible_to(user).values("provider"))).order_by("name")


def streets_for(user):
    return Region.objects.visible_to(user).filter(kind=RegionKind.STREET).order_by("path")


class VisitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.service_date:%Y-%m-%d} · {obj.service_item.name} · {obj.provider.name}"


class ComplaintFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses")), *ComplaintStatus.choices])
    provider = forms.ModelChoiceField(label=_("Service provider"), required=False,
                                      queryset=Provider.objects.none(),
                                      empty_label=_("All providers"))
    year = forms.IntegerField(label=_("Year received"), required=False, min_value=2000,
                              max_value=2100)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False,
                                 help_text=_("Still open after the answer was due."))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers_for_filter(user)

    def apply(self, queryset, today):
        if not self.is_bound:
            return queryset
        if not self.is_valid():
            # an unknown provider (or one out of scope) matches nothing
            return queryset.none()
        data = self.cleaned_data
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("provider"):
            queryset = queryset.filter(provider=data["provider"])
        if data.get("year"):
            queryset = queryset.received_in_year(data["year"])
        if data.get("overdue"):
            queryset = queryset.open().filter(due_on__lt=today)
        return queryset


class ComplaintDetailsForm(forms.Form):
    """What a complaint says; shared by recording and correcting it."""

    category = forms.ChoiceField(label=_("Category"), choices=ComplaintCategory.choices)
    description = forms.CharField(label=_("What happened"),
                                  widget=forms.Textarea(attrs={"rows": 4}))
    complainant_name = forms.CharField(label=_("Complainant"), max_length=50, required=False,
                                       help_text=_("Empty: the elder."))
    complainant_phone = forms.CharField(label=_("Complainant's phone"), max_length=32,
                                        required=False)


class ComplaintForm(ComplaintDetailsForm):
    provider = forms.ModelChoiceField(label=_("Service provider"),
                                      queryset=Provider.objects.none())
    street = forms.ModelChoiceField(label=_("Street office"), queryset=Region.objects.none(),
                                    help_text=_("The street office that handles it."))
    received_on = forms.DateField(label=_("Received on"), initial=_today, widget=DateInput)
    source = forms.ChoiceField(
        label=_("Received by"),
        choices=[c for c in ComplaintSource.choices if c[0] != ComplaintSource.FOLLOW_UP])
    elder = forms.ModelChoiceField(label=_("Elder"), queryset=Elder.objects.none(),
                                   required=False, widget=forms.HiddenInput)
    visit = VisitChoiceField(label=_("Visit complained about"), required=False,
                             queryset=ServiceVisit.objects.none(),
                             empty_label=_("No particular visit"))

    field_order = ["provider", "street", "received_on", "source", "category", "description",
                   "complainant_name", "complainant_phone", "visit", "elder"]

    def __init__(self, *args, user=None, elder=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers_for_complaints(user)
        self.fields["street"].queryset = streets_for(user)
        self.fields["elder"].queryset = Elder.objects.visible_to(user)
        if elder is None:
            del self.fields["visit"]
        else:
            self.fields["visit"].queryset = (
                ServiceVisit.objects.visible_to(user).current().filter(
                    elder=elder, service_date__gte=_today() - timedelta(days=VISIT_CHOICE_DAYS))
                .select_related("service_item", "provider").order_by("-service_date", "-pk"))

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {name: data.get(name) for name in (
            "provider", "street", "received_on", "source", "category", "description",
            "complainant_name", "complainant_phone", "elder", "visit")}


class ComplaintUpdateForm(ComplaintDetailsForm):
    provider_response = forms.CharField(label=_("Provider's response"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 3}))


class StartHandlingForm(forms.Form):
    provider_response = forms.CharField(label=_("Provider's response"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 3}),
                                        help_text=_("What the provider said, if known yet."))


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 4}))
    upheld = forms.TypedChoiceField(
        label=_("Upheld"), widget=forms.RadioSelect,
        choices=[("yes", _("Yes: the complaint is founded")),
                 ("no", _("No: the complaint is not upheld"))],
        coerce=lambda value: value == "yes")
    closed_on = forms.DateField(label=_("Closed on"), initial=_today, widget=DateInput)
    provider_response = forms.CharField(label=_("Provider's response"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 3}))
