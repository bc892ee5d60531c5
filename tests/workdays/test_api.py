"""The calendar API's filters answer bad input as field errors."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_year_no_date_can_hold_is_a_field_error(client, street_user):
    # found by the API fuzzing: ?date__year=0 used to answer 500
    client.force_login(street_user)
    response = client.get("/api/calendar-days/", {"date__year": 0})
    assert response.status_code == 400
    assert list(response.json()) == ["date__year"]
    days = client.get("/api/calendar-days/", {"date__year": 2025})
    assert days.status_code == 200
    assert {day["date"][:4] for day in days.json()["results"]} == {"2025"}
