"""The stored statements of a run (issue 7 §5): rendered on the worker's
``pdf`` queue, kept with their checksum and size, downloaded from the run's
page.

``render_documents(run_id)`` renders a provider statement (PDF) per
provider of the run, the district summary (PDF) and the elder-level detail
(.xlsx, written in openpyxl's write-only mode), stores the files, then
creates or replaces the run's ``SettlementDocument`` rows in one
transaction under the run's lock:

- a run still being computed (draft) has nothing to render yet;
- the documents of a run not yet approved are replaced by each rendering
  (a recompute, a review, the approval, finance's "render again");
- once documents rendered for an approved run exist, they are never
  replaced: a paid run keeps the copies made at its approval;
- a rendering whose run changed meanwhile (status or computation) is
  discarded: the change queues its own rendering.

Rendering is slow (WeasyPrint, about a fifth of a second a page) and runs
outside any transaction; only the rows are written inside one. The files
of replaced or discarded documents are deleted once the transaction
commits. ``queue_rendering(run_id)`` schedules the task when the caller's
transaction commits, so the worker reads committed rows.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.core.pdf import render_pdf
from apps.settlement import statements
from apps.settlement.models import (
    CLOSED,
    DocumentKind,
    ProviderSettlement,
    RunStatus,
    SettlementDocument,
    SettlementRun,
)
from apps.visits.uploading import safe_cell

logger = logging.getLogger(__name__)

PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A run being computed (draft) has no figures to show yet.
RENDERABLE = (RunStatus.COMPUTED, RunStatus.REVIEWED, RunStatus.APPROVED, RunStatus.PAID)

PROVIDER_TEMPLATE = "settlement/pdf/provider_statement.html"
DISTRICT_TEMPLATE = "settlement/pdf/district_summary.html"


def queue_rendering(run_id: int) -> None:
    """Render the run's documents on the ``pdf`` queue once the current
    transaction commits (at once outside a transaction). A failure to queue
    (or, in eager mode, to render) is logged and does not undo the caller's
    committed step."""
    from apps.settlement.tasks import render_documents_task

    transaction.on_commit(lambda: render_documents_task.delay(run_id), robust=True)


def kept(run: SettlementRun) -> bool:
    """Documents rendered for an approved run exist: they are never replaced."""
    return SettlementDocument.objects.filter(run=run, run_status__in=CLOSED).exists()


def can_render(run: SettlementRun) -> bool:
    return run.status in RENDERABLE and not kept(run)


# --- rendering ----------------------------------------------------------------------


def provider_pdf(settlement: ProviderSettlement | int, generated_at: datetime | None = None
                 ) -> bytes:
    statement = statements.provider_statement(settlement)
    return render_pdf(PROVIDER_TEMPLATE, {
        "statement": statement, "run": statement.run, "draft": statement.draft,
        "draft_mark": statements.DRAFT_MARK, "generated_at": generated_at or timezone.now()})


def district_pdf(run: SettlementRun | int, generated_at: datetime | None = None) -> bytes:
    summary = statements.district_summary(run)
    return render_pdf(DISTRICT_TEMPLATE, {
        "summary": summary, "run": summary.run, "draft": summary.draft,
        "draft_mark": statements.DRAFT_MARK, "generated_at": generated_at or timezone.now()})


def elder_workbook(run: SettlementRun, target, generated_at: datetime | None = None) -> None:
    """Write the elder-level detail of ``run`` as .xlsx to ``target`` (a
    path or a binary file): a title row (with the draft marking of a run
    not approved), the translated header, one row per line and a totals
    row. Text from the registers (names, streets, items) that would read as
    a formula is neutralised."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    generated_at = timezone.localtime(generated_at or timezone.now())
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Detail"))
    widths = (12, 22, 16, 24, 18, 12, 10, 10, 10, 10, 10, 8, 10)
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A3"
    bold = Font(bold=True)

    def cells(values, *, font=None, formats=None):
        """The row's values; a cell object only where a style is wanted."""
        row = []
        for index, value in enumerate(values):
            number_format = formats.get(index) if formats else None
            if font is None and (number_format is None or value is None):
                row.append(value)
                continue
            cell = WriteOnlyCell(sheet, value=value)
            if font is not None:
                cell.font = font
            if number_format:
                cell.number_format = number_format
            row.append(cell)
        return row

    title = _("%(district)s · %(month)s · elder-level detail of the settlement · %(status)s") % {
        "district": run.district.name, "month": f"{run.month:%Y-%m}",
        "status": run.get_status_display()}
    if statements.is_draft(run):
        title = f"{statements.DRAFT_MARK} · {title}"
    sheet.append(cells([safe_cell(title), None, None, None, None, None, None, None, None,
                        _("Generated at"), generated_at.strftime("%Y-%m-%d %H:%M")],
                       font=bold))
    sheet.append(cells([str(label) for _name, label in statements.DETAIL_COLUMNS], font=bold))
    money = "#,##0.00"
    # the service date keeps openpyxl's own date format
    formats = {6: money, 7: money, 8: money, 9: money, 10: money, 12: "yyyy-mm"}
    yes, no = _("yes"), _("no")
    totals = [statements.ZERO] * 5
    count = 0
    for (elder, masked, street, provider, item, day, cost, covered, subsidy, elder_pays,
         bonus, is_adjustment, service_month) in statements.elder_detail_rows(run):
        count += 1
        for index, value in enumerate((cost, covered, subsidy, elder_pays, bonus)):
            totals[index] += value
        sheet.append(cells([safe_cell(elder), masked, safe_cell(street), safe_cell(provider),
                            safe_cell(item), day, cost, covered, subsidy, elder_pays, bonus,
                            yes if is_adjustment else no, service_month], formats=formats))
    sheet.append(cells([_("Total"), _("%(count)s lines") % {"count": count}, None, None,
                        None, None, *totals], font=bold, formats=formats))
    workbook.save(target)


