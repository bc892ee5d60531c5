"""Seed a default score sheet (maxima summing to 100) and the grade bands.

The measures leave the detailed rules to the city centre (Art 23: 评估细则);
this sheet and the 90 / 80 / 60 thresholds are a starting point, editable as
data.
"""

from decimal import Decimal

from django.db import migrations

CRITERIA = [
    ("service_quality", "服务质量与规范", 30, 10),
    ("staff", "人员配备与资质", 20, 20),
    ("records", "服务记录与信息保护", 15, 30),
    ("satisfaction", "服务对象满意度", 20, 40),
    ("safety", "安全管理与应急处置", 15, 50),
]
BANDS = [("excellent", 90), ("good", 80), ("qualified", 60), ("unqualified", 0)]


def seed(apps, schema_editor):
    Criterion = apps.get_model("evaluations", "EvaluationCriterion")
    Band = apps.get_model("evaluations", "GradeBand")
    for code, label, maximum, order in CRITERIA:
        Criterion.objects.get_or_create(code=code, defaults={
            "label": label, "maximum": Decimal(maximum), "order": order})
    for grade, min_total in BANDS:
        Band.objects.get_or_create(grade=grade, defaults={"min_total": Decimal(min_total)})


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0003_evaluation")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
