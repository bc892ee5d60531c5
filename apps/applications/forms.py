from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.applications.models import CareLevel, Kind, Material
from apps.elders.forms import DateInput


def _today():
    return timezone.localdate()


class ApplicationForm(forms.Form):
    """What the window takes down when an elder or agent hands in an application."""

    kind = forms.ChoiceField(label=_("Kind"), choices=[
        c for c in Kind.choices if c[0] != Kind.OBJECTION], initial=Kind.SUBSIDY,
        widget=forms.RadioSelect)
    received_on = forms.DateField(label=_("Received on"), initial=_today, widget=DateInput)
    materials = forms.MultipleChoiceField(
        label=_("Materials handed in"), choices=Material.choices, required=False,
        widget=forms.CheckboxSelectMultiple)
    agent = forms.ModelChoiceField(label=_("Handed in by agent"), queryset=None,
                                   required=False, empty_label=_("— the elder in person —"))
    willing_to_pay_half = forms.BooleanField(
        label=_("Willing to pay half of the cost"), required=False,
        help_text=_("Needed for the second class of subsidy (Art 26(2))."))
    entrustment_reference = forms.CharField(
        label=_("Entrustment agreement"), max_length=100, required=False,
        help_text=_("Only where the elder lives in another district (Art 30(2))."))
    notes = forms.CharField(label=_("Notes"), required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, elder, entrustment_needed=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = elder.contacts.all()
        if not entrustment_needed:
            del self.fields["entrustment_reference"]


class StepForm(forms.Form):
    """One street step: pass the check, return, resubmit, withdraw."""

    action = forms.CharField(widget=forms.HiddenInput)
    on = forms.DateField(label=_("Date"), initial=_today, widget=DateInput)
    reason = forms.CharField(label=_("Reason"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    """The district's decision after verification or re-review."""

    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect, choices=[
        ("approve", _("Approve")), ("refuse", _("Refuse"))], required=False)
    care_level = forms.ChoiceField(label=_("Care-need level (from the assessment)"),
                                   choices=[("", "—"), *CareLevel.choices], required=False)
    assessed_on = forms.DateField(label=_("Assessed on"), required=False, widget=DateInput)
    assessment_reference = forms.CharField(label=_("Assessment reference"), max_length=100,
                                           required=False)
    on = forms.DateField(label=_("Decided on"), initial=_today, widget=DateInput)
    reason = forms.CharField(label=_("Reasons"), required=False,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Required for a refusal: they are told to the "
                                         "applicant."))


class ObjectionForm(forms.Form):
    received_on = forms.DateField(label=_("Objection received on"), initial=_today,
                                  widget=DateInput)
    notes = forms.CharField(label=_("Grounds of the objection"), required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("All kinds")), *Kind.choices])
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    received_today = forms.BooleanField(label=_("Received today"), required=False)
