"""The visits API's reads: scoped lists with a constant number of queries,
a visit with its versions, the rejected rows, the schema."""

from datetime import timedelta

import pytest
import yaml
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.roles import Role
from apps.visits.models import VisitSubmission
from apps.visits.reasons import Flag, Reason
from apps.visits.tokens import issue_token
from tests.factories import RegionFactory, staff
from tests.visits.factories import add_elder, local, make_visit, world

pytestmark = pytest.mark.django_db


def month_day(day: int):
    first = timezone.localdate().replace(day=1)
    return (first - timedelta(days=1)).replace(day=day)


@pytest.fixture
def w():
    return world()


def key_client(provider, user=None):
    _token, raw = issue_token(provider, "test", user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def visits_of(w, count: int, day=None):
    day = day or month_day(12)
    elders = [add_elder(w)["elder"] for _ in range(min(count, 5))] or [w.elder]
    return [make_visit(w, elder=elders[n % len(elders)],
                       check_in_at=local(day, 0) + timedelta(minutes=50 * n))
            for n in range(count)]


@pytest.mark.parametrize("count", [5, 50])
def test_a_months_list_takes_the_same_queries_whatever_the_rows(w, count,
                                                                django_assert_num_queries):
    visits_of(w, count)
    client = key_client(w.provider)
    month = f"{month_day(12):%Y-%m}"
    client.get(f"/api/visits/?month={month}")  # the key's last use is written once a minute
    # the key and its account, its permissions (user, groups), the count, the page
    with django_assert_num_queries(5):
        response = client.get(f"/api/visits/?month={month}")
    assert response.status_code == 200
    assert response.json()["count"] == count


def test_a_provider_sees_its_own_visits_only(w):
    mine = make_visit(w, notes="mine")
    other = world()
    theirs = make_visit(other, notes="theirs")
    client = key_client(w.provider)
    ids = {v["id"] for v in client.get("/api/visits/").json()["results"]}
    assert ids == {mine.pk}
    assert client.get(f"/api/visits/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/visits/{mine.pk}/").status_code == 200


def test_filters_month_elder_item_flag_and_versions(w):
    day = month_day(12)
    far = make_visit(w, check_in_at=local(day, 8), flags=[Flag.FAR_FROM_ADDRESS])
    plain = make_visit(w, check_in_at=local(day, 10), code="LC-HOME", minutes=60)
    earlier = make_visit(w, check_in_at=local(day - timedelta(days=40), 8))
    old = make_visit(w, check_in_at=local(day, 14), provider_visit_id="R-1")
    from apps.visits.models import ServiceVisit

    ServiceVisit.objects.filter(pk=old.pk).update(is_current=False)
    newer = make_visit(w, check_in_at=local(day, 15), provider_visit_id="R-1", version=2,
                       supersedes=old, correction_reason="时间记错")
    client = key_client(w.provider)

    def ids(query):
        response = client.get(f"/api/visits/?{query}")
        assert response.status_code == 200, response.content
        return {v["id"] for v in response.json()["results"]}

    assert ids(f"month={day:%Y-%m}") == {far.pk, plain.pk, newer.pk}
    assert ids(f"month={day:%Y-%m}&current=false") == {far.pk, plain.pk, old.pk, newer.pk}
    assert ids("item=LC-HOME") == {plain.pk}
    assert ids(f"flag={Flag.FAR_FROM_ADDRESS}") == {far.pk}
    assert ids(f"elder={w.elder.pk}") == {far.pk, plain.pk, earlier.pk, newer.pk}
    assert client.get("/api/visits/?month=2026-13").status_code == 400
    detail = client.get(f"/api/visits/{newer.pk}/").json()
    assert [(v["id"], v["version"]) for v in detail["versions"]] == [(old.pk, 1),
                                                                     (newer.pk, 2)]
    assert detail["elder_id_number"] == w.elder.id_number_masked
    assert w.elder.id_number not in str(detail)


def test_no_identity_number_in_urls_and_no_position_in_answers(w, client):
    """Identity numbers do not travel in URLs (no filter takes one; the
    elder's id does); the answers carry the distance and flags, not the
    GPS position."""
    from decimal import Decimal

    from tests.visits.factories import visit_payload

    mine = make_visit(w, latitude=Decimal("23.129200"), longitude=Decimal("113.264500"),
                      distance_m=12, flags=[Flag.FAR_FROM_ADDRESS])
    someone = add_elder(w)["elder"]
    theirs = make_visit(w, elder=someone, check_in_at=local(month_day(3), 9))
    api = key_client(w.provider)
    listed = api.get(f"/api/visits/?elder_id_number={w.elder.id_number}").json()["results"]
    assert {v["id"] for v in listed} == {mine.pk, theirs.pk}  # no such filter
    assert [v["id"] for v in api.get(f"/api/visits/?elder={w.elder.pk}").json()[
        "results"]] == [mine.pk]
    detail = api.get(f"/api/visits/{mine.pk}/").json()
    for shown in (detail, *listed):
        assert "latitude" not in shown
        assert "longitude" not in shown
    assert (detail["distance_m"], detail["flags"]) == (12, [Flag.FAR_FROM_ADDRESS])
    api.post("/api/visits/bulk/", {"visits": [
        visit_payload(w, check_in_at=local(month_day(5), 9), latitude="23.129300",
                      longitude="113.264600"),
        visit_payload(w, check_in_at=local(month_day(5), 11), latitude="23.1",
                      longitude="north")]}, format="json")
    for row in api.get("/api/visit-submissions/").json()["results"]:
        assert "latitude" not in row["payload"]
        assert "longitude" not in row["payload"]
        assert "longitude" not in row["payload"].get("invalid", {})
        assert "23.1" not in str(row["payload"])
    admin = staff(Role.CITY_STAFF, region=RegionFactory.district().parent)
    client.force_login(admin)
    schema = yaml.safe_load(client.get("/api/schema/").content)
    parameters = {p["name"] for p in schema["paths"]["/api/visits/"]["get"]["parameters"]}
    assert "elder" in parameters
    assert "elder_id_number" not in parameters
    properties = schema["components"]["schemas"]["ServiceVisit"]["properties"]
    assert "distance_m" in properties
    assert "latitude" not in properties


def test_offices_read_their_own_area_through_their_session(w, client):
    visit = make_visit(w)
    sibling = RegionFactory.street(w.district)
    other_district = RegionFactory.district()
    seen = {
        Role.STREET_STAFF: staff(Role.STREET_STAFF, region=w.street),
        Role.DISTRICT_STAFF: staff(Role.DISTRICT_STAFF, region=w.district),
        Role.FINANCE_OFFICER: staff(Role.FINANCE_OFFICER, region=w.district),
    }
    for user in seen.values():
        client.force_login(user)
        assert client.get(f"/api/visits/{visit.pk}/").status_code == 200
        assert [v["id"] for v in client.get("/api/visits/").json()["results"]] == [visit.pk]
    for user in (staff(Role.STREET_STAFF, region=sibling),
                 staff(Role.DISTRICT_STAFF, region=other_district)):
        client.force_login(user)
        assert client.get(f"/api/visits/{visit.pk}/").status_code == 404
        assert client.get("/api/visits/").json()["results"] == []


def test_a_provider_fetches_its_rejected_rows_with_reasons(w):
    client = key_client(w.provider)
    day = month_day(12)
    from tests.visits.factories import visit_payload

    body = client.post("/api/visits/bulk/", {"visits": [
        visit_payload(w, check_in_at=local(day, 9)),
        visit_payload(w, check_in_at=local(day, 11), minutes=5)]}, format="json").json()
    assert (body["accepted"], body["rejected"]) == (1, 1)
    other = world()
    key_client(other.provider).post("/api/visits/bulk/", {"visits": [
        visit_payload(other, check_in_at=local(day, 11), minutes=5)]}, format="json")
    response = client.get("/api/visit-submissions/?outcome=rejected")
    [row] = response.json()["results"]
    assert row["provider_visit_id"] == body["results"][1]["provider_visit_id"]
    assert row["reasons"][0]["code"] == Reason.BELOW_MIN_DURATION
    assert row["payload"]["elder_id_number"] == w.elder.id_number_masked
    assert VisitSubmission.objects.count() == 3
    batches = client.get("/api/intake-batches/").json()["results"]
    assert [(b["rows"], b["accepted"], b["rejected"]) for b in batches] == [(2, 1, 1)]


def test_the_schema_lists_every_reason_code_and_the_key_scheme(client):
    admin = staff(Role.CITY_STAFF, region=RegionFactory.district().parent)
    client.force_login(admin)
    schema = yaml.safe_load(client.get("/api/schema/").content)
    components = schema["components"]
    assert set(components["schemas"]["VisitReasonEnum"]["enum"]) == set(Reason.values)
    assert set(components["schemas"]["VisitFlagEnum"]["enum"]) == set(Flag.values)
    assert "providerToken" in components["securitySchemes"]
    bulk = schema["paths"]["/api/visits/bulk/"]["post"]
    assert bulk["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/BulkResult")
    batch = components["schemas"]["BulkResult"]["properties"]["batch"]
    assert batch["nullable"] is True
    assert "every row is unchanged" in batch["description"]
