"""Lockout and session expiry beyond the staff login page (which
tests/core/test_shell.py covers): Django admin's login locks the same way,
the API has no login of its own, and an idle session ends for the API too."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from apps.accounts.roles import Role
from tests.core import scope_walk
from tests.factories import staff

pytestmark = pytest.mark.django_db


def test_admin_login_locks_after_repeated_failures(client, tree):
    staff(Role.DISTRICT_STAFF, region=tree["district"], username="chen")
    url = reverse("admin:login")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "chen", "password": "wrong"})
    locked = client.post(url, {"username": "chen", "password": "Pass-word-123"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_on_either_login_page_count_together(client, tree):
    staff(Role.DISTRICT_STAFF, region=tree["district"], username="huang")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(reverse("admin:login"), {"username": "huang", "password": "wrong"})
    client.post(reverse("accounts:login"), {"username": "huang", "password": "wrong"})
    locked = client.post(reverse("accounts:login"),
                         {"username": "huang", "password": "Pass-word-123"})
    assert locked.status_code == 429


def test_the_api_has_no_login_of_its_own():
    # the API authenticates with the staff session or a provider's key only;
    # a DRF login page would be a login without the lockout's page
    with pytest.raises(NoReverseMatch):
        reverse("rest_framework:login")
    paths = [regex for regex, _cb in scope_walk.iter_patterns() if regex.startswith("api/")]
    assert not [p for p in paths if "login" in p]


def test_an_idle_session_ends_for_the_api_too(client, street_user):
    client.force_login(street_user)
    assert client.get("/api/elders/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/elders/").status_code == 403


def test_an_api_request_renews_the_idle_limit(client, street_user):
    client.force_login(street_user)
    client.get("/api/elders/")
    first = Session.objects.get().expire_date
    client.get("/api/elders/")
    assert Session.objects.get().expire_date > first
