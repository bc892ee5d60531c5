"""Schemathesis against the OpenAPI schema, as every role and a provider's
API key: no server error, every answer documented (status code, content
type, body).

Each operation is fuzzed once per caller, in the world of ``conftest``:
generated path ids and body fields naming a row become rows the caller
sees, so the actions run for real; invalid (negative) input is generated
too. Requests go through Django's WSGI handler in the test's transaction.

Deterministic (derandomized), ``MAX_EXAMPLES`` per operation after the
schema's own examples; the coverage phase (every boundary value) is left
out to keep the run within minutes. Run it with
``pytest -m fuzz tests/fuzz`` (``-n 2`` halves the time).
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, settings

from apps.core.scoping import is_scoped_model
from eldercare.api import router

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

MAX_EXAMPLES = 20
CALLERS = ["street_staff", "care_manager", "district_staff", "assessor", "finance_officer",
           "provider_staff", "city_staff", "administrator", "provider_api_key"]
CHECKS = ["not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_headers_conformance", "response_schema_conformance"]

schema = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler())
schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True, database="none",
                                  with_security_parameters=False)
schema.config.checks.update(included_check_names=CHECKS)
schema.config.phases.update(phases=["examples", "fuzzing"])

# A caller refused this many times in a row from its first request is
# refused for the permission, which DRF checks before it reads the input:
# the operation's other examples are not sent (it keeps the run short).
REFUSALS_TO_STOP = 3
_refusals: dict[tuple[str, str], int] = {}

# Body fields naming a row, and the API prefix of its rows: a generated
# integer is swapped for a row the caller sees, so writes get past "does
# not exist" and into the services.
BODY_KEYS = {"elder": "elders", "provider": "providers", "referred_to": "providers",
             "application": "applications", "care_manager": "care-managers",
             "body": "assessment-bodies", "contract": "contracts", "staff": "provider-staff",
             "service_item": "service-items", "item": "service-items",
             "street": "regions", "region": "regions"}

VIEWSETS = {prefix: viewset for prefix, viewset, _basename in router.registry}
_known: dict[tuple[str, str], object] = {}


def known_key(caller: str, user, prefix: str):
    """The key of the first row of ``prefix`` that ``user`` sees, or None."""
    if (caller, prefix) not in _known:
        viewset = VIEWSETS[prefix]
        model = viewset.queryset.model
        rows = model._default_manager.all()
        if is_scoped_model(model):
            rows = rows.visible_to(user)
        field = getattr(viewset, "lookup_field", "pk")
        _known[caller, prefix] = rows.order_by("pk").values_list(field, flat=True).first()
    return _known[caller, prefix]


@pytest.mark.parametrize("caller", CALLERS)
@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck))
def test_api(case, caller, fuzz_identities, db):
    identity = fuzz_identities[caller]
    refused = (caller, case.operation.label)
    if _refusals.get(refused, 0) >= REFUSALS_TO_STOP:
        return
    path = case.path_parameters or {}
    for name, value in list(path.items()):
        if isinstance(value, int):
            key = known_key(caller, identity.user, case.path.split("/")[2])
            if key is not None:
                path[name] = key if isinstance(key, int) else str(key)
    if isinstance(case.body, dict):
        for name, prefix in BODY_KEYS.items():
            if isinstance(case.body.get(name), int) and not isinstance(case.body[name], bool):
                key = known_key(caller, identity.user, prefix)
                if key is not None:
                    case.body[name] = key
    response = case.call_and_validate(headers=identity.headers, cookies=identity.cookies)
    if _refusals.get(refused, 0) >= 0:
        # counts only while every answer so far was 403; any other answer stops counting
        _refusals[refused] = _refusals.get(refused, 0) + 1 if response.status_code == 403 else -1
