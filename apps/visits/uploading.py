"""Spreadsheet upload of visits (.xlsx, .csv): the second intake channel.

The file is read with the shared reader (``apps.core.spreadsheets``), its
columns are found by their Chinese or English titles, every row becomes a
``VisitInput`` (a malformed cell is a parse error of its field: reason
``invalid``) and the rows go through ``intake.submit`` in batches of 500
under one ``IntakeBatch`` named after the file. Nothing is dropped: every
row answers accepted, rejected with its reasons, or unchanged.

The per-row results are kept beside the batch (a JSON file under
MEDIA_ROOT, outside the web root) for the result page and the error report:
a row identical to one sent before writes no new submission, yet the
provider must still see its outcome.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from apps.core import spreadsheets
from apps.core.spreadsheets import MAX_BYTES, is_blank, read_rows
from apps.visits import intake
from apps.visits.models import Channel, IntakeBatch
from apps.visits.reasons import Flag, Reason

BATCH = 500
# field -> accepted headers (the first is the one the template uses)
COLUMNS: dict[str, tuple[str, ...]] = {
    "provider_visit_id": ("服务单号", "visit_id", "provider_visit_id"),
    "elder_id_number": ("身份证号码", "证件号码", "身份证号", "elder_id_number"),
    "service_item": ("服务项目编码", "服务项目", "service_item"),
    "caregiver": ("服务人员编号", "服务人员", "caregiver"),
    "check_in_at": ("签到时间", "check_in_at"),
    "check_out_at": ("签退时间", "check_out_at"),
    "check_in_method": ("签到方式", "check_in_method"),
    "check_out_method": ("签退方式", "check_out_method"),
    "check_in_reason": ("手工原因", "签到手工原因", "手工录入原因", "check_in_reason",
                        "manual_reason"),
    "check_out_reason": ("签退手工原因", "check_out_reason"),
    "units": ("数量", "units"),
    "notes": ("备注", "服务内容", "notes"),
    "latitude": ("纬度", "latitude"),
    "longitude": ("经度", "longitude"),
    "confirmation": ("确认方式", "confirmation"),
    "confirmed_by_name": ("确认人", "confirmed_by_name"),
    "planned_start": ("计划开始时间", "planned_start"),
    "planned_end": ("计划结束时间", "planned_end"),
    "correction_reason": ("更正原因", "correction_reason"),
}
REQUIRED = ("provider_visit_id", "elder_id_number", "service_item", "caregiver",
            "check_in_at", "check_out_at", "check_in_method")


@dataclass
class UploadRow:
    row: int
    provider_visit_id: str
    outcome: str
    reasons: list[dict]
    flags: list[str]
    unchanged: bool
    visit_id: int | None = None


@dataclass
class UploadResult:
    batch: IntakeBatch
    rows: list[UploadRow] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # field -> the file's title


def map_header(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Field -> column index, and the titles no field takes."""
    return spreadsheets.map_header(header, COLUMNS, REQUIRED)


def _mapping(positions: dict[str, int], values: list) -> dict:
    return {name: values[index] if index < len(values) else None
            for name, index in positions.items()}


def upload_visits(content: bytes, filename: str, *, provider, user) -> UploadResult:
    """Read the file and submit its rows; raises ``ImportFileError`` when
    the file as a whole cannot be read (nothing is recorded then)."""
    header, rows = read_rows(content, filename, max_bytes=MAX_BYTES)
    positions, unknown = map_header(header)
    batch = IntakeBatch.objects.create(provider=provider, channel=Channel.UPLOAD,
                                       filename=filename[:200], submitted_by=user)
    result = UploadResult(batch=batch, unknown_columns=unknown,
                          columns={name: header[index] for name, index in positions.items()})
    pending: list[intake.VisitInput] = []

    def flush():
        for outcome in intake.submit(provider, pending, channel=Channel.UPLOAD, user=user,
                                     batch=batch):
            result.rows.append(UploadRow(
                row=outcome.row_number, provider_visit_id=outcome.provider_visit_id,
                outcome=str(outcome.outcome), reasons=list(outcome.reasons),
                flags=[str(f) for f in outcome.flags], unchanged=outcome.unchanged,
                visit_id=outcome.visit_id))
        pending.clear()

    for number, values in enumerate(rows, start=2):
        if is_blank(values):
            continue
        pending.append(intake.from_mapping(_mapping(positions, values), number))
        if len(pending) >= BATCH:
            flush()
    if pending:
        flush()
    save_results(result)
    return result


# --- the results kept beside the batch ------------------------------------------


def _results_path(batch_pk: int) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "visit-uploads"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder / f"{int(batch_pk)}.json"


def save_results(result: UploadResult) -> None:
    _results_path(result.batch.pk).write_text(json.dumps({
        "columns": result.columns, "unknown_columns": result.unknown_columns,
        "rows": [asdict(row) for row in result.rows]}, ensure_ascii=False), "utf-8")


def load_results(batch: IntakeBatch) -> UploadResult:
    """The results of an upload: as kept, or (the file gone) the rows the
    batch wrote."""
    result = UploadResult(batch=batch)
    path = _results_path(batch.pk)
    if path.exists():
        data = json.loads(path.read_text("utf-8"))
        result.columns = data.get("columns", {})
        result.unknown_columns = data.get("unknown_columns", [])
        result.rows = [UploadRow(**row) for row in data.get("rows", [])]
        return result
    for sub in batch.submissions.order_by("row_number", "pk"):
        result.rows.append(UploadRow(
            row=sub.row_number, provider_visit_id=sub.provider_visit_id, outcome=sub.outcome,
            reasons=sub.reasons, flags=list(sub.flags), unchanged=False, visit_id=sub.visit_id))
    return result


# --- showing reasons --------------------------------------------------------------


def reason_label(code: str) -> str:
    try:
        return str(Reason(code).label)
    except ValueError:
        return code


def flag_label(code: str) -> str:
    try:
        return str(Flag(code).label)
    except ValueError:
        return code


def describe(reason: dict, columns: dict[str, str]) -> dict:
    """A reason for the screen: its label in the user's language, the
    column of the file it concerns and the detail when there is one."""
    label = reason_label(reason["code"])
    message = reason.get("message", "")
    detail = message if message and message != label and not message.startswith(label) \
        else ""
    if message.startswith(label) and message != label:
        detail = message[len(label):].lstrip(":： ")
    field_name = reason.get("field", "")
    return {"code": reason["code"], "label": label, "detail": detail, "field": field_name,
            "column": columns.get(field_name) or COLUMNS.get(field_name, (field_name,))[0]}


# A cell starting with one of these is a formula to a spreadsheet program
# (CSV injection): the report prefixes it with an apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> object:
    """``value`` as a spreadsheet shows it, never run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def error_report_csv(result: UploadResult) -> bytes:
    """Every reason of every rejected row as a CSV row (UTF-8 with BOM); a
    cell the provider's file supplied (the visit id, a column title) that
    would read as a formula is neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Row"), _("Visit id"), _("Column"), _("Reason code"), _("Reason"),
                     _("Detail")])
    for row in result.rows:
        if row.outcome != "rejected":
            continue
        for reason in row.reasons:
            shown = describe(reason, result.columns)
            writer.writerow([safe_cell(value) for value in (
                row.row, row.provider_visit_id, shown["column"], shown["code"],
                shown["label"], shown["detail"])])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_csv() -> bytes:
    """A header row with the accepted column titles."""
    return ("\ufeff" + ",".join(aliases[0] for aliases in COLUMNS.values())
            + "\n").encode("utf-8")
