"""The staff screens and the public page: scoping, each role's steps."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.evaluations import services
from apps.evaluations.models import Evaluation, EvaluationStatus
from tests.evaluations.factories import (
    appealed,
    on_day,
    opened,
    published,
    scored,
    self_assessed,
)
from tests.factories import ProviderFactory, staff

pytestmark = pytest.mark.django_db


def _url(name, evaluation):
    return reverse(f"evaluations:{name}", args=[evaluation.pk])


@pytest.fixture
def english(client, settings):
    """The screens in English (the language switcher's cookie)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def two_providers(tree):
    a = ProviderFactory(name="甲养老服务中心", region=tree["district"])
    b = ProviderFactory(name="乙养老服务中心", region=tree["district"])
    return {"a": a, "b": b, "a_staff": staff(Role.PROVIDER_STAFF, provider=a),
            "eval_a": opened(provider=a), "eval_b": opened(provider=b)}


def test_provider_staff_see_only_their_own_evaluations(client, two_providers):
    client.force_login(two_providers["a_staff"])
    html = client.get(reverse("evaluations:evaluation_list")).content.decode()
    assert "甲养老服务中心" in html
    assert "乙养老服务中心" not in html
    assert client.get(_url("evaluation_detail", two_providers["eval_b"])).status_code == 404
    assert client.get(_url("evaluation_self_assessment",
                           two_providers["eval_b"])).status_code == 404


def test_another_district_gets_404(client, tree, two_providers):
    client.force_login(staff(Role.DISTRICT_STAFF, region=tree["other_district"]))
    evaluation = two_providers["eval_a"]
    for name in ("evaluation_detail", "evaluation_scores", "evaluation_publish"):
        assert client.get(_url(name, evaluation)).status_code == 404
    response = client.post(_url("evaluation_publish", evaluation),
                           {"published_on": "2025-06-02"})
    assert response.status_code == 404
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.DRAFT


def test_district_staff_open_score_and_publish(english, tree, district_user):
    client = english
    provider = ProviderFactory(region=tree["district"])
    client.force_login(district_user)
    response = client.post(reverse("evaluations:evaluation_open"),
                           {"provider": provider.pk, "category": "meals", "year": 2025})
    evaluation = Evaluation.objects.get(provider=provider)
    assert response.url == _url("evaluation_scores", evaluation)
    # a score above its maximum is refused on its own field
    sheet = {"service_quality": "31", "staff": "18", "records": "13", "satisfaction": "17",
             "safety": "14"}
    response = client.post(_url("evaluation_scores", evaluation), sheet)
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"service_quality"}
    response = client.post(_url("evaluation_scores", evaluation),
                           {**sheet, "service_quality": "26"})
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert (evaluation.total, evaluation.grade) == (Decimal(88), "good")
    # no publication before the provider's self-assessment
    response = client.get(_url("evaluation_detail", evaluation))
    assert not response.context["can_publish"]
    assert "self-assessment" in response.content.decode()
    today = timezone.localdate()
    response = client.post(_url("evaluation_publish", evaluation),
                           {"published_on": today.isoformat()})
    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", "no_self_assessment")
    self_assessed(evaluation)
    assert client.get(_url("evaluation_detail", evaluation)).context["can_publish"]
    # a backdated publication is refused on the date
    response = client.post(_url("evaluation_publish", evaluation),
                           {"published_on": (today - timedelta(days=1)).isoformat()})
    assert response.status_code == 200
    assert response.context["form"].has_error("published_on", "not_today")
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.DRAFT
    # published today: posted for ten days from today
    response = client.post(_url("evaluation_publish", evaluation),
                           {"published_on": today.isoformat()})
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.published_on == today
    assert evaluation.posting_until == today + timedelta(days=9)


def test_a_provider_cannot_score_its_own_evaluation(client, two_providers):
    client.force_login(two_providers["a_staff"])
    assert client.get(_url("evaluation_scores", two_providers["eval_a"])).status_code == 403


def test_the_appeal_form_shows_the_window_and_refuses_outside_it(english, two_providers):
    client = english
    evaluation = self_assessed(services.record_scores(
        evaluation=two_providers["eval_a"],
        scores={"service_quality": Decimal(20), "staff": Decimal(15),
                "records": Decimal(10), "satisfaction": Decimal(15),
                "safety": Decimal(10)}))
    with on_day(date(2025, 9, 21)):
        services.publish_evaluation(evaluation=evaluation)
    client.force_login(two_providers["a_staff"])
    html = client.get(_url("evaluation_appeal", evaluation)).content.decode()
    # the window opens on the day of publication; the policy's deadline shown
    assert "2025-09-21 – 2025-10-16" in html
    assert "until 7 working days after the posting period ends" in html
    response = client.post(_url("evaluation_appeal", evaluation), {"reason": "评分有误"})
    assert response.status_code == 200  # today is long after 16 October 2025
    assert "2025-10-16" in str(response.context["form"].non_field_errors())
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.PUBLISHED


