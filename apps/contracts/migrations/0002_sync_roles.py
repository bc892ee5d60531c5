"""Give the roles the contracts' permissions (apps/accounts/roles.py)."""

from django.db import migrations

from apps.accounts.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0001_initial"),
        ("accounts", "0009_sync_roles_fee_statements"),
    ]
    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
