"""The district guidance centre's forms: filter the assessments, request one,
schedule it, record a result issued elsewhere. The choices each user gets
are the rows in their jurisdiction; every rule is checked by the service."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.assessments.models import (
    AssessmentBody,
    AssessmentReason,
    AssessmentStatus,
    Assessor,
    GradeBand,
    Instrument,
    InstrumentKind,
    Place,
)
from apps.core.scoping import choices_for
from apps.elders.forms import DateInput

REQUEST_REASONS = [c for c in AssessmentReason.choices if c[0] != AssessmentReason.REVIEW]


def _today():
    return timezone.localdate()


class OfficeFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses")), *AssessmentStatus.choices])
    reason = forms.ChoiceField(label=_("Reason"), required=False,
                               choices=[("", _("All reasons")), *AssessmentReason.choices])


class RequestForm(forms.Form):
    """Request an assessment of one elder, with the default instrument."""

    reason = forms.ChoiceField(label=_("Reason"), choices=REQUEST_REASONS,
                               initial=AssessmentReason.FIRST, widget=forms.RadioSelect)
    requested_on = forms.DateField(label=_("Requested on"), initial=_today, widget=DateInput)


class AssessorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        state = _("qualified") if obj.qualified else _("not qualified")
        return f"{obj.name} · {obj.body} · {obj.get_profession_display()} · {state}"


class ScheduleForm(forms.Form):
    """A body, its team, the place and the date of one assessment."""

    body = forms.ModelChoiceField(label=_("Assessment body"),
                                  queryset=AssessmentBody.objects.none())
    assessors = AssessorChoiceField(label=_("Assessors"), queryset=Assessor.objects.none(),
                                    widget=forms.CheckboxSelectMultiple,
                                    help_text=_("At home: at least two qualified assessors "
                                                "(Art 20)."))
    place = forms.ChoiceField(label=_("Place"), choices=Place.choices, widget=forms.RadioSelect)
    scheduled_on = forms.DateField(label=_("Date"), initial=_today, widget=DateInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bodies = choices_for(AssessmentBody, user)
        self.fields["body"].queryset = bodies
        self.fields["assessors"].queryset = (
            choices_for(Assessor, user).filter(active=True, body__in=bodies)
            .select_related("body").distinct())


class RecordResultForm(forms.Form):
    """A Barthel total or a long-term-care grade issued by someone else."""

    instrument = forms.ModelChoiceField(
        label=_("Instrument"), queryset=Instrument.objects.exclude(kind=InstrumentKind.ITEMS))
    total = forms.IntegerField(label=_("Total"), required=False,
                               help_text=_("For an instrument that gives a total score."))
    grade = forms.ChoiceField(label=_("Grade"), required=False,
                              help_text=_("For an instrument that issues a grade."))
    assessed_on = forms.DateField(label=_("Assessed on"), initial=_today, widget=DateInput)
    issuer = forms.CharField(label=_("Issued by"), max_length=100)
    reference = forms.CharField(label=_("Reference of the issued result"), max_length=60,
                                required=False)
    reason = forms.ChoiceField(label=_("Reason"), choices=REQUEST_REASONS,
                               initial=AssessmentReason.FIRST)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bands = (GradeBand.objects.filter(instrument__kind=InstrumentKind.GRADE)
                 .select_related("instrument").order_by("instrument__code", "ordinal"))
        self.fields["grade"].choices = [("", "—")] + [
            (f"{band.instrument_id}:{band.grade}", f"{band.instrument.name}: {band.label}")
            for band in bands]

    def clean(self):
        data = super().clean()
        instrument = data.get("instrument")
        if instrument is None:
            return data
        if instrument.kind == InstrumentKind.TOTAL:
            data["grade"] = ""
            if data.get("total") is None:
                self.add_error("total", _("Give the total of this instrument."))
        else:
            data["total"] = None
            owner, _sep, grade = (data.get("grade") or "").partition(":")
            if not grade:
                self.add_error("grade", _("Choose the grade issued."))
            elif owner != str(instrument.pk):
                self.add_error("grade", _("This grade belongs to another instrument."))
            else:
                data["grade"] = grade
        return data
