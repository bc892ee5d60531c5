"""Demo evaluation: last year's life-care evaluation of the demo provider,
published two months ago and final at 良好 (good)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from apps.catalogue.models import ServiceCategory
from apps.evaluations import services
from apps.evaluations.models import Evaluation, EvaluationCriterion, EvaluationStatus
from apps.regions.models import Region

# 85 points in all: good (良好)
DEMO_POINTS = {"service_quality": Decimal(26), "staff": Decimal(17), "records": Decimal(13),
               "satisfaction": Decimal(17), "safety": Decimal(12)}


def build_demo_evaluations(district: Region, provider) -> Evaluation:
    """Create the demo evaluation once; later calls return it unchanged."""
    today = timezone.localdate()
    category = ServiceCategory.LIFE_CARE
    evaluation = Evaluation.objects.filter(provider=provider, category=category,
                                           year=today.year - 1).first()
    if evaluation is None:
        evaluation = services.open_evaluation(provider=provider, category=category,
                                              year=today.year - 1, district=district)
    if evaluation.status == EvaluationStatus.DRAFT:
        services.record_self_assessment(
            evaluation=evaluation, score=Decimal(88),
            text="全年上门生活照料服务记录完整,服务对象满意度调查平均 92%。")
        sheet = EvaluationCriterion.objects.sheet_for(category)
        scores = {c.code: min(DEMO_POINTS.get(c.code, c.maximum), c.maximum) for c in sheet}
        services.record_scores(evaluation=evaluation, scores=scores,
                               notes="服务规范,个别记录签字不全,已当场指出。")
        # demo history: published two months back, so the posting and the
        # appeal window are long over. Users can only publish today
        # (``publish_evaluation``); the demo writes the past directly.
        services._post(evaluation, today - timedelta(days=60))
    services.finalise_due(today)
    evaluation.refresh_from_db()
    return evaluation
