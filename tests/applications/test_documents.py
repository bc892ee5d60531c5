"""Documents: type by extension and content, size limit, random stored name
outside the web root, scoped and logged downloads."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.applications.models import Document
from apps.audit.models import AccessLog
from tests.factories import ApplicationFactory, ElderFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%scan\n"


def _upload(client, application, name, content, kind="identity_card"):
    return client.post(reverse("applications:document_upload", args=[application.pk]),
                       {"kind": kind, "file": SimpleUploadedFile(name, content)})


def test_a_scan_is_stored_under_a_random_name_and_served_to_the_street(client, window):
    application = ApplicationFactory(elder=window["elder"])
    client.force_login(window["clerk"])
    _upload(client, application, "王某 身份证.pdf", PDF)
    document = Document.objects.get()
    assert document.original_name == "王某 身份证.pdf"
    assert "王某" not in document.file.name
    assert str(settings.MEDIA_ROOT) in document.file.path
    assert str(settings.STATIC_ROOT) not in document.file.path
    response = client.get(reverse("applications:document_download", args=[document.pk]))
    assert b"".join(response.streaming_content) == PDF
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AccessLog.objects.filter(object_type="applications.document").exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [("scan.pdf", PNG), ("scan.exe", b"MZ" + b"\x00" * 10), ("scan.png", b""),
     ("photo.jpg", PDF)],
)
def test_wrong_type_content_or_empty_files_are_refused(client, window, name, content):
    application = ApplicationFactory(elder=window["elder"])
    client.force_login(window["clerk"])
    _upload(client, application, name, content)
    assert not Document.objects.exists()


def test_too_large_is_refused(client, window, settings):
    settings.APPLICATION_DOCUMENT_MAX_BYTES = 100
    application = ApplicationFactory(elder=window["elder"])
    client.force_login(window["clerk"])
    _upload(client, application, "big.png", PNG + b"\x00" * 200)
    assert not Document.objects.exists()


def test_other_streets_get_404_for_upload_and_download(client, window, tree):
    application = ApplicationFactory(elder=window["elder"])
    client.force_login(window["clerk"])
    _upload(client, application, "scan.png", PNG)
    document = Document.objects.get()
    client.force_login(window["sibling_clerk"])
    assert client.get(reverse("applications:document_download",
                              args=[document.pk])).status_code == 404
    other = ApplicationFactory(elder=ElderFactory(residence_street=tree["other_street"],
                                                  hukou_street=tree["other_street"]))
    client.force_login(window["clerk"])
    assert _upload(client, other, "scan.png", PNG).status_code == 404
