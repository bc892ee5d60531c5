"""In Chinese: a finance officer starts September's settlement of the
district; the worker (eager here) computes it and renders the statements;
the district reviews it; a second finance officer approves it (the reviewer
may not) and downloads the provider's statement, whose text carries the
approved totals and only masked identity numbers."""

import subprocess
from datetime import date
from decimal import Decimal

import pgtrigger
import pytest
from playwright.sync_api import expect

from apps.accounts.roles import Role
from apps.policy.models import PolicyValue
from apps.settlement.models import ProviderSettlement, RunStatus, SettlementRun
from tests.factories import staff
from tests.visits.factories import add_elder, local, make_visit, world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Pass-word-123"


def _login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")


def _month_of_visits(tree):
    """Two elders of one provider: four visits of rehabilitation nursing at
    50.00 in September 2025, class 1 (400 a month), ratio 4:6."""
    with pgtrigger.ignore("policy.PolicyValue:policy_value_not_backdated"):
        PolicyValue.objects.create(key="funding.city_share", value=Decimal("0.4"),
                                   valid_from=date(2016, 1, 1), region=tree["district"])
    w = world(district=tree["district"], street=tree["street"])
    other = add_elder(w)
    for day in (2, 9, 16):
        make_visit(w, check_in_at=local(date(2025, 9, day)))
    make_visit(w, elder=other["elder"], agreement=other["agreement"],
               check_in_at=local(date(2025, 9, 3), hour=15))
    return w, other["elder"]


def test_finance_approves_a_month_and_downloads_the_provider_statement(
        live_server, page, tree, artifacts):
    base = live_server.url
    w, other = _month_of_visits(tree)
    staff(Role.FINANCE_OFFICER, region=tree["district"], username="finance1")
    staff(Role.DISTRICT_STAFF, region=tree["district"], username="district")
    staff(Role.FINANCE_OFFICER, region=tree["district"], username="finance2")

    # finance starts the month; the worker computes it and renders draft statements
    _login(page, base, "finance1")
    page.goto(f"{base}/settlement/")
    page.locator("#start_district").select_option(str(tree["district"].pk))
    page.locator("#start_month").fill("2025-09")
    page.locator("#start-run button[type=submit]").click()
    run = SettlementRun.objects.get(district=tree["district"], month=date(2025, 9, 1))
    page.goto(f"{base}/settlement/{run.pk}/")
    expect(page.locator("[data-testid=status]")).to_have_text("已计算")
    expect(page.locator("[data-total=payable]")).to_contain_text("200.00")
    expect(page.locator("tr[data-kind=provider]")).to_contain_text("草稿")
    page.screenshot(path=artifacts / "settlement-computed.png", full_page=True)

    # the district reviews it
    _login(page, base, "district")
    page.goto(f"{base}/settlement/{run.pk}/")
    page.locator("#review_review_note").fill("核对 9 月服务记录,无异议。")
    page.locator("#review-form button[type=submit]").click()
    expect(page.locator("[data-testid=status]")).to_have_text("已审核")

    # another finance officer approves it and downloads the provider's statement
    _login(page, base, "finance2")
    page.goto(f"{base}/settlement/{run.pk}/")
    page.locator("#approve-form button[type=submit]").click()
    expect(page.locator("[data-testid=status]")).to_have_text("已核准")
    run.refresh_from_db()
    assert (run.status, run.payable) == (RunStatus.APPROVED, Decimal("200.00"))
    page.reload()
    row = page.locator("tr[data-kind=provider]")
    expect(row).not_to_contain_text("草稿")
    page.screenshot(path=artifacts / "settlement-approved.png", full_page=True)
    with page.expect_download() as info:
        row.get_by_role("link").click()
    download = info.value
    target = artifacts / "settlement-provider-statement.pdf"
    download.save_as(target)

    text = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True,
                          text=True, check=True).stdout
    provider_row = ProviderSettlement.objects.get(run=run, provider=w.provider)
    assert provider_row.payable == Decimal("200.00")
    assert w.provider.name in text
    assert "200.00" in text
    assert "草稿" not in text
    for elder in (w.elder, other):
        assert elder.id_number_masked in text
        assert elder.id_number not in text