def test_provider_staff_appeal_during_the_posting(client, two_providers):
    # published today: still posted, and already open to appeal
    today = timezone.localdate()
    evaluation = self_assessed(scored(provider=two_providers["a"], category="meals"))
    evaluation = services.publish_evaluation(evaluation=evaluation)
    assert evaluation.posting_until > today
    client.force_login(two_providers["a_staff"])
    detail = client.get(_url("evaluation_detail", evaluation))
    assert detail.context["can_appeal"]
    assert f"{today:%Y-%m-%d} – {evaluation.appeal_until:%Y-%m-%d}" in detail.content.decode()
    response = client.post(_url("evaluation_appeal", evaluation), {"reason": "评分有误"})
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert (evaluation.status, evaluation.appealed_on) == (EvaluationStatus.APPEALED, today)


def test_city_staff_decide_an_appeal(client, tree):
    evaluation = appealed(date(2025, 6, 2), date(2025, 6, 16), total=Decimal(78),
                          district=tree["district"])
    city = staff(Role.CITY_STAFF, region=tree["district"].parent)
    client.force_login(city)
    html = client.get(reverse("evaluations:appeal_list")).content.decode()
    assert evaluation.provider.name in html
    response = client.post(_url("evaluation_decision", evaluation),
                           {"outcome": "revise", "total": "81", "reason": "复评"})
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert (evaluation.status, evaluation.final_grade) == (EvaluationStatus.FINAL, "good")


def test_district_staff_cannot_decide_appeals(client, tree, district_user):
    evaluation = appealed(date(2025, 6, 2), date(2025, 6, 16), district=tree["district"])
    client.force_login(district_user)
    assert client.get(_url("evaluation_decision", evaluation)).status_code == 403
    assert client.get(reverse("evaluations:appeal_list")).status_code == 403


def test_the_public_page_shows_grades_and_no_personal_data(english, tree):
    client = english
    # given a final, a posted and an appealed result, and a draft
    provider = ProviderFactory(name="康乐居家养老服务站", region=tree["district"])
    final = published(date(2025, 6, 2), total=Decimal(85), provider=provider)
    services.finalise_due(date(2025, 6, 21))
    final.refresh_from_db()
    posted = published(timezone.localdate(), total=Decimal(65), provider=provider,
                       category="meals")
    appealed(date(2025, 6, 2), date(2025, 6, 16), provider=provider, category="day_care")
    services.record_self_assessment(evaluation=opened(provider=provider, category="respite"),
                                    text="SECRET-SELF", score=Decimal(90))
    # when anyone opens the district's page without logging in
    response = client.get(reverse("public_evaluations:district",
                                  args=[tree["district"].code]))
    html = response.content.decode()
    # then it lists the posted results only, with their status
    assert response.status_code == 200
    assert html.count("康乐居家养老服务站") == 3
    assert "评分有误" not in html
    assert "SECRET-SELF" not in html
    assert final.get_final_grade_display() in html
    # a result still posted is open to appeal already
    assert f"Posting until {posted.posting_until:%Y-%m-%d} · " \
           f"Open to appeal until {posted.appeal_until:%Y-%m-%d}" in html
    # the periods are the policy's, not fixed text
    assert "posted publicly for 10 days" in html
    assert "until 7 working days after the posting ends" in html
    assert client.get(reverse("public_evaluations:district", args=["nope"])).status_code == 404


def test_the_pages_show_the_districts_own_periods(english, tree):
    from apps.policy.models import PolicyValue

    # given the district posts for 15 days and allows 5 working days after,
    # from a day well after any posting published today
    later = timezone.localdate() + timedelta(days=40)
    for key, value in (("evaluation.publication_days", 15),
                       ("evaluation.appeal_working_days", 5)):
        PolicyValue.objects.create(key=key, value=Decimal(value), valid_from=later,
                                   region=tree["district"])

    def public_page(district):
        return english.get(reverse("public_evaluations:district",
                                   args=[district.code])).content.decode()

    # then today the page states the city's periods
    html = public_page(tree["district"])
    assert "posted publicly for 10 days" in html
    assert "until 7 working days after the posting ends" in html
    # and from that day the district's own, on its page only
    with on_day(later):
        html = public_page(tree["district"])
        assert "posted publicly for 15 days" in html
        assert "until 5 working days after the posting ends" in html
        assert "posted publicly for 10 days" in public_page(tree["other_district"])
    # and a result published that day is posted 15 days and says so when appealed
    posted = published(later, district=tree["district"])
    assert posted.posting_until == later + timedelta(days=14)
    english.force_login(staff(Role.PROVIDER_STAFF, provider=posted.provider))
    html = english.get(_url("evaluation_appeal", posted)).content.decode()
    assert "until 5 working days after the posting period ends" in html


def test_the_detail_shows_the_report_deadline(client, tree, district_user):
    on_time = published(date(2025, 4, 30), district=tree["district"], year=2024)
    late = published(date(2025, 5, 1), district=tree["district"], year=2024,
                     category="meals")
    client.force_login(district_user)
    response = client.get(_url("evaluation_detail", on_time))
    assert response.context["report_due"] == date(2025, 5, 1)
    assert not response.context["reported_late"]
    assert client.get(_url("evaluation_detail", late)).context["reported_late"]
