import pytest

from apps.core.crypto import EncryptedCharField
from tests.reference_data import reload_reference_data


def reset_field_keys() -> None:
    """Forget the keys every encrypted field cached (a process reads
    FIELD_ENCRYPTION_KEYS once; a test changing them must say so)."""
    from django.apps import apps

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedCharField):
                field.__dict__.pop("keys", None)
                field.__dict__.pop("f", None)


@pytest.fixture
def field_keys(settings):
    """Set FIELD_ENCRYPTION_KEYS for the code under test: ``field_keys("new", "old")``."""

    def use(*keys: str) -> None:
        settings.FIELD_ENCRYPTION_KEYS = list(keys)
        reset_field_keys()

    yield use
    reset_field_keys()


@pytest.fixture
def seeded():
    """The seed data present (in the database mode the test is marked with)."""
    reload_reference_data()
