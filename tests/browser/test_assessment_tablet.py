"""On a tablet-sized screen, in Chinese: an assessor completes a home
assessment scheduled with a second assessor, screen by screen; the PDF
report's text shows the server's scores and grade."""

import shutil
import subprocess
from datetime import date

import pytest
from playwright.sync_api import expect

from apps.accounts.roles import Role
from apps.assessments import services
from apps.assessments.models import Assessment
from apps.assessments.standards import gbt_42195
from tests.factories import AssessmentBodyFactory, AssessorFactory, ElderFactory, staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 820, "height": 1180},
            "has_touch": True}


def test_assessor_completes_a_home_assessment_on_a_tablet(live_server, page, tree, artifacts):
    base = live_server.url
    body = AssessmentBodyFactory(districts=[tree["district"]])
    user = staff(Role.ASSESSOR, region=tree["district"], username="assessor")
    first = AssessorFactory(body=body, user=user, name="李评估")
    second = AssessorFactory(body=body, name="王评估", profession="social_worker")
    elder = ElderFactory(name="赵桂兰", residence_street=tree["street"],
                         hukou_street=tree["street"])
    assessment = services.request_assessment(elder=elder, reason="first")
    services.schedule_assessment(assessment=assessment, body=body, assessors=[first, second],
                                 place="home", on=date.today())

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill("assessor")
    page.get_by_label("密码").fill("Pass-word-123")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")
    page.get_by_role("link", name="我的评估").first.click()
    page.locator(f"[data-testid=open-{assessment.pk}]").click()

    # self-care 2 on every item (16), everything else at its best: 16+15+28+15 = 74
    instrument = gbt_42195()
    status = page.locator("#save-status")
    for dimension in ("B1", "B2", "B3", "B4"):
        items = [i for i in instrument.items if i.dimension == dimension]
        if dimension == "B2":
            # the connection drops in the elder's home: answers are kept on the
            # tablet, and sent when it returns
            page.context.set_offline(True)
        for item in items:
            value = "2" if dimension == "B1" else str(item.maximum)
            page.locator(f"input[name='{item.code}'][value='{value}']").check()
        if dimension == "B2":
            expect(status).to_have_attribute("data-state", "pending")
            assert "未保存" in status.inner_text()
            assert not {i.code for i in items} & set(
                Assessment.objects.get(pk=assessment.pk).answers)
            page.context.set_offline(False)
        # every answer reached the server without the screen being submitted
        expect(status).to_have_attribute("data-state", "saved")
        saved = Assessment.objects.get(pk=assessment.pk).answers
        assert all(item.code in saved for item in items), dimension
        if dimension == "B1":
            assert saved["B1_1"] == "2"
            page.screenshot(path=str(artifacts / "assessment-1-self-care.png"), full_page=True)
        page.locator("#next").click()
        page.wait_for_load_state()
    # a fall and a choking in the last 30 days: two events raise the grade one level
    page.locator("input[name='event_fall'][value='1']").check()
    page.locator("input[name='event_choking'][value='1']").check()
    page.locator("#next").click()
    page.wait_for_selector("[data-testid=total]")
    assert page.locator("[data-testid=total]").inner_text() == "74"
    assert "中度" in page.locator("[data-testid=final-grade]").inner_text()
    page.screenshot(path=str(artifacts / "assessment-2-result.png"), full_page=True)
    page.locator("#informant_name").fill("赵志强")
    page.locator("#informant_relationship").fill("儿子")
    page.locator("#next").click()
    page.wait_for_selector("#report-pdf")
    page.screenshot(path=str(artifacts / "assessment-3-report.png"), full_page=True)

    with page.expect_download() as download:
        page.locator("#report-pdf").click()
    pdf = download.value.path()
    text = subprocess.run([shutil.which("pdftotext") or "pdftotext", "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "74" in text
    assert "能力轻度受损（轻度失能）" in text  # C.3 preliminary: 66–89
    assert "能力中度受损（中度失能）" in text  # C.5 final, one level up
    for name in ("李评估", "王评估", "赵志强"):  # both assessors and the informant
        assert name in text
    assessment = Assessment.objects.get(pk=assessment.pk)
    assert (assessment.status, assessment.total, assessment.final_grade) == (
        "locked", 74, "moderate")
