"""Importing a register: every bad row reported by row and column, nothing
written from a file with errors unless only the valid rows are asked for."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import Workbook

from apps.core.demo import synthetic_identity
from apps.elders import importing
from apps.elders.models import Elder
from tests.factories import ElderFactory

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "证件号码", "户籍街道", "居住街道", "独居", "低保", "月养老金", "劳模级别"]


def _number(seq, born=date(1945, 6, 1)):
    return synthetic_identity("440106", born, seq)


def _csv(rows, header=HEADER) -> bytes:
    lines = [",".join(header)] + [",".join(str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def _xlsx(rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def good_rows(tree):
    street = tree["street"]
    return [["陈桂英", _number(1), street.code, street.name, "是", "否", "2100.50", "无"],
            ["黄德明", _number(2), "", street.code, "否", "是", "", "市级"]]


@pytest.mark.parametrize("build", [_csv, _xlsx])
def test_a_clean_file_imports_every_row(window, good_rows, build):
    content = build(good_rows)
    name = "register.csv" if build is _csv else "register.xlsx"
    result = importing.import_register(content, name, user=window["clerk"], valid_only=False)
    assert result.created == 2
    first = Elder.objects.get(name="陈桂英")
    assert (first.lives_alone, first.monthly_pension, first.birth_date) == (
        True, __import__("decimal").Decimal("2100.50"), date(1945, 6, 1))
    second = Elder.objects.get(name="黄德明")
    assert (second.hukou_street, second.dibao, second.model_worker) == (None, True, "municipal")


def test_every_kind_of_bad_row_is_reported_at_its_row_and_column(window, tree, good_rows):
    street = tree["street"]
    registered = ElderFactory(residence_street=street, hukou_street=street)
    bad_check = _number(3)[:-1] + ("0" if _number(3)[-1] != "0" else "1")
    rows = [
        *good_rows,                                                         # rows 2, 3
        ["甲", bad_check, "", street.code, "", "", "", ""],                 # 4 check char
        ["乙", "440106194502300011", "", street.code, "", "", "", ""],      # 5 bad date
        ["丙", _number(4, date(1990, 1, 1)), "", street.code, "", "", "", ""],  # 6 under 60
        ["丁", _number(5), "", "不存在街道", "", "", "", ""],               # 7 unknown street
        ["戊", _number(6), "", tree["other_street"].code, "", "", "", ""],  # 8 not ours
        ["己", registered.id_number, "", street.code, "", "", "", ""],      # 9 in database
        ["庚", _number(1), "", street.code, "", "", "", ""],                # 10 twice in file
        ["辛", _number(7), "", street.code, "", "", "abc", ""],             # 11 pension
        ["壬", _number(8), "", street.code, "也许", "", "", ""],            # 12 flag value
    ]
    preview = importing.check_register(_csv(rows), "r.csv", user=window["clerk"])
    found = {(e.row, e.column) for e in preview.errors}
    assert found == {(4, "证件号码"), (5, "证件号码"), (6, "证件号码"), (7, "居住街道"),
                     (8, "居住街道"), (9, "证件号码"), (10, "证件号码"), (11, "月养老金"),
                     (12, "独居")}
    assert len(preview.valid) == 2
    messages = {e.row: e.message for e in preview.errors}
    assert messages[10] == "与第 2 行的号码相同。"


def test_a_file_with_errors_writes_nothing_unless_valid_only(window, tree, good_rows):
    rows = [*good_rows, ["甲", "123", "", tree["street"].code, "", "", "", ""]]
    nothing = importing.import_register(_csv(rows), "r.csv", user=window["clerk"],
                                        valid_only=False)
    assert (nothing.created, Elder.objects.filter(name__in=["陈桂英", "黄德明"]).count()) == (
        0, 0)
    valid = importing.import_register(_csv(rows), "r.csv", user=window["clerk"],
                                      valid_only=True)
    assert valid.created == 2
    assert valid.skipped_rows == 1


def test_the_error_report_never_holds_a_full_identity_number(window, tree):
    number = _number(9, date(1990, 1, 1))
    preview = importing.check_register(
        _csv([["甲", number, "", tree["street"].code, "", "", "", ""]]), "r.csv",
        user=window["clerk"])
    report = importing.error_report_csv(preview.errors).decode("utf-8")
    assert number not in report
    assert identity_mask(number) in report


def identity_mask(number):
    from apps.elders.identity import mask

    return mask(number)


def test_missing_columns_and_wrong_types_are_file_errors(window):
    with pytest.raises(importing.ImportFileError):
        importing.check_register(_csv([["x"]], header=["姓名"]), "r.csv", user=window["clerk"])
    with pytest.raises(importing.ImportFileError):
        importing.check_register(b"%PDF-1.4", "r.pdf", user=window["clerk"])


def test_screens_preview_then_import_valid_rows(client, window, tree, good_rows):
    rows = [*good_rows, ["甲", "123", "", tree["street"].code, "", "", "", ""]]
    client.force_login(window["clerk"])
    upload = io.BytesIO(_csv(rows))
    upload.name = "register.csv"
    preview = client.post(reverse("elders:elder_import"), {"file": upload})
    assert preview.context["preview"].error_rows == 1
    assert not Elder.objects.filter(name="陈桂英").exists()
    report = client.get(reverse("elders:elder_import_report"))
    assert "证件号码" in report.content.decode("utf-8")
    refused = client.post(reverse("elders:elder_import_confirm"), {"mode": "all"})
    assert refused.status_code == 200
    assert not Elder.objects.filter(name="陈桂英").exists()
    done = client.post(reverse("elders:elder_import_confirm"), {"mode": "valid_only"})
    assert done.status_code == 302
    assert Elder.objects.filter(name__in=["陈桂英", "黄德明"]).count() == 2


def test_provider_staff_cannot_import(client, tree):
    from apps.accounts.roles import Role
    from tests.factories import ProviderFactory, staff

    client.force_login(staff(Role.PROVIDER_STAFF,
                             provider=ProviderFactory(region=tree["district"])))
    assert client.get(reverse("elders:elder_import")).status_code == 403
