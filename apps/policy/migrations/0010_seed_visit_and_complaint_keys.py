"""Seed the visit, follow-up and complaint keys of issue 6.

A fresh database gets them from 0002 (which seeds every key of the table);
an existing one gets them here, past the back-dating guard, as seeding is."""

import pgtrigger
from django.db import migrations

from apps.policy.parameters import PARAMETERS, SEED_VALUES

KEYS = {"visit.gps_tolerance", "visit.followup_share", "visit.followup_working_days",
        "complaint.answer_working_days"}


def seed(apps, schema_editor):
    PolicyValue = apps.get_model("policy", "PolicyValue")
    with pgtrigger.ignore("policy.PolicyValue:policy_value_not_backdated"):
        for key, value, valid_from in SEED_VALUES:
            if key in KEYS:
                PolicyValue.objects.get_or_create(
                    key=key, valid_from=valid_from, region=None,
                    defaults={"value": value, "basis": str(PARAMETERS[key].basis)})


class Migration(migrations.Migration):
    dependencies = [("policy", "0009_alter_policyvalue_key_alter_policyvalueevent_key")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
