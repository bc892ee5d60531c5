"""Spreadsheet upload of visits (.csv, .xlsx): the rows go through the same
intake; the result page, the error report and the template."""

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import Workbook

from apps.accounts.roles import Role
from apps.core.spreadsheets import ImportFileError
from apps.visits import uploading
from apps.visits.models import IntakeBatch, ServiceVisit, VisitSubmission
from tests.factories import staff
from tests.visits.factories import world

pytestmark = pytest.mark.django_db

HEADER = ["服务单号", "身份证号码", "服务项目编码", "服务人员编号", "签到时间", "签退时间",
          "签到方式", "手工原因", "数量", "备注", "纬度", "经度", "更正原因"]


@pytest.fixture
def w():
    return world()


def day():
    return timezone.localdate() - timedelta(days=4)


def rows(w):
    d = f"{day():%Y-%m-%d}"
    return [
        ["U-1", w.elder.id_number, "RN-HOME", str(w.caregiver.pk), f"{d} 09:00",
         f"{d} 09:45", "刷卡", "", "", "康复训练", "23.1292", "113.2645", ""],
        # a bad row: the check-out is no time at all, and a manual entry without reason
        ["U-2", w.elder.id_number, "LC-HOME", str(w.caregiver.pk), f"{d} 13:00",
         "下午", "手工", "", "", "", "", "", ""],
        ["U-3", w.elder.id_number, "LC-HOME", str(w.caregiver.pk), f"{d} 15:00",
         f"{d} 16:30", "手工", "卡遗失", "", "助洁", "", "", ""],
    ]


