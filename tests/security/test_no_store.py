"""Every file the system hands out with personal data in it (PDFs, .xlsx and
.csv exports, error reports, scans and photos) answers ``Cache-Control:
no-store``, as every signed-in page does: a shared office PC's browser cache
or a proxy must not keep a copy."""

import pytest
from django.urls import resolve

from tests.core import scope_walk

pytestmark = pytest.mark.django_db

FILE_TYPES = ("application/pdf", "text/csv", "application/vnd.openxmlformats",
              "application/octet-stream", "image/")

# the file views the walk below must reach (each found by grepping the views
# for FileResponse, attachment and content types)
EXPECTED_FILES = {
    "applications:document_download",  # an application's scan or photo
    "assessments:assessment_report_pdf",  # the Appendix C assessment report
    "assessments:fee_statement_pdf",  # a body's monthly fee statement
    "settlement:document_download",  # a run's district or provider statement
    "settlement:reconciliation_xlsx",  # the funding reconciliation workbook
    "visits:statement_pdf",  # an elder's monthly statement
    "visits:upload_report",  # a visit upload's rejected rows (.csv)
    "visits:upload_template",  # the upload template (.csv)
    "elders:elder_import_template",  # the register template (.csv)
    "visits:visit_photo",  # the photo a caregiver took at the door
}


def _is_file(response) -> bool:
    content_type = response.get("Content-Type", "")
    return ("Content-Disposition" in response
            or any(content_type.startswith(kind) for kind in FILE_TYPES))


def _walk_files(client, world, user):
    client.force_login(user)
    files = {}
    for regex, callback in scope_walk.iter_patterns():
        if regex.startswith(("admin/", "api/")):
            continue
        for path, _out_of_scope in scope_walk.concrete_paths(world, regex, callback):
            response = client.get(path)
            if response.status_code == 200 and _is_file(response):
                match = resolve(path)
                files[f"{match.namespace}:{match.url_name}"] = (
                    path, response["Content-Type"], response.get("Cache-Control"))
            if response.status_code == 405:
                client.force_login(user)
    return files


def test_every_file_with_personal_data_is_not_stored(client):
    from django.core.files.base import ContentFile

    world = scope_walk.build_world()
    from tests.visits.factories import make_visit
    from tests.visits.factories import world as visit_world

    # a visit with the photo taken at the door (visits never change: a new one)
    visit = make_visit(visit_world(district=world.district, street=world.street),
                       photo=ContentFile(b"\xff\xd8\xff\xe0 photo", name="door.jpg"))
    world.victims["photo"] = (visit, "")
    files = _walk_files(client, world, scope_walk.almighty(region=world.district))
    provider = world.victims[scope_walk.apps.get_model("visits", "IntakeBatch")][0].provider
    files.update(_walk_files(client, world, scope_walk.almighty(provider=provider)))
    # an elder's monthly statement, for a month the walk's "1" cannot name
    client.force_login(scope_walk.almighty(region=world.district))
    path = f"/visits/statement/{visit.elder_id}/{visit.service_date:%Y-%m}/pdf/"
    response = client.get(path)
    assert response["Content-Type"] == "application/pdf"
    files["visits:statement_pdf"] = (path, response["Content-Type"],
                                     response.get("Cache-Control"))
    assert EXPECTED_FILES - set(files) == set()
    cached = {name: row for name, row in files.items() if row[2] != "no-store, private"}
    assert cached == {}


def test_api_answers_to_a_provider_key_are_not_stored(client):
    # a key-authenticated call has no session: the API's own user must count
    from apps.visits.tokens import issue_token
    from tests.factories import ProviderFactory, RegionFactory

    provider = ProviderFactory(region=RegionFactory.district())
    _token, raw = issue_token(provider, "nightly upload")
    listing = client.get("/api/visits/", HTTP_AUTHORIZATION=f"Token {raw}")
    assert listing.status_code == 200
    assert listing["Cache-Control"] == "no-store, private"
    bulk = client.post("/api/visits/bulk/", {"visits": []}, content_type="application/json",
                       HTTP_AUTHORIZATION=f"Token {raw}")
    assert bulk["Cache-Control"] == "no-store, private"
