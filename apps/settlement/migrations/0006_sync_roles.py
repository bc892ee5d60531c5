"""Once every issue-7 model and permission exists (settlement, findings):
the roles' permissions as the role table names them."""

from django.db import migrations

from apps.accounts.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("settlement", "0005_reconciliation"),
        ("findings", "0004_sync_roles"),
        ("policy", "0011_audit_keys"),
        ("visits", "0002_visit_submitted_at_index"),
    ]
    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
