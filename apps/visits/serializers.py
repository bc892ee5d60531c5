"""The visits API's shapes. The bulk request is described here for the
schema; at run time its rows are read by ``intake.from_mapping`` so that a
malformed value refuses its row (reason ``invalid``), not the whole batch."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.visits.models import (
    Channel,
    CheckMethod,
    Confirmation,
    IntakeBatch,
    Outcome,
    ServiceVisit,
    VisitSubmission,
)
from apps.visits.reasons import Flag, Reason

MAX_ROWS = 1000


class VisitRowSerializer(serializers.Serializer):
    """One visit as the provider's system sends it."""

    provider_visit_id = serializers.CharField(
        max_length=64, help_text="The provider's own id of the visit: the key of "
        "idempotent resubmission and of corrections.")
    elder_id_number = serializers.CharField(
        max_length=32, help_text="The elder's identity-document number. An elder the "
        "provider has no agreement with reads as unknown.")
    service_item = serializers.CharField(max_length=32, help_text="Service item code, "
                                         "e.g. RN-HOME.")
    caregiver = serializers.CharField(max_length=20,
                                      help_text="The caregiver's staff-member id.")
    check_in_at = serializers.DateTimeField(help_text="ISO 8601; without an offset, "
                                            "Beijing time.")
    check_out_at = serializers.DateTimeField()
    check_in_method = serializers.ChoiceField(choices=CheckMethod.choices)
    check_out_method = serializers.ChoiceField(
        choices=CheckMethod.choices, required=False,
        help_text="Defaults to the check-in method.")
    check_in_reason = serializers.CharField(
        max_length=200, required=False, allow_blank=True,
        help_text="Required for a manual check-in (Art 16).")
    check_out_reason = serializers.CharField(
        max_length=200, required=False, allow_blank=True,
        help_text="Required for a manual check-out; defaults to the check-in reason.")
    planned_start = serializers.DateTimeField(required=False, allow_null=True)
    planned_end = serializers.DateTimeField(required=False, allow_null=True)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False,
                                        allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False,
                                         allow_null=True)
    units = serializers.DecimalField(
        max_digits=8, decimal_places=2, required=False, allow_null=True,
        help_text="In the item's unit. Default: 1, or for an hourly item the duration "
        "rounded down to the half hour. At most: for an hourly item the duration rounded "
        "up to the half hour; for a per-visit item exactly 1; for a per-day item the "
        "calendar days the visit spans (else units_exceed_duration).")
    notes = serializers.CharField(required=False, allow_blank=True)
    confirmation = serializers.ChoiceField(choices=Confirmation.choices, required=False)
    confirmed_by_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    correction_reason = serializers.CharField(
        required=False, allow_blank=True,
        help_text="Required when the id names a visit already accepted: the row is then "
        "a new version of it.")


class BulkVisitsSerializer(serializers.Serializer):
    visits = VisitRowSerializer(many=True, max_length=MAX_ROWS)


class ReasonSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=Reason.choices)
    field = serializers.CharField(help_text="The row's field the reason concerns.")
    message = serializers.CharField(help_text="In the request's language.")


