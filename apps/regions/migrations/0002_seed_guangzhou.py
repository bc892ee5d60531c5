"""Seed Guangzhou: the city, its 11 districts and 178 streets and towns, with
the National Bureau of Statistics division codes (fixtures/regions.json)."""

import json

from django.conf import settings
from django.db import migrations


def seed(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    rows = json.loads((settings.REFERENCE_DATA_DIR / "regions.json").read_text("utf-8"))
    by_code = {}
    for row in rows:  # parents come before children in the file
        fields = row["fields"]
        parent = by_code[fields["parent"][0]] if fields["parent"] else None
        region, _ = Region.objects.update_or_create(
            code=fields["code"],
            defaults={"name": fields["name"], "kind": fields["kind"], "parent": parent,
                      "path": fields["path"], "is_demo": False},
        )
        by_code[region.code] = region


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
