"""Reading an uploaded register or list (.xlsx, .csv): the one reader the
elder import and the visit upload share.

``read_rows`` gives the header and an iterator of raw rows (cell values as
the file holds them: text from a CSV, numbers, dates and datetimes from a
spreadsheet). A CSV may be UTF-8 (with or without BOM) or GB18030, as Excel
on Chinese Windows writes it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import PurePath

from django.utils.translation import gettext as _

MAX_BYTES = 20 * 1024 * 1024


class ImportFileError(ValueError):
    """The file as a whole cannot be read (type, size, headers)."""


def read_rows(content: bytes, filename: str, *, max_bytes: int = MAX_BYTES
              ) -> tuple[list[str], Iterator[list]]:
    """The header and the data rows of a .csv or .xlsx file."""
    if len(content) > max_bytes:
        raise ImportFileError(_("The file is larger than %(mb)s MB.") % {"mb": max_bytes >> 20})
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".csv":
        rows = iter(csv.reader(io.StringIO(decode(content))))
    elif suffix == ".xlsx":
        rows = xlsx_rows(content)
    else:
        raise ImportFileError(_("Upload a .xlsx or .csv file."))
    header = next(rows, None)
    if not header:
        raise ImportFileError(_("The file is empty."))
    return [str(h or "").strip() for h in header], rows


def decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("The file is neither UTF-8 nor GB18030 text."))


def xlsx_rows(content: bytes) -> Iterator[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(_("The spreadsheet cannot be read.")) from exc
    sheet = workbook.worksheets[0]
    for values in sheet.iter_rows(values_only=True):
        yield list(values)
    workbook.close()


def is_blank(values: list) -> bool:
    """A row with nothing in any cell (spreadsheets keep formatted empty rows)."""
    return not any(v is not None and str(v).strip() for v in values)


def map_header(header: list[str], columns: dict[str, tuple[str, ...]],
               required: tuple[str, ...]) -> tuple[dict[str, int], list[str]]:
    """Field -> column index from a file's titles (any of each field's
    accepted titles, case-insensitive; the first column wins), and the
    titles no field takes. A required field without a column refuses the
    file, naming the missing columns by their template title."""
    by_alias = {alias.lower(): name for name, aliases in columns.items() for alias in aliases}
    positions: dict[str, int] = {}
    unknown: list[str] = []
    for index, title in enumerate(header):
        name = by_alias.get(title.lower())
        if name is None:
            if title:
                unknown.append(title)
        elif name not in positions:
            positions[name] = index
    missing = [columns[name][0] for name in required if name not in positions]
    if missing:
        raise ImportFileError(_("Missing columns: %(columns)s.") % {
            "columns": "、".join(missing)})
    return positions, unknown

