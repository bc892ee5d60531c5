from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import MonthField
from apps.findings.filters import providers_with_findings
from apps.findings.models import FindingRule, FindingStatus
from apps.providers.models import Provider


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