class RowResultSerializer(serializers.Serializer):
    provider_visit_id = serializers.CharField()
    row_number = serializers.IntegerField(allow_null=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    reasons = ReasonSerializer(many=True)
    flags = serializers.ListField(child=serializers.ChoiceField(choices=Flag.choices))
    visit_id = serializers.IntegerField(allow_null=True)
    version = serializers.IntegerField(allow_null=True)
    unchanged = serializers.BooleanField(
        help_text="Identical to what was already submitted: the stored result, nothing "
        "written. An accepted row answers the current version of its visit, even when "
        "it repeats a version corrected since.")


class BulkResultSerializer(serializers.Serializer):
    batch = serializers.IntegerField(
        allow_null=True,
        help_text="The intake batch recorded for the call. When every row is unchanged no "
        "batch is recorded: the batch that first recorded the submissions the rows repeat, "
        "when they all come from one; otherwise null.")
    accepted = serializers.IntegerField()
    rejected = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    results = RowResultSerializer(many=True)


def row_result_data(result) -> dict:
    """A ``RowResult`` as the API answers it (plain dicts: fast for 1000 rows)."""
    return {
        "provider_visit_id": result.provider_visit_id,
        "row_number": result.row_number,
        "outcome": str(result.outcome),
        "reasons": [{"code": r["code"], "field": r.get("field", ""),
                     "message": r.get("message", "")} for r in result.reasons],
        "flags": [str(f) for f in result.flags],
        "visit_id": result.visit_id,
        "version": result.version,
        "unchanged": result.unchanged,
    }


class VersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceVisit
        fields = ["id", "version", "is_current", "correction_reason", "submitted_at",
                  "channel"]
        read_only_fields = fields


class ServiceVisitSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    elder_name = serializers.CharField(source="elder.name", read_only=True)
    elder_id_number = serializers.CharField(
        source="elder.id_number_masked", read_only=True,
        help_text="Masked: the first six and last four characters.")
    caregiver_name = serializers.CharField(source="caregiver.name", read_only=True)
    service_item_code = serializers.CharField(source="service_item.code", read_only=True)
    service_item_name = serializers.CharField(source="service_item.name", read_only=True)
    flags = serializers.ListField(child=serializers.ChoiceField(choices=Flag.choices),
                                  read_only=True)
    duration_minutes = serializers.IntegerField(read_only=True)
    check_in_method = serializers.ChoiceField(choices=CheckMethod.choices, read_only=True)
    check_out_method = serializers.ChoiceField(choices=CheckMethod.choices, read_only=True)
    channel = serializers.ChoiceField(choices=Channel.choices, read_only=True)

    class Meta:
        model = ServiceVisit
        fields = ["id", "provider", "provider_name", "provider_visit_id", "version",
                  "is_current", "supersedes", "correction_reason", "elder", "elder_name",
                  "elder_id_number", "agreement", "caregiver", "caregiver_name",
                  "service_item", "service_item_code", "service_item_name", "service_date",
                  "planned_start", "planned_end", "check_in_at", "check_in_method",
                  "check_in_reason", "check_out_at", "check_out_method", "check_out_reason",
                  "duration_minutes", "distance_m", "notes",
                  "confirmation", "confirmed_by_name", "units", "unit_price", "amount",
                  "flags", "channel", "submitted_at"]
        read_only_fields = fields


class ServiceVisitDetailSerializer(ServiceVisitSerializer):
    versions = serializers.SerializerMethodField()

    class Meta(ServiceVisitSerializer.Meta):
        fields = [*ServiceVisitSerializer.Meta.fields, "versions"]
        read_only_fields = fields

    @extend_schema_field(VersionSerializer(many=True))
    def get_versions(self, visit):
        """Every version of the visit the caller may see, the first first."""
        return VersionSerializer(self.context.get("versions", []), many=True).data


class VisitSubmissionSerializer(serializers.ModelSerializer):
    reasons = ReasonSerializer(many=True, read_only=True)
    flags = serializers.ListField(child=serializers.ChoiceField(choices=Flag.choices),
                                  read_only=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices, read_only=True)
    channel = serializers.ChoiceField(choices=Channel.choices, read_only=True)
    payload = serializers.SerializerMethodField(
        help_text="The row as received, normalised; the identity number masked, the GPS "
        "position left out.")

    class Meta:
        model = VisitSubmission
        fields = ["id", "provider", "provider_visit_id", "batch", "row_number", "channel",
                  "received_at", "outcome", "reasons", "flags", "payload", "visit"]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField())
    def get_payload(self, submission) -> dict:
        return without_position(submission.payload)


POSITION_FIELDS = ("latitude", "longitude")


def without_position(payload: dict) -> dict:
    """A kept row without the GPS position (where the elder lives): the API
    answers the distance and the flags, not the coordinates."""
    shown = {key: value for key, value in payload.items() if key not in POSITION_FIELDS}
    if isinstance(shown.get("invalid"), dict):
        invalid = {key: value for key, value in shown["invalid"].items()
                   if key not in POSITION_FIELDS}
        shown.pop("invalid")
        if invalid:
            shown["invalid"] = invalid
    return shown


class IntakeBatchSerializer(serializers.ModelSerializer):
    channel = serializers.ChoiceField(choices=Channel.choices, read_only=True)

    class Meta:
        model = IntakeBatch
        fields = ["id", "provider", "channel", "filename", "received_at", "rows", "accepted",
                  "rejected", "unchanged"]
        read_only_fields = fields
