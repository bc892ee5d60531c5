"""Scans and photos attached to applications: checked by content, stored
under a random name outside the web root (MEDIA_ROOT is never served)."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from apps.applications.models import Document, DocumentKind

# extension -> (content type, magic bytes at the start of the file)
ALLOWED = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
}


def _sniff(upload, magics) -> bool:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    return any(head.startswith(m) for m in magics)


@transaction.atomic
def attach_document(*, application, kind: str, upload, by) -> Document:
    """Attach an uploaded file to ``application`` after checking its kind,
    type (by extension and by content) and size."""
    errors = {}
    if kind not in DocumentKind.values:
        errors["kind"] = ValidationError(_("Choose what the document is."), code="kind")
    extension = PurePath(upload.name or "").suffix.lower()
    limit = settings.APPLICATION_DOCUMENT_MAX_BYTES
    if extension not in ALLOWED:
        errors["file"] = ValidationError(_("Only PDF, JPEG and PNG files are accepted."),
                                         code="file_type")
    elif not _sniff(upload, ALLOWED[extension][1]):
        errors["file"] = ValidationError(
            _("The file's content is not a %(ext)s file."), params={"ext": extension[1:]},
            code="content_mismatch")
    elif upload.size > limit:
        errors["file"] = ValidationError(
            _("The file is larger than %(limit)s."), params={"limit": filesizeformat(limit)},
            code="file_size")
    elif upload.size == 0:
        errors["file"] = ValidationError(_("The file is empty."), code="empty")
    if errors:
        raise ValidationError(errors)
    document = Document(
        application=application, kind=kind, token=uuid.uuid4().hex,
        extension=".jpg" if extension == ".jpeg" else extension,
        original_name=PurePath(upload.name).name[:200], content_type=ALLOWED[extension][0],
        size=upload.size, uploaded_by=by)
    document.file.save("upload", upload, save=False)
    document.full_clean()
    document.save()
    return document
