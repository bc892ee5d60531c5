"""The care-manager rules of Art 5, without the database.

Each street employs care managers (养老管理员) holding at least the junior
social-worker qualification (助理社会工作师), at least one per
``ratio.care_manager_elders`` (50) subsidised elders.
"""

from __future__ import annotations

from dataclasses import dataclass

NONE = "none"
JUNIOR = "junior"
INTERMEDIATE = "intermediate"
SENIOR = "senior"
QUALIFIED = frozenset({JUNIOR, INTERMEDIATE, SENIOR})

# Flags, in the order a screen lists them.
RATIO = "ratio"
UNQUALIFIED = "unqualified"
UNASSIGNED = "unassigned"


def is_qualified(qualification: str) -> bool:
    """At least the junior social-worker qualification."""
    return qualification in QUALIFIED


def ratio_met(subsidised_elders: int, qualified_managers: int, ratio: int) -> bool:
    """At least one qualified care manager per ``ratio`` subsidised elders:
    50 elders with one manager pass, 51 do not."""
    return subsidised_elders <= ratio * qualified_managers


def managers_needed(subsidised_elders: int, ratio: int) -> int:
    return -(-subsidised_elders // ratio)


def service_street_id(entitlement_street_id: int | None, residence_street_id: int) -> int:
    """An elder's service street: that of their current entitlement, else
    the street they live in."""
    return entitlement_street_id or residence_street_id


@dataclass(frozen=True)
class StreetStaffing:
    subsidised_elders: int
    qualified_managers: int
    unqualified_managers: int
    unassigned_elders: int
    ratio: int
    # Of the unassigned elders, those whose open assignment is with a care
    # manager who is no longer active (to be reassigned).
    with_inactive_managers: int = 0

    @property
    def needed(self) -> int:
        return managers_needed(self.subsidised_elders, self.ratio)

    @property
    def flags(self) -> list[str]:
        flags = []
        if not ratio_met(self.subsidised_elders, self.qualified_managers, self.ratio):
            flags.append(RATIO)
        if self.unqualified_managers:
            flags.append(UNQUALIFIED)
        if self.unassigned_elders:
            flags.append(UNASSIGNED)
        return flags
