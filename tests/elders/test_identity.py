"""GB 11643 identity numbers: check character, birth date, masking."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.elders.identity import (
    InvalidIdentityNumber,
    age_on,
    check_character,
    mask,
    parse_resident_number,
)

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("body", "check"),
    [("11010519491231002", "X"), ("44052418800101001", "4"), ("34052419800101001", "X"),
     ("51310119820113001", "4"), ("37010119010203997", "3")],
)
def test_check_character_vectors(body, check):
    assert check_character(body) == check


def test_parse_decodes_birth_date_and_sex():
    parsed = parse_resident_number("11010519491231002x", TODAY)
    assert (parsed.number, parsed.birth_date, parsed.sex) == (
        "11010519491231002X", date(1949, 12, 31), "F")


def test_fifteen_digit_numbers_are_upgraded():
    parsed = parse_resident_number("440106490101001", TODAY)
    assert parsed.number == "44010619490101001" + check_character("44010619490101001")
    assert parsed.sex == "M"


@pytest.mark.parametrize(
    ("raw", "code"),
    [("12345", "format"), ("11010519490230002X", "birth_date"),
     ("110105203012310021", "future_birth_date"), ("110105194912310021", "check_character")],
)
def test_invalid_numbers_say_why(raw, code):
    with pytest.raises(InvalidIdentityNumber) as error:
        parse_resident_number(raw, TODAY)
    assert error.value.code == code


def test_mask_keeps_first_six_and_last_four():
    assert mask("11010519491231002X") == "110105********002X"


@pytest.mark.parametrize(("born", "day", "age"), [
    (date(1966, 11, 23), TODAY, 60), (date(1966, 11, 24), TODAY, 59),
    (date(1964, 2, 29), date(2024, 2, 28), 59), (date(1964, 2, 29), date(2024, 2, 29), 60),
])
def test_age_in_completed_years(born, day, age):
    assert age_on(born, day) == age


@given(st.dates(min_value=date(1900, 1, 1), max_value=TODAY), st.integers(0, 999),
       st.integers(0, 16), st.integers(1, 9))
def test_any_single_digit_change_is_detected(born, seq, position, delta):
    body = f"440106{born:%Y%m%d}{seq:03d}"
    number = body + check_character(body)
    assert parse_resident_number(number, TODAY).birth_date == born
    digits = list(number)
    digits[position] = str((int(digits[position]) + delta) % 10)
    with pytest.raises(InvalidIdentityNumber):
        parse_resident_number("".join(digits), TODAY)
