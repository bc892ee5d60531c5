"""One way in for every visit, whatever the channel (DOMAIN.md §5).

The staff form, the spreadsheet upload and the providers' API all turn their
input into ``VisitInput`` rows and call ``submit``; the rows are checked
together by ``apps.visits.validation`` (set-based: a fixed number of queries
per batch, however many rows), accepted rows become ``ServiceVisit``
versions and every row is kept as a ``VisitSubmission`` with its outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass
class VisitInput:
    """One visit as a channel read it; strings where the channel had text.

    The elder is named by identity number (API, spreadsheet) or by id (form).
    """

    provider_visit_id: str
    service_item: str  # ServiceItem.code
    caregiver: str  # StaffMember id as text (API/sheet), or the id from the form
    check_in_at: datetime | None
    check_out_at: datetime | None
    check_in_method: str
    check_out_method: str
    elder_id_number: str = ""
    elder_pk: int | None = None
    check_in_reason: str = ""
    check_out_reason: str = ""
    planned_start: datetime | None = None
    planned_end: datetime | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    units: Decimal | None = None
    notes: str = ""
    confirmation: str = "none"
    confirmed_by_name: str = ""
    correction_reason: str = ""
    photo: object | None = None  # an uploaded file (form only)
    row_number: int | None = None
    # Field errors the channel already found while parsing: {field: message}.
    parse_errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RowResult:
    provider_visit_id: str
    outcome: str  # Outcome.ACCEPTED / REJECTED
    reasons: list[dict]  # [{"code", "field", "message"}]
    flags: list[str]
    visit_id: int | None  # the ServiceVisit accepted (or already stored)
    version: int | None
    unchanged: bool  # identical to the latest submission: nothing was written
    row_number: int | None = None
