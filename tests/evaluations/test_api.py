"""The evaluation API: scoped reads, steps with their permissions and field
errors, the grades in force on a day."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.accounts.roles import Role
from apps.evaluations import services
from apps.evaluations.models import EvaluationStatus
from tests.evaluations.factories import on_day, opened, points_for, published, self_assessed
from tests.factories import ProviderFactory, staff

pytestmark = pytest.mark.django_db


def test_list_is_scoped_and_out_of_scope_is_404(client, tree, district_user):
    mine = opened(district=tree["district"])
    theirs = opened(district=tree["other_district"])
    client.force_login(district_user)
    rows = client.get("/api/evaluations/").json()["results"]
    assert [r["id"] for r in rows] == [mine.pk]
    assert client.get(f"/api/evaluations/{theirs.pk}/").status_code == 404
    assert client.post(f"/api/evaluations/{theirs.pk}/publish/", {},
                       content_type="application/json").status_code == 404


def test_scores_errors_come_per_criterion_code(client, tree, district_user):
    evaluation = opened(district=tree["district"])
    client.force_login(district_user)
    scores = {k: str(v) for k, v in points_for(70).items()}
    scores["staff"] = "21"
    response = client.post(f"/api/evaluations/{evaluation.pk}/scores/", {"scores": scores},
                           content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert list(response.json()) == ["staff"]
    scores["staff"] = "15"
    response = client.post(f"/api/evaluations/{evaluation.pk}/scores/", {"scores": scores},
                           content_type="application/json")
    assert response.status_code == 200
    assert response.json()["grade"] == "qualified"
    assert response.json()["total"] == "65.0"


def test_create_and_publish(client, tree, district_user):
    provider = ProviderFactory(region=tree["district"])
    client.force_login(district_user)
    response = client.post("/api/evaluations/", {"provider": provider.pk,
                                                 "category": "meals", "year": 2025},
                           content_type="application/json")
    assert response.status_code == 201
    pk = response.json()["id"]
    client.post(f"/api/evaluations/{pk}/scores/",
                {"scores": {k: str(v) for k, v in points_for(92, "meals").items()}},
                content_type="application/json")
    # not before the provider's self-assessment
    response = client.post(f"/api/evaluations/{pk}/publish/", {},
                           content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "self-assessment" in response.json()["non_field_errors"][0]
    client.force_login(staff(Role.PROVIDER_STAFF, provider=provider))
    response = client.post(f"/api/evaluations/{pk}/self-assessment/",
                           {"self_assessment": "自评良好", "self_score": "90"},
                           content_type="application/json")
    assert response.status_code == 200
    client.force_login(district_user)
    with on_day(date(2025, 9, 21)):
        response = client.post(f"/api/evaluations/{pk}/publish/",
                               {"published_on": "2025-09-21"},
                               content_type="application/json")
    assert response.status_code == 200
    assert response.json()["published_on"] == "2025-09-21"
    assert response.json()["appeal_until"] == "2025-10-16"


def test_a_backdated_publication_answers_the_code(client, tree, district_user):
    evaluation = self_assessed(opened(district=tree["district"]))
    services.record_scores(evaluation=evaluation, scores=points_for(85))
    client.force_login(district_user)
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client.post(f"/api/evaluations/{evaluation.pk}/publish/",
                           {"published_on": yesterday.isoformat()},
                           content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()) == ["published_on"]
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.DRAFT
    response = client.post(f"/api/evaluations/{evaluation.pk}/publish/", {},
                           content_type="application/json")
    assert response.status_code == 200
    assert response.json()["published_on"] == timezone.localdate().isoformat()


def test_an_appeal_outside_the_window_answers_the_code(client, tree):
    evaluation = published(date(2025, 9, 21), district=tree["district"])
    client.force_login(staff(Role.PROVIDER_STAFF, provider=evaluation.provider))
    response = client.post(f"/api/evaluations/{evaluation.pk}/appeal/", {"reason": "x"},
                           content_type="application/json")
    assert response.status_code == 400
    assert "appealed_on" in response.json()


def test_only_the_city_decides_appeals(client, tree, district_user):
    evaluation = published(date(2025, 6, 2), district=tree["district"])
    services.appeal_evaluation(evaluation=evaluation, reason="x", on=date(2025, 6, 12))
    client.force_login(district_user)
    response = client.post(f"/api/evaluations/{evaluation.pk}/decide-appeal/",
                           {"reason": "维持"}, content_type="application/json")
    assert response.status_code == 403
    client.force_login(staff(Role.CITY_STAFF, region=tree["district"].parent))
    response = client.post(f"/api/evaluations/{evaluation.pk}/decide-appeal/",
                           {"reason": "维持"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["status"] == EvaluationStatus.FINAL


def test_provider_grades_in_force_on_a_day(client, tree, district_user):
    provider = ProviderFactory(region=tree["district"])
    published(date(2024, 6, 3), total=Decimal(65), provider=provider, year=2024)
    published(date(2025, 6, 2), total=Decimal(95), provider=provider)
    services.finalise_due(date(2025, 7, 1))
    opened_elsewhere = published(date(2025, 6, 2), district=tree["other_district"])
    services.finalise_due(date(2025, 7, 1))
    client.force_login(district_user)

    def grades(query):
        return [(r["year"], r["grade"])
                for r in client.get(f"/api/provider-grades/?{query}").json()["results"]]

    assert grades("") == [(2025, "excellent"), (2024, "qualified")]
    assert grades("on=2025-06-20") == [(2024, "qualified")]
    assert grades("on=2025-06-21") == [(2025, "excellent")]
    assert grades("on=2024-01-01") == []
    assert grades(f"provider={provider.pk}&category=life_care&on=2025-06-21") == \
        [(2025, "excellent")]
    assert client.get(f"/api/provider-grades/?provider={opened_elsewhere.provider.pk}"
                      ).status_code == 400
