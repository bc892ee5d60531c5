"""The Content-Security-Policy forbids inline script and every outside
origin, and ``check --deploy`` is clean under production environment values
(the same values .ci/run uses)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

BASE_DIR = Path(settings.BASE_DIR)


def _directives(header: str) -> dict[str, list[str]]:
    parts = [p.strip().split() for p in header.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


@pytest.mark.django_db
def test_the_policy_allows_only_this_site_and_no_inline_script(client, street_user):
    client.force_login(street_user)
    policy = _directives(client.get(reverse("core:home"))["Content-Security-Policy"])
    # scripts: this site only, never inline or eval'd, and no fallback elsewhere
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    # no directive names another origin (a host, a scheme or a wildcard)
    allowed = {"'self'", "'none'", "'unsafe-inline'", "data:"}
    assert {source for sources in policy.values() for source in sources} <= allowed
    # inline is allowed for styles only (Django admin's style attributes)
    assert [d for d, sources in policy.items() if "'unsafe-inline'" in sources] == [
        "style-src"]


@pytest.mark.django_db
def test_the_login_page_carries_the_policy_too(client):
    response = client.get(reverse("accounts:login"))
    assert _directives(response["Content-Security-Policy"])["script-src"] == ["'self'"]


# set by the test settings or a developer's shell, never in production
_NOT_IN_PRODUCTION = ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "SECURE_COOKIES",
                      "DEBUG", "SECURE_HSTS_SECONDS", "SECURE_HSTS_PRELOAD",
                      "SECURE_SSL_REDIRECT", "SILENCED_SYSTEM_CHECKS", "ALLOWED_HOSTS")


def _production_env() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key not in _NOT_IN_PRODUCTION}


def test_check_deploy_is_clean_with_production_values():
    env = _production_env()
    env.update(
        DEBUG="false", DJANGO_SETTINGS_MODULE="eldercare.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        FIELD_ENCRYPTION_KEY=secrets.token_urlsafe(32),
        IDENTITY_HASH_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS="eldercare.example.gov.cn", SECURE_SSL_REDIRECT="true",
        SECURE_HSTS_SECONDS="31536000", SECURE_HSTS_PRELOAD="true",
        SILENCED_SYSTEM_CHECKS="calendar.W001",
        DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/x"))
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_without_https_settings():
    """The positive control: the same command notices a missing HSTS."""
    env = _production_env()
    env.update(DEBUG="false", DJANGO_SETTINGS_MODULE="eldercare.settings",
               SECRET_KEY=secrets.token_urlsafe(50),
               FIELD_ENCRYPTION_KEY=secrets.token_urlsafe(32),
               IDENTITY_HASH_KEY=secrets.token_urlsafe(32),
               ALLOWED_HOSTS="eldercare.example.gov.cn", SECURE_SSL_REDIRECT="true",
               SILENCED_SYSTEM_CHECKS="calendar.W001")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr
