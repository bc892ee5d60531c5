"""API filters whose choices obey the scoping rule.

Without this a filter such as ``?residence_street=<id>`` would validate
against every region and answer differently for ids outside the caller's
jurisdiction than for ids that do not exist.
"""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from apps.core.scoping import choices_for


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2025-10"})
class MonthFilter(filters.DateFilter):
    """A calendar month written YYYY-MM, read as its first day."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, input_formats=["%Y-%m"], **kwargs)


class ScopedFilterSet(filters.FilterSet):
    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        for declared in self.filters.values():
            # Model choice filters keep their queryset on the filter itself
            # (django-filter's QuerySetRequestMixin) and copy it into the form
            # field when the field is built.
            queryset = getattr(declared, "queryset", None)
            choices = choices_for(queryset.model, user) if hasattr(queryset, "model") else None
            if choices is not None:
                declared.queryset = choices


class ScopedFilterBackend(filters.DjangoFilterBackend):
    filterset_base = ScopedFilterSet
