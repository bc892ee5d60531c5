"""The evaluation's forms. They check the shape of the input; every policy
rule (the window, the sheet, the status) is the service's."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.catalogue.models import ServiceCategory
from apps.core.scoping import choices_for
from apps.elders.forms import DateInput
from apps.evaluations.models import POINTS, EvaluationStatus
from apps.providers.models import Provider


def _today():
    return timezone.localdate()


def _this_year():
    return _today().year


class FilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses")), *EvaluationStatus.choices])


class OpenForm(forms.Form):
    provider = forms.ModelChoiceField(label=_("Service provider"),
                                      queryset=Provider.objects.none())
    category = forms.ChoiceField(label=_("Service category"), choices=ServiceCategory.choices)
    year = forms.IntegerField(label=_("Evaluation year"), min_value=2000, initial=_this_year)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = choices_for(Provider, user)


class ScoreSheetForm(forms.Form):
    """One field per criterion of the sheet, named by the criterion's code."""

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion in criteria:
            self.fields[criterion.code] = forms.DecimalField(
                label=criterion.label, min_value=Decimal(0), max_value=criterion.maximum,
                help_text=_("0 to %(maximum)s points") % {"maximum": criterion.maximum},
                **POINTS)
        self.fields["notes"] = forms.CharField(label=_("Evaluator's notes"), required=False,
                                               widget=forms.Textarea(attrs={"rows": 3}))

    def scores(self) -> dict[str, Decimal]:
        return {k: v for k, v in self.cleaned_data.items() if k != "notes"}


class PublishForm(forms.Form):
    published_on = forms.DateField(
        label=_("Published on"), initial=_today, widget=DateInput,
        help_text=_("Today: a result cannot be published with an earlier date."))


class SelfAssessmentForm(forms.Form):
    self_assessment = forms.CharField(label=_("Self-assessment"),
                                      widget=forms.Textarea(attrs={"rows": 6}))
    self_score = forms.DecimalField(label=_("Self score"), min_value=Decimal(0),
                                    max_value=Decimal(100), **POINTS)


class AppealForm(forms.Form):
    reason = forms.CharField(label=_("Reasons for the appeal"),
                             widget=forms.Textarea(attrs={"rows": 5}))


class DecisionForm(forms.Form):
    CONFIRM, REVISE = "confirm", "revise"
    outcome = forms.ChoiceField(label=_("Re-evaluation"), widget=forms.RadioSelect,
                                choices=[(CONFIRM, _("Confirm the result")),
                                         (REVISE, _("Revise the total"))], initial=CONFIRM)
    total = forms.DecimalField(label=_("Re-evaluated total"), required=False,
                               min_value=Decimal(0), max_value=Decimal(100), **POINTS)
    reason = forms.CharField(label=_("Reasons for the re-evaluation"),
                             widget=forms.Textarea(attrs={"rows": 5}))

    def clean(self):
        data = super().clean()
        if data.get("outcome") == self.REVISE and data.get("total") is None:
            self.add_error("total", forms.ValidationError(
                _("Give the re-evaluated total."), code="required"))
        return data

    def revised_total(self):
        data = self.cleaned_data
        return data["total"] if data["outcome"] == self.REVISE else None


class RectificationForm(forms.Form):
    rectification_until = forms.DateField(label=_("Rectification deadline"), widget=DateInput)


class RecheckForm(forms.Form):
    passed = forms.TypedChoiceField(
        label=_("Re-check result"), widget=forms.RadioSelect, coerce=lambda v: v == "yes",
        choices=[("yes", _("Qualified after rectification")),
                 ("no", _("Still unqualified: end the contracts (Art 25)"))])
    rechecked_on = forms.DateField(label=_("Re-checked on"), initial=_today, widget=DateInput)
    notes = forms.CharField(label=_("Notes"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
