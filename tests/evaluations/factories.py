"""Evaluations built through the services, so their dates and grades are
the ones the rules give. A result is published only on the day itself:
``on_day`` sets the services' clock to the day a step is taken."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from unittest import mock

from apps.evaluations import services, views
from apps.evaluations.models import Evaluation, EvaluationCriterion
from tests.factories import ProviderFactory


def points_for(total, category: str = "life_care") -> dict[str, Decimal]:
    """Points per criterion of the category's sheet adding up to ``total``."""
    left = Decimal(str(total))
    points = {}
    for criterion in EvaluationCriterion.objects.sheet_for(category):
        given = min(criterion.maximum, left)
        points[criterion.code] = given
        left -= given
    assert left == 0, "the total exceeds the sheet"
    return points


def opened(*, provider=None, district=None, category="life_care", year=2025) -> Evaluation:
    if provider is None:
        provider = ProviderFactory(**({"region": district} if district else {}))
    return services.open_evaluation(provider=provider, category=category, year=year)


def scored(total=Decimal("85"), **kwargs) -> Evaluation:
    evaluation = opened(**kwargs)
    return services.record_scores(evaluation=evaluation,
                                  scores=points_for(total, evaluation.category))


@contextmanager
def on_day(day: date) -> Iterator[None]:
    """Run the services (and the public page) as if today were ``day``."""
    with mock.patch.object(services, "_today", return_value=day), \
            mock.patch.object(views, "_today", return_value=day):
        yield


def self_assessed(evaluation: Evaluation) -> Evaluation:
    return services.record_self_assessment(evaluation=evaluation, text="自评:服务规范",
                                           score=Decimal(88))


def published(on: date, total=Decimal("85"), **kwargs) -> Evaluation:
    """Self-assessed, scored and published on ``on`` (that day being today)."""
    evaluation = self_assessed(scored(total, **kwargs))
    with on_day(on):
        return services.publish_evaluation(evaluation=evaluation)


def appealed(on: date, appealed_on: date, total=Decimal("85"), **kwargs) -> Evaluation:
    evaluation = published(on, total, **kwargs)
    return services.appeal_evaluation(evaluation=evaluation, reason="评分有误",
                                      on=appealed_on)
