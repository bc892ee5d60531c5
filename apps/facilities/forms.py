"""Facility screens' forms. Choices are the rows of the user's jurisdiction;
a closure or change of use is checked again by the service."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.elders.forms import DateInput
from apps.facilities.models import ChangeKind, Facility, FacilityStatus, Tier
from apps.providers.models import Provider
from apps.regions.models import Region, RegionKind


class RegionChoiceField(forms.ModelChoiceField):
    """A region named with its parents below the city: 天河区 · 五山街道."""

    def label_from_instance(self, obj):
        names, node = [obj.name], obj
        while node.kind not in (RegionKind.DISTRICT, RegionKind.CITY) and node.parent_id:
            node = node.parent
            names.append(node.name)
        return " · ".join(reversed(names))


def _regions(user, *kinds):
    return (Region.objects.visible_to(user).filter(kind__in=kinds)
            .select_related("parent__parent").order_by("path"))


class FacilityForm(forms.ModelForm):
    """Describe a facility. Its status and current use are not here: they
    change only by a recorded closure or change of use (Art 11, 34)."""

    region = RegionChoiceField(queryset=Region.objects.none(), label=_("Region"),
                               help_text=Facility._meta.get_field("region").help_text)

    class Meta:
        model = Facility
        fields = [
            "name", "tier", "kind", "region", "address", "floor_area", "functions",
            "has_medical_room", "clinic_partner", "serves_residents_directly",
            "meals_licence_number", "meals_licence_expires",
            "medical_licence_number", "medical_licence_expires",
            "institution_permit_number", "institution_permit_expires",
            "run_by", "operator",
        ]
        widgets = {
            "meals_licence_expires": DateInput(),
            "medical_licence_expires": DateInput(),
            "institution_permit_expires": DateInput(),
            "run_by": forms.RadioSelect,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        regions = _regions(user, RegionKind.DISTRICT, RegionKind.STREET, RegionKind.COMMUNITY)
        providers = Provider.objects.visible_to(user)
        if self.instance.pk:
            # A current value outside the user's scope stays selectable.
            regions = regions | Region.objects.filter(pk=self.instance.region_id)
            if self.instance.operator_id:
                providers = providers | Provider.objects.filter(pk=self.instance.operator_id)
        self.fields["region"].queryset = regions
        self.fields["operator"].queryset = providers.order_by("name")
        self.fields["name"].widget.attrs["autofocus"] = True

    GROUPS = [
        (_("The facility"), ["name", "tier", "kind", "region", "address", "floor_area"]),
        (_("Functions and medical room"), ["functions", "has_medical_room", "clinic_partner",
                                           "serves_residents_directly"]),
        (_("Licences (Art 8)"), ["meals_licence_number", "meals_licence_expires",
                                 "medical_licence_number", "medical_licence_expires",
                                 "institution_permit_number", "institution_permit_expires"]),
        (_("Operation (Art 10)"), ["run_by", "operator"]),
    ]

    @property
    def groups(self):
        return [(legend, [self[name] for name in names]) for legend, names in self.GROUPS]


class FacilityFilterForm(forms.Form):
    q = forms.CharField(label=_("Name contains"), required=False)
    tier = forms.ChoiceField(label=_("Tier"), required=False,
                             choices=[("", _("All tiers")), *Tier.choices])
    street = RegionChoiceField(label=_("Street"), required=False,
                               queryset=Region.objects.none(), empty_label=_("All streets"))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses")), *FacilityStatus.choices])
    non_compliant = forms.BooleanField(label=_("Non-compliant only"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = _regions(user, RegionKind.STREET)


class FundingForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100,
                              initial=lambda: timezone.localdate().year)
    amount = forms.DecimalField(label=_("Operating funding (yuan)"), min_value=0,
                                max_digits=14, decimal_places=2)
    basis = forms.CharField(label=_("Source or basis"), required=False, max_length=300,
                            help_text=_("Budget line, contract or notice the amount comes "
                                        "from."))


class ChangeForm(forms.Form):
    """A closure or change of use with the approval and notice (Art 11, 34)."""

    kind = forms.ChoiceField(label=_("Closure or change of use"), choices=ChangeKind.choices,
                             widget=forms.RadioSelect)
    new_use = forms.CharField(label=_("New use"), required=False, max_length=200,
                              help_text=_("Required for a change of use; for a closure, what "
                                          "the premises are used for afterwards, if known."))
    approving_authority = forms.CharField(label=_("Approving authority"), max_length=200)
    approval_reference = forms.CharField(label=_("Approval reference (文号)"), max_length=100)
    approved_on = forms.DateField(label=_("Approved on"), widget=DateInput)
    notice_published_on = forms.DateField(label=_("Public notice published on"),
                                          widget=DateInput)
    notice_channel = forms.CharField(label=_("Where the notice was published"),
                                     required=False, max_length=200)
    reported_to_city_on = forms.DateField(
        label=_("Reported to the city civil-affairs bureau on"), widget=DateInput,
        help_text=_("Art 11: the change is reported to the city civil-affairs bureau for "
                    "the record (报市民政局备查)."))
    effective_on = forms.DateField(label=_("Takes effect on"), widget=DateInput)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(
        attrs={"rows": 3}))


class OverviewForm(forms.Form):
    district = RegionChoiceField(label=_("District"), queryset=Region.objects.none(),
                                 empty_label=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = _regions(user, RegionKind.DISTRICT)
