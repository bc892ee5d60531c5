"""Once every issue-6 model exists: the roles' permissions on service plans,
agreements, visits, follow-up calls, complaints and audit findings."""

from django.db import migrations

from apps.accounts.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0010_sync_roles_issue5"),
        ("careplans", "0001_initial"),
        ("visits", "0001_initial"),
        ("complaints", "0002_initial"),
        ("findings", "0002_initial"),
        ("policy", "0010_seed_visit_and_complaint_keys"),
    ]
    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
