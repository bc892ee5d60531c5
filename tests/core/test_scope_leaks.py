"""Nothing leaks sideways: every URL (HTML, API, admin) walked as users of a
sibling street, of another district and of another provider, each holding
every permission there is, shows nothing of the victim street."""

import pytest
from django.test import override_settings

from apps.core.admin import ScopedAdmin
from tests.core import scope_walk
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return scope_walk.build_world()


def test_every_scoped_model_has_a_victim():
    # given every model that declares a place
    missing = [m for m in scope_walk.scoped_models() if m not in scope_walk.VICTIM_BUILDERS]
    # then the leak walk knows how to place one of it in the victim street
    assert missing == []


def test_every_admin_for_a_scoped_model_is_scoped():
    unscoped = [model for model, admin in scope_walk.admin_models().items()
                if scope_walk.is_scoped_model(model) and not isinstance(admin, ScopedAdmin)]
    assert unscoped == []


def test_every_url_pattern_can_be_walked(world):
    # a pattern the walker cannot render would raise here and be skipped silently otherwise
    paths = [p for regex, cb in scope_walk.iter_patterns()
             for p in scope_walk.concrete_paths(world, regex, cb)]
    assert len(paths) > 50


@pytest.mark.parametrize("outsider", ["sibling_street", "other_district", "other_provider"])
def test_no_leak_to_outsiders(client, world, outsider):
    # given a user with every permission but another jurisdiction
    user = {
        "sibling_street": lambda: scope_walk.almighty(region=world.sibling),
        "other_district": lambda: scope_walk.almighty(region=world.other_street.parent),
        "other_provider": lambda: scope_walk.almighty(provider=ProviderFactory(
            region=world.other_district)),
    }[outsider]()
    # when they request every URL pattern filled with the victims' keys
    findings, _seen, requests = scope_walk.walk(client, world, user, outsider)
    # then nothing of the victim street shows and every victim key is a 404
    assert requests > 50
    assert findings == []


def test_insider_sees_every_victim(client, world):
    """The positive control: the walk reaches a page showing each victim, so
    an absent marker for outsiders means scoping, not an unreachable page."""
    user = scope_walk.almighty(region=world.district)
    _findings, seen, _requests = scope_walk.walk(client, world, user, "insider")
    assert seen == set(world.markers)


@override_settings(ROOT_URLCONF="tests.core.leaky_urls")
def test_walk_catches_a_view_that_forgets_scoping(client, world):
    # given the real URLs plus one list and one detail view that skip visible_to
    user = scope_walk.almighty(region=world.sibling)
    # when the walk runs
    findings, _seen, _requests = scope_walk.walk(client, world, user, "sibling_street")
    # then both forgetful views are reported, and nothing else
    paths = {f.path.split("/")[1] for f in findings}
    assert paths == {"leaky"}
    reasons = {f.reason for f in findings}
    assert "out-of-scope key not answered 404" in reasons
    assert any(r.startswith("shows ") for r in reasons)
