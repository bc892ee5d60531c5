"""Seed the service catalogue of Art 13 (fixtures/service_items.json)."""

import json
from decimal import Decimal

from django.conf import settings
from django.db import migrations


def seed(apps, schema_editor):
    ServiceItem = apps.get_model("catalogue", "ServiceItem")
    # At this migration the price is a field of the item; 0004 moves it into
    # versions. Reloading the seed later (tests/browser) writes the versions.
    has_field = any(f.name == "guide_price" for f in ServiceItem._meta.concrete_fields)
    rows = json.loads((settings.REFERENCE_DATA_DIR / "service_items.json").read_text("utf-8"))
    for row in rows:
        fields = dict(row["fields"])
        price = fields.pop("guide_price")
        price = Decimal(price) if price is not None else None
        if has_field:
            fields["guide_price"] = price
        item, _created = ServiceItem.objects.update_or_create(code=fields.pop("code"),
                                                              defaults=fields)
        if not has_field and price is not None:
            from datetime import date

            apps.get_model("catalogue", "GuidePrice").objects.get_or_create(
                item=item, valid_from=date(2016, 1, 1),
                defaults={"price": price, "basis": "服务项目目录初始指导参考价格"})


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
