"""In Chinese: a finance officer starts September's settlement of the
district; the worker (eager here) computes it and renders the statements;
the district reviews it; a second finance officer approves it (the reviewer
may not) and downloads every statement of the month offered on the page:
the provider's statement and the district summary (PDF, read with
pdftotext) and the elder-level detail (.xlsx, read with openpyxl), each
carrying the approved totals and only masked identity numbers."""

import hashlib
import subprocess
from datetime import date
from decimal import Decimal

import pgtrigger
import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from apps.accounts.roles import Role
from apps.policy.models import PolicyValue
from apps.settlement.models import (
    ProviderSettlement,
    RunStatus,
    SettlementDocument,
    SettlementRun,
)
from apps.settlement.statements import DRAFT_MARK
from tests.browser.journey import sign_in
from tests.factories import staff
from tests.visits.factories import add_elder, local, make_visit, world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



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


def test_finance_approves_a_month_and_downloads_its_statements(
        live_server, page, tree, artifacts):
    base = live_server.url
    w, other = _month_of_visits(tree)
    staff(Role.FINANCE_OFFICER, region=tree["district"], username="finance1")
    staff(Role.DISTRICT_STAFF, region=tree["district"], username="district")
    staff(Role.FINANCE_OFFICER, region=tree["district"], username="finance2")

    # finance starts the month; the worker computes it and renders draft statements
    sign_in(page, base, "finance1")
    page.goto(f"{base}/settlement/")
    page.locator("#start_district").select_option(str(tree["district"].pk))
    page.locator("#start_month").fill("2025-09")
    page.locator("#start-run button[type=submit]").click()
    run = SettlementRun.objects.get(district=tree["district"], month=date(2025, 9, 1))
    page.goto(f"{base}/settlement/{run.pk}/")
    expect(page.locator("[data-testid=status]")).to_have_text("已计算")
    expect(page.locator("[data-total=payable]")).to_contain_text("200.00")
    expect(page.locator("tr[data-kind=provider]")).to_contain_text("草稿")
    page.screenshot(path=artifacts / "settlement-1-computed.png", full_page=True)

    # the district reviews it
    sign_in(page, base, "district")
    page.goto(f"{base}/settlement/{run.pk}/")
    page.locator("#review_review_note").fill("核对 9 月服务记录,无异议。")
    page.locator("#review-form button[type=submit]").click()
    expect(page.locator("[data-testid=status]")).to_have_text("已审核")
    page.screenshot(path=artifacts / "settlement-2-reviewed.png", full_page=True)

    # another finance officer approves it
    sign_in(page, base, "finance2")
    page.goto(f"{base}/settlement/{run.pk}/")
    page.locator("#approve-form button[type=submit]").click()
    expect(page.locator("[data-testid=status]")).to_have_text("已核准")
    run.refresh_from_db()
    assert (run.status, run.payable) == (RunStatus.APPROVED, Decimal("200.00"))
    page.reload()
    rows = page.locator("#statements tr[data-document]")
    expect(rows).to_have_count(3)  # the district summary, the elder detail, the provider's
    expect(page.locator("#statements")).not_to_contain_text("草稿")
    page.screenshot(path=artifacts / "settlement-3-approved.png", full_page=True)

    # every statement of the approved month is downloaded and read
    stored = {d.kind: d for d in SettlementDocument.objects.filter(run=run)}
    assert set(stored) == {"provider", "district", "elders"}
    assert {d.run_status for d in stored.values()} == {RunStatus.APPROVED}
    files = {}
    for kind, name in (("provider", "settlement-provider-statement.pdf"),
                       ("district", "settlement-district-summary.pdf"),
                       ("elders", "settlement-elder-detail.xlsx")):
        with page.expect_download() as info:
            page.locator(f"#statements tr[data-kind={kind}] a").click()
        files[kind] = artifacts / name
        info.value.save_as(files[kind])
        content = files[kind].read_bytes()
        assert hashlib.sha256(content).hexdigest() == stored[kind].sha256
    elders = (w.elder, other)

    # the provider's statement: its totals, the elders by masked number only
    text = _pdf_text(files["provider"])
    provider_row = ProviderSettlement.objects.get(run=run, provider=w.provider)
    assert provider_row.payable == Decimal("200.00")
    assert w.provider.name in text
    assert "200.00" in text
    assert str(DRAFT_MARK) not in text
    _masked_only(text, elders)

    # the district summary: the month's payable and its 4:6 split
    text = _pdf_text(files["district"])
    assert tree["district"].name in text
    assert tree["street"].name in text
    for figure in ("200.00", "80.00", "120.00", "40%", "60%"):
        assert figure in text
    assert str(DRAFT_MARK) not in text
    _masked_only(text, elders)

    # the elder-level detail: a row per visit, the totals, masked numbers
    title, header, *lines, total = list(
        load_workbook(files["elders"]).worksheets[0].iter_rows(values_only=True))
    assert str(DRAFT_MARK) not in str(title[0])
    assert header[1] == "身份证件号码（已脱敏）"
    assert len(lines) == 4
    assert {line[1] for line in lines} == {e.id_number_masked for e in elders}
    assert [Decimal(str(value)) for value in total[6:11]] == [
        Decimal("200.00"), Decimal("200.00"), Decimal("200.00"), Decimal("0.00"),
        Decimal("0.00")]
    cells = " ".join(str(cell) for row in (title, header, *lines, total) for cell in row)
    _masked_only(cells, elders)


def _pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def _masked_only(text: str, elders) -> None:
    """No full identity number in ``text``; the masked ones where elders are listed."""
    for elder in elders:
        assert elder.id_number not in text
        assert elder.id_number[6:14] not in text  # not even the birth date part
