"""The assessment fee statements of Art 21: compiled month by month per
assessment body and paying district, issued once the month is over and
never changed after; the screens, the PDF and the scheduled tasks."""

import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from apps.accounts.roles import Role
from apps.applications import services as applications
from apps.assessments import services
from apps.assessments.models import Assessment, FeeStatement
from apps.assessments.standards import gbt_42195
from apps.assessments.tasks import (
    compile_fee_statements_task,
    request_routine_reassessments_task,
)
from apps.audit.models import AccessLog
from tests.factories import (
    AssessmentBodyFactory,
    AssessorFactory,
    ElderFactory,
    EntitlementFactory,
    staff,
)

pytestmark = pytest.mark.django_db

FULL = {item.code: str(item.maximum) for item in gbt_42195().items}
OCTOBER = date(2025, 10, 1)


@pytest.fixture
def team(tree):
    body = AssessmentBodyFactory(name="广州康评评估中心", districts=[tree["district"]])
    return {"body": body, "a": AssessorFactory(body=body), "b": AssessorFactory(body=body)}


def _elder(tree, name="梁桂英"):
    return ElderFactory(name=name, residence_street=tree["street"], hukou_street=tree["street"])


def _assessment(elder, team, on, application=None, lock=True):
    """An assessment requested, scheduled, answered, scored on ``on`` and
    (unless ``lock`` is false) signed and locked."""
    assessment = services.request_assessment(elder=elder, reason="first",
                                             application=application, on=on)
    services.schedule_assessment(assessment=assessment, body=team["body"],
                                 assessors=[team["a"], team["b"]], place="home", on=on)
    services.save_answers(assessment=assessment, answers=FULL)
    services.score_assessment(assessment=assessment, on=on)
    if lock:
        services.sign_assessment(assessment=assessment, informant_name="梁志明",
                                 informant_relationship="儿子")
    return Assessment.objects.get(pk=assessment.pk)


def _subsidy_application(elder, clerk, on):
    return applications.receive_application(elder=elder, kind="subsidy", by=clerk,
                                            received_on=on)


@pytest.fixture
def october(tree, window, team):
    """Two locked assessments of October 2025 (a subsidy applicant's and an
    own-cost elder's) and one still awaiting signatures."""
    subsidised = _elder(tree, "梁桂英")
    application = _subsidy_application(subsidised, window["clerk"], date(2025, 10, 9))
    return {
        "subsidy": _assessment(subsidised, team, date(2025, 10, 15), application),
        "own_cost": _assessment(_elder(tree, "陈伯"), team, date(2025, 10, 20)),
        "unlocked": _assessment(_elder(tree, "何婆婆"), team, date(2025, 10, 22), lock=False),
    }


def test_compile_bills_locked_assessments_once_per_body_and_district(october, team, tree):
    assert (october["subsidy"].district_pays, october["subsidy"].elder_pays) == (
        Decimal("100.00"), Decimal("0.00"))
    assert (october["own_cost"].district_pays, october["own_cost"].elder_pays) == (
        Decimal("50.00"), Decimal("50.00"))
    touched = services.compile_fee_statements(month=OCTOBER)
    assert len(touched) == 1
    statement = FeeStatement.objects.get()
    assert (statement.body, statement.district, statement.month, statement.status) == (
        team["body"], tree["district"], OCTOBER, "draft")
    assert (statement.assessment_count, statement.fee_total, statement.district_total,
            statement.elder_total) == (2, Decimal("200.00"), Decimal("150.00"),
                                       Decimal("50.00"))
    # the one awaiting signatures is not billed
    october["unlocked"].refresh_from_db()
    assert october["unlocked"].fee_statement is None
    # compiling again bills nothing twice
    services.compile_fee_statements(month=OCTOBER)
    statement.refresh_from_db()
    assert FeeStatement.objects.count() == 1
    assert (statement.assessment_count, statement.fee_total) == (2, Decimal("200.00"))
    assert set(statement.assessments.values_list("pk", flat=True)) == {
        october["subsidy"].pk, october["own_cost"].pk}


def test_a_month_is_issued_once_over_and_late_results_go_to_the_next_month(
        october, team, tree, district_user):
    statement = services.compile_fee_statements(month=OCTOBER)[0]
    with pytest.raises(ValidationError) as early:
        services.issue_fee_statement(statement=statement, by=district_user,
                                     today=date(2025, 10, 31))
    assert early.value.code == "month_not_over"
    issued = services.issue_fee_statement(statement=statement, by=district_user,
                                          today=date(2025, 11, 1))
    assert (issued.status, issued.issued_by) == ("issued", district_user)
    # the third one is signed after October's statement was issued
    services.sign_assessment(assessment=october["unlocked"], informant_name="何伯")
    services.compile_fee_statements(month=OCTOBER)
    issued.refresh_from_db()
    assert (issued.assessment_count, issued.fee_total, issued.district_total) == (
        2, Decimal("200.00"), Decimal("150.00"))
    assert Assessment.objects.get(pk=october["unlocked"].pk).fee_statement is None
    november = services.compile_fee_statements(month=date(2025, 11, 1))
    assert [(s.month, s.assessment_count, s.fee_total) for s in november] == [
        (date(2025, 11, 1), 1, Decimal("100.00"))]
    assert Assessment.objects.get(pk=october["unlocked"].pk).fee_statement == november[0]
    issued.refresh_from_db()
    assert issued.assessment_count == 2


