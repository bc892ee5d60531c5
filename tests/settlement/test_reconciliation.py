"""The yearly funding reconciliation (Art 33): a hand-computed year whose
ratio changes in April, cleared each way; a provisional year listing its
open month; the report and the advance as each role sees them; the advance
form's errors; the .xlsx totals; and a report whose query count does not
grow with districts or months."""

import io
from datetime import date
from decimal import Decimal

import pgtrigger
import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import InternalError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from apps.accounts.roles import Role
from apps.policy.models import PolicyValue
from apps.settlement import reconciliation
from apps.settlement.models import CityAdvance, FundingReconciliation, SettlementRun
from apps.settlement.reconciliation import MonthFigures, reconcile
from apps.settlement.rules import funding_split
from tests.factories import RegionFactory, staff

D = Decimal
ZERO = D("0.00")
YEAR = 2025
REPORT = reverse("settlement:reconciliation")
pytestmark = pytest.mark.django_db

ADVANCE = reverse("settlement:reconciliation_advance")
XLSX = reverse("settlement:reconciliation_xlsx")

# The hand-computed year: three months at 4:6, then April at 5:5.
#   month    payable     city (x ratio, half up)   district (the rest)
#   Jan    10,000.00   4,000.00 (x 0.4)            6,000.00
#   Feb    12,345.67   4,938.27 (4,938.268)        7,407.40
#   Mar     8,000.00   3,200.00                    4,800.00
#   Apr     9,999.99   5,000.00 (x 0.5: 4,999.995) 4,999.99
#   year   40,345.66  17,138.27                   23,207.39
HAND = [
    (date(YEAR, 1, 1), D("10000.00"), D("4000.00"), D("6000.00"), D("0.4")),
    (date(YEAR, 2, 1), D("12345.67"), D("4938.27"), D("7407.40"), D("0.4")),
    (date(YEAR, 3, 1), D("8000.00"), D("3200.00"), D("4800.00"), D("0.4")),
    (date(YEAR, 4, 1), D("9999.99"), D("5000.00"), D("4999.99"), D("0.5")),
]
SPENDING, CITY, DISTRICT = D("40345.66"), D("17138.27"), D("23207.39")


def _hand_months(status="approved"):
    return [MonthFigures(month, status, payable, city, rest, ratio)
            for month, payable, city, rest, ratio in HAND]


# --- the rule, without a database ------------------------------------------------


def test_the_hand_computed_split_is_the_rules_split():
    for _month, payable, city, rest, ratio in HAND:
        assert funding_split(payable, ratio) == (city, rest)


def test_an_advance_below_the_citys_share_is_owed_to_the_district():
    # given the four closed months and the rest of the year at 5:5, not yet settled
    rest = [MonthFigures(date(YEAR, month, 1), city_ratio=D("0.5")) for month in range(5, 13)]
    # when the city advanced 15,000.00
    result = reconcile(YEAR, D("15000.00"), [*_hand_months(), *rest])
    # then the year's figures are the hand-computed ones
    assert (result.spending, result.city_share, result.district_share) == (
        SPENDING, CITY, DISTRICT)
    # and the city owes the district 17,138.27 - 15,000.00
    assert result.balance == D("2138.27")
    assert (result.owed_to_district, result.owed_to_city) == (D("2138.27"), D("0.00"))
    # the ratios in force, with their months
    assert [(p.label, p.first.month, p.last.month) for p in result.ratios] == [
        ("4:6", 1, 3), ("5:5", 4, 12)]
    assert result.ratios_text == "4:6 01–03, 5:5 04–12"
    # May to December have no run: the year is provisional
    assert [m.month.month for m in result.open_months] == list(range(5, 13))
    assert result.provisional
    assert result.due_on == date(YEAR + 1, 1, 30)


def test_an_advance_above_the_citys_share_is_returned_by_the_district():
    result = reconcile(YEAR, D("20000.00"), _hand_months("paid"))
    # 17,138.27 - 20,000.00
    assert result.balance == D("-2861.73")
    assert (result.owed_to_district, result.owed_to_city) == (D("0.00"), D("2861.73"))


