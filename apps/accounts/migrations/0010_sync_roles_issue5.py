"""Once every issue-5 model exists: the roles' permissions on facilities,
the provider roster, contracts, the evaluation, guide prices and care
managers (each app syncs after its own models too; this runs after all)."""

from django.db import migrations

from apps.accounts.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_sync_roles_fee_statements"),
        ("caremanagers", "0002_sync_roles"),
        ("catalogue", "0006_sync_roles"),
        ("contracts", "0002_sync_roles"),
        ("evaluations", "0005_sync_roles"),
        ("facilities", "0002_sync_roles"),
        ("providers", "0004_sync_roles"),
    ]
    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
