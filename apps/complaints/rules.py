"""Pure rules of complaints: which status may follow which, the complaint
number, and when a complaint is overdue (no database)."""

from __future__ import annotations

from datetime import date

from apps.complaints.models import CLOSED_STATUSES, ComplaintStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    ComplaintStatus.OPEN: frozenset({ComplaintStatus.INVESTIGATING, ComplaintStatus.RESOLVED,
                                     ComplaintStatus.CLOSED_UNFOUNDED}),
    ComplaintStatus.INVESTIGATING: frozenset({ComplaintStatus.RESOLVED,
                                              ComplaintStatus.CLOSED_UNFOUNDED}),
    ComplaintStatus.RESOLVED: frozenset(),
    ComplaintStatus.CLOSED_UNFOUNDED: frozenset(),
}


def allowed_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def closing_status(upheld: bool) -> str:
    """An upheld complaint is resolved; one not upheld is closed as unfounded."""
    return ComplaintStatus.RESOLVED if upheld else ComplaintStatus.CLOSED_UNFOUNDED


def is_closed(status: str) -> bool:
    return status in CLOSED_STATUSES


def reference(district_code: str, year: int, sequence: int) -> str:
    """The complaint number: TS-<district code>-<year>-<sequence, 4 digits>."""
    return f"TS-{district_code}-{year}-{sequence:04d}"


def sequence_of(reference_text: str) -> int:
    """The sequence number at the end of a complaint number (0 if none)."""
    tail = reference_text.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def is_overdue(status: str, due_on: date | None, today: date) -> bool:
    """Still open after the day the answer was due."""
    return not is_closed(status) and due_on is not None and today > due_on
