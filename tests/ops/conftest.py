import pytest

from apps.core.crypto import EncryptedCharField


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


# Seed data the migrations load. A transactional test empties every table
# when it ends, so the next one reloads them (as tests/browser/conftest.py).
SEED_MIGRATIONS = [
    "apps.regions.migrations.0002_seed_guangzhou",
    "apps.policy.migrations.0002_seed_guangzhou_values",
    "apps.workdays.migrations.0002_seed_chinesecalendar",
    "apps.catalogue.migrations.0002_seed_items",
    "apps.assessments.migrations.0002_seed_instruments",
    "apps.evaluations.migrations.0004_seed_sheet",
]


@pytest.fixture
def seeded():
    """The seed data present (in the database mode the test is marked with)."""
    import importlib

    import pgtrigger
    from django.apps import apps

    from apps.accounts.roles import sync_roles
    from apps.regions.models import Region

    if Region.objects.exists():
        return
    with pgtrigger.ignore("policy.PolicyValue:policy_value_not_backdated"):
        for module in SEED_MIGRATIONS:
            importlib.import_module(module).seed(apps, None)
    sync_roles()
