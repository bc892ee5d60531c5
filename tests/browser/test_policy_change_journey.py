"""In Chinese: an administrator adds a new version of the district's funding
split (funding.city_share 4:6 -> 5:5) in Django admin, dated after today as
the database requires; the month already approved keeps its totals, lines
and statements to the byte, and is not computed again when finance starts it
or asks to recompute it; the first month settled after the change (the next
computation) splits its payable 5:5.

The policy value is entered on the real date (the database's clock, which
the back-dating trigger reads). A month can be settled only once it is over,
so between the administrator's change and finance's computation the
application's clock (django.utils.timezone.now) moves to a few days after
the month the new value starts in; the database's clock is not touched.
"""

import hashlib
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pgtrigger
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.accounts.roles import Role
from apps.policy.lookup import value_on
from apps.policy.models import PolicyValue
from apps.settlement import services
from apps.settlement.models import (
    RunStatus,
    SettlementDocument,
    SettlementLine,
    SettlementRun,
)
from apps.settlement.tasks import compute_run_task
from tests.browser.journey import PASSWORD, sign_in
from tests.factories import staff
from tests.visits.factories import SHANGHAI, add_elder, local, make_visit, world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OLD_SHARE, NEW_SHARE = Decimal("0.4"), Decimal("0.5")
TOTALS = ("visits", "elders", "cost", "subsidy", "elder_pays", "bonus", "assessment_fees",
          "adjustments", "withheld", "payable", "city_share", "district_share")


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _shot(page, artifacts, step, full_page=True):
    page.screenshot(path=str(artifacts / f"policy-change-{step}.png"), full_page=full_page)


def _snapshot(run: SettlementRun) -> dict:
    """The figures of a run as stored: totals, every line, every statement
    with its checksum and the checksum of the stored file itself."""
    run = SettlementRun.objects.get(pk=run.pk)
    documents = {}
    for document in SettlementDocument.objects.filter(run=run):
        with document.file.open("rb") as handle:
            content = handle.read()
        documents[(document.kind, document.provider_id)] = (
            document.pk, document.sha256, document.file.name, document.run_status,
            hashlib.sha256(content).hexdigest())
    return {
        "status": run.status, "computation": run.computation,
        "computed_at": run.computed_at, "approved_at": run.approved_at,
        "totals": {name: getattr(run, name) for name in TOTALS},
        "lines": list(SettlementLine.objects.filter(run=run).order_by("pk").values_list(
            "pk", "provider_id", "elder_id", "visit_id", "cost", "covered", "subsidy",
            "elder_pays", "bonus", "is_adjustment", "service_month")),
        "documents": documents,
    }


