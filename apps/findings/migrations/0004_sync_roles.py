"""Give the roles the new permissions on findings (deciding, running the
audit), which the role table already names."""

from django.db import migrations

from apps.accounts.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [("findings", "0003_audit_rules_and_decisions"),
                    ("accounts", "0011_sync_roles_issue6")]
    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
