"""The guide-price rules of Art 19, without the database.

A version of a guide price is in force from its start until the next
version of the same item; the city adjusts prices by adding versions, and a
version that has started is a published fact, never edited.
"""

from __future__ import annotations

from datetime import date


def may_start_on(valid_from: date, today: date) -> bool:
    """A new (or corrected) version starts today or later, never in the past."""
    return valid_from >= today


def may_change(valid_from: date, today: date) -> bool:
    """Only a version that has not started yet may be corrected."""
    return valid_from > today
