"""The settlement screens through the test client: finance starts a month,
the district reviews it, another finance officer approves it (the reviewer
cannot: maker-checker), finance records the payment, and a paid run offers
no form any more; other districts and providers see nothing."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.settlement.models import ProviderSettlement, RunStatus, SettlementRun
from tests.factories import ProviderFactory, staff

pytestmark = pytest.mark.django_db

MONTH = date(2025, 9, 1)
LIST = reverse("settlement:run_list")
FORMS = ('id="recompute-form"', 'id="review-form"', 'id="approve-form"', 'id="pay-form"')


def _grant(user, codename):
    user.user_permissions.add(Permission.objects.get(content_type__app_label="settlement",
                                                     codename=codename))
    return user


def _detail(run):
    return reverse("settlement:run_detail", args=[run.pk])


def _forms_shown(html):
    return {form for form in FORMS if form in html}


@pytest.fixture
def finance(tree):
    return staff(Role.FINANCE_OFFICER, region=tree["district"])


@pytest.fixture
def district_staff(tree):
    return staff(Role.DISTRICT_STAFF, region=tree["district"])


def test_the_whole_flow_of_a_month(client, tree, month_of_visits, finance, district_staff):
    first, second = month_of_visits
    # finance starts September: the run is computed (eagerly) and shown
    client.force_login(finance)
    response = client.post(LIST, {"district": tree["district"].pk, "month": "2025-09"})
    run = SettlementRun.objects.get(district=tree["district"], month=MONTH)
    assert response.status_code == 302
    assert response["Location"] == _detail(run)
    run.refresh_from_db()
    assert run.status == RunStatus.COMPUTED
    assert run.visits == 7
    assert run.payable > 0
    html = client.get(_detail(run)).content.decode()
    assert f'data-total="visits">{run.visits}<' in html
    assert f'data-total="payable">{run.payable}<' in html
    assert f'data-total="city_share">{run.city_share}<' in html
    assert f'data-total="district_share">{run.district_share}<' in html
    for item in ProviderSettlement.objects.filter(run=run).select_related("provider"):
        assert f'data-provider="{item.provider_id}"' in html
        assert str(item.payable) in html
    assert {first.provider.name, second.provider.name} <= {
        p.provider.name for p in ProviderSettlement.objects.filter(run=run)}
    # finance may recompute, not review; nothing to approve yet
    assert _forms_shown(html) == {'id="recompute-form"'}
    # the list shows the run and its totals
    html = client.get(LIST, {"month": "2025-09"}).content.decode()
    assert f'data-pk="{run.pk}"' in html
    assert f'data-testid="total-payable">{run.payable}<' in html
    # starting the same month again gives the same single run
    client.post(LIST, {"district": tree["district"].pk, "month": "2025-09"})
    assert SettlementRun.objects.filter(district=tree["district"], month=MONTH).count() == 1

    # district staff review it with a note
    client.force_login(district_staff)
    html = client.get(_detail(run)).content.decode()
    assert _forms_shown(html) == {'id="review-form"'}
    response = client.post(_detail(run), {"action": "review", "review_note": "Checked 7 visits"})
    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.reviewed_by, run.review_note) == (
        RunStatus.REVIEWED, district_staff, "Checked 7 visits")
    html = client.get(_detail(run)).content.decode()
    assert "Checked 7 visits" in html
    assert _forms_shown(html) == set()
    # without the approval permission the reviewer is refused outright ...
    assert client.post(_detail(run), {"action": "approve"}).status_code == 403
    # ... and holding it, the maker-checker rule refuses them on the field
    _grant(district_staff, "approve_settlementrun")
    response = client.post(_detail(run), {"action": "approve"})
    assert response.status_code == 200
    assert response.context["approve_form"].has_error("approved_by", "maker_checker")
    assert 'data-field="approved_by"' in response.content.decode()
    run.refresh_from_db()
    assert run.status == RunStatus.REVIEWED
    assert run.approved_by is None

    # another finance officer approves
    client.force_login(finance)
    html = client.get(_detail(run)).content.decode()
    assert _forms_shown(html) == {'id="recompute-form"', 'id="approve-form"'}
    assert client.post(_detail(run), {"action": "approve"}).status_code == 302
    run.refresh_from_db()
    assert (run.status, run.approved_by) == (RunStatus.APPROVED, finance)
    html = client.get(_detail(run)).content.decode()
    assert _forms_shown(html) == {'id="pay-form"'}
    # an approved run is not recomputed
    client.post(_detail(run), {"action": "recompute"})
    run.refresh_from_db()
    assert run.status == RunStatus.APPROVED

    # a payment in the future is refused on its field; today's is recorded
    today = timezone.localdate()
    response = client.post(_detail(run), {"action": "pay", "paid_on": "2099-01-01",
                                          "payment_reference": "BANK-1"})
    assert response.status_code == 200
    assert response.context["pay_form"].has_error("paid_on", "future")
    response = client.post(_detail(run), {"action": "pay", "paid_on": today.isoformat(),
                                          "payment_reference": "BANK-2025-09-001"})
    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.paid_on, run.payment_reference) == (
        RunStatus.PAID, today, "BANK-2025-09-001")

    # a paid run shows its timeline and no form to anyone
    for user in (finance, district_staff):
        client.force_login(user)
        html = client.get(_detail(run)).content.decode()
        assert _forms_shown(html) == set()
        assert "BANK-2025-09-001" in html
    # a step out of order is refused without a form
    response = client.post(_detail(run), {"action": "review", "review_note": "again"})
    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.review_note) == (RunStatus.PAID, "Checked 7 visits")


def test_a_month_not_over_is_refused_on_its_field(client, tree, finance):
    client.force_login(finance)
    month = timezone.localdate().strftime("%Y-%m")
    response = client.post(LIST, {"district": tree["district"].pk, "month": month})
    assert response.status_code == 200
    assert response.context["start_form"].has_error("month", "not_over")
    assert not SettlementRun.objects.exists()


def test_only_finance_starts_a_run(client, tree, district_staff):
    client.force_login(district_staff)
    assert 'id="start-run"' not in client.get(LIST).content.decode()
    response = client.post(LIST, {"district": tree["district"].pk, "month": "2025-09"})
    assert response.status_code == 403
    assert not SettlementRun.objects.exists()


def test_another_districts_run_is_not_found(client, tree):
    run = SettlementRun.objects.create(district=tree["district"], month=MONTH,
                                       review_note="secret note")
    outsider = staff(Role.FINANCE_OFFICER, region=tree["other_district"])
    client.force_login(outsider)
    assert client.get(_detail(run)).status_code == 404
    assert client.post(_detail(run), {"action": "recompute"}).status_code == 404
    assert "secret note" not in client.get(LIST).content.decode()
    # a start form offers only the user's own district
    response = client.post(LIST, {"district": tree["district"].pk, "month": "2025-08"})
    assert response.status_code == 200
    assert response.context["start_form"].has_error("district")
    assert SettlementRun.objects.count() == 1


def test_provider_staff_see_no_run(client, tree):
    run = SettlementRun.objects.create(district=tree["district"], month=MONTH)
    user = staff(Role.PROVIDER_STAFF, provider=ProviderFactory(region=tree["district"]))
    client.force_login(user)
    assert client.get(LIST).status_code == 403
    # even holding the permissions, nothing is in their scope
    for codename in ("view_settlementrun", "add_settlementrun", "review_settlementrun"):
        _grant(user, codename)
    assert f'data-pk="{run.pk}"' not in client.get(LIST).content.decode()
    assert client.get(_detail(run)).status_code == 404


def test_the_list_takes_the_same_queries_however_many_runs(client, tree, finance):
    client.force_login(finance)
    SettlementRun.objects.create(district=tree["district"], month=date(2025, 1, 1))
    client.get(LIST)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as one:
        assert client.get(LIST).status_code == 200
    for month in range(2, 9):
        SettlementRun.objects.create(district=tree["district"], month=date(2025, month, 1))
    with CaptureQueriesContext(connection) as eight:
        response = client.get(LIST)
    assert response.context["totals"]["runs"] == 8
    assert len(eight) == len(one)


def test_the_list_filters_by_month_and_status(client, tree, finance):
    august = SettlementRun.objects.create(district=tree["district"], month=date(2025, 8, 1))
    september = SettlementRun.objects.create(district=tree["district"], month=MONTH,
                                             status=RunStatus.COMPUTED)
    client.force_login(finance)
    html = client.get(LIST, {"month": "2025-08"}).content.decode()
    assert f'data-pk="{august.pk}"' in html
    assert f'data-pk="{september.pk}"' not in html
    html = client.get(LIST, {"status": "computed"}).content.decode()
    assert f'data-pk="{september.pk}"' in html
    assert f'data-pk="{august.pk}"' not in html


def test_a_missing_funding_ratio_is_reported_not_a_crash(client, tree, finance):
    # no funding.city_share for the district: the run stays a draft, the
    # finance officer is told why
    client.force_login(finance)
    response = client.post(LIST, {"district": tree["district"].pk, "month": "2025-09"},
                           follow=True)
    assert response.status_code == 200
    run = SettlementRun.objects.get(district=tree["district"], month=MONTH)
    assert run.status == RunStatus.DRAFT
    assert "funding.city_share" in response.content.decode()
