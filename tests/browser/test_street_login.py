"""In a real browser: street staff sign in and see their street's home, in Chinese."""

import pytest

from apps.accounts.roles import Role
from tests.factories import ElderFactory, staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_street_staff_sign_in_and_see_their_street_in_chinese(live_server, page, tree,
                                                              artifacts):
    # given a street office clerk and an elder of that street
    staff(Role.STREET_STAFF, region=tree["street"], username="clerk", last_name="陈",
          first_name="小红")
    ElderFactory(name="王秀英", residence_street=tree["street"])
    # when the clerk signs in through the login form
    page.goto(f"{live_server.url}/")
    page.get_by_label("用户名").fill("clerk")
    page.get_by_label("密码").fill("Pass-word-123")
    page.get_by_role("button", name="登录").click()
    # then the street's home page shows, in Chinese, with the street's work
    page.wait_for_url(f"{live_server.url}/")
    page.screenshot(path=str(artifacts / "street-login-1-home.png"), full_page=True)
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert tree["street"].name in page.locator("h1").inner_text()
    assert page.get_by_role("link", name="老年人档案").first.is_visible()
    assert "街道工作人员" in page.content()
    # and the registry lists the street's elder with a masked number
    page.get_by_role("link", name="老年人档案").first.click()
    page.wait_for_load_state()
    assert "王秀英" in page.content()
    assert "********" in page.content()
    page.screenshot(path=str(artifacts / "street-login-2-elders.png"), full_page=True)