# --- storing ------------------------------------------------------------------------


@dataclass
class Stored:
    kind: str
    provider_id: int | None
    name: str  # in the storage
    sha256: str
    size: int
    generated_at: datetime


def _field():
    return SettlementDocument._meta.get_field("file")


def _store(kind: str, provider_id: int | None, run: SettlementRun, content, suffix: str,
           generated_at: datetime) -> Stored:
    """Save ``content`` (bytes or a binary file) in the storage under a
    fresh name; its checksum and size are of what was saved."""
    digest, size = hashlib.sha256(), 0
    if isinstance(content, bytes):
        digest.update(content)
        size = len(content)
        upload = ContentFile(content)
    else:
        content.seek(0)
        for chunk in iter(lambda: content.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
        content.seek(0)
        upload = File(content)
    label = f"run{run.pk}-{run.month:%Y-%m}-{kind}" + (f"-{provider_id}" if provider_id else "")
    field = _field()
    name = field.storage.save(field.generate_filename(None, label + suffix), upload,
                              max_length=field.max_length)
    return Stored(kind, provider_id, name, digest.hexdigest(), size, generated_at)


def _delete_files(names) -> None:
    storage = _field().storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:  # already gone: nothing to clean
            logger.warning("settlement document file %s could not be deleted", name)


def _render_all(run: SettlementRun) -> list[Stored]:
    stored: list[Stored] = []
    try:
        with translation.override(settings.LANGUAGE_CODE):
            settlements = (ProviderSettlement.objects.filter(run=run)
                           .order_by("provider__name", "provider_id").values_list("pk",
                                                                                 "provider_id"))
            for pk, provider_id in settlements:
                at = timezone.now()
                stored.append(_store(DocumentKind.PROVIDER_STATEMENT, provider_id, run,
                                     provider_pdf(pk, at), ".pdf", at))
            at = timezone.now()
            stored.append(_store(DocumentKind.DISTRICT_SUMMARY, None, run,
                                 district_pdf(run, at), ".pdf", at))
            at = timezone.now()
            with tempfile.TemporaryFile() as handle:
                elder_workbook(run, handle, at)
                stored.append(_store(DocumentKind.ELDER_DETAIL, None, run, handle, ".xlsx",
                                     at))
    except BaseException:
        _delete_files(s.name for s in stored)
        raise
    return stored


def _save(run_id: int, snapshot: tuple, stored: list[Stored]) -> list[SettlementDocument] | None:
    """Create or replace the run's document rows, or None (nothing written)
    when the run changed since the rendering began or its approved copies
    exist."""
    with transaction.atomic():
        run = SettlementRun.objects.select_for_update().get(pk=run_id)
        if (run.status, run.computed_at) != snapshot:
            return None
        existing = {(d.kind, d.provider_id): d
                    for d in SettlementDocument.objects.filter(run=run).order_by("pk")}
        if any(d.run_status in CLOSED for d in existing.values()):
            return None
        replaced: list[str] = []
        documents = []
        for item in stored:
            document = existing.pop((item.kind, item.provider_id), None)
            if document is None:
                document = SettlementDocument(run=run, kind=item.kind,
                                              provider_id=item.provider_id)
            elif document.file.name:
                replaced.append(document.file.name)
            document.file.name = item.name
            document.sha256, document.size = item.sha256, item.size
            document.run_status, document.generated_at = run.status, item.generated_at
            document.save()
            documents.append(document)
        # a provider no longer in the run (recomputed) loses its statement
        for document in existing.values():
            replaced.append(document.file.name)
            document.delete()
        transaction.on_commit(lambda: _delete_files(replaced))
    return documents


def render_documents(run_id: int) -> list[SettlementDocument]:
    """Render and store the documents of a run (see the module docstring);
    returns the documents written, [] when nothing was (not renderable, kept,
    or the run changed meanwhile)."""
    run = SettlementRun.objects.select_related("district").get(pk=run_id)
    if run.status not in RENDERABLE or kept(run):
        return []
    snapshot = (run.status, run.computed_at)
    stored = _render_all(run)
    try:
        documents = _save(run_id, snapshot, stored)
    except BaseException:
        _delete_files(s.name for s in stored)
        raise
    if documents is None:
        _delete_files(s.name for s in stored)
        return []
    return documents


# --- serving ------------------------------------------------------------------------


def content_type(document: SettlementDocument) -> str:
    return XLSX_TYPE if document.file.name.endswith(".xlsx") else PDF_TYPE


def download_names(document: SettlementDocument) -> tuple[str, str]:
    """(an ASCII file name, the full name in the reader's language) for the
    Content-Disposition of a download."""
    run = document.run
    suffix = ".xlsx" if document.file.name.endswith(".xlsx") else ".pdf"
    ascii_name = f"settlement-{run.district.code}-{run.month:%Y-%m}-{document.kind}"
    parts = [run.district.name, f"{run.month:%Y-%m}", str(document.get_kind_display())]
    if document.provider_id:
        ascii_name += f"-provider-{document.provider_id}"
        parts.insert(2, document.provider.name)
    if document.run_status not in CLOSED:
        ascii_name += "-draft"
        parts.append(str(statements.DRAFT_MARK))
    return ascii_name + suffix, " ".join(parts) + suffix
