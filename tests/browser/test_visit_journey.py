"""On a phone, in Chinese: a caregiver checks in at an elder's home (the
phone gives its position), checks out and submits the visit; the street
office sees it in its visit list; the district samples the month's
follow-up calls; the street calls the elder, who says the service was not
received, and the call shows as an audit finding on the street's findings
page."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from apps.accounts.roles import Role
from apps.findings.models import Finding
from apps.visits.models import ServiceVisit, VisitDraft
from tests.browser.journey import sign_in
from tests.factories import staff
from tests.visits.factories import world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
HOME = {"latitude": 23.1291, "longitude": 113.2644}  # the world's registered address


def test_caregiver_records_a_visit_the_street_follows_it_up(live_server, browser, page, tree,
                                                             artifacts):
    base = live_server.url
    w = world(district=tree["district"], street=tree["street"])
    caregiver_account = staff(Role.PROVIDER_STAFF, provider=w.provider, username="caregiver")
    w.caregiver.user = caregiver_account
    w.caregiver.save()
    staff(Role.STREET_STAFF, region=tree["street"], username="street")
    staff(Role.DISTRICT_STAFF, region=tree["district"], username="district")

    phone_context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN",
        timezone_id="Asia/Shanghai", geolocation=HOME, permissions=["geolocation"])
    phone = phone_context.new_page()
    try:
        # the caregiver starts a visit at the door: the elder, the item, the citizen card
        sign_in(phone, base, "caregiver")
        phone.goto(f"{base}/visits/today/")
        phone.locator("#start-visit").click()
        phone.locator(f"#elder-{w.elder.pk}").click()
        phone.locator(f"input[name=service_item][value=\"{w.rehab.pk}\"]").check()
        expect(phone.locator("#caregiver-name")).to_have_text(w.caregiver.name)
        phone.locator("#id_check_in_method_0").check()  # citizen card: a local-hukou elder
        expect(phone.locator("#gps-status")).to_have_text("已获取位置。")
        phone.screenshot(path=str(artifacts / "visit-1-check-in.png"), full_page=True)
        phone.locator("#check-in").click()
        phone.wait_for_url("**/visits/drafts/*/")
        draft = VisitDraft.objects.get(elder=w.elder)
        assert (draft.caregiver, draft.check_in_method) == (w.caregiver, "card")
        assert draft.latitude is not None

        # three quarters of an hour of rehabilitation nursing pass (at least 30 minutes, Art 24)
        VisitDraft.objects.filter(pk=draft.pk).update(
            check_in_at=draft.check_in_at - timedelta(minutes=45))

        # the caregiver checks out with the card, notes what was done, the elder confirms
        phone.reload()
        phone.locator("#id_check_out_method_0").check()
        phone.locator("#id_notes").fill("上门康复护理：肢体被动训练 40 分钟，测量血压正常。")
        phone.locator("input[name=confirmation][value=elder]").check()
        phone.locator("#check-out").click()
        expect(phone.locator("#draft-check-out")).to_be_visible()
        phone.screenshot(path=str(artifacts / "visit-2-checked-out.png"), full_page=True)
        phone.locator("#submit-visit").click()
        phone.wait_for_url("**/visits/*/")
        expect(phone.locator("#visit-current")).to_be_visible()
        phone.screenshot(path=str(artifacts / "visit-3-submitted.png"), full_page=True)
    finally:
        phone_context.close()

    visit = ServiceVisit.objects.get(elder=w.elder)
    assert (visit.channel, visit.is_current, visit.version) == ("form", True, 1)
    assert visit.distance_m is not None
    assert visit.distance_m < 50
    assert visit.flags == []
    assert visit.amount == w.price("RN-HOME")
    assert not VisitDraft.objects.exists()

    # the street office sees the visit in its list
    sign_in(page, base, "street")
    page.goto(f"{base}/visits/")
    row = page.locator(f"tr[data-pk='{visit.pk}']")
    expect(row).to_contain_text(w.elder.name)
    expect(row).to_contain_text(w.rehab.name)

    # the district samples this month's follow-up calls: one visit, so one call
    sign_in(page, base, "district")
    page.goto(f"{base}/visits/follow-ups/")
    page.locator("#sample-form input[name=month]").fill(f"{visit.service_date:%Y-%m}")
    page.locator("#sample-now").click()
    expect(page.locator("#follow-ups")).to_contain_text(w.elder.name)

    # the street calls the elder: the service was not received
    sign_in(page, base, "street")
    page.goto(f"{base}/visits/follow-ups/")
    page.locator("#follow-ups a", has_text=w.elder.name).first.click()
    page.locator("#call-form input[name=outcome][value=not_received]").check()
    page.locator("#call-form textarea[name=note]").fill("老人称当天无人上门服务。")
    page.locator("#record-call").click()
    expect(page.locator("#finding-link")).to_be_visible()
    page.screenshot(path=str(artifacts / "visit-4-follow-up.png"), full_page=True)

    finding = Finding.objects.get()
    assert (finding.rule, finding.visit, finding.amount) == (
        "followup_not_received", visit, visit.amount)

    # and it appears on the street's findings page
    page.goto(f"{base}/findings/")
    row = page.locator(f"#findings [data-pk='{finding.pk}']")
    expect(row).to_contain_text("回访：未接受服务")
    expect(row).to_contain_text(w.rehab.name)
    expect(row).to_contain_text("50.00")
    page.screenshot(path=str(artifacts / "visit-5-findings.png"), full_page=True)
