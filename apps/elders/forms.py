from django import forms
from django.utils.translation import gettext_lazy as _

from apps.elders.models import (
    NUMBERED_AS_RESIDENT_ID,
    Contact,
    ContactRole,
    DocumentType,
    Elder,
    LifeStatus,
    Sex,
)
from apps.regions.models import Region, RegionKind

HOUSEHOLD_FIELDS = ["lives_alone", "pure_elderly_household",
                    "lives_only_with_severely_disabled_child", "gugua"]
ECONOMY_FIELDS = ["sanwu_or_wubao", "dibao", "low_income", "youfu",
                  "family_planning_special_support", "model_worker", "monthly_pension"]
PLACE_FIELDS = ["hukou_street", "residence_street", "community", "phone", "address"]


class DateInput(forms.DateInput):
    """The browser's date picker, which reads and writes ISO dates."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs, format)


def _streets(user, *, all_city: bool):
    streets = Region.objects.filter(kind=RegionKind.STREET).select_related("parent")
    if not all_city:
        streets = streets.visible_to(user)
    return streets.order_by("path")


class StreetChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.parent.name} · {obj.name}"


class ElderProfileForm(forms.ModelForm):
    """Places, household and economic facts: shared by registration and edit."""

    hukou_street = StreetChoiceField(
        queryset=Region.objects.none(), required=False, label=_("Hukou street"),
        empty_label=_("— non-local hukou —"),
        help_text=_("Any street of the city; leave empty for non-local hukou."))
    residence_street = StreetChoiceField(queryset=Region.objects.none(),
                                         label=_("Residence street"))

    class Meta:
        model = Elder
        fields = ["name", *PLACE_FIELDS, *HOUSEHOLD_FIELDS, *ECONOMY_FIELDS]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Any street of the city is accepted, but the list offers the user's
        # own streets (and the current value); others are found by typing
        # a name into the street search (StreetSearchView).
        hukou = self.fields["hukou_street"]
        hukou.queryset = _streets(user, all_city=True)
        offered = _streets(user, all_city=False)
        current = self["hukou_street"].value() or (
            self.instance.hukou_street_id if self.instance.pk else None)
        if current and str(current).isdigit():
            offered = offered | Region.objects.filter(pk=current, kind=RegionKind.STREET)
        hukou.widget.choices = [("", hukou.empty_label)] + [
            (street.pk, hukou.label_from_instance(street))
            for street in offered.select_related("parent")]
        residence = _streets(user, all_city=False)
        current = self.instance.residence_street_id if self.instance.pk else None
        if current:
            residence = residence | Region.objects.filter(pk=current)
        self.fields["residence_street"].queryset = residence
        self.fields["community"].queryset = Region.objects.visible_to(user).filter(
            kind=RegionKind.COMMUNITY).order_by("path")
        self.fields["name"].widget.attrs["autofocus"] = True
        self.fields["address"].widget = forms.TextInput()

    @property
    def groups(self):
        """Fields in the order a clerk reads the application form."""
        return [
            (_("Places"), [self[f] for f in PLACE_FIELDS]),
            (_("Household"), [self[f] for f in HOUSEHOLD_FIELDS]),
            (_("Economic status"), [self[f] for f in ECONOMY_FIELDS]),
        ]


class ElderRegisterForm(ElderProfileForm):
    document_type = forms.ChoiceField(label=_("Document type"), choices=DocumentType.choices,
                                      initial=DocumentType.RESIDENT_ID)
    id_number = forms.CharField(
        label=_("Document number"), max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                      "class": "mono", "inputmode": "latin"}))
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput,
                                 help_text=_("Only for documents whose number does not "
                                             "carry it (a foreigner's card, other)."))
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)
    agent_name = forms.CharField(label=_("Agent or guardian"), max_length=50, required=False)
    agent_role = forms.ChoiceField(label=_("Acts as"), choices=ContactRole.choices,
                                   initial=ContactRole.AGENT, required=False)
    agent_relationship = forms.CharField(label=_("Relationship"), max_length=30,
                                         required=False)
    agent_phone = forms.CharField(label=_("Agent's phone"), max_length=32, required=False)

    class Meta(ElderProfileForm.Meta):
        fields = ["name", "document_type", "id_number", "birth_date", "sex",
                  *ElderProfileForm.Meta.fields[1:]]

    def clean(self):
        cleaned = super().clean()
        other_document = cleaned.get("document_type") not in NUMBERED_AS_RESIDENT_ID
        if other_document and not cleaned.get("birth_date"):
            self.add_error("birth_date", _("Enter the date of birth for this document."))
        if other_document and not cleaned.get("sex"):
            self.add_error("sex", _("Choose the sex for this document."))
        return cleaned

    def _post_clean(self):
        # The service validates the elder (identity, age, places); the
        # ModelForm's own instance validation would run without the number.
        pass

    @property
    def groups(self):
        identity = [self[f] for f in ["name", "document_type", "id_number", "birth_date",
                                      "sex"]]
        agent = [self[f] for f in ["agent_name", "agent_role", "agent_relationship",
                                   "agent_phone"]]
        return [(_("Identity"), identity), *super().groups, (_("Agent or guardian"), agent)]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {f: data.get(f) for f in self.Meta.fields}
        fields["phone"] = data.get("phone") or None
        fields["address"] = data.get("address") or None
        if fields["document_type"] in NUMBERED_AS_RESIDENT_ID:
            fields.pop("birth_date"), fields.pop("sex")
        return fields


class ElderUpdateForm(ElderProfileForm):
    changed_on = forms.DateField(
        label=_("Change takes effect on"), widget=DateInput,
        help_text=_("A change of income, household or street changes the subsidy from the "
                    "next month (Art 32)."))

    def _post_clean(self):
        pass

    @property
    def groups(self):
        return [(_("Name"), [self["name"], self["changed_on"]]), *super().groups]


class LifeStatusForm(forms.Form):
    life_status = forms.ChoiceField(label=_("Life status"), choices=LifeStatus.choices)
    life_status_since = forms.DateField(label=_("Since"), widget=DateInput)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(
        attrs={"rows": 2}))


class ContactForm(forms.ModelForm):
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)

    class Meta:
        model = Contact
        fields = ["role", "name", "relationship", "phone"]