def as_csv(header, data, encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(data)
    return out.getvalue().encode(encoding)


def as_xlsx(header, data) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for values in data:
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def outcomes(result):
    return [(row.row, row.outcome) for row in result.rows]


def test_a_csv_with_a_bad_row(w):
    result = uploading.upload_visits(as_csv(HEADER, rows(w)), "十一月.csv", provider=w.provider,
                                     user=w.user)
    assert outcomes(result) == [(2, "accepted"), (3, "rejected"), (4, "accepted")]
    bad = result.rows[1]
    assert {(r["code"], r["field"]) for r in bad.reasons} == {
        ("invalid", "check_out_at"), ("manual_reason_required", "check_in_reason"),
        ("manual_reason_required", "check_out_reason")}
    batch = IntakeBatch.objects.get(pk=result.batch.pk)
    assert (batch.channel, batch.filename, batch.rows, batch.accepted, batch.rejected) == (
        "upload", "十一月.csv", 3, 2, 1)
    care = ServiceVisit.objects.get(provider_visit_id="U-3")
    assert care.units == Decimal("1.50")
    assert care.check_out_method == "manual"
    assert care.check_out_reason == "卡遗失"
    assert VisitSubmission.objects.get(provider_visit_id="U-2").row_number == 3


def test_an_xlsx_with_real_times_and_a_gb18030_csv(w):
    data = rows(w)
    d = day()
    data[0][4] = datetime(d.year, d.month, d.day, 9, 0)  # a spreadsheet time cell
    data[0][5] = datetime(d.year, d.month, d.day, 9, 45)
    data[0][3] = w.caregiver.pk  # a number cell
    result = uploading.upload_visits(as_xlsx(HEADER, data), "visits.xlsx",
                                     provider=w.provider, user=w.user)
    assert outcomes(result) == [(2, "accepted"), (3, "rejected"), (4, "accepted")]
    visit = ServiceVisit.objects.get(provider_visit_id="U-1")
    assert timezone.localtime(visit.check_in_at).hour == 9
    # the same rows again, as Excel on Chinese Windows writes a CSV: nothing changes
    again = uploading.upload_visits(as_csv(HEADER, rows(w), "gb18030"), "visits.csv",
                                    provider=w.provider, user=w.user)
    assert [row.unchanged for row in again.rows] == [True, True, True]
    assert again.batch.unchanged == 3
    assert ServiceVisit.objects.count() == 2


def test_an_identity_number_read_as_a_number_asks_for_a_text_column(w):
    """Excel keeps 15 digits of a number cell: an 18-digit number typed into
    one has lost its last digits. The row says so on the identity-number
    column, with the hint to format it as text, not 'unknown elder'."""
    data = [rows(w)[0], [*rows(w)[0]], [*rows(w)[0]]]
    data[1][0], data[1][1] = "U-8", float("440106195001010018")  # as Excel keeps it
    data[2][0], data[2][1] = "U-9", 440106195001010018  # a number cell all the same
    for values, hour in ((data[1], "11"), (data[2], "13")):
        values[4], values[5] = (values[4].replace("09:", f"{hour}:"),
                                values[5].replace("09:", f"{hour}:"))
    result = uploading.upload_visits(as_xlsx(HEADER, data), "v.xlsx", provider=w.provider,
                                     user=w.user)
    assert outcomes(result) == [(2, "accepted"), (3, "rejected"), (4, "rejected")]
    for bad in result.rows[1:]:
        assert [(r["code"], r["field"]) for r in bad.reasons] == [
            ("invalid", "elder_id_number")]
        assert bad.reasons[0]["message"] == gettext(
            "The identity number was read as a number and has lost digits: format "
            "the column as text and enter the numbers again.")
    kept = VisitSubmission.objects.get(provider_visit_id="U-8").payload
    assert "440106195001010" not in str(kept)


def test_the_error_report_neutralises_formulas(w):
    """A cell starting with = + - @ would run as a formula in a spreadsheet
    program: the report prefixes it with an apostrophe."""
    data = [[*rows(w)[1]] for _ in range(4)]
    for value, values in zip(("=HYPERLINK(\"http://x\")", "+1+2", "-3+4", "@SUM(A1)"), data,
                             strict=True):
        values[0] = value
    result = uploading.upload_visits(as_csv(HEADER, data), "v.csv", provider=w.provider,
                                     user=w.user)
    lines = list(csv.reader(io.StringIO(
        uploading.error_report_csv(result).decode("utf-8-sig"))))
    assert {line[1] for line in lines[1:]} == {
        "'=HYPERLINK(\"http://x\")", "'+1+2", "'-3+4", "'@SUM(A1)"}
    assert all(not cell.startswith(("=", "+", "-", "@")) for line in lines for cell in line)
    assert uploading.safe_cell("U-1") == "U-1"
    assert uploading.safe_cell(3) == 3


def test_english_headers_and_the_file_as_a_whole(w):
    english = ["visit_id", "elder_id_number", "service_item", "caregiver", "check_in_at",
               "check_out_at", "check_in_method", "check_in_reason", "units", "notes",
               "latitude", "longitude", "correction_reason", "something else"]
    data = [[*r, "x"] for r in rows(w)]
    result = uploading.upload_visits(as_csv(english, data), "v.csv", provider=w.provider,
                                     user=w.user)
    assert outcomes(result)[0] == (2, "accepted")
    assert result.unknown_columns == ["something else"]
    with pytest.raises(ImportFileError):
        uploading.upload_visits(as_csv(["服务单号", "备注"], []), "v.csv", provider=w.provider,
                                user=w.user)
    with pytest.raises(ImportFileError):
        uploading.upload_visits(b"%PDF", "v.pdf", provider=w.provider, user=w.user)
    with pytest.raises(ImportFileError):
        uploading.upload_visits(b"not a workbook", "v.xlsx", provider=w.provider, user=w.user)
    assert IntakeBatch.objects.count() == 1


def test_rows_go_in_batches_of_500_under_one_upload(w, monkeypatch):
    from apps.visits import intake

    calls = []
    original = intake.submit

    def counting(provider, batch_rows, **kwargs):
        calls.append(len(batch_rows))
        return original(provider, batch_rows, **kwargs)

    monkeypatch.setattr(uploading.intake, "submit", counting)
    monkeypatch.setattr(uploading, "BATCH", 2)
    result = uploading.upload_visits(as_csv(HEADER, rows(w)), "v.csv", provider=w.provider,
                                     user=w.user)
    assert calls == [2, 1]
    assert IntakeBatch.objects.get().rows == 3
    assert len(result.rows) == 3


# --- the screens ---------------------------------------------------------------------------


def test_upload_page_result_report_and_template(w, client):
    client.force_login(w.user)
    assert client.get(reverse("visits:upload")).status_code == 200
    upload = SimpleUploadedFile("visits.csv", as_csv(HEADER, rows(w)), "text/csv")
    response = client.post(reverse("visits:upload"), {"file": upload})
    batch = IntakeBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("visits:upload_result", args=[batch.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'data-row="3"' in page
    assert 'data-row="2"' not in page
    assert 'data-code="invalid"' in page
    assert "签退时间" in page
    every = client.get(response["Location"] + "?show=all").content.decode()
    assert 'data-row="2"' in every
    report = client.get(reverse("visits:upload_report", args=[batch.pk]))
    text = report.content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert [line[:4] for line in lines[1:]] == [
        ["3", "U-2", "签退时间", "invalid"], ["3", "U-2", "手工原因", "manual_reason_required"],
        ["3", "U-2", "签退手工原因", "manual_reason_required"]]
    template = client.get(reverse("visits:upload_template")).content.decode("utf-8-sig")
    assert template.startswith("服务单号,身份证号码,服务项目编码,服务人员编号,签到时间,签退时间")
    assert 'href="{}"'.format(reverse("visits:upload_result", args=[batch.pk])) in client.get(
        reverse("visits:upload")).content.decode()


def test_a_bad_file_answers_on_the_form(w, client):
    client.force_login(w.user)
    upload = SimpleUploadedFile("visits.txt", b"hello", "text/plain")
    response = client.post(reverse("visits:upload"), {"file": upload})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not IntakeBatch.objects.exists()


def test_results_are_the_providers_own(w, client):
    result = uploading.upload_visits(as_csv(HEADER, rows(w)), "v.csv", provider=w.provider,
                                     user=w.user)
    other = world()
    client.force_login(other.user)
    for name in ("visits:upload_result", "visits:upload_report"):
        assert client.get(reverse(name, args=[result.batch.pk])).status_code == 404
    street = staff(Role.STREET_STAFF, region=w.street)
    client.force_login(street)
    assert client.get(reverse("visits:upload")).status_code == 403
