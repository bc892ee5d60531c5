"""One world for the whole fuzz module: built once, rolled back at the end.

Every test (one per role and operation) runs inside it in its own savepoint,
so what one test writes never reaches the next.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client

from apps.accounts.roles import Role
from apps.regions.models import Region, RegionKind
from tests.core import scope_walk
from tests.factories import AssessmentBodyFactory, AssessorFactory, staff


@dataclass
class Identity:
    """How one caller authenticates: a session cookie, or a provider's key."""

    user: object
    headers: dict = field(default_factory=dict)
    cookies: dict = field(default_factory=dict)


CSRF = "f" * 32  # any 32-character secret: the cookie and the header agree


def _session(user) -> Identity:
    client = Client()
    client.force_login(user)
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF}
    return Identity(user, {"X-CSRFToken": CSRF}, cookies)


def _build():
    from apps.visits.tokens import issue_token
    from tests.visits.factories import make_visit
    from tests.visits.factories import world as visit_world

    world = scope_walk.build_world()
    visits = visit_world(district=world.district, street=world.street)
    make_visit(visits)
    city = Region.objects.get(kind=RegionKind.CITY)
    users = {
        Role.STREET_STAFF: staff(Role.STREET_STAFF, region=world.street),
        Role.CARE_MANAGER: staff(Role.CARE_MANAGER, region=world.street),
        Role.DISTRICT_STAFF: staff(Role.DISTRICT_STAFF, region=world.district),
        Role.ASSESSOR: staff(Role.ASSESSOR, region=world.district),
        Role.FINANCE_OFFICER: staff(Role.FINANCE_OFFICER, region=world.district),
        Role.PROVIDER_STAFF: visits.user,
        Role.CITY_STAFF: staff(Role.CITY_STAFF, region=city),
        Role.ADMINISTRATOR: staff(Role.ADMINISTRATOR, region=city),
    }
    AssessorFactory(user=users[Role.ASSESSOR],
                    body=AssessmentBodyFactory(districts=[world.district]))
    identities = {role.value: _session(user) for role, user in users.items()}
    token, raw = issue_token(visits.provider, "fuzz")
    identities["provider_api_key"] = Identity(token.user, {"Authorization": f"Token {raw}"})
    return identities


@pytest.fixture(scope="module")
def fuzz_identities(django_db_setup, django_db_blocker):
    """The callers, each with a jurisdiction holding one row of every scoped
    model (``scope_walk``) and a provider with a contract, an elder, an
    agreement, a plan and a visit.

    The requests go through Django's WSGI handler in this thread, so they
    see the open transaction; like Django's test client, the handler must
    not close the connection at the end of a request.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
