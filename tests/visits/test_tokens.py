"""Providers' API keys: issued once, digest kept, a narrow system account,
revocation, and the keys page."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.roles import Role
from apps.visits.models import ProviderApiToken
from apps.visits.tokens import API_PERMISSIONS, digest, issue_token, revoke_token
from tests.factories import staff
from tests.visits.factories import make_visit, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return world()


def client_with(header: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    return client


def test_a_key_is_shown_once_and_kept_as_a_digest(w):
    token, raw = issue_token(w.provider, "排班系统", w.user)
    assert raw.startswith("ecv_")
    assert len(raw) > 40
    assert token.key_digest == digest(raw)
    assert raw not in str(token.__dict__)
    assert token.prefix == raw[:12]
    account = token.user
    assert (account.provider, account.role, account.region) == (w.provider, "provider_staff",
                                                                None)
    assert not account.has_usable_password()
    assert account.groups.count() == 0
    assert sorted(account.get_all_permissions()) == sorted(API_PERMISSIONS)
    assert not account.has_perm("visits.add_providerapitoken")
    assert not account.has_perm("providers.change_provider")


def test_token_and_bearer_keys_authenticate(w):
    visit = make_visit(w)
    _token, raw = issue_token(w.provider, "k", w.user)
    for header in (f"Token {raw}", f"Bearer {raw}", f"token {raw}"):
        response = client_with(header).get(f"/api/visits/{visit.pk}/")
        assert response.status_code == 200, header


def test_wrong_revoked_and_inactive_keys_are_refused(w):
    visit = make_visit(w)
    token, raw = issue_token(w.provider, "k", w.user)
    path = f"/api/visits/{visit.pk}/"
    assert client_with(f"Token {raw}x").get(path).status_code in (401, 403)
    assert client_with("Token").get(path).status_code in (401, 403)
    revoke_token(token, w.user)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.user.is_active is False
    assert client_with(f"Token {raw}").get(path).status_code in (401, 403)
    # an account deactivated by other means is refused too
    second, raw2 = issue_token(w.provider, "k2", w.user)
    type(second.user).objects.filter(pk=second.user_id).update(is_active=False)
    assert client_with(f"Token {raw2}").get(path).status_code in (401, 403)


def test_last_use_is_written_at_most_once_a_minute(w):
    token, raw = issue_token(w.provider, "k", w.user)
    client = client_with(f"Token {raw}")
    client.get("/api/visits/")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    client.get("/api/visits/")
    token.refresh_from_db()
    assert token.last_used_at == first
    ProviderApiToken.objects.filter(pk=token.pk).update(
        last_used_at=timezone.now() - timedelta(minutes=2))
    client.get("/api/visits/")
    token.refresh_from_db()
    assert token.last_used_at > first


def test_another_providers_visits_stay_invisible(w):
    other = world()
    theirs = make_visit(other)
    mine = make_visit(w)
    _token, raw = issue_token(w.provider, "k", w.user)
    client = client_with(f"Token {raw}")
    assert client.get(f"/api/visits/{theirs.pk}/").status_code == 404
    assert [v["id"] for v in client.get("/api/visits/").json()["results"]] == [mine.pk]
    # a key reads nothing beyond the visits, agreements and items
    assert client.get("/api/elders/").status_code == 403
    assert client.get("/api/providers/").status_code == 403


# --- the keys page ------------------------------------------------------------------------


def test_provider_staff_create_a_key_shown_once(w, client):
    client.force_login(w.user)
    page = client.get(reverse("visits:tokens"))
    assert page.status_code == 200
    response = client.post(reverse("visits:tokens"), {"label": "排班系统"})
    assert response.status_code == 200
    raw = response.context["raw_key"]
    assert raw in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    token = ProviderApiToken.objects.get(provider=w.provider)
    assert token.key_digest == digest(raw)
    assert token.created_by == w.user
    listing = client.get(reverse("visits:tokens")).content.decode()
    assert "排班系统" in listing
    assert token.prefix in listing
    assert raw not in listing
    assert client.post(reverse("visits:tokens"), {"label": ""}).status_code == 400


def test_revoking_a_key_from_the_page(w, client):
    token, raw = issue_token(w.provider, "old system", w.user)
    other = world()
    theirs, _ = issue_token(other.provider, "theirs", other.user)
    client.force_login(w.user)
    assert client.post(reverse("visits:token_revoke", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("visits:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    theirs.refresh_from_db()
    assert token.revoked_at is not None
    assert theirs.revoked_at is None
    assert client_with(f"Token {raw}").get("/api/visits/").status_code in (401, 403)


def test_the_district_sees_and_may_revoke_its_providers_keys(w, client):
    token, _raw = issue_token(w.provider, "their system", w.user)
    officer = staff(Role.DISTRICT_STAFF, region=w.district)
    client.force_login(officer)
    page = client.get(reverse("visits:tokens"))
    assert "their system" in page.content.decode()
    assert client.post(reverse("visits:tokens"), {"label": "x"}).status_code == 403
    assert client.post(reverse("visits:token_revoke", args=[token.pk])).status_code == 302
    outsider = Client()
    outsider.force_login(staff(Role.DISTRICT_STAFF, region=world().district))
    assert "their system" not in outsider.get(reverse("visits:tokens")).content.decode()
