"""Seed GB/T 42195-2022 (the default), Barthel and the 2021 long-term-care
grades, with their care-need level mappings (apps/assessments/standards.py)."""

from django.db import migrations

from apps.assessments import standards


def seed(apps, schema_editor):
    standards.seed(apps)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
