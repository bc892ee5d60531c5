"""Seed the Guangzhou policy values (apps/policy/parameters.py SEED_VALUES)."""

from django.db import migrations

from apps.policy.parameters import PARAMETERS, SEED_VALUES


def seed(apps, schema_editor):
    PolicyValue = apps.get_model("policy", "PolicyValue")
    for key, value, valid_from in SEED_VALUES:
        PolicyValue.objects.get_or_create(
            key=key, valid_from=valid_from,
            defaults={"value": value, "basis": PARAMETERS[key].basis},
        )


class Migration(migrations.Migration):
    dependencies = [("policy", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
