"""Give the roles the permissions of the evaluation's new models (the
earlier sync ran before they existed; apps/accounts/roles.py)."""

from django.db import migrations

from apps.accounts.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0004_seed_sheet"),
        ("accounts", "0009_sync_roles_fee_statements"),
    ]
    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
