"""API filters of assessment bodies' assessors and fee statements; the
choices of bodies obey the scope."""

from django_filters import rest_framework as filters

from apps.assessments.models import AssessmentBody, Assessor, FeeStatement, FeeStatementStatus
from apps.core.filters import MonthFilter, ScopedFilterSet


class AssessorFilter(ScopedFilterSet):
    # ScopedFilterSet narrows the bodies to those the caller sees.
    body = filters.ModelChoiceFilter(queryset=AssessmentBody.objects.all())

    class Meta:
        model = Assessor
        fields = ["body", "active", "profession"]


class FeeStatementFilter(ScopedFilterSet):
    month = MonthFilter(label="The statement's month, YYYY-MM")
    status = filters.ChoiceFilter(choices=FeeStatementStatus.choices)
    body = filters.ModelChoiceFilter(queryset=AssessmentBody.objects.all())

    class Meta:
        model = FeeStatement
        fields = ["month", "status", "body"]
