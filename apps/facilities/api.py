from django.utils import timezone
from django_filters import rest_framework as filters

from apps.core.api import ScopedReadOnlyViewSet
from apps.core.filters import ScopedFilterSet
from apps.elders.api import ServiceViewSetMixin
from apps.facilities import queries
from apps.facilities.models import Facility, FacilityKind, FacilityStatus, RunBy, Tier
from apps.facilities.serializers import FacilitySerializer
from apps.providers.models import Provider
from apps.regions.models import Region


class FacilityFilter(ScopedFilterSet):
    tier = filters.ChoiceFilter(choices=Tier.choices)
    kind = filters.ChoiceFilter(choices=FacilityKind.choices)
    status = filters.ChoiceFilter(choices=FacilityStatus.choices)
    run_by = filters.ChoiceFilter(choices=RunBy.choices)
    # ScopedFilterSet narrows both to the rows the caller sees, so an id
    # outside the scope answers exactly like one that does not exist.
    region = filters.ModelChoiceFilter(queryset=Region.objects.all(), method="filter_region",
                                       label="Facilities at this region or below it")
    operator = filters.ModelChoiceFilter(queryset=Provider.objects.all())

    class Meta:
        model = Facility
        fields = ["tier", "kind", "status", "run_by", "region", "operator"]

    def filter_region(self, queryset, name, value):
        return queryset.under(value) if value else queryset


class FacilityViewSet(ServiceViewSetMixin, ScopedReadOnlyViewSet):
    """Facilities in the caller's jurisdiction, each with its compliance
    flags on today's date (Art 7–9), its funding by year and its recorded
    closures and changes of use (Art 11, 34)."""

    queryset = Facility.objects.with_places().prefetch_related("funding", "changes")
    serializer_class = FacilitySerializer
    filterset_class = FacilityFilter

    def get_serializer(self, *args, **kwargs):
        instance = args[0] if args else None
        if instance is not None:
            facilities = list(instance) if kwargs.get("many") else [instance]
            context = kwargs.setdefault("context", self.get_serializer_context())
            context["flags"] = queries.flags_for(facilities, timezone.localdate())
        return super().get_serializer(*args, **kwargs)