def test_list_and_detail_are_scoped_to_the_paying_district(client, october, tree):
    statement = services.compile_fee_statements(month=OCTOBER)[0]
    detail = reverse("assessments:fee_statement_detail", args=[statement.pk])
    finance = staff(Role.FINANCE_OFFICER, region=tree["district"])
    client.force_login(finance)
    listing = client.get(reverse("assessments:fee_statement_list"))
    assert listing.status_code == 200
    assert "广州康评评估中心" in listing.content.decode()
    page = client.get(detail)
    text = page.content.decode()
    assert page.status_code == 200
    assert "梁桂英" in text
    assert "陈伯" in text
    assert "何婆婆" not in text
    # the identity number never shows, masked or not
    elder = october["subsidy"].elder
    assert elder.id_number not in text
    assert elder.id_number_masked not in text
    # finance reads but neither issues nor compiles
    assert reverse("assessments:fee_statement_issue", args=[statement.pk]) not in text
    assert client.post(reverse("assessments:fee_statement_issue",
                               args=[statement.pk])).status_code == 403
    # another district sees nothing of it
    client.force_login(staff(Role.DISTRICT_STAFF, region=tree["other_district"]))
    assert "广州康评评估中心" not in client.get(
        reverse("assessments:fee_statement_list")).content.decode()
    assert client.get(detail).status_code == 404
    assert client.get(reverse("assessments:fee_statement_pdf",
                              args=[statement.pk])).status_code == 404
    assert client.post(reverse("assessments:fee_statement_issue",
                               args=[statement.pk])).status_code == 404


def test_list_filters_by_month_and_status(client, october, district_user):
    services.compile_fee_statements(month=OCTOBER)
    client.force_login(district_user)
    url = reverse("assessments:fee_statement_list")
    assert "广州康评评估中心" in client.get(url, {"month": "2025-10",
                                                   "status": "draft"}).content.decode()
    assert "广州康评评估中心" not in client.get(url, {"month": "2025-09"}).content.decode()
    assert "广州康评评估中心" not in client.get(url, {"status": "issued"}).content.decode()


def test_compile_and_issue_from_the_screens(client, october, district_user):
    client.force_login(district_user)
    listing = client.get(reverse("assessments:fee_statement_list")).content.decode()
    assert reverse("assessments:fee_statement_compile") in listing
    response = client.post(reverse("assessments:fee_statement_compile"),
                           {"month": "2025-10"}, follow=True)
    assert response.status_code == 200
    statement = FeeStatement.objects.get()
    assert statement.assessment_count == 2
    with translation.override("zh-hans"):
        expected = gettext("Statements updated for %(month)s: %(count)d.") % {
            "month": "2025-10", "count": 1}
    assert [(m.level_tag, str(m)) for m in response.context["messages"]] == [
        ("success", expected)]
    # a month still to come is refused
    future = (timezone.localdate().replace(day=28) + timedelta(days=10))
    client.post(reverse("assessments:fee_statement_compile"), {"month": f"{future:%Y-%m}"})
    assert FeeStatement.objects.count() == 1
    detail = client.get(reverse("assessments:fee_statement_detail", args=[statement.pk]))
    assert reverse("assessments:fee_statement_issue", args=[statement.pk]) in \
        detail.content.decode()
    response = client.post(reverse("assessments:fee_statement_issue", args=[statement.pk]),
                           follow=True)
    assert response.status_code == 200
    statement.refresh_from_db()
    assert (statement.status, statement.issued_by) == ("issued", district_user)
    assert reverse("assessments:fee_statement_issue", args=[statement.pk]) not in \
        response.content.decode()


def test_issuing_a_month_not_over_shows_an_error_not_a_500(client, tree, team, district_user):
    today = timezone.localdate()
    _assessment(_elder(tree), team, today)
    statement = services.compile_fee_statements(month=today.replace(day=1))[0]
    client.force_login(district_user)
    response = client.post(reverse("assessments:fee_statement_issue", args=[statement.pk]),
                           follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    statement.refresh_from_db()
    assert statement.status == "draft"


def test_the_pdf_totals_equal_the_lines(client, october, district_user):
    statement = services.compile_fee_statements(month=OCTOBER)[0]
    client.force_login(district_user)
    response = client.get(reverse("assessments:fee_statement_pdf", args=[statement.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AccessLog.objects.filter(object_type="assessments.feestatement",
                                    object_id=str(statement.pk), action="print").exists()
    # the same context renders the page: its totals row is the sum of its lines
    page = client.get(reverse("assessments:fee_statement_detail", args=[statement.pk]))
    lines, totals = page.context["lines"], page.context["line_totals"]
    assert totals["fee"] == sum(line.fee for line in lines) == statement.fee_total
    assert totals["district"] == sum(line.district_pays for line in lines) \
        == statement.district_total
    assert totals["elder"] == sum(line.elder_pays for line in lines) == statement.elder_total
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=response.content,
                          capture_output=True, check=True).stdout.decode()
    assert "广州康评评估中心" in text
    assert "200.00" in text
    assert "150.00" in text


def test_the_tasks_compile_and_request(october, tree, team):
    summary = compile_fee_statements_task.apply(args=["2025-10"]).get()
    assert summary == {"month": "2025-10", "statements": 1, "assessments": 2,
                       "fee_total": "200.00"}
    # by default last month, here nothing to bill
    default = compile_fee_statements_task.apply().get()
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    assert default["month"] == f"{last_month:%Y-%m}"
    assert default["assessments"] == 0
    # a subsidised elder last assessed more than the interval ago is called back
    EntitlementFactory(elder=october["subsidy"].elder)
    assert request_routine_reassessments_task.apply().get() == 1
    assert request_routine_reassessments_task.apply().get() == 0
