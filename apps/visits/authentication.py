"""API-key authentication for providers' systems:
``Authorization: Token <key>`` (or ``Bearer <key>``).

A key is found by its SHA-256 digest; a revoked key or an inactive account
is refused. ``last_used_at`` is written at most once a minute per key, so a
busy system does not write on every call.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from apps.visits.models import ProviderApiToken
from apps.visits.tokens import digest

KEYWORDS = (b"token", b"bearer")
TOUCH_EVERY = timedelta(minutes=1)


class ProviderTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Give the key after the keyword."))
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid API key.")) from exc
        token = (ProviderApiToken.objects.select_related("user", "user__provider")
                 .filter(key_digest=digest(raw)).first())
        if token is None or token.revoked_at is not None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked API key."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
            ProviderApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.user.api_token_used = token
        return token.user, token

    def authenticate_header(self, request):
        return 'Token realm="api"'


class ProviderTokenScheme(OpenApiAuthenticationExtension):
    target_class = "apps.visits.authentication.ProviderTokenAuthentication"
    name = "providerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A provider's API key: `Token <key>` (or `Bearer <key>`). "
            "Issued on the provider's API keys page and shown once.",
        }
