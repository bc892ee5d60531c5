"""The visits API: the providers' bulk intake and the scoped reads.

``POST /api/visits/bulk/`` takes up to 1000 rows and answers one result per
row (accepted, or rejected with reason codes); it is idempotent by the
provider's own visit id. Providers authenticate with an API key
(``Authorization: Token <key>``); street, district and finance staff read
through their session, each within their jurisdiction.
"""

from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from apps.core.api import ScopedViewSetMixin
from apps.core.filters import MonthFilter, ScopedFilterSet
from apps.elders.api import ServiceViewSetMixin
from apps.visits import intake
from apps.visits import serializers as s
from apps.visits.models import Channel, IntakeBatch, ServiceVisit, VisitSubmission
from apps.visits.reasons import Flag
from apps.visits.rules import month_end

ENCRYPTED_ELDER_FIELDS = ("elder__id_number", "elder__phone", "elder__address",
                          "elder__home_location")


class VisitFilter(ScopedFilterSet):
    month = MonthFilter(method="filter_month", label="Service month, YYYY-MM")
    # No identity-number filter: identity numbers do not travel in URLs.
    elder = filters.NumberFilter(field_name="elder_id", label="Elder id")
    item = filters.CharFilter(field_name="service_item__code", label="Service item code")
    caregiver = filters.NumberFilter(field_name="caregiver_id", label="Staff member id")
    flag = filters.ChoiceFilter(choices=Flag.choices, method="filter_flag")
    provider_visit_id = filters.CharFilter()
    current = filters.BooleanFilter(
        method="filter_current",
        label="Current versions only (the default); false: every version")

    class Meta:
        model = ServiceVisit
        fields = ["month", "elder", "item", "caregiver", "flag", "provider_visit_id",
                  "current"]

    def filter_month(self, queryset, name, value):
        return queryset.in_month(value, month_end(value))

    def filter_flag(self, queryset, name, value):
        return queryset.filter(flags__contains=[value])

    def filter_current(self, queryset, name, value):
        return queryset.filter(is_current=True) if value else queryset

    def filter_queryset(self, queryset):
        if self.form.cleaned_data.get("current") is None:
            queryset = queryset.filter(is_current=True)
        return super().filter_queryset(queryset)


class ServiceVisitViewSet(ServiceViewSetMixin, ScopedViewSetMixin, mixins.ListModelMixin,
                          mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Service visits in the caller's jurisdiction (a provider: its own),
    current versions unless asked otherwise; a visit with its versions."""

    queryset = ServiceVisit.objects.select_related(
        "provider", "elder", "caregiver", "service_item").defer(
        *ENCRYPTED_ELDER_FIELDS).order_by("-service_date", "-check_in_at", "-pk")
    serializer_class = s.ServiceVisitSerializer
    filterset_class = VisitFilter

    def get_serializer_class(self):
        return (s.ServiceVisitDetailSerializer if self.action == "retrieve"
                else s.ServiceVisitSerializer)

    def retrieve(self, request, *args, **kwargs):
        visit = self.get_object()
        versions = ServiceVisit.objects.visible_to(request.user).filter(
            provider_id=visit.provider_id,
            provider_visit_id=visit.provider_visit_id).order_by("version")
        serializer = s.ServiceVisitDetailSerializer(visit, context={
            **self.get_serializer_context(), "versions": list(versions)})
        return Response(serializer.data)

    @extend_schema(
        request=s.BulkVisitsSerializer,
        responses={200: s.BulkResultSerializer,
                   400: OpenApiResponse(description="Not a list of at most 1000 visits.")},
        description="Submit up to 1000 visits. Every row answers accepted or rejected with "
        "reason codes (and flags); a row identical to what was already submitted (the "
        "latest row sent under its visit id, or any row accepted under it, even one "
        "corrected since) answers the stored result with unchanged=true (an accepted one "
        "with the current version's visit_id and version) and writes nothing; when every "
        "row is unchanged no batch is recorded. A different row for an accepted visit id is "
        "a correction and needs correction_reason.")
    @action(detail=False, methods=["post"], url_path="bulk", parser_classes=[JSONParser])
    def bulk(self, request, *args, **kwargs):
        provider = getattr(request.user, "provider", None)
        if provider is None:
            raise PermissionDenied(_("Only a service provider's account submits visits."))
        data = request.data
        visits = data.get("visits") if isinstance(data, dict) else None
        if not isinstance(visits, list) or not visits:
            raise ValidationError({"visits": [_("Send a non-empty list of visits.")]})
        if len(visits) > s.MAX_ROWS:
            raise ValidationError({"visits": [
                _("At most %(count)s visits in one call.") % {"count": s.MAX_ROWS}]})
        if not all(isinstance(row, dict) for row in visits):
            raise ValidationError({"visits": [_("Every visit is an object.")]})
        rows = [intake.from_mapping(row, number) for number, row in enumerate(visits, 1)]
        # saved by the intake only when a row is written
        batch = IntakeBatch(provider=provider, channel=Channel.API, submitted_by=request.user)
        results = intake.submit(provider, rows, channel=Channel.API, user=request.user,
                                batch=batch)
        return Response({
            "batch": batch.pk or _same_batch(results),
            "accepted": batch.accepted, "rejected": batch.rejected,
            "unchanged": batch.unchanged,
            "results": [s.row_result_data(result) for result in results]})


def _same_batch(results) -> int | None:
    """The batch that recorded the submissions every row repeats, when one
    did; else None."""
    batches = {result.batch_id for result in results}
    return batches.pop() if len(batches) == 1 else None


class SubmissionFilter(ScopedFilterSet):
    month = MonthFilter(method="filter_month", label="Month received, YYYY-MM")

    class Meta:
        model = VisitSubmission
        fields = ["outcome", "batch", "provider_visit_id", "channel", "month"]

    def filter_month(self, queryset, name, value):
        return queryset.filter(received_at__date__gte=value,
                               received_at__date__lte=month_end(value))


class VisitSubmissionViewSet(ServiceViewSetMixin, ScopedViewSetMixin, mixins.ListModelMixin,
                             mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Every row received, with its outcome and reasons: a provider fetches
    its rejected rows (``?outcome=rejected``) to correct and resubmit them."""

    queryset = VisitSubmission.objects.order_by("-received_at", "-pk")
    serializer_class = s.VisitSubmissionSerializer
    filterset_class = SubmissionFilter


class IntakeBatchViewSet(ServiceViewSetMixin, ScopedViewSetMixin, mixins.ListModelMixin,
                         mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """API calls and spreadsheet uploads with their counts."""

    queryset = IntakeBatch.objects.order_by("-received_at", "-pk")
    serializer_class = s.IntakeBatchSerializer
    filterset_fields = ["channel"]

