"""In a real browser, in Chinese: a street clerk registers an elder and hands
in a subsidy application; the district approves it; the entitlement shows."""

from datetime import date

import pytest

from apps.accounts.roles import Role
from apps.applications.models import Application
from apps.core.demo import synthetic_identity
from apps.subsidies.models import Entitlement
from tests.factories import staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Pass-word-123"


def _sign_in(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")


def test_register_apply_check_approve_and_see_the_entitlement(live_server, page, tree,
                                                               artifacts):
    base = live_server.url
    staff(Role.STREET_STAFF, region=tree["street"], username="clerk")
    staff(Role.DISTRICT_STAFF, region=tree["district"], username="officer")
    number = synthetic_identity("440106", date(1944, 5, 1), 7)

    # given the clerk at the window registers an elder of 82 who lives alone
    _sign_in(page, base, "clerk")
    page.get_by_role("link", name="登记老年人").first.click()
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.get_by_label("姓名").fill("梁秀英")
    page.locator("#id_id_number").fill(number)
    page.get_by_label("独居").check()
    page.screenshot(path=str(artifacts / "journey-1-register.png"), full_page=True)
    page.locator("#save").click()
    page.wait_for_selector("#start-application")
    assert "梁秀英" in page.locator("h1").inner_text()

    # when the clerk hands in a subsidy application and passes the initial check
    page.locator("#start-application").click()
    page.get_by_label("签名的申请表").check()
    page.get_by_label("身份证", exact=True).check()
    page.get_by_label("户口簿", exact=True).check()
    page.screenshot(path=str(artifacts / "journey-2a-apply.png"), full_page=True)
    page.locator("#submit-application").click()
    page.screenshot(path=str(artifacts / "journey-2b-after-submit.png"), full_page=True)
    page.wait_for_selector("[data-testid=due-date]")
    page.screenshot(path=str(artifacts / "journey-2-receipt.png"), full_page=True)
    application = Application.objects.get(elder__name="梁秀英")
    assert "受理回执" in page.content()
    assert f"{application.due_date:%Y-%m-%d}" in page.locator("[data-testid=due-date]").inner_text()
    page.get_by_role("link", name="打开案卷").click()
    page.locator("#action-pass_initial_check").click()
    page.wait_for_selector("text=区核实")

    # then the district officer finds it in the verification queue
    _sign_in(page, base, "officer")
    page.get_by_role("link", name="核实队列").first.click()
    page.get_by_role("link", name=application.reference).click()
    page.get_by_label("照顾需求等级（评估结果）").select_option("severe")
    page.get_by_label("评估日期").fill(f"{date.today():%Y-%m-%d}")
    page.locator("#check-eligibility").click()
    page.wait_for_selector("#eligibility")
    assert "600" in page.locator("#eligibility").inner_text()
    page.screenshot(path=str(artifacts / "journey-3-eligibility.png"), full_page=True)
    page.get_by_label("核准", exact=True).check()
    page.locator("#record-decision").click()
    page.wait_for_selector("text=已核准")

    # and the elder's page shows the entitlement: 400 plus the 200 nursing supplement
    page.get_by_role("link", name="梁秀英").click()
    amount = page.locator("#entitlements [data-testid=monthly-amount]").first.inner_text()
    page.screenshot(path=str(artifacts / "journey-4-entitlement.png"), full_page=True)
    assert amount == "600.00"
    assert "第一类" in page.locator("#entitlements").inner_text()
    application.refresh_from_db()
    entitlement = Entitlement.objects.get(elder__name="梁秀英")
    assert application.status == "approved"
    assert entitlement.valid_from == application.decided_on.replace(day=1)