def test_without_an_advance_the_whole_citys_share_is_owed():
    result = reconcile(YEAR, None, _hand_months())
    assert result.advance is None
    assert result.balance == CITY


def test_an_open_month_is_listed_and_not_counted():
    # given April computed and reviewed but not approved
    months = _hand_months()
    months[3] = MonthFigures(date(YEAR, 4, 1), "reviewed", D("9999.99"), D("5000.00"),
                             D("4999.99"), D("0.5"))
    closed = [MonthFigures(date(YEAR, month, 1), "approved", city_ratio=D("0.5"))
              for month in range(5, 13)]
    result = reconcile(YEAR, D("15000.00"), [*months, *closed])
    # then April alone is open, and the sums are January to March's
    assert [m.month for m in result.open_months] == [date(YEAR, 4, 1)]
    assert result.spending == D("30345.67")
    assert result.city_share == D("12138.27")
    assert result.balance == D("-2861.73")


def test_a_complete_year_is_not_provisional():
    months = [*_hand_months(), *(MonthFigures(date(YEAR, month, 1), "approved",
                                              city_ratio=D("0.5")) for month in range(5, 13))]
    result = reconcile(YEAR, D("17138.27"), months, clearing_day=D(30))
    assert not result.provisional
    assert result.balance == 0


def test_the_months_must_belong_to_the_year_once_each_and_add_up():
    with pytest.raises(ValueError, match="not a month of"):
        reconcile(YEAR, None, [MonthFigures(date(YEAR - 1, 12, 1))])
    with pytest.raises(ValueError, match="twice"):
        reconcile(YEAR, None, [MonthFigures(date(YEAR, 1, 1))] * 2)
    with pytest.raises(ValueError, match="do not add up"):
        reconcile(YEAR, None, [MonthFigures(date(YEAR, 1, 1), "approved", D(10), D(4), D(5))])


@pytest.mark.parametrize(("share", "label"), [
    (D("0.5"), "5:5"), (D("0.4000"), "4:6"), (D("0.8"), "8:2"), (D("0.6"), "6:4"),
    (D("0"), "0:10"), (D("0.45"), "4.5:5.5"), (None, "—")])
def test_ratio_labels(share, label):
    assert reconciliation.ratio_label(share) == label


def test_a_district_ratio_wins_over_the_city_wide_one():
    versions = [(None, date(2016, 1, 1), D("0.5")), (7, date(2016, 1, 1), D("0.4")),
                (7, date(2025, 4, 1), D("0.5")), (8, date(2016, 1, 1), D("0.8"))]
    assert reconciliation.ratio_in_force(versions, date(2025, 3, 31), 7) == D("0.4")
    assert reconciliation.ratio_in_force(versions, date(2025, 4, 30), 7) == D("0.5")
    assert reconciliation.ratio_in_force(versions, date(2025, 4, 30), 9) == D("0.5")
    assert reconciliation.ratio_in_force(versions, date(2015, 1, 1), 7) is None


def test_an_advance_is_paid_in_the_year_or_the_december_before():
    assert reconciliation.advance_window(YEAR) == (date(YEAR - 1, 12, 1), date(YEAR, 12, 31))
    reconciliation.check_advance(YEAR, D(0), date(YEAR - 1, 12, 1))
    with pytest.raises(ValidationError) as error:
        reconciliation.check_advance(YEAR, D("-1"), date(YEAR - 1, 11, 30))
    assert set(error.value.error_dict) == {"amount", "paid_on"}


# --- the database: report, confirmation, scope --------------------------------------


@pytest.fixture
def people(tree):
    city = tree["district"].parent
    return {
        "city": staff(Role.CITY_STAFF, region=city),
        "finance": staff(Role.FINANCE_OFFICER, region=tree["district"]),
        "district": staff(Role.DISTRICT_STAFF, region=tree["district"]),
        "outsider": staff(Role.FINANCE_OFFICER, region=tree["other_district"]),
        "outsider_staff": staff(Role.DISTRICT_STAFF, region=tree["other_district"]),
        "reviewer": staff(Role.DISTRICT_STAFF, region=tree["district"]),
    }


