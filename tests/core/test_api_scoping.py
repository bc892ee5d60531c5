"""API filters obey the scope: an out-of-scope id in a filter answers
exactly like an id that does not exist."""

from datetime import date

import pytest
from django_filters import ModelChoiceFilter, ModelMultipleChoiceFilter

from apps.core.demo import synthetic_identity
from apps.core.filters import ScopedFilterBackend
from apps.core.scoping import is_scoped_model
from apps.elders.models import Elder
from eldercare.api import router
from tests.core import scope_walk

pytestmark = pytest.mark.django_db


def _scoped_filters():
    backend = ScopedFilterBackend()
    for prefix, viewset, _basename in router.registry:
        view = viewset(action="list")
        filterset_class = backend.get_filterset_class(view, viewset.queryset)
        if filterset_class is None:
            continue
        for name, declared in filterset_class.base_filters.items():
            queryset = declared.extra.get("queryset")
            if isinstance(declared, ModelChoiceFilter | ModelMultipleChoiceFilter) \
                    and queryset is not None and is_scoped_model(queryset.model):
                yield prefix, name, queryset.model


def test_there_are_scoped_filters_to_check():
    assert len(list(_scoped_filters())) >= 3


def test_out_of_scope_filter_ids_look_like_missing_ids(client):
    world = scope_walk.build_world()
    client.force_login(scope_walk.almighty(region=world.sibling))
    victims = {type(obj): obj for obj, _marker in world.victims.values()}
    for prefix, name, model in _scoped_filters():
        victim = victims[model]
        out_of_scope = client.get(f"/api/{prefix}/", {name: victim.pk})
        missing = client.get(f"/api/{prefix}/", {name: 987654321})
        assert out_of_scope.status_code == missing.status_code == 400, (prefix, name)
        assert out_of_scope.json() == {
            key: [m.replace("987654321", str(victim.pk)) for m in msgs]
            for key, msgs in missing.json().items()
        }, (prefix, name)


def test_identity_number_search_cannot_probe_other_streets(client):
    # given a victim elder and an outsider holding every permission
    world = scope_walk.build_world()
    victim, _marker = world.victims[Elder]
    client.force_login(scope_walk.almighty(region=world.sibling))
    # when the outsider searches the victim's exact number, and a number
    # nobody holds
    known = client.post("/api/elders/search/", {"id_number": victim.id_number},
                        content_type="application/json")
    unknown = client.post("/api/elders/search/", {"id_number": synthetic_identity(
        "440106", date(1940, 1, 1), 999)}, content_type="application/json")
    # then both answers are the same empty page
    assert known.status_code == unknown.status_code == 200
    assert known.json() == unknown.json() == {
        "count": 0, "next": None, "previous": None, "results": []}


def test_the_api_speaks_json_only(client, street_user):
    client.force_login(street_user)
    response = client.get("/api/elders/", HTTP_ACCEPT="text/html")
    assert response["Content-Type"] != "text/html; charset=utf-8"
    assert b"<html" not in response.content
