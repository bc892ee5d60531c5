"""API filters of evaluations and grades; provider choices obey the scope."""

from django_filters import rest_framework as filters

from apps.catalogue.models import ServiceCategory
from apps.core.filters import ScopedFilterSet
from apps.evaluations.models import Evaluation, EvaluationStatus, ProviderGrade
from apps.providers.models import Provider


class EvaluationFilter(ScopedFilterSet):
    provider = filters.ModelChoiceFilter(queryset=Provider.objects.all())
    category = filters.ChoiceFilter(choices=ServiceCategory.choices)
    status = filters.ChoiceFilter(choices=EvaluationStatus.choices)

    class Meta:
        model = Evaluation
        fields = ["provider", "category", "year", "status"]


class ProviderGradeFilter(ScopedFilterSet):
    provider = filters.ModelChoiceFilter(queryset=Provider.objects.all())
    category = filters.ChoiceFilter(choices=ServiceCategory.choices)
    on = filters.DateFilter(method="filter_on",
                            label="The grades in force on this day (YYYY-MM-DD)")

    class Meta:
        model = ProviderGrade
        fields = ["provider", "category", "year", "on"]

    def filter_on(self, queryset, name, value):
        return queryset.in_force_on(value)
