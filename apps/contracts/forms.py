"""Forms of the contract screens. They check the shape of the input; the
rules (term limit, tender bar, coverage) are the services'. Every choice
is a row of the user's jurisdiction."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.catalogue.models import ServiceItem
from apps.contracts.models import CarerRelationship, ContractStatus, RenewalDecision
from apps.core.scoping import choices_for
from apps.elders.forms import DateInput
from apps.providers.models import Provider
from apps.regions.models import Region, RegionKind


def _today():
    return timezone.localdate()


class ServiceItemChoiceField(forms.ModelChoiceField):
    """A service item named with its city guide price in force today (its
    queryset annotated by ``with_guide_price``)."""

    def label_from_instance(self, obj):
        guide = obj.guide_price
        if guide is None:
            return f"{obj.name} · {_('no guide price')}"
        return f"{obj.name} · {_('guide price')} {guide}/{obj.get_unit_display()}"


class ItemPriceForm(forms.Form):
    """One service item and its price."""

    service_item = ServiceItemChoiceField(label=_("Service item"),
                                          queryset=ServiceItem.objects.none())
    price = forms.DecimalField(label=_("Price"), max_digits=10, decimal_places=2, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # today's guide prices in the query that lists the items, not one per option
        self.fields["service_item"].queryset = (ServiceItem.objects.filter(is_active=True)
                                                .with_guide_price(_today()))


class BaseItemFormSet(forms.BaseFormSet):
    def pairs(self):
        """The (service item, price) pairs of the filled-in rows."""
        return [(form.cleaned_data["service_item"], form.cleaned_data["price"])
                for form in self.forms
                if form.cleaned_data and not form.cleaned_data.get("DELETE")]


ItemFormSet = forms.formset_factory(ItemPriceForm, formset=BaseItemFormSet, extra=3,
                                    can_delete=True)


class ContractFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses")), *ContractStatus.choices])
    renewal_due = forms.BooleanField(
        label=_("Renewal due"), required=False,
        help_text=_("Entering a contract year within 60 days, or already in it, with no "
                    "renewal decision."))


class ContractForm(forms.Form):
    """A contract's parties, area and term; its items come in a formset."""

    reference = forms.CharField(label=_("Contract number"), max_length=40)
    purchaser = forms.ModelChoiceField(label=_("Purchaser"), queryset=Region.objects.none(),
                                       help_text=_("The district or street that buys."))
    provider = forms.ModelChoiceField(label=_("Service provider"),
                                      queryset=Provider.objects.none())
    covered_area = forms.ModelMultipleChoiceField(
        label=_("Covered area"), queryset=Region.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Streets or communities of the purchaser's district."))
    signed_on = forms.DateField(label=_("Signed on"), initial=_today, widget=DateInput)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput)
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput,
                              help_text=_("At most three years less one day after the "
                                          "start (Art 14)."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        regions = choices_for(Region, user)
        self.fields["purchaser"].queryset = regions.filter(
            kind__in=[RegionKind.DISTRICT, RegionKind.STREET])
        self.fields["covered_area"].queryset = regions.filter(
            kind__in=[RegionKind.STREET, RegionKind.COMMUNITY])
        self.fields["provider"].queryset = choices_for(Provider, user)

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", forms.ValidationError(
                _("The contract ends before it starts."), code="ends_before_start"))
        return data


class EndContractForm(forms.Form):
    ended_on = forms.DateField(label=_("Ends on"), initial=_today, widget=DateInput)
    end_reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class RenewalForm(forms.Form):
    year = forms.IntegerField(label=_("Contract year"), min_value=2,
                              help_text=_("The contract year the decision opens."))
    decided_on = forms.DateField(label=_("Decided on"), initial=_today, widget=DateInput)
    decision = forms.ChoiceField(label=_("Decision"), choices=RenewalDecision.choices,
                                 widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class CarerAgreementForm(forms.Form):
    """The carer and the term of a three-party agreement; the street office
    is the elder's, the services and their prices come in a formset."""

    carer_name = forms.CharField(label=_("Carer's name"), max_length=50)
    relationship = forms.ChoiceField(label=_("Relationship to the elder"),
                                     choices=CarerRelationship.choices, widget=forms.RadioSelect)
    carer_phone = forms.CharField(label=_("Carer's phone"), max_length=32)
    signed_on = forms.DateField(label=_("Signed on"), initial=_today, widget=DateInput)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput)
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput)
    district_approved_on = forms.DateField(
        label=_("Approved by the district centre on"), widget=DateInput,
        help_text=_("The district home-care guidance centre's verification and consent "
                    "(Art 31)."))
    district_approval_reference = forms.CharField(
        label=_("District centre's approval reference"), max_length=100)


class ElderSearchForm(forms.Form):
    q = forms.CharField(label=_("Elder's name"), max_length=50, required=False)
