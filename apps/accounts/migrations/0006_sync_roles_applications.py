"""Give the roles their permissions on applications, entitlements,
contacts and imports (apps/accounts/roles.py)."""

from django.db import migrations

from apps.accounts.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_track_group_membership"),
        ("applications", "0002_initial"),
        ("subsidies", "0001_initial"),
        ("elders", "0003_contact_contactevent_alter_elder_options_and_more"),
    ]
    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