def _settle_and_approve(district, month, users) -> SettlementRun:
    """The month as finance settles it: started, computed by the worker
    (eager here), reviewed by the district, approved by another finance
    officer; the approved statements are rendered when it commits."""
    finance, reviewer, approver = users
    run, _created = services.start_run(district=district, month=month, user=finance)
    compute_run_task.delay(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.COMPUTED
    services.review(run=run, user=reviewer, note="核对无误")
    return services.approve(run=SettlementRun.objects.get(pk=run.pk), user=approver)


@pytest.fixture
def clock(monkeypatch):
    """Moves the application's clock to a given Guangzhou day (the live
    server runs in this process, so it reads the same clock)."""
    real_now = timezone.now

    def move_to(day: date) -> None:
        offset = datetime.combine(day, time(10), tzinfo=SHANGHAI) - real_now()
        monkeypatch.setattr(timezone, "now", lambda: real_now() + offset)
        assert timezone.localdate() == day

    return move_to


def test_a_new_policy_value_applies_to_the_next_month_and_the_past_stays(
        live_server, page, tree, artifacts, clock):
    base = live_server.url
    district = tree["district"]
    today = timezone.localdate()
    past = _add_months(today, -1)  # over, settled and approved with the old split
    changes_on = _add_months(today, 1)  # the first day the database lets a version start
    settle_on = _add_months(changes_on, 1) + timedelta(days=4)  # the new month is over

    with pgtrigger.ignore("policy.PolicyValue:policy_value_not_backdated"):
        PolicyValue.objects.create(key="funding.city_share", value=OLD_SHARE,
                                   valid_from=date(2016, 1, 1), region=district)
    w = world(district=district, street=tree["street"])
    other = add_elder(w)
    # the past month: four visits of rehabilitation nursing at 50.00 (class 1)
    for day in (2, 9, 16):
        make_visit(w, check_in_at=local(past.replace(day=day)))
    make_visit(w, elder=other["elder"], agreement=other["agreement"],
               check_in_at=local(past.replace(day=3), hour=15))
    # the month the new split starts in: three visits of the first elder
    for day in (1, 8, 15):
        make_visit(w, check_in_at=local(changes_on.replace(day=day)))

    admin = staff(Role.ADMINISTRATOR, region=district.parent, username="admin1")
    finance = staff(Role.FINANCE_OFFICER, region=district, username="finance1")
    users = (finance, staff(Role.DISTRICT_STAFF, region=district),
             staff(Role.FINANCE_OFFICER, region=district))
    approved = _settle_and_approve(district, past, users)
    before = _snapshot(approved)
    # hand-computed: 4 x 50.00 = 200.00 payable, split 4:6
    assert before["status"] == RunStatus.APPROVED
    assert {k: before["totals"][k] for k in ("visits", "cost", "payable", "city_share",
                                             "district_share")} == {
        "visits": 4, "cost": Decimal("200.00"), "payable": Decimal("200.00"),
        "city_share": Decimal("80.00"), "district_share": Decimal("120.00")}
    assert len(before["lines"]) == 4
    assert {kind for kind, _provider in before["documents"]} == {"provider", "district",
                                                                 "elders"}
    assert all(row[3] == RunStatus.APPROVED and row[1] == row[4]
               for row in before["documents"].values())

    # the administrator signs in to Django admin, in Chinese
    page.context.clear_cookies()
    page.goto(f"{base}/admin/login/?next=/admin/policy/policyvalue/add/")
    assert page.locator("html").get_attribute("lang") in ("zh-hans", "zh-CN", "zh-Hans")
    page.locator("#id_username").fill("admin1")
    page.locator("#id_password").fill(PASSWORD)
    _shot(page, artifacts, "1-admin-sign-in")
    page.locator("input[type=submit]").click()
    page.wait_for_url(f"{base}/admin/policy/policyvalue/add/")
    expect(page.locator("h1")).to_contain_text("政策参数")

    def fill(valid_from: date):
        page.locator("#id_key").select_option("funding.city_share")
        page.locator("#id_value").fill(str(NEW_SHARE))
        page.locator("#id_valid_from").fill(f"{valid_from:%Y-%m-%d}")
        page.locator("#id_region").select_option(str(district.pk))
        page.locator("#id_basis").fill("区财政分担比例调整通知(测试)")

    # a version starting today is refused: what is in force is history
    fill(today)
    page.locator("input[name=_save]").click()
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator(".field-valid_from .errorlist")).to_contain_text("自明日起生效")
    _shot(page, artifacts, "2-backdated-refused")
    assert not PolicyValue.objects.filter(key="funding.city_share", region=district,
                                          value=NEW_SHARE).exists()

    # the new split from the first day of next month is recorded
    page.goto(f"{base}/admin/policy/policyvalue/add/")
    fill(changes_on)
    _shot(page, artifacts, "3-new-value")
    page.locator("input[name=_save]").click()
    page.wait_for_url(f"{base}/admin/policy/policyvalue/")
    expect(page.locator(".messagelist .success")).to_be_visible()
    # the district's versions of the split: the new one above the one in force
    page.goto(f"{base}/admin/policy/policyvalue/?key=funding.city_share"
              f"&region__id__exact={district.pk}")
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    expect(page.locator("#result_list tbody tr").first).to_contain_text("0.5000")
    _shot(page, artifacts, "4-saved")
    version = PolicyValue.objects.get(key="funding.city_share", region=district,
                                      value=NEW_SHARE)
    assert (version.valid_from, version.created_by) == (changes_on, admin)
    assert value_on("funding.city_share", today, district) == OLD_SHARE
    assert value_on("funding.city_share", changes_on, district) == NEW_SHARE

    # ... time passes: the month the new split starts in is over
    clock(settle_on)

    # finance starts that month: its payable is split 5:5
    sign_in(page, base, "finance1")
    page.goto(f"{base}/settlement/")
    page.locator("#start_district").select_option(str(district.pk))
    page.locator("#start_month").fill(f"{changes_on:%Y-%m}")
    page.locator("#start-run button[type=submit]").click()
    run = SettlementRun.objects.get(district=district, month=changes_on)
    page.wait_for_url(f"{base}/settlement/{run.pk}/")
    expect(page.locator("[data-testid=status]")).to_have_text("已计算")
    # hand-computed: 3 x 50.00 = 150.00, the subsidy pays it all (class 1,
    # 400 a month); 150.00 x 0.5 = 75.00 each (the old 4:6 gave 60.00 : 90.00)
    expected = {"visits": "3", "cost": "150.00", "subsidy": "150.00", "elder_pays": "0.00",
                "bonus": "0.00", "adjustments": "0.00", "payable": "150.00",
                "city_share": "75.00", "district_share": "75.00"}
    for name, figure in expected.items():
        expect(page.locator(f"[data-total={name}]")).to_have_text(figure)
    _shot(page, artifacts, "5-next-month-computed")
    run.refresh_from_db()
    assert (run.payable, run.city_share, run.district_share) == (
        Decimal("150.00"), Decimal("75.00"), Decimal("75.00"))

    # the approved month is shown as it was approved
    page.goto(f"{base}/settlement/{approved.pk}/")
    expect(page.locator("[data-testid=status]")).to_have_text("已核准")
    for name, figure in (("payable", "200.00"), ("city_share", "80.00"),
                         ("district_share", "120.00")):
        expect(page.locator(f"[data-total={name}]")).to_have_text(figure)
    expect(page.locator("#recompute-form")).to_have_count(0)
    for document in SettlementDocument.objects.filter(run=approved):
        expect(page.locator(f"tr[data-document='{document.pk}'] code")).to_have_attribute(
            "title", before["documents"][(document.kind, document.provider_id)][1])
    _shot(page, artifacts, "6-past-month-unchanged")
    # its district summary downloads to the same bytes as at approval
    summary = SettlementDocument.objects.get(run=approved, kind="district")
    with page.expect_download() as info:
        page.locator(f"tr[data-document='{summary.pk}'] a").click()
    content = info.value.path().read_bytes()
    assert hashlib.sha256(content).hexdigest() == before["documents"][("district", None)][1]

    # starting the approved month again computes nothing
    page.goto(f"{base}/settlement/")
    page.locator("#start_district").select_option(str(district.pk))
    page.locator("#start_month").fill(f"{past:%Y-%m}")
    page.locator("#start-run button[type=submit]").click()
    page.wait_for_url(f"{base}/settlement/{approved.pk}/")
    expect(page.locator("main .message.info")).to_contain_text("不再重新计算")
    expect(page.locator("[data-total=city_share]")).to_have_text("80.00")
    _shot(page, artifacts, "7-past-month-not-restarted")

    # and a recompute posted for it (no button offers one) is refused
    # (the page's sign-out form carries the CSRF token)
    token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    with page.expect_navigation():
        page.evaluate(
            """(token) => {
                const form = document.createElement("form");
                form.method = "post";
                for (const [name, value] of [["csrfmiddlewaretoken", token],
                                             ["action", "recompute"]]) {
                    const input = document.createElement("input");
                    input.name = name;
                    input.value = value;
                    form.append(input);
                }
                document.body.append(form);
                form.submit();
            }""", token)
    page.wait_for_url(f"{base}/settlement/{approved.pk}/")
    expect(page.locator("main .message.error")).to_contain_text("不能执行此操作")
    expect(page.locator("[data-total=city_share]")).to_have_text("80.00")
    _shot(page, artifacts, "8-recompute-refused")

    # nor does the worker compute it if asked directly
    compute_run_task.delay(approved.pk)
    assert _snapshot(approved) == before