def _ratio(district, share, valid_from=date(2016, 1, 1)):
    with pgtrigger.ignore("policy.PolicyValue:policy_value_not_backdated"):
        PolicyValue.objects.create(key="funding.city_share", value=share,
                                   valid_from=valid_from, region=district)


def _run(district, month, people, *, status="approved", payable=ZERO, city=ZERO,
         rest=ZERO):
    closed = status in ("approved", "paid")
    return SettlementRun.objects.create(
        district=district, month=month, status=status, payable=payable, city_share=city,
        district_share=rest,
        reviewed_by=people["reviewer"] if status != "computed" else None,
        approved_by=people["finance"] if closed else None,
        approved_at=timezone.now() if closed else None,
        paid_on=date(YEAR, 12, 31) if status == "paid" else None,
        payment_reference="R" if status == "paid" else "")


def _hand_year(district, people, *, open_month=None):
    """The hand-computed year in the database: 4:6 from 2016, 5:5 from April
    2025; January to April with figures (March paid), May to December
    approved with nothing to pay; ``open_month`` only reviewed."""
    _ratio(district, D("0.4"))
    _ratio(district, D("0.5"), date(YEAR, 4, 1))
    for month, payable, city, rest, _share in HAND:
        status = "paid" if month.month == 3 else "approved"
        _run(district, month, people, status=status, payable=payable, city=city, rest=rest)
    for number in range(5, 13):
        month = date(YEAR, number, 1)
        _run(district, month, people, status="reviewed" if month == open_month else "approved")


def _advance(district, amount, people):
    return CityAdvance.objects.create(district=district, year=YEAR, amount=amount,
                                      paid_on=date(YEAR, 1, 10), recorded_by=people["city"])


def _detail(district, year=YEAR):
    return reverse("settlement:reconciliation_district", args=[year, district.pk])


def _row(html, district):
    start = html.index(f'data-district="{district.pk}"')
    return html[start:html.index("</tr>", start)]


def _cell(html, name):
    start = html.index(f'data-cell="{name}">') + len(f'data-cell="{name}">')
    return html[start:html.index("</", start)]


def test_the_report_shows_the_hand_computed_year_and_the_balance_each_way(
        client, tree, people):
    district = tree["district"]
    _hand_year(district, people)
    _advance(district, D("15000.00"), people)
    client.force_login(people["city"])
    # the city owes the district the difference
    row = _row(client.get(REPORT, {"year": YEAR}).content.decode(), district)
    assert _cell(row, "spending") == "40345.66"
    assert _cell(row, "city_share") == "17138.27"
    assert _cell(row, "district_share") == "23207.39"
    assert _cell(row, "balance") == "2138.27"
    assert _cell(row, "ratios") == "4:6 01–03, 5:5 04–12"
    # complete, not confirmed, past 30 January: overdue
    assert 'data-status="overdue"' in row
    assert 'data-status="provisional"' not in row
    # with an advance of 20,000.00 the district returns the difference
    CityAdvance.objects.filter(district=district).update(amount=D("20000.00"))
    row = _row(client.get(REPORT, {"year": YEAR}).content.decode(), district)
    assert _cell(row, "balance") == "-2861.73"
    [(result)] = reconciliation.year_report(people["city"], YEAR, district=district)
    assert result.shown.owed_to_city == D("2861.73")
    assert result.figures.due_on == date(YEAR + 1, 1, 30)


