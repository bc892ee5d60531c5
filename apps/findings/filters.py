"""Filters of the findings list (API and staff screen)."""

from django_filters import rest_framework as filters

from apps.core.filters import MonthFilter, ScopedFilterSet
from apps.findings.models import Finding, FindingRule, FindingStatus
from apps.providers.models import Provider


def providers_with_findings(user):
    """The providers named in findings ``user`` sees (a street sees the
    providers serving its elders, which its own scope of providers lacks)."""
    return Provider.objects.filter(
        pk__in=Finding.objects.visible_to(user).values("provider")).order_by("name")


class FindingFilter(ScopedFilterSet):
    status = filters.ChoiceFilter(choices=FindingStatus.choices)
    rule = filters.ChoiceFilter(choices=FindingRule.choices)
    month = MonthFilter(field_name="month")
    provider = filters.ModelChoiceFilter(queryset=Provider.objects.all())

    class Meta:
        model = Finding
        fields = ["status", "rule", "month", "provider"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["provider"].queryset = providers_with_findings(
            getattr(request, "user", None))
