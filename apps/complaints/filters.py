"""API filters of complaints."""

from django.utils import timezone
from django_filters import rest_framework as filters

from apps.complaints.forms import providers_for_filter
from apps.complaints.models import Complaint, ComplaintCategory, ComplaintStatus
from apps.core.filters import ScopedFilterSet
from apps.providers.models import Provider


class ComplaintFilter(ScopedFilterSet):
    status = filters.ChoiceFilter(choices=ComplaintStatus.choices)
    category = filters.ChoiceFilter(choices=ComplaintCategory.choices)
    provider = filters.ModelChoiceFilter(queryset=Provider.objects.all())
    year = filters.NumberFilter(field_name="received_on", lookup_expr="year",
                                label="Received in this year", min_value=1, max_value=9999)
    overdue = filters.BooleanFilter(method="filter_overdue",
                                    label="Still open after the answer was due")

    class Meta:
        model = Complaint
        fields = ["status", "category", "provider", "year", "overdue"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["provider"].queryset = providers_for_filter(getattr(request, "user", None))

    def filter_overdue(self, queryset, name, value):
        late = queryset.open().filter(due_on__lt=timezone.localdate())
        return late if value else queryset.exclude(pk__in=late.values("pk"))
