"""In a real browser, in Chinese: a street clerk registers an elder, hands in
a subsidy application and passes the initial check; the district officer
checks the eligibility with the care-need level and approves it (the
district decision); the entitlement shows on the elder's page. Every step is
taken in the browser."""

from datetime import date

import pytest
from django.utils import timezone

from apps.accounts.roles import Role
from apps.applications.models import Application
from apps.core.demo import synthetic_identity
from apps.subsidies.models import Entitlement
from tests.browser.journey import sign_in
from tests.factories import staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# The buttons of the journey, by their stable id, with the Chinese each must
# show (msgids: "Save", "Start an application", "Submit the application",
# "Print", "Open the file", "Pass the initial check", "Check eligibility",
# "Record the decision").
CHINESE_LABELS = {
    "#save": "保存",
    "#start-application": "受理申请",
    "#submit-application": "提交申请",
    "#print": "打印",
    "#open-file": "打开案卷",
    "#action-pass_initial_check": "初核通过",
    "#check-eligibility": "核实资格",
    "#record-decision": "记录决定",
}


def _label(page, selector, seen):
    seen[selector] = page.locator(selector).inner_text().strip()


def test_register_apply_check_approve_and_see_the_entitlement(live_server, page, tree,
                                                               artifacts):
    base = live_server.url
    staff(Role.STREET_STAFF, region=tree["street"], username="clerk")
    staff(Role.DISTRICT_STAFF, region=tree["district"], username="officer")
    today = timezone.localdate()
    number = synthetic_identity("440106", date(today.year - 80, 5, 1), 7)
    seen: dict[str, str] = {}

    # given the clerk at the window registers an elder of 80 who lives alone
    sign_in(page, base, "clerk")
    page.get_by_role("link", name="登记老年人").first.click()
    page.wait_for_url(f"{base}/elders/register/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("#id_name").evaluate("e => e === document.activeElement")
    page.locator("#id_name").fill("梁秀英")
    page.locator("#id_id_number").fill(number)
    page.locator("#id_lives_alone").check()
    _label(page, "#save", seen)
    page.screenshot(path=str(artifacts / "application-1-register.png"), full_page=True)
    page.locator("#save").click()
    page.wait_for_selector("#start-application")
    assert "梁秀英" in page.locator("h1").inner_text()
    assert "独居" in page.content()

    # when the clerk hands in a subsidy application
    _label(page, "#start-application", seen)
    page.locator("#start-application").click()
    for material in ("application_form", "identity_card", "hukou_booklet"):
        page.locator(f"input[name=materials][value={material}]").check()
    _label(page, "#submit-application", seen)
    page.screenshot(path=str(artifacts / "application-2-apply.png"), full_page=True)
    page.locator("#submit-application").click()

    # then the receipt shows the reference and the due date of the initial check
    page.wait_for_selector("[data-testid=due-date]")
    page.screenshot(path=str(artifacts / "application-3-receipt.png"), full_page=True)
    application = Application.objects.get(elder__name="梁秀英")
    assert "受理回执" in page.content()
    assert page.locator("[data-testid=reference]").inner_text() == application.reference
    assert (f"{application.due_date:%Y-%m-%d}"
            in page.locator("[data-testid=due-date]").inner_text())
    assert number not in page.content()
    _label(page, "#print", seen)
    _label(page, "#open-file", seen)

    # when the clerk passes the initial check
    page.locator("#open-file").click()
    _label(page, "#action-pass_initial_check", seen)
    page.locator("#action-pass_initial_check").click()
    page.wait_for_selector("text=区核实")
    page.screenshot(path=str(artifacts / "application-4-initial-check.png"), full_page=True)

    # then the district officer finds it in the verification queue, checks
    # the eligibility with a severe care need and approves
    sign_in(page, base, "officer")
    page.get_by_role("link", name="核实队列").first.click()
    page.get_by_role("link", name=application.reference).click()
    page.locator("#id_care_level").select_option("severe")
    page.locator("#id_assessed_on").fill(f"{today:%Y-%m-%d}")
    _label(page, "#check-eligibility", seen)
    _label(page, "#record-decision", seen)
    page.locator("#check-eligibility").click()
    page.wait_for_selector("#eligibility")
    assert "600" in page.locator("#eligibility").inner_text()
    assert not Entitlement.objects.exists()
    page.screenshot(path=str(artifacts / "application-5-eligibility.png"), full_page=True)
    page.locator("input[name=decision][value=approve]").check()
    page.locator("#record-decision").click()
    page.wait_for_selector("text=已核准")

    # and the elder's page shows the entitlement: 400 plus the 200 nursing supplement
    page.get_by_role("link", name="梁秀英").click()
    amount = page.locator("#entitlements [data-testid=monthly-amount]").first.inner_text()
    page.screenshot(path=str(artifacts / "application-6-entitlement.png"), full_page=True)
    assert amount == "600.00"
    assert "第一类" in page.locator("#entitlements").inner_text()
    application.refresh_from_db()
    entitlement = Entitlement.objects.get(elder__name="梁秀英")
    assert application.status == "approved"
    assert entitlement.valid_from == application.decided_on.replace(day=1)
    # every step was taken in the browser, by the user who holds it
    steps = list(application.transitions.order_by("at", "pk")
                 .values_list("from_status", "to_status", "actor__username"))
    assert steps[-2:] == [("received", "district_verification", "clerk"),
                          ("district_verification", "approved", "officer")]
    assert seen == CHINESE_LABELS
