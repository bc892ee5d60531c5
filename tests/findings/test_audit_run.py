"""The audit of a month as a whole: every rule counted, idempotent, a
decided finding left alone, a fixed number of queries whatever the number
of visits, the district's visits only; the Celery tasks and the schedule."""

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from apps.elders.models import Elder
from apps.findings.audit import RULES, audit_month
from apps.findings.models import Finding, FindingRule, FindingStatus
from apps.findings.tasks import audit_month_task, audit_previous_month_task
from apps.regions.models import Region, RegionKind
from tests.factories import RegionFactory
from tests.findings.conftest import SEPTEMBER, audit, found
from tests.visits.factories import LIFE_CARE, add_elder, local, make_visit, world

pytestmark = pytest.mark.django_db


def on(day: int, hour: int = 9, minute: int = 0):
    return local(date(2025, 9, day), hour, minute)


def suspicious_month(w, copies: int) -> None:
    """``copies`` times: a visit after a death, a short one, a far one, one
    beyond the plan, a reused photo and two visits of one caregiver at once."""
    for n in range(copies):
        dead = add_elder(w)
        make_visit(w, elder=dead["elder"], agreement=dead["agreement"],
                   check_in_at=on(20, 8 + n % 10))
        Elder.objects.filter(pk=dead["elder"].pk).update(life_status="deceased",
                                                         life_status_since=date(2025, 9, 15))
        day = 1 + n % 14
        make_visit(w, code=LIFE_CARE, check_in_at=on(day, 8), minutes=61,
                   units=Decimal("2.0"))
        make_visit(w, check_in_at=on(day, 10), distance_m=900)
        make_visit(w, check_in_at=on(day, 11), flags=["exceeds_plan"])
        make_visit(w, check_in_at=on(day, 12), photo_sha256=f"{n:064d}")
        make_visit(w, check_in_at=on(day + 14, 12), photo_sha256=f"{n:064d}")
        make_visit(w, check_in_at=on(day, 14), minutes=45)
        make_visit(w, check_in_at=on(day, 14, 30), minutes=45)


def test_every_rule_is_counted_and_a_second_run_adds_nothing(w):
    suspicious_month(w, 1)

    first = audit(w)
    total = Finding.objects.count()
    second = audit(w)

    assert set(first) == set(RULES) == set(FindingRule.values)
    assert first[FindingRule.AFTER_DEATH] == 1
    assert first[FindingRule.SHORTER_THAN_BILLED] == 1
    assert first[FindingRule.FAR_FROM_ADDRESS] == 1
    assert first[FindingRule.BEYOND_PLAN] == 1
    assert first[FindingRule.PHOTO_REUSED] == 1
    assert first[FindingRule.CAREGIVER_OVERLAP] == 2
    assert sum(first.values()) == total
    assert second == dict.fromkeys(RULES, 0)
    assert Finding.objects.count() == total


def test_a_decided_finding_is_left_as_it_was_by_another_run(w, district_user):
    suspicious_month(w, 1)
    audit(w)
    finding = found(FindingRule.FAR_FROM_ADDRESS)[0]
    Finding.objects.filter(pk=finding.pk).update(status=FindingStatus.DISMISSED,
                                                 decision_reason="GPS drift",
                                                 amount=Decimal("1.00"))

    audit(w)

    finding.refresh_from_db()
    assert (finding.status, finding.decision_reason, finding.amount) == (
        FindingStatus.DISMISSED, "GPS drift", Decimal("1.00"))
    assert len(found(FindingRule.FAR_FROM_ADDRESS)) == 1


def test_the_queries_do_not_grow_with_the_visits(tree):
    small = world(district=tree["district"], street=tree["street"])
    suspicious_month(small, 1)
    other = RegionFactory.district()
    large = world(district=other, street=RegionFactory.street(other))
    suspicious_month(large, 6)

    with CaptureQueriesContext(connection) as few:
        small_counts = audit_month(small.district, SEPTEMBER)
    with CaptureQueriesContext(connection) as many:
        large_counts = audit_month(large.district, SEPTEMBER)

    assert sum(large_counts.values()) > 4 * sum(small_counts.values())
    assert len(many) == len(few)
    assert len(few) < 60


def test_only_the_districts_visits_are_audited(w, tree):
    here = make_visit(w, check_in_at=on(3), distance_m=900)
    elsewhere = world(district=tree["other_district"], street=tree["other_street"])
    make_visit(elsewhere, check_in_at=on(3), distance_m=900)
    # an elder living in the other district whose entitlement the first pays
    moved = add_elder(elsewhere)
    type(moved["entitlement"]).objects.filter(pk=moved["entitlement"].pk).update(
        paying_district=tree["district"])
    paid_here = make_visit(elsewhere, elder=moved["elder"], agreement=moved["agreement"],
                           check_in_at=on(4), distance_m=900)
    # and a visit of another month
    make_visit(w, check_in_at=local(date(2025, 10, 1)), distance_m=900)

    audit(w)

    findings = found(FindingRule.FAR_FROM_ADDRESS)
    assert {f.visit_id for f in findings} == {here.pk, paid_here.pk}
    assert {f.district for f in findings} == {tree["district"]}


def test_only_current_versions_are_audited(w):
    old = make_visit(w, check_in_at=on(3), distance_m=900)
    type(old).objects.filter(pk=old.pk).update(is_current=False)
    make_visit(w, check_in_at=on(3), distance_m=100, version=2,
               provider_visit_id=old.provider_visit_id, supersedes=old)

    audit(w)

    assert found(FindingRule.FAR_FROM_ADDRESS) == []


def test_the_stored_summary_is_in_the_sites_language_the_page_renders_its_own(w):
    make_visit(w, check_in_at=on(3), distance_m=900)

    with translation.override("en"):
        audit(w)
        finding = found(FindingRule.FAR_FROM_ADDRESS)[0]
        english = finding.headline

    assert settings.LANGUAGE_CODE == "zh-hans"
    assert "900" in english
    assert "500" in english
    assert english.startswith(w.rehab.name)
    with translation.override(settings.LANGUAGE_CODE):
        assert finding.summary == finding.headline


def test_the_task_audits_a_month_and_reports_the_counts(w):
    make_visit(w, check_in_at=on(3), distance_m=900)

    result = audit_month_task.delay(w.district.pk, "2025-09").get()

    assert result["month"] == "2025-09"
    assert result["raised"][FindingRule.FAR_FROM_ADDRESS] == 1
    assert result["total"] == Finding.objects.count()
    assert audit_month_task.acks_late is True


def test_the_monthly_task_audits_every_district(w, tree):
    make_visit(w, check_in_at=on(3), distance_m=900)
    elsewhere = world(district=tree["other_district"], street=tree["other_street"])
    make_visit(elsewhere, check_in_at=on(3), distance_m=900)

    queued = audit_previous_month_task.delay("2025-09").get()

    assert set(queued) == set(Region.objects.filter(kind=RegionKind.DISTRICT)
                              .values_list("pk", flat=True))
    assert {f.district_id for f in found(FindingRule.FAR_FROM_ADDRESS)} == {
        tree["district"].pk, tree["other_district"].pk}


def test_the_beat_audits_the_previous_month_before_the_settlement():
    entry = settings.CELERY_BEAT_SCHEDULE["audit-previous-month"]
    assert entry["task"] == "apps.findings.tasks.audit_previous_month_task"
    assert entry["schedule"].day_of_month == {2}
    assert settings.SETTLEMENT_WORKING_DAY >= 3
