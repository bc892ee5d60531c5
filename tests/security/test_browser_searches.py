"""In a real browser: the live identity-number check and the elder search
post their terms (with the CSRF token htmx sends along) and still work, and
no URL the browser visits carries the name or the number."""

from datetime import date

import pytest

from apps.accounts.roles import Role
from apps.core.demo import synthetic_identity
from tests.factories import ElderFactory, RegionFactory, staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_searches_by_name_and_number_keep_them_out_of_urls(page, live_server):
    district = RegionFactory.district()
    street = RegionFactory.street(district)
    number = synthetic_identity("440106", date(1941, 4, 5), 3)
    ElderFactory(name="诸葛秀珍", id_number=number, residence_street=street,
                 hukou_street=street)
    staff(Role.STREET_STAFF, region=street, username="clerk")
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill("clerk")
    page.get_by_label("密码").fill("Pass-word-123")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")
    # the live check answers as the number is typed
    page.goto(f"{base}/elders/register/")
    page.locator("#id_id_number").fill(number)
    page.locator("#id_id_number").press("End")
    page.wait_for_selector("#number-check [data-testid=duplicate]")
    assert "诸葛秀珍" in page.locator("#number-check").inner_text()
    # the elder search finds by name as it is typed
    page.goto(f"{base}/elders/")
    page.locator("input[name=q]").fill("诸葛")
    page.wait_for_function(
        "() => document.querySelector('#elder-results').innerText.includes('诸葛秀珍')")
    assert "诸葛" in page.locator("input[name=q]").input_value()
    # and no request line carried either
    assert [u for u in urls if number in u or "%E8%AF%B8" in u or "诸葛" in u] == []
