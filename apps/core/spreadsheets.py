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
