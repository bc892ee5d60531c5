"""Forms of the plan and agreement screens. They check the shape of the
input; the rules (approval, contracts, bars, Art 17) are the services'.
Every choice is a row of the user's jurisdiction or of the contracts
covering the elder's area."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.careplans.models import AgreementEndReason, AgreementStatus, PlanStatus
from apps.careplans.services import ART_17_REASONS, PlanLine
from apps.catalogue.models import ServiceItem
from apps.contracts.forms import ServiceItemChoiceField
from apps.elders.forms import DateInput
from apps.providers.models import Provider


def _today():
    return timezone.localdate()


class PlanForm(forms.Form):
    """The plan's start, care manager, needs; its services come in a formset."""

    starts_on = forms.DateField(label=_("In force from"), initial=_today, widget=DateInput,
                                help_text=_("A plan in force is superseded from this day."))
    care_manager = forms.ModelChoiceField(
        label=_("Care manager"), queryset=None, required=False,
        help_text=_("Empty: the care manager the elder is assigned to."))
    needs = forms.CharField(label=_("Needs and goals"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    note = forms.CharField(label=_("Note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, care_managers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["care_manager"].queryset = care_managers


class PlanLineForm(forms.Form):
    """One planned service: item, provider, how often, how much each time."""

    service_item = ServiceItemChoiceField(label=_("Service item"),
                                          queryset=ServiceItem.objects.none())
    provider = forms.ModelChoiceField(label=_("Service provider"),
                                      queryset=Provider.objects.none(), required=False)
    times_per_month = forms.IntegerField(label=_("Times per month"), min_value=1,
                                         max_value=400)
    units_per_time = forms.DecimalField(label=_("Units each time"), max_digits=6,
                                        decimal_places=2, min_value=0, initial=1)
    unit_price = forms.DecimalField(
        label=_("Unit price"), max_digits=10, decimal_places=2, min_value=0, required=False,
        help_text=_("Empty: the provider's contract price, or the city guide price."))

    def __init__(self, *args, providers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_item"].queryset = (ServiceItem.objects.filter(is_active=True)
                                                .with_guide_price(_today()))
        if providers is not None:
            self.fields["provider"].queryset = providers

    def clean_units_per_time(self):
        value = self.cleaned_data["units_per_time"]
        if value is not None and value <= 0:
            raise forms.ValidationError(_("At least some of a unit."), code="min_value")
        return value


class BasePlanLineFormSet(forms.BaseFormSet):
    def pairs(self) -> list[PlanLine]:
        """The planned services of the filled-in rows (the name the item
        formset mixin of the contract screens calls)."""
        return [PlanLine(service_item=data["service_item"], provider=data["provider"],
                         times_per_month=data["times_per_month"],
                         units_per_time=data["units_per_time"] or 1,
                         unit_price=data["unit_price"])
                for form in self.forms
                if (data := form.cleaned_data) and not data.get("DELETE")]


PlanLineFormSet = forms.formset_factory(PlanLineForm, formset=BasePlanLineFormSet, extra=3,
                                        can_delete=True)


class AgreedItemForm(forms.Form):
    """One service of the provider's contract and how often it is agreed."""

    service_item = forms.ModelChoiceField(label=_("Service item"),
                                          queryset=ServiceItem.objects.none())
    times_per_month = forms.IntegerField(
        label=_("Times per month"), min_value=1, max_value=400, required=False,
        help_text=_("Empty: on demand."))

    def __init__(self, *args, contract_items=None, **kwargs):
        super().__init__(*args, **kwargs)
        if contract_items is not None:
            self.fields["service_item"].queryset = contract_items


class BaseAgreedItemFormSet(forms.BaseFormSet):
    def pairs(self) -> list[tuple[ServiceItem, int | None]]:
        """The (service item, times per month) pairs of the filled-in rows."""
        return [(data["service_item"], data["times_per_month"])
                for form in self.forms
                if (data := form.cleaned_data) and not data.get("DELETE")]


AgreedItemFormSet = forms.formset_factory(AgreedItemForm, formset=BaseAgreedItemFormSet,
                                          extra=2, can_delete=True)


class SignForm(forms.Form):
    """The agreement's dates, schedule and who signed."""

    signed_on = forms.DateField(label=_("Signed on"), initial=_today, widget=DateInput)
    starts_on = forms.DateField(label=_("Starts on"), initial=_today, widget=DateInput)
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput, required=False,
                              help_text=_("Empty: until ended."))
    schedule = forms.CharField(label=_("Schedule"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}),
                               help_text=_("When the services are given, e.g. Tuesday and "
                                           "Thursday mornings."))
    signed_by_agent = forms.BooleanField(
        label=_("Signed by the guardian or authorised agent"), required=False)
    signatory = forms.CharField(label=_("Signatory"), max_length=50, required=False,
                                help_text=_("Empty: the elder."))

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", forms.ValidationError(
                _("The agreement ends before it starts."), code="ends_before_start"))
        return data


class EndAgreementForm(forms.Form):
    """End or refer an agreement on an Art 17 ground."""

    end_reason = forms.ChoiceField(label=_("Ground (Art 17)"), widget=forms.RadioSelect,
                                   choices=[])
    ended_on = forms.DateField(label=_("Last day of service"), initial=_today,
                               widget=DateInput)
    family_notified_on = forms.DateField(
        label=_("Family notified on"), required=False, widget=DateInput,
        help_text=_("Required on serious infectious disease or unstable mental illness: "
                    "the street notifies the family to arrange hospital care (Art 17)."))
    no_family = forms.BooleanField(
        label=_("The elder has no agent or close relative"), required=False,
        help_text=_("Then note how the street arranged hospital care under the relevant "
                    "rules (Art 17)."))
    referred_to = forms.ModelChoiceField(
        label=_("Refer to"), queryset=Provider.objects.none(), required=False,
        help_text=_("Another provider contracted for the elder's area; empty to end "
                    "without a referral."))
    end_note = forms.CharField(label=_("Note"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(AgreementEndReason.choices)
        self.fields["end_reason"].choices = [(reason.value, labels[reason])
                                             for reason in ART_17_REASONS]
        self.fields["referred_to"].queryset = providers


class AgreementFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses")), *AgreementStatus.choices])
    elder = forms.IntegerField(required=False, widget=forms.HiddenInput)


class PlanFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses")), *PlanStatus.choices])
    q = forms.CharField(label=_("Elder's name"), max_length=50, required=False)
