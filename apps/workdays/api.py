from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.workdays.models import CalendarDay
from apps.workdays.serializers import (
    CalendarDaySerializer,
    DeadlineQuerySerializer,
    DeadlineSerializer,
)
from apps.workdays.working_days import add_working_days


class CalendarDayFilter(filters.FilterSet):
    # a year Python's dates cannot hold is a field error, not a server error
    date__year = filters.NumberFilter(field_name="date", lookup_expr="year",
                                      min_value=1, max_value=9999)

    class Meta:
        model = CalendarDay
        fields = {"date": ["gte", "lte", "year"], "is_workday": ["exact"]}


class CalendarDayViewSet(viewsets.ReadOnlyModelViewSet):
    """Departures from Monday–Friday: holidays and make-up working days."""

    queryset = CalendarDay.objects.all()
    serializer_class = CalendarDaySerializer
    lookup_field = "date"
    filterset_class = CalendarDayFilter

    @extend_schema(parameters=[DeadlineQuerySerializer], responses=DeadlineSerializer)
    @action(detail=False, methods=["get"])
    def deadline(self, request, format=None):
        """The n-th working day strictly after a start date."""
        query = DeadlineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        due = add_working_days(query.validated_data["start"],
                               query.validated_data["working_days"])
        return Response(DeadlineSerializer({
            **query.validated_data, "due": due.date, "provisional": due.provisional,
        }).data)
