"""District staff compile and issue the assessment bodies' monthly fee
statements; finance officers read them."""

from django.db import migrations

from apps.accounts.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_sync_roles_assessors"),
        ("assessments", "0004_fee_statements_recorded_results"),
    ]
    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
