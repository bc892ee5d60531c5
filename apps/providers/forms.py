from django import forms
from django.utils.translation import gettext_lazy as _

from apps.catalogue.models import ServiceCategory
from apps.core.scoping import choices_for
from apps.elders.forms import DateInput
from apps.providers.models import (
    DISTRICT_ONLY_FIELDS,
    Certificate,
    InsurancePolicy,
    Provider,
    StaffMember,
)
from apps.regions.models import Region, RegionKind

PROFILE_FIELDS = ["legal_representative", "registered_address", "contact_person",
                  "contact_phone", "service_categories"]


class OrganisationProfileForm(forms.ModelForm):
    """What a provider keeps current itself (Art 15: true, current records).
    Not the rehabilitation-nursing client count: the district records it."""

    service_categories = forms.MultipleChoiceField(
        label=_("Service categories offered"), choices=ServiceCategory.choices,
        widget=forms.CheckboxSelectMultiple, required=False)

    class Meta:
        model = Provider
        fields = PROFILE_FIELDS

    def __init__(self, *args, user=None, **kwargs):
        # ``user`` is taken for symmetry with ProviderForm: the profile has
        # no choices to scope.
        super().__init__(*args, **kwargs)


class ProviderForm(OrganisationProfileForm):
    """The district's registration of a provider: identity and profile."""

    class Meta:
        model = Provider
        fields = ["name", "credit_code", "region", *PROFILE_FIELDS, *DISTRICT_ONLY_FIELDS]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = choices_for(Region, user).filter(
            kind=RegionKind.DISTRICT).order_by("code")

    def clean_credit_code(self):
        return self.cleaned_data["credit_code"].strip().upper()


class InsurancePolicyForm(forms.ModelForm):
    class Meta:
        model = InsurancePolicy
        fields = ["kind", "insurer", "policy_number", "valid_from", "valid_until"]
        widgets = {"valid_from": DateInput(), "valid_until": DateInput()}


class StaffMemberForm(forms.ModelForm):
    class Meta:
        model = StaffMember
        fields = ["name", "role", "phone", "joined_on", "active"]
        widgets = {"joined_on": DateInput()}


class CertificateForm(forms.ModelForm):
    class Meta:
        model = Certificate
        fields = ["kind", "number", "issued_on", "expires_on"]
        widgets = {"issued_on": DateInput(), "expires_on": DateInput()}


class ProviderFilterForm(forms.Form):
    flagged = forms.BooleanField(label=_("With flags only"), required=False)
    q = forms.CharField(label=_("Name or credit code"), required=False)
