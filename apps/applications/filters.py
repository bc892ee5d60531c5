"""API filters of applications; choices of elders and offices obey the scope."""

from django.utils import timezone
from django_filters import rest_framework as filters

from apps.applications.models import Application, Kind, Status
from apps.core.filters import ScopedFilterSet
from apps.elders.models import Elder
from apps.regions.models import Region


class ApplicationFilter(ScopedFilterSet):
    kind = filters.ChoiceFilter(choices=Kind.choices)
    status = filters.ChoiceFilter(choices=Status.choices)
    # ScopedFilterSet narrows both to the rows the caller sees, so an id
    # outside the scope answers exactly like one that does not exist.
    elder = filters.ModelChoiceFilter(queryset=Elder.objects.all())
    responsible_office = filters.ModelChoiceFilter(queryset=Region.objects.all())
    due_before = filters.DateFilter(field_name="due_date", lookup_expr="lte",
                                    label="Open step due on or before")
    due_after = filters.DateFilter(field_name="due_date", lookup_expr="gte",
                                   label="Open step due on or after")
    received_after = filters.DateFilter(field_name="received_on", lookup_expr="gte",
                                        label="Received on or after")
    received_before = filters.DateFilter(field_name="received_on", lookup_expr="lte",
                                         label="Received on or before")
    overdue = filters.BooleanFilter(
        method="filter_overdue",
        label="true: open steps past their due date; false: everything else")

    class Meta:
        model = Application
        fields = ["kind", "status", "elder", "responsible_office"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = queryset.with_clock().filter(due_date__lt=timezone.localdate())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))
