"""City guide prices (Art 19): dated versions, the one in force read by one
method, a new version never in the past, a public notice without login."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.catalogue import rules
from apps.catalogue.models import GuidePrice, ServiceItem
from apps.catalogue.services import publish_guide_price
from tests.factories import staff

pytestmark = pytest.mark.django_db

SEEDED = date(2016, 1, 1)


def _today():
    return timezone.localdate()


def test_migration_moved_the_seeded_prices_into_versions():
    # fixtures/service_items.json: RN-HOME 80.00, LC-HOME 40.00, an item without a price
    home_nursing = ServiceItem.objects.get(code="RN-HOME")
    assert list(home_nursing.guide_prices.values_list("valid_from", "price")) == [
        (SEEDED, Decimal("80.00"))]
    assert ServiceItem.objects.get(code="LC-HOME").guide_price_on(SEEDED) == Decimal("40.00")
    priceless = ServiceItem.objects.filter(guide_prices__isnull=True)
    assert priceless.count() == 2
    assert priceless.first().guide_price_on(_today()) is None


def test_the_version_in_force_changes_on_its_first_day():
    item = ServiceItem.objects.get(code="RN-HOME")
    change = date(2027, 3, 1)
    GuidePrice.objects.create(item=item, price=Decimal("90.00"), valid_from=change, basis="X")
    assert item.guide_price_on(change - timedelta(days=1)) == Decimal("80.00")
    assert item.guide_price_on(change) == Decimal("90.00")
    assert item.guide_price_on(change + timedelta(days=1)) == Decimal("90.00")
    assert item.guide_price_on(SEEDED - timedelta(days=1)) is None


def test_list_annotation_reads_the_same_prices_in_one_query(django_assert_num_queries):
    item = ServiceItem.objects.get(code="RN-HOME")
    change = date(2027, 3, 1)
    GuidePrice.objects.create(item=item, price=Decimal("90.00"), valid_from=change, basis="X")
    for day in (change - timedelta(days=1), change):
        with django_assert_num_queries(1):
            prices = {i.code: i.guide_price for i in ServiceItem.objects.with_guide_price(day)}
        assert prices["RN-HOME"] == item.guide_price_on(day)
        assert all(prices[i.code] == i.guide_price_on(day) for i in ServiceItem.objects.all())


def test_one_version_per_item_and_day():
    item = ServiceItem.objects.get(code="RN-HOME")
    with pytest.raises(IntegrityError):
        GuidePrice.objects.create(item=item, price=Decimal(1), valid_from=SEEDED, basis="X")


@pytest.mark.parametrize(("offset", "allowed"), [(-1, False), (0, True), (1, True)])
def test_a_new_version_starts_today_or_later(offset, allowed):
    item = ServiceItem.objects.get(code="LC-HOME")
    day = _today() + timedelta(days=offset)
    assert rules.may_start_on(day, _today()) is allowed
    if allowed:
        version = publish_guide_price(item=item, price=Decimal("45.00"), valid_from=day,
                                      basis="穗民〔2027〕1号")
        assert item.guide_price_on(day) == version.price
    else:
        with pytest.raises(ValidationError) as caught:
            publish_guide_price(item=item, price=Decimal("45.00"), valid_from=day, basis="X")
        assert caught.value.error_dict["valid_from"][0].code == "in_past"


def test_a_version_in_force_is_never_edited_but_a_future_one_may_be_corrected():
    item = ServiceItem.objects.get(code="LC-HOME")
    in_force = item.guide_prices.get()
    in_force.full_clean()  # unchanged: fine
    in_force.price = Decimal("41.00")
    with pytest.raises(ValidationError) as caught:
        in_force.full_clean()
    assert caught.value.error_dict[NON_FIELD_ERRORS][0].code == "in_force"
    future = publish_guide_price(item=item, price=Decimal("45.00"),
                                 valid_from=_today() + timedelta(days=30), basis="X")
    future.price = Decimal("46.00")
    future.full_clean()


def test_negative_prices_are_refused():
    item = ServiceItem.objects.get(code="LC-HOME")
    with pytest.raises(ValidationError) as caught:
        publish_guide_price(item=item, price=Decimal("-1"), valid_from=_today(), basis="X")
    assert "price" in caught.value.error_dict


def test_public_notice_needs_no_login_and_shows_todays_and_announced_prices(client):
    item = ServiceItem.objects.get(code="RN-HOME")
    upcoming = _today() + timedelta(days=10)
    GuidePrice.objects.create(item=item, price=Decimal("88.50"), valid_from=upcoming, basis="X")
    response = client.get("/public/guide-prices/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "上门康复护理" in html
    assert "80.00" in html
    assert "88.50" in html
    assert '<html lang="zh-CN">' in html  # Chinese by default


def test_staff_list_shows_price_in_force_and_links_the_history(client, tree):
    client.force_login(staff(Role.STREET_STAFF, region=tree["street"]))
    item = ServiceItem.objects.get(code="RN-HOME")
    html = client.get(reverse("catalogue:item_list")).content.decode()
    assert "80.00" in html
    assert reverse("catalogue:price_history", args=[item.pk]) in html
    assert client.get(reverse("catalogue:price_history", args=[item.pk])).status_code == 200


def test_city_staff_publish_a_version_and_street_staff_may_not(client, tree):
    item = ServiceItem.objects.get(code="RN-HOME")
    url = reverse("catalogue:price_history", args=[item.pk])
    start = _today() + timedelta(days=5)
    data = {"price": "85.00", "valid_from": start.isoformat(), "basis": "穗民〔2027〕2号"}
    client.force_login(staff(Role.STREET_STAFF, region=tree["street"]))
    assert client.post(url, data).status_code == 403
    city = tree["district"].parent
    client.force_login(staff(Role.CITY_STAFF, region=city))
    assert client.post(url, data).status_code == 302
    assert item.guide_price_on(start) == Decimal("85.00")
    past = {**data, "valid_from": (_today() - timedelta(days=1)).isoformat()}
    response = client.post(url, past)
    assert response.status_code == 200
    assert response.context["form"].errors["valid_from"]


def test_api_shows_todays_price_and_filters_versions_by_day(client, tree):
    item = ServiceItem.objects.get(code="RN-HOME")
    change = date(2027, 3, 1)
    GuidePrice.objects.create(item=item, price=Decimal("90.00"), valid_from=change, basis="X")
    client.force_login(staff(Role.STREET_STAFF, region=tree["street"]))
    rows = client.get("/api/service-items/").json()["results"]
    row = next(r for r in rows if r["code"] == "RN-HOME")
    assert row["guide_price"] == str(item.guide_price_on(_today()))
    before = client.get("/api/guide-prices/", {"item": item.pk, "on": "2027-02-28"}).json()
    assert [r["price"] for r in before["results"]] == ["80.00"]
    at = client.get("/api/guide-prices/", {"item": item.pk, "on": "2027-03-01"}).json()
    assert [r["price"] for r in at["results"]] == ["90.00"]
    everything = client.get("/api/guide-prices/", {"on": "2027-03-01"}).json()
    priced = ServiceItem.objects.filter(guide_prices__isnull=False).distinct()
    assert everything["count"] == priced.count()


def test_api_create_needs_the_permission_and_refuses_the_past(client, tree):
    item = ServiceItem.objects.get(code="RN-HOME")
    payload = {"item": item.pk, "price": "95.00", "valid_from": _today().isoformat(),
               "basis": "X"}
    client.force_login(staff(Role.STREET_STAFF, region=tree["street"]))
    assert client.post("/api/guide-prices/", payload,
                       content_type="application/json").status_code == 403
    client.force_login(staff(Role.CITY_STAFF, region=tree["district"].parent))
    response = client.post("/api/guide-prices/", payload, content_type="application/json")
    assert response.status_code == 201
    assert item.guide_price_on(_today()) == Decimal("95.00")
    past = {**payload, "valid_from": (_today() - timedelta(days=1)).isoformat()}
    response = client.post("/api/guide-prices/", past, content_type="application/json")
    assert response.status_code == 400
    assert "valid_from" in response.json()
    again = client.post("/api/guide-prices/", payload, content_type="application/json")
    assert again.status_code == 400


def test_reloading_the_seed_on_the_current_models_writes_versions():
    # tests/browser reloads 0002_seed_items with today's models after a flush
    import importlib

    from django.apps import apps

    GuidePrice.objects.filter(item__code="RN-HOME").delete()
    importlib.import_module("apps.catalogue.migrations.0002_seed_items").seed(apps, None)
    item = ServiceItem.objects.get(code="RN-HOME")
    assert item.guide_price_on(SEEDED) == Decimal("80.00")
    assert GuidePrice.objects.filter(valid_from=SEEDED).count() == 13
