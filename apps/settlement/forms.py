"""Forms of the settlement screens: the list's filter and start form, and
one small form per step of a run (review, approve, record the payment)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.forms import MonthField
from apps.regions.models import Region, RegionKind
from apps.settlement.models import RunStatus
from apps.subsidies.rules import previous_month_start


class RunFilterForm(forms.Form):
    month = MonthField(label=_("Month"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All")), *RunStatus.choices])


class StartRunForm(forms.Form):
    """Start (or recompute) the run of a district and month that is over."""

    district = forms.ModelChoiceField(label=_("District"), queryset=Region.objects.none())
    month = MonthField(label=_("Month"))

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("auto_id", "start_%s")
        super().__init__(*args, **kwargs)
        districts = Region.objects.visible_to(user).filter(
            kind=RegionKind.DISTRICT).order_by("name")
        self.fields["district"].queryset = districts
        self.fields["district"].empty_label = None
        if not self.is_bound:
            self.initial.setdefault("month", previous_month_start(timezone.localdate()))


class ReviewForm(forms.Form):
    review_note = forms.CharField(label=_("Review note"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "review_%s")
        super().__init__(*args, **kwargs)


class ApproveForm(forms.Form):
    """Nothing to fill in; ``approved_by`` carries the maker-checker error."""

    approved_by = forms.CharField(required=False, widget=forms.HiddenInput,
                                  label=_("Approved by"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "approve_%s")
        super().__init__(*args, **kwargs)


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"),
                              widget=forms.DateInput(attrs={"type": "date"}))
    payment_reference = forms.CharField(label=_("Payment reference"), max_length=100)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "pay_%s")
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("paid_on", timezone.localdate())
