"""Roles read assessment instruments; administrators add versions."""

from django.db import migrations

from apps.accounts.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_sync_roles_applications"),
        ("assessments", "0002_seed_instruments"),
    ]
    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
