"""Seed the Guangzhou policy values (apps/policy/parameters.py): city-wide
values and each district's funding share. Runs before the trigger that
refuses back-dated versions is installed (0003)."""

from django.db import migrations

from apps.policy.parameters import (
    DISTRICT_SEED_VALUES,
    FUNDING_BASIS,
    PARAMETERS,
    SEED_VALUES,
)


def seed(apps, schema_editor):
    PolicyValue = apps.get_model("policy", "PolicyValue")
    Region = apps.get_model("regions", "Region")
    for key, value, valid_from in SEED_VALUES:
        PolicyValue.objects.get_or_create(
            key=key, valid_from=valid_from, region=None,
            defaults={"value": value, "basis": PARAMETERS[key].basis},
        )
    for key, district_code, value, valid_from in DISTRICT_SEED_VALUES:
        PolicyValue.objects.get_or_create(
            key=key, valid_from=valid_from, region=Region.objects.get(code=district_code),
            defaults={"value": value, "basis": f"{PARAMETERS[key].basis} {FUNDING_BASIS}"},
        )


class Migration(migrations.Migration):
    dependencies = [("policy", "0001_initial"), ("regions", "0002_seed_guangzhou")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