def test_confirming_freezes_the_year_and_refuses_a_later_correction(client, tree, people):
    district = tree["district"]
    _hand_year(district, people)
    _advance(district, D("15000.00"), people)
    client.force_login(people["city"])
    html = client.get(_detail(district)).content.decode()
    assert 'id="confirm-form"' in html
    # when city staff confirm
    client.post(_detail(district))
    final = FundingReconciliation.objects.get(district=district, year=YEAR)
    assert (final.advance, final.spending, final.city_share, final.district_share,
            final.balance) == (D("15000.00"), SPENDING, CITY, DISTRICT, D("2138.27"))
    assert final.ratios == "4:6 01–03, 5:5 04–12"
    assert final.confirmed_by == people["city"]
    # then the report is final, no longer overdue, and offers no confirmation
    html = client.get(_detail(district)).content.decode()
    assert 'data-status="final"' in html
    assert 'data-status="overdue"' not in html
    assert 'id="confirm-form"' not in html
    assert 'id="correct-advance"' not in html
    # correcting the advance is refused, on the year
    response = client.post(ADVANCE, {"district": district.pk, "year": YEAR,
                                     "amount": "16000.00", "paid_on": "2025-01-10"})
    assert response.status_code == 200
    assert "year" in response.context["form"].errors
    assert CityAdvance.objects.get(district=district, year=YEAR).amount == D("15000.00")
    # the frozen figures are shown even if the advance row were changed behind it
    CityAdvance.objects.filter(district=district).update(amount=D("1.00"))
    row = _row(client.get(REPORT, {"year": YEAR}).content.decode(), district)
    assert _cell(row, "advance") == "15000.00"
    # and the database refuses to change or remove the confirmed figures
    for statement in ("UPDATE settlement_fundingreconciliation SET balance = 0 WHERE id = %s",
                      "DELETE FROM settlement_fundingreconciliation WHERE id = %s"):
        with pytest.raises(InternalError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(statement, [final.pk])
    # confirming twice is refused
    with pytest.raises(ValidationError):
        reconciliation.confirm_reconciliation(district=district, year=YEAR,
                                              user=people["city"])


def test_a_year_with_an_open_month_is_provisional_and_cannot_be_confirmed(
        client, tree, people):
    district = tree["district"]
    _hand_year(district, people, open_month=date(YEAR, 7, 1))
    _advance(district, D("15000.00"), people)
    client.force_login(people["finance"])
    html = client.get(_detail(district)).content.decode()
    # the open month is listed, the report marked provisional
    assert 'data-open-month="2025-07"' in html
    assert 'data-status="provisional"' in html
    assert 'id="confirm-form"' not in html
    # city staff cannot confirm it either
    client.force_login(people["city"])
    assert 'id="confirm-form"' not in client.get(_detail(district)).content.decode()
    client.post(_detail(district))
    assert not FundingReconciliation.objects.exists()
    with pytest.raises(ValidationError) as error:
        reconciliation.confirm_reconciliation(district=district, year=YEAR,
                                              user=people["city"])
    assert "2025-07" in str(error.value)


def test_a_year_still_running_is_not_confirmed(tree, people):
    with pytest.raises(ValidationError) as error:
        reconciliation.confirm_reconciliation(district=tree["district"], year=YEAR,
                                              user=people["city"], today=date(YEAR, 12, 31))
    assert error.value.error_dict["year"][0].code == "not_over"


def test_a_complete_year_without_an_advance_is_not_confirmed(tree, people):
    _hand_year(tree["district"], people)
    with pytest.raises(ValidationError) as error:
        reconciliation.confirm_reconciliation(district=tree["district"], year=YEAR,
                                              user=people["city"])
    assert error.value.error_dict["advance"][0].code == "no_advance"


def test_each_district_sees_its_own_year_only(client, tree, people):
    district, other = tree["district"], tree["other_district"]
    _hand_year(district, people)
    _advance(district, D("15000.00"), people)
    # the other district's finance officer and staff: neither the row nor the page
    for user in (people["outsider"], people["outsider_staff"]):
        client.force_login(user)
        html = client.get(REPORT, {"year": YEAR}).content.decode()
        assert f'data-district="{district.pk}"' not in html
        assert f'data-district="{other.pk}"' in html
        assert "40345.66" not in html
        assert client.get(_detail(district)).status_code == 404
        assert "40345.66" not in client.get(XLSX, {"year": YEAR}).content.decode("latin-1")
    # the district's own staff see their district and no other
    client.force_login(people["district"])
    html = client.get(REPORT, {"year": YEAR}).content.decode()
    assert f'data-district="{district.pk}"' in html
    assert f'data-district="{other.pk}"' not in html
    # city staff see every district
    client.force_login(people["city"])
    html = client.get(REPORT, {"year": YEAR}).content.decode()
    assert f'data-district="{district.pk}"' in html
    assert f'data-district="{other.pk}"' in html


def test_only_city_staff_record_and_never_for_a_district_out_of_reach(client, tree, people):
    district = tree["district"]
    form = {"district": district.pk, "year": YEAR, "amount": "100.00",
            "paid_on": "2025-01-05"}
    # district staff and finance hold no permission to record
    for user in (people["district"], people["outsider"]):
        client.force_login(user)
        assert client.get(ADVANCE).status_code == 403
        assert client.post(ADVANCE, form).status_code == 403
    # a district user granted it still cannot pick another district
    outsider = people["outsider"]
    outsider.user_permissions.add(Permission.objects.get(
        content_type__app_label="settlement", codename="add_cityadvance"))
    client.force_login(outsider)
    response = client.post(ADVANCE, form)
    assert "district" in response.context["form"].errors
    assert not CityAdvance.objects.exists()
    # city staff record it, then correct it
    client.force_login(people["city"])
    response = client.post(ADVANCE, {**form, "reference": "SZ-1"})
    assert response["Location"] == _detail(district)
    client.post(ADVANCE, {**form, "amount": "150.00"})
    advance = CityAdvance.objects.get(district=district, year=YEAR)
    assert (advance.amount, advance.recorded_by) == (D("150.00"), people["city"])
    # the form for the same district and year opens with the advance
    html = client.get(ADVANCE, {"district": district.pk, "year": YEAR}).content.decode()
    assert 'value="150.00"' in html


def test_the_advance_forms_errors_are_on_their_fields_in_the_users_language(
        client, tree, people):
    client.force_login(people["city"])
    form = {"district": tree["district"].pk, "year": YEAR, "amount": "-5",
            "paid_on": "2025-01-05"}
    # Chinese by default: Django's own message for the amount
    errors = client.post(ADVANCE, form).context["form"].errors
    assert set(errors) == {"amount"}
    assert "大于或等于0" in errors["amount"][0]
    # English on request: the day outside the year and the December before
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    errors = client.post(ADVANCE, {**form, "amount": "5",
                                   "paid_on": "2024-11-30"}).context["form"].errors
    assert set(errors) == {"paid_on"}
    assert errors["paid_on"] == ["An advance for 2025 is paid between 2024-12-01 and "
                                 "2025-12-31."]
    errors = client.post(ADVANCE, {**form, "year": "1999", "amount": ""}).context[
        "form"].errors
    assert set(errors) == {"year", "amount"}
    assert not CityAdvance.objects.exists()
    # the December before is accepted
    client.post(ADVANCE, {**form, "amount": "5", "paid_on": "2024-12-01"})
    assert CityAdvance.objects.get().paid_on == date(2024, 12, 1)


def test_the_workbook_carries_the_reports_totals_and_no_formula(client, tree, people):
    district, other = tree["district"], tree["other_district"]
    other.name = "=HYPERLINK(\"http://x\",\"y\")"
    other.save(update_fields=["name"])
    _hand_year(district, people)
    _advance(district, D("15000.00"), people)
    _ratio(other, D("0.8"))
    _run(other, date(YEAR, 1, 1), people, payable=D("1000.00"), city=D("800.00"),
         rest=D("200.00"))
    _run(other, date(YEAR, 2, 1), people, status="computed", payable=D("999.00"),
         city=D("799.20"), rest=D("199.80"))
    client.force_login(people["city"])
    response = client.get(XLSX, {"year": YEAR})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Cache-Control"] == "no-store, private"
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    by_code = {row[0]: row for row in rows}
    ours, theirs, total = by_code[district.code], by_code[other.code], rows[-1]
    # columns: code, name, ratios, advance, spending, city, district, balance, owed ×2
    assert ours[3:10] == (15000, 40345.66, 17138.27, 23207.39, 2138.27, 2138.27, 0)
    # the other district: January only (February is not approved), no advance
    assert theirs[3:8] == (None, 1000, 800, 200, 800)
    assert theirs[10] == 11
    # the name that looks like a formula is text
    assert theirs[1] == "'" + other.name
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    # the totals row sums every district's figures
    html = client.get(REPORT, {"year": YEAR}).content.decode()
    for index, name in ((3, "advance"), (4, "spending"), (5, "city_share"),
                        (6, "district_share"), (7, "balance")):
        column = [row[index] or 0 for row in rows[:-1]]
        assert D(str(total[index])) == sum(D(str(v)) for v in column)
        assert f'data-total="{name}">{D(str(total[index])):.2f}<' in html
    assert D(str(total[4])) == D("41345.66")
    # the months sheet lists each district's twelve months
    months = list(workbook.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert len([m for m in months if m[0] == district.code]) == 12
    feb = next(m for m in months if m[0] == other.code and m[2] == "2025-02")
    assert feb[5] == 999
    assert feb[8] in ("否", "no")


def test_the_report_takes_the_same_queries_however_many_districts_and_months(
        client, tree, people):
    client.force_login(people["city"])
    _ratio(tree["district"], D("0.4"))
    _run(tree["district"], date(YEAR, 1, 1), people, payable=D(10), city=D(4), rest=D(6))
    _advance(tree["district"], D(1), people)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(REPORT, {"year": YEAR}).status_code == 200
        return len(queries)

    before = count()
    for _index in range(4):
        district = RegionFactory.district()
        _ratio(district, D("0.5"))
        _advance(district, D(100), people)
        for number in range(1, 13):
            _run(district, date(YEAR, number, 1), people, payable=D(10), city=D(5),
                 rest=D(5))
        FundingReconciliation.objects.create(
            district=district, year=YEAR, advance=D(100), spending=D(120), city_share=D(60),
            district_share=D(60), balance=D(-40), ratios="5:5", confirmed_by=people["city"],
            confirmed_at=timezone.now())
    assert count() == before
    # the whole district report as well
    with CaptureQueriesContext(connection) as queries:
        client.get(_detail(tree["district"]))
    assert len(queries) <= before + 2


def test_admin_lists_the_settlement_rows_and_refuses_a_final_years_advance(
        client, tree, people):
    from django.contrib.auth import get_user_model

    admin_user = get_user_model().objects.create_superuser("root", "r@example.org", "pw")
    district = tree["district"]
    advance = _advance(district, D(0), people)
    FundingReconciliation.objects.create(
        district=district, year=YEAR, advance=D(0), spending=D(0), city_share=D(0),
        district_share=D(0), balance=D(0), ratios="4:6", confirmed_by=people["city"],
        confirmed_at=timezone.now())
    client.force_login(admin_user)
    for name in ("assessmentfeeline", "withholding", "settlementdocument", "cityadvance",
                 "fundingreconciliation"):
        assert client.get(reverse(f"admin:settlement_{name}_changelist")).status_code == 200
    # a final year's advance is shown, not changed
    response = client.post(reverse("admin:settlement_cityadvance_change", args=[advance.pk]),
                           {"amount": "5", "paid_on": "2025-01-10"})
    assert response.status_code == 403
    advance.refresh_from_db()
    assert advance.amount == 0
    # nor is a new one added for it
    response = client.post(reverse("admin:settlement_cityadvance_add"),
                           {"district": tree["other_district"].pk, "year": YEAR,
                            "amount": "-1", "paid_on": "2025-01-10"})
    assert response.status_code == 200
    assert not CityAdvance.objects.filter(district=tree["other_district"]).exists()
