"""In Chinese: the district opens a provider's life-care evaluation; the
provider's staff submit the self-assessment; the district scores it and
publishes the result today; the provider appeals during the posting; the
city centre re-evaluates; the district's public page shows the final grade."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.accounts.roles import Role
from apps.evaluations.models import Evaluation, EvaluationStatus
from tests.browser.journey import sign_in
from tests.factories import ProviderFactory, staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def test_self_assess_score_publish_appeal_decide_and_post(live_server, page, tree, artifacts):
    # the score sheet, like all seed data, is reloaded by conftest's reference_data
    base = live_server.url
    provider = ProviderFactory(name="颐康居家养老服务中心", region=tree["district"])
    staff(Role.DISTRICT_STAFF, region=tree["district"], username="district")
    staff(Role.PROVIDER_STAFF, provider=provider, username="provider")
    staff(Role.CITY_STAFF, region=tree["district"].parent, username="city")
    today = timezone.localdate()

    # the district opens the evaluation
    sign_in(page, base, "district")
    page.goto(f"{base}/evaluations/new/")
    page.locator("select[name=provider]").select_option(str(provider.pk))
    page.locator("select[name=category]").select_option("life_care")
    page.locator("input[name=year]").fill(str(today.year - 1))
    page.locator("#save").click()
    page.wait_for_url("**/scores/")
    evaluation = Evaluation.objects.get(provider=provider)

    # the provider's staff submit the self-assessment the evaluation builds on
    sign_in(page, base, "provider")
    page.goto(f"{base}/evaluations/{evaluation.pk}/")
    page.locator("#self-assess").click()
    page.locator("textarea[name=self_assessment]").fill(
        "全年上门生活照料服务记录完整,服务对象满意度调查平均 90%。")
    page.locator("input[name=self_score]").fill("86")
    page.locator("#save").click()
    page.wait_for_url(f"**/evaluations/{evaluation.pk}/")
    expect(page.locator("#self-assessment")).to_contain_text("满意度调查平均 90%")
    evaluation.refresh_from_db()
    assert evaluation.self_assessed_at is not None

    # the district scores it and publishes the result today
    sign_in(page, base, "district")
    page.goto(f"{base}/evaluations/{evaluation.pk}/")
    page.locator("#enter-scores").click()
    for code, points in (("service_quality", "25"), ("staff", "16"), ("records", "12"),
                         ("satisfaction", "16"), ("safety", "9")):
        page.locator(f"input[name={code}]").fill(points)
    page.screenshot(path=str(artifacts / "evaluation-1-score-sheet.png"), full_page=True)
    page.locator("#save").click()
    expect(page.locator("[data-testid=total]")).to_have_text("78.0")
    page.locator("#publish").click()
    expect(page.locator("input[name=published_on]")).to_have_value(today.isoformat())
    page.locator("#save").click()
    page.wait_for_url(f"**/evaluations/{evaluation.pk}/")
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.PUBLISHED
    assert (evaluation.published_on, evaluation.grade) == (today, "qualified")
    expect(page.locator("[data-testid=appeal-window]")).to_have_text(
        f"{today:%Y-%m-%d} – {evaluation.appeal_until:%Y-%m-%d}")

    # the provider's staff appeal today, during the posting; the form shows the window
    sign_in(page, base, "provider")
    page.goto(f"{base}/evaluations/{evaluation.pk}/")
    page.locator("#appeal").click()
    expect(page.locator("#appeal-window")).to_contain_text(
        f"{today:%Y-%m-%d} – {evaluation.appeal_until:%Y-%m-%d}")
    page.locator("textarea[name=reason]").fill("服务记录抽查样本不足,满意度得分偏低。")
    page.screenshot(path=str(artifacts / "evaluation-2-appeal.png"), full_page=True)
    page.locator("#save").click()
    page.wait_for_url(f"**/evaluations/{evaluation.pk}/")
    evaluation.refresh_from_db()
    assert (evaluation.status, evaluation.appealed_on) == (EvaluationStatus.APPEALED, today)
    assert today <= evaluation.posting_until

    # the public page shows the result under appeal
    page.goto(f"{base}/public/evaluations/{tree['district'].code}/")
    row = page.locator("#public-results tbody tr", has_text="颐康居家养老服务中心")
    expect(row.locator("[data-testid=status]")).to_have_text("申诉中")

    # the city centre re-evaluates: the total becomes 82, good, final
    sign_in(page, base, "city")
    page.goto(f"{base}/evaluations/appeals/")
    page.get_by_role("link", name="颐康居家养老服务中心").click()
    page.locator("#decide").click()
    page.locator("input[name=outcome][value=revise]").check()
    page.locator("input[name=total]").fill("82")
    page.locator("textarea[name=reason]").fill("复评抽查补充样本后,满意度得分调整。")
    page.locator("#save").click()
    page.wait_for_url(f"**/evaluations/{evaluation.pk}/")
    expect(page.locator("[data-testid=final-grade]")).to_contain_text("良好")
    page.screenshot(path=str(artifacts / "evaluation-3-decided.png"), full_page=True)
    evaluation.refresh_from_db()
    assert (evaluation.status, evaluation.final_grade) == (EvaluationStatus.FINAL, "good")

    # anyone, logged out, sees the final grade and the final status on the district's page
    page.context.clear_cookies()
    page.goto(f"{base}/public/evaluations/{tree['district'].code}/")
    row = page.locator("#public-results tbody tr", has_text="颐康居家养老服务中心")
    expect(row).to_have_count(1)
    expect(row.locator("[data-testid=grade]")).to_have_text("良好")
    expect(row.locator("[data-testid=status]")).to_have_text("最终结果")
    assert "服务记录抽查" not in page.content()
    assert "满意度调查平均" not in page.content()
    page.screenshot(path=str(artifacts / "evaluation-4-public.png"), full_page=True)
