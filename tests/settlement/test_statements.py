"""The statements of a run (issue 7 §5), on a hand-computed September:

- the first provider (graded good for rehabilitation nursing: 3 a visit)
  served its elder three times and another elder once, 45 minutes of
  rehabilitation nursing at 50 each, class 1: cost 200, subsidy 200, the
  elders pay nothing, performance subsidy 4 x 3 = 12, payable 212;
- the second provider (no grade) served a class-2 elder three times: cost
  150, subsidy half of it, 75, the elder pays 75, payable 75;
- the run: 7 visits, cost 350, subsidy 275, elders pay 75, performance
  subsidy 12, payable 287; the subsidy split 4:6: the city 110.00, the district 177.00.

The PDFs are read back with ``pdftotext`` (and ``pdffonts`` for the
embedded Chinese font), the workbook with openpyxl; the download goes
through the test client.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from apps.accounts.roles import Role, sync_roles
from apps.audit.models import AccessAction, AccessLog
from apps.catalogue.models import ServiceCategory
from apps.elders.models import Elder
from apps.evaluations.models import Grade, ProviderGrade
from apps.findings.models import Finding
from apps.settlement import compute, documents, jobs, services, statements
from apps.settlement.models import (
    DocumentKind,
    ProviderSettlement,
    RunStatus,
    SettlementDocument,
    SettlementLine,
    SettlementRun,
    Withholding,
)
from apps.settlement.services import start_run
from apps.subsidies.models import Entitlement
from tests.factories import staff
from tests.visits.factories import add_elder, local, make_visit

pytestmark = pytest.mark.django_db

MONTH = date(2025, 9, 1)
D = Decimal


def pdf_text(content: bytes) -> str:
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content,
                            capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def pdf_fonts(content: bytes) -> list[list[str]]:
    """The rows of ``pdffonts``: name, type, encoding, emb, sub, uni, ..."""
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        result = subprocess.run(["pdffonts", handle.name], capture_output=True, check=True)
    lines = result.stdout.decode().splitlines()[2:]
    return [line.split() for line in lines if line.strip()]


def draft_mark() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(statements.DRAFT_MARK)


@pytest.fixture
def september(tree, month_of_visits):
    """The computed September run (see the module docstring)."""
    first, second = month_of_visits
    ProviderGrade.objects.create(provider=first.provider, category="rehabilitation_nursing",
                                 year=2024, grade="good", effective_from=date(2024, 3, 1))
    Entitlement.objects.filter(pk=second.entitlement.pk).update(
        subsidy_class="class2", monthly_amount=D("200.00"), elder_share=D("0.5"))
    run, _created = start_run(district=tree["district"], month=MONTH)
    run = jobs.compute_run(run.pk)
    assert run.status == RunStatus.COMPUTED
    return run, first, second


def settlement_of(run, world) -> ProviderSettlement:
    return ProviderSettlement.objects.get(run=run, provider=world.provider)


@pytest.fixture(autouse=True)
def roles(db):
    """The roles hold the permissions of the table, the documents' included
    (as the migration syncing the roles gives them)."""
    sync_roles()


@pytest.fixture
def finance(tree):
    return staff(Role.FINANCE_OFFICER, region=tree["district"])


def approve(run, tree):
    reviewer = staff(Role.DISTRICT_STAFF, region=tree["district"])
    approver = staff(Role.FINANCE_OFFICER, region=tree["district"], first_name="Approver")
    services.review(run=run, user=reviewer, note="checked")
    services.approve(run=SettlementRun.objects.get(pk=run.pk), user=approver)
    return SettlementRun.objects.get(pk=run.pk)


# --- the data -----------------------------------------------------------------------


def test_the_provider_statement_is_the_hand_computed_month(september):
    run, first, second = september
    statement = statements.provider_statement(settlement_of(run, first))
    assert [(i.code, i.visits, i.cost, i.covered, i.subsidy, i.elder_pays, i.bonus)
            for i in statement.items] == [("RN-HOME", 4, D("200.00"), D("200.00"),
                                           D("200.00"), D("0.00"), D("12.00"))]
    totals = statement.totals
    assert (totals["visits"], totals["elders"], totals["cost"], totals["subsidy"],
            totals["elder_pays"], totals["bonus"]) == (4, 2, D("200.00"), D("200.00"),
                                                       D("0.00"), D("12.00"))
    assert sorted((e.visits, e.cost) for e in statement.elders) == [(1, D("50.00")),
                                                                    (3, D("150.00"))]
    assert [(b.category, b.grade, b.visits, b.bonus_visits, b.per_visit, b.amount)
            for b in statement.bonuses] == [
        (str(ServiceCategory.REHABILITATION_NURSING.label), str(Grade.GOOD.label), 4, 4,
         D("3.00"), D("12.00"))]
    assert statement.payable == {"subsidy": D("200.00"), "bonus": D("12.00"),
                                 "adjustments": D("0.00"), "withheld": D("0.00"),
                                 "payable": D("212.00")}
    assert statement.adjustments == []
    assert statement.withholdings == []
    assert statement.draft

    other = statements.provider_statement(settlement_of(run, second))
    assert (other.totals["cost"], other.totals["subsidy"], other.totals["elder_pays"],
            other.totals["bonus"]) == (D("150.00"), D("75.00"), D("75.00"), D("0.00"))
    # an item earning the subsidy, but no grade in force: counted, nothing earned
    assert [(b.grade, b.visits, b.bonus_visits, b.amount) for b in other.bonuses] == [
        ("", 3, 0, D("0.00"))]
    assert other.payable["payable"] == D("75.00")


def test_the_district_summary_is_the_hand_computed_month(september, tree):
    run, first, second = september
    summary = statements.district_summary(run)
    assert [(p.provider_id, p.payable) for p in summary.providers] == sorted(
        [(first.provider.pk, D("212.00")), (second.provider.pk, D("75.00"))],
        key=lambda row: ProviderSettlement.objects.get(run=run, provider_id=row[0])
        .provider.name)
    assert summary.provider_totals["payable"] == D("287.00") == run.payable
    assert [(s.street, s.elders, s.visits, s.cost, s.subsidy, s.elder_pays, s.bonus)
            for s in summary.streets] == [(tree["street"].name, 3, 7, D("350.00"),
                                           D("275.00"), D("75.00"), D("12.00"))]
    assert summary.city_ratio == D("0.4")
    assert summary.ratio == "40% : 60%"
    # the 275.00 subsidy is shared 4:6; the 12.00 performance subsidy is the district's
    assert (run.city_share, run.district_share) == (D("110.00"), D("177.00"))


def test_adjustments_and_withholdings_are_shown_by_month(september, tree):
    run, first, _second = september
    # an August visit recorded late, one withdrawn and one whose split moved,
    # and a confirmed finding withheld
    august = [make_visit(first, check_in_at=local(date(2025, 8, day))) for day in (4, 11, 18)]
    rows = [(august[0], D("50.00"), D("50.00"), D("3.00")),
            (august[1], D("-50.00"), D("-50.00"), D("-3.00")),
            (august[2], D("0.00"), D("-10.00"), D("0.00"))]
    SettlementLine.objects.bulk_create([
        SettlementLine(run=run, provider=first.provider, elder=first.elder, visit=visit,
                       service_month=date(2025, 8, 1), is_adjustment=True, cost=cost,
                       covered=cost, subsidy=subsidy, elder_pays=cost - subsidy, bonus=bonus)
        for visit, cost, subsidy, bonus in rows])
    finding = Finding.objects.create(
        rule="followup_not_received", source_key="test-1", district=tree["district"],
        month=date(2025, 8, 1), provider=first.provider, elder=first.elder,
        summary="The elder said the visit was not received.", amount=D("50.00"),
        status="confirmed")
    Withholding.objects.create(run=run, provider=first.provider, finding=finding,
                               amount=D("50.00"))
    item = settlement_of(run, first)
    compute.total_provider(item)

    statement = statements.provider_statement(item)
    (august_row,) = statement.adjustments
    assert (august_row.month, august_row.added, august_row.withdrawn, august_row.changed,
            august_row.cost, august_row.subsidy, august_row.bonus, august_row.amount) == (
        date(2025, 8, 1), 1, 1, 1, D("0.00"), D("-10.00"), D("0.00"), D("-10.00"))
    assert [(w.summary, w.amount) for w in statement.withholdings] == [
        ("The elder said the visit was not received.", D("50.00"))]
    # the month's own sections leave the adjustment lines out
    assert statement.totals["visits"] == 4
    assert len(statement.elders) == 2
    # payable = 200 + 12 + (-10) - 50, as stored by the computation
    assert statement.payable["payable"] == D("152.00")
    text = pdf_text(documents.provider_pdf(item))
    assert "2025-08" in text
    assert "-10.00" in text
    assert "The elder said the visit was not received." in text
    assert "152.00" in text


def test_assembling_a_provider_statement_takes_the_same_queries_for_more_elders(
        tree, month_of_visits):
    first, _second = month_of_visits
    run, _created = start_run(district=tree["district"], month=MONTH)

    def queries() -> int:
        jobs.compute_run(run.pk)
        item = settlement_of(run, first)
        with CaptureQueriesContext(connection) as captured:
            statement = statements.provider_statement(item.pk)
        return len(captured), len(statement.elders)

    few, elders_before = queries()
    for n in range(6):
        other = add_elder(first)
        for day in (5, 12):
            make_visit(first, elder=other["elder"], agreement=other["agreement"],
                       check_in_at=local(date(2025, 9, day), hour=8 + n))
    many, elders_after = queries()
    assert elders_after == elders_before + 6
    assert many == few <= 6


# --- the PDFs -----------------------------------------------------------------------


def test_the_provider_statement_pdf_carries_the_totals_and_only_masked_ids(september):
    run, first, _second = september
    content = documents.provider_pdf(settlement_of(run, first))
    text = pdf_text(content)
    for figure in ("200.00", "12.00", "212.00", "150.00"):
        assert figure in text
    elders = Elder.objects.filter(pk__in=SettlementLine.objects.filter(
        run=run, provider=first.provider).values("elder"))
    assert elders.count() == 2
    for elder in elders:
        assert elder.name in text
        assert elder.id_number_masked in text
        assert elder.id_number not in text
    assert first.provider.name in text
    assert draft_mark() in text
    # the Chinese font is embedded (a subset), not left to the reader
    fonts = pdf_fonts(content)
    assert fonts
    assert any("CJK" in row[0] for row in fonts)
    assert all("yes" in row[-5:-2] for row in fonts), fonts


def test_the_district_summary_pdf_carries_the_totals_and_the_split(september, tree):
    run, first, second = september
    text = pdf_text(documents.district_pdf(run))
    for figure in ("350.00", "275.00", "287.00", "110.00", "177.00", "40%", "60%"):
        assert figure in text
    assert tree["street"].name in text
    assert first.provider.name in text
    assert second.provider.name in text
    assert draft_mark() in text


def test_the_draft_marking_goes_once_the_run_is_approved(september, tree):
    run, first, _second = september
    drafts = documents.render_documents(run.pk)
    assert {d.run_status for d in drafts} == {RunStatus.COMPUTED}
    for document in drafts:
        if document.kind != DocumentKind.ELDER_DETAIL:
            assert draft_mark() in pdf_text(document.file.read())
    run = approve(run, tree)
    approved = documents.render_documents(run.pk)
    assert {d.run_status for d in approved} == {RunStatus.APPROVED}
    assert {d.pk for d in approved} == {d.pk for d in drafts}  # replaced in place
    statement = next(d for d in approved if d.provider_id == first.provider.pk)
    text = pdf_text(statement.file.read())
    assert draft_mark() not in text
    assert "212.00" in text
    assert "Approver" in text  # the finance officer who approved signs
    # the copies of the approval are never replaced, nor after the payment
    kept = {d.pk: (d.sha256, d.file.name) for d in SettlementDocument.objects.filter(run=run)}
    assert documents.render_documents(run.pk) == []
    services.record_payment(run=run, paid_on=timezone.localdate(), reference="PAY-1")
    assert documents.render_documents(run.pk) == []
    assert {d.pk: (d.sha256, d.file.name)
            for d in SettlementDocument.objects.filter(run=run)} == kept


# --- the workbook and the stored files ----------------------------------------------


def test_the_workbook_has_a_row_per_line_and_the_totals(september):
    from openpyxl import load_workbook

    run, first, _second = september
    Elder.objects.filter(pk=first.elder.pk).update(name="=HYPERLINK(\"http://x\")")
    documents.render_documents(run.pk)
    document = SettlementDocument.objects.get(run=run, kind=DocumentKind.ELDER_DETAIL)
    sheet = load_workbook(io.BytesIO(document.file.read())).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    title, header, *lines, total = rows
    assert draft_mark() in title[0]
    with translation.override(settings.LANGUAGE_CODE):
        assert list(header) == [str(label) for _name, label in statements.DETAIL_COLUMNS]
    assert len(lines) == SettlementLine.objects.filter(run=run).count() == 7
    sums = SettlementLine.objects.filter(run=run).aggregate(
        *[Sum(name) for name in ("cost", "covered", "subsidy", "elder_pays", "bonus")])
    expected = [sums[f"{name}__sum"] for name in ("cost", "covered", "subsidy",
                                                  "elder_pays", "bonus")]
    assert [D(str(value)) for value in total[6:11]] == expected
    assert expected == [D("350.00"), D("350.00"), D("275.00"), D("75.00"), D("12.00")]
    # a name reading as a formula is text; identity numbers are masked
    names = {line[0] for line in lines}
    assert "'=HYPERLINK(\"http://x\")" in names
    assert not any(isinstance(cell, str) and cell.startswith("=") for row in rows
                   for cell in row)
    masked = set(Elder.objects.filter(pk__in=SettlementLine.objects.filter(run=run)
                                      .values("elder")).values_list("id_number_masked",
                                                                    flat=True))
    assert {line[1] for line in lines} == masked


def test_every_document_is_stored_with_its_checksum(september,
                                                   django_capture_on_commit_callbacks):
    run, _first, _second = september
    stored = documents.render_documents(run.pk)
    # a statement per provider, the district summary, the elder-level detail
    assert sorted(d.kind for d in stored) == sorted(
        [DocumentKind.PROVIDER_STATEMENT] * 2 + [DocumentKind.DISTRICT_SUMMARY,
                                                 DocumentKind.ELDER_DETAIL])
    for document in SettlementDocument.objects.filter(run=run):
        content = document.file.read()
        assert hashlib.sha256(content).hexdigest() == document.sha256
        assert len(content) == document.size
    # rendering again replaces the files of a run not approved (the old
    # files go once the rows are committed)
    old_names = set(SettlementDocument.objects.filter(run=run).values_list("file", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        documents.render_documents(run.pk)
    new_names = set(SettlementDocument.objects.filter(run=run).values_list("file", flat=True))
    assert not old_names & new_names
    storage = SettlementDocument._meta.get_field("file").storage
    assert not any(storage.exists(name) for name in old_names)


def test_a_rendering_overtaken_by_a_recompute_is_discarded(september):
    run, _first, _second = september
    snapshot = (run.status, run.computed_at)
    stored = documents._render_all(run)
    jobs.compute_run(run.pk)  # computed again meanwhile
    assert documents._save(run.pk, snapshot, stored) is None
    assert not SettlementDocument.objects.filter(run=run).exists()


def test_rendering_is_queued_when_the_transaction_commits(september,
                                                          django_capture_on_commit_callbacks):
    run, _first, _second = september
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        documents.queue_rendering(run.pk)
        assert not SettlementDocument.objects.filter(run=run).exists()
    assert callbacks
    assert SettlementDocument.objects.filter(run=run).count() == 4


# --- the run's page and the download --------------------------------------------------


def test_finance_downloads_a_statement_never_cached_and_logged(client, september, finance,
                                                               tree):
    run, first, _second = september
    documents.render_documents(run.pk)
    client.force_login(finance)
    html = client.get(reverse("settlement:run_detail", args=[run.pk])).content.decode()
    assert 'id="statements"' in html
    statement = SettlementDocument.objects.get(run=run, provider=first.provider)
    url = reverse("settlement:document_download", args=[statement.pk])
    assert url in html
    assert statement.sha256[:12] in html
    assert 'id="render-form"' in html

    response = client.get(url)
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert hashlib.sha256(content).hexdigest() == statement.sha256
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename=\"settlement-")
    assert disposition.isascii()
    assert "filename*=UTF-8''" in disposition
    entry = AccessLog.objects.get(object_type="settlement.settlementdocument",
                                  object_id=str(statement.pk))
    assert (entry.user, entry.action, entry.region) == (finance, AccessAction.PRINT,
                                                        tree["district"])

    workbook = SettlementDocument.objects.get(run=run, kind=DocumentKind.ELDER_DETAIL)
    response = client.get(reverse("settlement:document_download", args=[workbook.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "no-store" in response["Cache-Control"]


def test_another_districts_user_gets_404(client, september, tree):
    run, _first, _second = september
    documents.render_documents(run.pk)
    outsider = staff(Role.FINANCE_OFFICER, region=tree["other_district"])
    client.force_login(outsider)
    for document in SettlementDocument.objects.filter(run=run):
        response = client.get(reverse("settlement:document_download", args=[document.pk]))
        assert response.status_code == 404
    response = client.post(reverse("settlement:render_documents", args=[run.pk]))
    assert response.status_code == 404
    assert not AccessLog.objects.filter(object_type="settlement.settlementdocument").exists()


def test_finance_renders_again_until_the_run_is_approved(
        client, september, finance, tree, django_capture_on_commit_callbacks):
    run, _first, _second = september
    client.force_login(finance)
    url = reverse("settlement:render_documents", args=[run.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert SettlementDocument.objects.filter(run=run, run_status=RunStatus.COMPUTED).count() == 4
    # district staff may not
    client.force_login(staff(Role.DISTRICT_STAFF, region=tree["district"]))
    assert client.post(url).status_code == 403
    # once approved and rendered, the button goes and a post changes nothing
    run = approve(run, tree)
    documents.render_documents(run.pk)
    before = set(SettlementDocument.objects.filter(run=run).values_list("sha256", flat=True))
    client.force_login(finance)
    html = client.get(reverse("settlement:run_detail", args=[run.pk])).content.decode()
    assert 'id="render-form"' not in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert set(SettlementDocument.objects.filter(run=run).values_list(
        "sha256", flat=True)) == before
