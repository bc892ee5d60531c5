"""Create the role groups with the permissions of apps/accounts/roles.py."""

from django.db import migrations

from apps.accounts.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_initial"),
        ("audit", "0002_initial"),
        ("catalogue", "0002_seed_items"),
        ("elders", "0001_initial"),
        ("policy", "0003_refuse_backdated_versions"),
        ("providers", "0002_initial"),
        ("regions", "0003_code_rules"),
        ("workdays", "0002_seed_chinesecalendar"),
    ]
    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
