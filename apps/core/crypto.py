"""Personal data at rest: encrypted columns and keyed hashes for search."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.utils.functional import cached_property
from encrypted_fields.fields import EncryptedCharField as _LibraryEncryptedCharField


def _fernet_key(secret: str) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(secret.encode("utf-8")).digest())


class EncryptedCharField(_LibraryEncryptedCharField):
    """A Fernet-encrypted text column keyed by FIELD_ENCRYPTION_KEYS.

    The library derives its key from SECRET_KEY; personal data must not
    depend on the session-signing secret, so the keys are separate settings.
    The first key encrypts, all keys decrypt (rotation: prepend a new key,
    re-save the rows, then drop the old key).
    """

    @cached_property
    def keys(self) -> list[bytes]:
        return [_fernet_key(k) for k in settings.FIELD_ENCRYPTION_KEYS]

    @cached_property
    def f(self) -> MultiFernet:
        return MultiFernet([Fernet(k) for k in self.keys])


def keyed_digest(value: str) -> str:
    """HMAC-SHA256 of ``value`` under IDENTITY_HASH_KEY, as hex."""
    key = settings.IDENTITY_HASH_KEY.encode("utf-8")
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()
