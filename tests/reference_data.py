"""The reference data the migrations seed, reloaded after a transactional
test has emptied every table (browser journeys, the restore drill)."""

import importlib

SEED_MIGRATIONS = [
    "apps.regions.migrations.0002_seed_guangzhou",
    "apps.policy.migrations.0002_seed_guangzhou_values",
    "apps.workdays.migrations.0002_seed_chinesecalendar",
    "apps.catalogue.migrations.0002_seed_items",
    "apps.assessments.migrations.0002_seed_instruments",
    "apps.evaluations.migrations.0004_seed_sheet",
]


def reload_reference_data() -> None:
    """Seed the regions, policy values, calendar, catalogue, instruments,
    evaluation sheet and role groups again, unless they are there."""
    import pgtrigger
    from django.apps import apps

    from apps.accounts.roles import sync_roles
    from apps.catalogue.models import GuidePrice
    from apps.regions.models import Region

    if Region.objects.exists():
        return
    with pgtrigger.ignore("policy.PolicyValue:policy_value_not_backdated"):
        for module in SEED_MIGRATIONS:
            importlib.import_module(module).seed(apps, None)
    sync_roles()
    # catalogue 0004 (prices into versions) is not replayed: reloading 0002
    # against today's models writes the guide price versions itself
    assert GuidePrice.objects.exists(), "the guide prices were not reloaded"
