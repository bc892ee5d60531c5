from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.forms import MonthField
from apps.findings.filters import providers_with_findings
from apps.findings.models import FindingRule, FindingStatus
from apps.providers.models import Provider
from apps.regions.models import Region, RegionKind
from apps.subsidies.rules import previous_month_start


class FindingFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses")), *FindingStatus.choices])
    rule = forms.ChoiceField(label=_("Rule"), required=False,
                             choices=[("", _("All rules")), *FindingRule.choices])
    month = MonthField(label=_("Month"), required=False)
    provider = forms.ModelChoiceField(label=_("Service provider"), required=False,
                                      queryset=Provider.objects.none(),
                                      empty_label=_("All providers"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers_with_findings(user)

    def apply(self, queryset):
        """``queryset`` narrowed by the valid filters."""
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        for name in ("status", "rule", "month", "provider"):
            if data.get(name):
                queryset = queryset.filter(**{name: data[name]})
        return queryset


class RunAuditForm(forms.Form):
    """Run the audit of a district and month now (it runs on the worker)."""

    district = forms.ModelChoiceField(label=_("District"), queryset=Region.objects.none())
    month = MonthField(label=_("Month"))

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("auto_id", "audit_%s")
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = Region.objects.visible_to(user).filter(
            kind=RegionKind.DISTRICT).order_by("name")
        self.fields["district"].empty_label = None
        if not self.is_bound:
            self.initial.setdefault("month", previous_month_start(timezone.localdate()))

    def clean_month(self):
        month = self.cleaned_data["month"]
        if month > timezone.localdate().replace(day=1):
            raise forms.ValidationError(_("A month still to come cannot be audited."),
                                        code="future")
        return month


class DecisionForm(forms.Form):
    """Confirm or dismiss a finding; the service says when a reason is
    missing (a dismissal needs one)."""

    decision_reason = forms.CharField(label=_("Reason"), required=False, max_length=2000,
                                      widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, action: str, **kwargs):
        kwargs.setdefault("auto_id", f"{action}_%s")
        super().__init__(*args, **kwargs)
        self.action = action
        if action == "dismiss":
            self.fields["decision_reason"].label = _("Why is it dismissed?")
        else:
            self.fields["decision_reason"].label = _("Note (optional)")
