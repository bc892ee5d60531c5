"""Assessors enter assessments; district staff keep the bodies and assessors."""

from django.db import migrations

from apps.accounts.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_sync_roles_assessments"),
        ("assessments", "0003_bodies_assessors_assessments"),
    ]
    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
