"""Seed the service catalogue of Art 13 (fixtures/service_items.json)."""

import json
from decimal import Decimal

from django.conf import settings
from django.db import migrations


def seed(apps, schema_editor):
    ServiceItem = apps.get_model("catalogue", "ServiceItem")
    rows = json.loads((settings.REFERENCE_DATA_DIR / "service_items.json").read_text("utf-8"))
    for row in rows:
        fields = dict(row["fields"])
        price = fields.pop("guide_price")
        fields["guide_price"] = Decimal(price) if price is not None else None
        ServiceItem.objects.update_or_create(code=fields.pop("code"), defaults=fields)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
