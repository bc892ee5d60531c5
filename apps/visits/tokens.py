"""API keys of providers' own systems.

A key is shown once, when issued; only its SHA-256 digest and a short
prefix (to tell keys apart on the screen) are kept. Each key acts through a
system account of the provider: role provider_staff, no password, no group,
and only the permissions the visits API needs, so a leaked key can submit
and read the provider's visits and nothing else. Revoking a key also
deactivates its account.
"""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.visits.models import ProviderApiToken

KEY_PREFIX = "ecv_"
PREFIX_LENGTH = 12
# What a key may do: submit and read visits, read the agreements and items
# the rows name. Nothing else.
API_PERMISSIONS = (
    "visits.view_servicevisit", "visits.add_servicevisit",
    "visits.view_visitsubmission",
    "visits.view_intakebatch", "visits.add_intakebatch",
    "careplans.view_serviceagreement", "careplans.view_agreementitem",
    "catalogue.view_serviceitem",
)


def digest(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


def _permissions() -> list[Permission]:
    wanted = Q(pk__in=[])
    for name in API_PERMISSIONS:
        app_label, codename = name.split(".")
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    return list(Permission.objects.filter(wanted))


@transaction.atomic
def issue_token(provider, label: str, user=None) -> tuple[ProviderApiToken, str]:
    """A new key of ``provider`` named ``label``, with its system account;
    returns the token and the raw key, which is never shown again."""
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": ValidationError(
            _("Name the key, e.g. the system that uses it."), code="required")})
    if len(label) > 100:
        raise ValidationError({"label": ValidationError(
            _("At most 100 characters."), code="max_length")})
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    account = User(username=f"api-{provider.pk}-{secrets.token_hex(6)}", role=Role.PROVIDER_STAFF,
                   provider=provider, first_name=label[:150], is_staff=False)
    account.set_unusable_password()
    account.save()
    account.user_permissions.set(_permissions())
    token = ProviderApiToken.objects.create(
        provider=provider, user=account, label=label, prefix=raw[:PREFIX_LENGTH],
        key_digest=digest(raw), created_by=user)
    return token, raw


@transaction.atomic
def revoke_token(token: ProviderApiToken, user=None) -> ProviderApiToken:
    """Revoke ``token`` at once: its key stops working and its account is
    deactivated. Revoking twice changes nothing."""
    token = ProviderApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        User.objects.filter(pk=token.user_id).update(is_active=False)
    return token
