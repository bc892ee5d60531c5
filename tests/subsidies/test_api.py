"""The entitlements API: read-only lists with filters, and cancellation for
fraud through the service (Art 36), scoped."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.subsidies.models import Entitlement
from tests.factories import ElderFactory, EntitlementFactory

pytestmark = pytest.mark.django_db


def _cancel(client, entitlement, **body):
    return client.post(f"/api/entitlements/{entitlement.pk}/cancel-for-fraud/",
                       {"found_on": "2025-12-05", "recovery_amount": "800.00",
                        "reason": "虚报独居", **body}, content_type="application/json")


def _codes(response, field):
    return [error.code for error in response.data[field]]


@pytest.fixture
def chain(window, tree):
    """The window elder's entitlement, changed once (Oct-Nov, then from Dec),
    and a class-2 one of a neighbour."""
    ended = EntitlementFactory(elder=window["elder"], valid_from=date(2025, 10, 1),
                               valid_until=date(2025, 11, 30), status="ended",
                               end_reason="reassessed")
    current = EntitlementFactory(elder=window["elder"], valid_from=date(2025, 12, 1),
                                 predecessor=ended, care_level="severe",
                                 monthly_amount=Decimal("600.00"))
    neighbour = EntitlementFactory(
        elder=ElderFactory(residence_street=tree["street"], hukou_street=tree["street"]),
        subsidy_class="class2", monthly_amount=Decimal("200.00"), elder_share="0.5",
        valid_from=date(2025, 11, 1))
    return {"ended": ended, "current": current, "neighbour": neighbour}


def test_filters(client, window, chain):
    client.force_login(window["officer"])

    def ids(**query):
        body = client.get("/api/entitlements/", query).json()
        assert "results" in body, (query, body)
        return sorted(e["id"] for e in body["results"])

    assert ids(elder=window["elder"].pk) == sorted([chain["ended"].pk, chain["current"].pk])
    assert ids(status="ended") == [chain["ended"].pk]
    assert ids(subsidy_class="class2") == [chain["neighbour"].pk]
    assert ids(month="2025-10") == [chain["ended"].pk]
    assert ids(month="2025-11") == sorted([chain["ended"].pk, chain["neighbour"].pk])
    assert ids(month="2026-01") == sorted([chain["current"].pk, chain["neighbour"].pk])


def test_a_bad_month_is_a_field_error(client, window):
    client.force_login(window["officer"])
    response = client.get("/api/entitlements/", {"month": "2025-13"})
    assert response.status_code == 400
    assert list(response.json()) == ["month"]


def test_cancel_for_fraud_records_the_amount_to_recover(client, window, chain):
    client.force_login(window["officer"])
    response = _cancel(client, chain["current"])
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["end_reason"], body["recovery_amount"], body["cancelled_on"]
            ) == ("cancelled", "fraud", "800.00", "2025-12-05")
    assert client.get("/api/entitlements/", {"month": "2025-12",
                                             "elder": window["elder"].pk}).json()["count"] == 0


def test_cancel_refuses_bad_input_and_writes_nothing(client, window, chain):
    client.force_login(window["officer"])
    early = _cancel(client, chain["current"], found_on="2025-11-01")
    assert _codes(early, "found_on") == ["before_start"]
    blank = _cancel(client, chain["current"], reason=" ", recovery_amount="abc")
    assert set(blank.json()) == {"reason", "recovery_amount"}
    chain["current"].refresh_from_db()
    assert chain["current"].status == "active"
    assert _cancel(client, chain["current"]).status_code == 200
    twice = _cancel(client, chain["current"])
    assert _codes(twice, "non_field_errors") == ["already_cancelled"]


def test_cancel_needs_the_permission(client, window, chain):
    client.force_login(window["clerk"])
    assert _cancel(client, chain["current"]).status_code == 403
    chain["current"].refresh_from_db()
    assert chain["current"].status == "active"


def test_out_of_scope_entitlements_are_404(client, window, tree):
    stranger = EntitlementFactory(elder=ElderFactory(residence_street=tree["other_street"],
                                                     hukou_street=tree["other_street"]))
    client.force_login(window["officer"])
    assert client.get(f"/api/entitlements/{stranger.pk}/").status_code == 404
    assert _cancel(client, stranger).status_code == 404
    assert client.get("/api/entitlements/").json()["count"] == 0
    assert Entitlement.objects.get(pk=stranger.pk).status == "active"


def test_list_runs_a_constant_number_of_queries(client, window, tree,
                                                django_assert_max_num_queries):
    client.force_login(window["officer"])
    EntitlementFactory(elder=window["elder"])
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/entitlements/").json()["count"] == 1
    for _ in range(20):
        EntitlementFactory(elder=ElderFactory(residence_street=tree["street"],
                                              hukou_street=tree["street"]))
    with django_assert_max_num_queries(len(one)):
        assert client.get("/api/entitlements/").json()["count"] == 21
