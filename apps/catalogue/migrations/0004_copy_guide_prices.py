"""Each item's guide price becomes its first version, in force from the
policy seed date (apps/policy/parameters.py SEED_FROM)."""

from datetime import date

from django.db import migrations

SEED_FROM = date(2016, 1, 1)
BASIS = "服务项目目录初始指导参考价格"


def copy_prices(apps, schema_editor):
    ServiceItem = apps.get_model("catalogue", "ServiceItem")
    GuidePrice = apps.get_model("catalogue", "GuidePrice")
    GuidePrice.objects.bulk_create(
        [GuidePrice(item=item, price=item.guide_price, valid_from=SEED_FROM, basis=BASIS)
         for item in ServiceItem.objects.exclude(guide_price__isnull=True)
         .exclude(guide_prices__valid_from=SEED_FROM)])


def restore_prices(apps, schema_editor):
    ServiceItem = apps.get_model("catalogue", "ServiceItem")
    GuidePrice = apps.get_model("catalogue", "GuidePrice")
    for version in GuidePrice.objects.filter(valid_from=SEED_FROM):
        ServiceItem.objects.filter(pk=version.item_id).update(guide_price=version.price)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0003_guide_price_versions")]
    operations = [migrations.RunPython(copy_prices, restore_prices)]
