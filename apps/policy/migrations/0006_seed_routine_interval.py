"""Seed assessment.routine_interval, the months after which a subsidised
elder's care-need level is re-assessed as a routine.

A fresh database gets it from 0002 (which seeds every key of the table);
an existing one gets it here, past the back-dating guard, as seeding is."""

import pgtrigger
from django.db import migrations

from apps.policy.parameters import PARAMETERS, SEED_VALUES

KEY = "assessment.routine_interval"


def seed(apps, schema_editor):
    PolicyValue = apps.get_model("policy", "PolicyValue")
    with pgtrigger.ignore("policy.PolicyValue:policy_value_not_backdated"):
        for key, value, valid_from in SEED_VALUES:
            if key == KEY:
                PolicyValue.objects.get_or_create(
                    key=key, valid_from=valid_from, region=None,
                    defaults={"value": value, "basis": PARAMETERS[key].basis})


class Migration(migrations.Migration):
    dependencies = [("policy", "0005_due_soon_key")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
