"""API filters of assessment bodies' assessors and fee statements; the
choices of bodies obey the scope."""

from datetime import date

from django.core.validators import RegexValidator
from django_filters import rest_framework as filters

from apps.assessments.models import AssessmentBody, Assessor, FeeStatement, FeeStatementStatus
from apps.core.filters import ScopedFilterSet

MONTH = RegexValidator(r"^\d{4}-(0[1-9]|1[0-2])$", "Give the month as YYYY-MM.",
                       code="month_format")


class AssessorFilter(ScopedFilterSet):
    # ScopedFilterSet narrows the bodies to those the caller sees.
    body = filters.ModelChoiceFilter(queryset=AssessmentBody.objects.all())

    class Meta:
        model = Assessor
        fields = ["body", "active", "profession"]


class FeeStatementFilter(ScopedFilterSet):
    month = filters.CharFilter(method="filter_month", validators=[MONTH],
                               label="The statement's month, YYYY-MM")
    status = filters.ChoiceFilter(choices=FeeStatementStatus.choices)
    body = filters.ModelChoiceFilter(queryset=AssessmentBody.objects.all())

    class Meta:
        model = FeeStatement
        fields = ["month", "status", "body"]

    def filter_month(self, queryset, name, value):
        year, month = (int(part) for part in value.split("-"))
        return queryset.filter(month=date(year, month, 1))
