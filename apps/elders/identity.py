"""Resident identity numbers (GB 11643-1999), as pure functions.

Not python-stdnum's ``is_valid``: it rejects numbers whose region code did
not yet exist in the birth year, which is most elders (ECOSYSTEM.md §2.13).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
_PATTERN_18 = re.compile(r"^\d{17}[\dX]$")
_PATTERN_15 = re.compile(r"^\d{15}$")


class InvalidIdentityNumber(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ResidentIdentity:
    number: str
    birth_date: date
    sex: str  # "M" or "F"


def check_character(body17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(body17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def normalise(raw: str) -> str:
    return re.sub(r"\s+", "", raw or "").upper()


def parse_resident_number(raw: str, today: date) -> ResidentIdentity:
    """Validate an 18-digit number (or upgrade a 15-digit one) and decode it.

    Raises ``InvalidIdentityNumber`` with a code: ``format``, ``birth_date``,
    ``future_birth_date`` or ``check_character``.
    """
    number = normalise(raw)
    if _PATTERN_15.match(number):
        body = number[:6] + "19" + number[6:]
        number = body + check_character(body)
    elif not _PATTERN_18.match(number):
        raise InvalidIdentityNumber("format")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise InvalidIdentityNumber("birth_date") from exc
    if born > today or born.year < 1880:
        raise InvalidIdentityNumber("future_birth_date" if born > today else "birth_date")
    if check_character(number[:17]) != number[17]:
        raise InvalidIdentityNumber("check_character")
    return ResidentIdentity(number, born, "M" if int(number[16]) % 2 else "F")


def mask(number: str) -> str:
    """First 6 and last 4 characters, the rest starred."""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def age_on(birth_date: date, day: date) -> int:
    """Age in completed years (周岁) on ``day``."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday
