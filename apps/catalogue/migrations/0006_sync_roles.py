"""Give the roles the guide prices' permissions (apps/accounts/roles.py)."""

from django.db import migrations

from apps.accounts.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0005_remove_serviceitem_guide_price"),
        ("accounts", "0009_sync_roles_fee_statements"),
    ]
    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
