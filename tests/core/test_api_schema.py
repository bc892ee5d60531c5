"""What the OpenAPI schema promises matches what the API answers: the
errors every operation can give, and blank choices (found by the API
fuzzing, tests/fuzz)."""

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_operation_documents_the_errors_it_can_answer(schema):
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        queries = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        assert "403" in responses, (method, path)
        if "{" in path or "page" in queries:
            assert "404" in responses, (method, path)
        if queries or "requestBody" in operation:
            assert "400" in responses, (method, path)


def test_a_read_only_choice_that_may_be_blank_allows_blank(schema):
    kind = schema["components"]["schemas"]["Facility"]["properties"]["kind"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in kind["oneOf"]
    end_reason = schema["components"]["schemas"]["ServiceAgreement"]["properties"]["end_reason"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in end_reason["oneOf"]


def test_an_api_path_no_route_matches_answers_json(client, street_user):
    client.force_login(street_user)
    response = client.get("/api/applications/0.5/eligibility-preview/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
