"""``intake.submit``: the one way in, set-based, idempotent, every row kept."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, InternalError, connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.visits import intake
from apps.visits.models import IntakeBatch, ServiceVisit, VisitSubmission
from tests.visits.factories import (
    LIFE_CARE,
    add_elder,
    local,
    make_visit,
    recent_day,
    visit_input,
    world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return world()


def rows_for(w, count: int, day=None):
    """``count`` acceptable rows: elders of their own, one caregiver each hour."""
    day = day or recent_day(5)
    rows = []
    for n in range(count):
        elder = add_elder(w)["elder"] if n else w.elder
        rows.append(visit_input(w, elder=elder, check_in_at=local(day, 0) + timedelta(
            minutes=70 * n), code=LIFE_CARE if n % 2 else "RN-HOME", minutes=45 if n % 2 == 0
            else 60))
    return rows


def test_a_fixed_number_of_queries_whatever_the_number_of_rows(w):
    few, many = rows_for(w, 5), rows_for(w, 50, day=recent_day(8))
    with CaptureQueriesContext(connection) as five:
        results = intake.submit(w.provider, few, channel="api", user=w.user)
    assert {r.outcome for r in results} == {"accepted"}
    with CaptureQueriesContext(connection) as fifty:
        results = intake.submit(w.provider, many, channel="api", user=w.user)
    assert {r.outcome for r in results} == {"accepted"}
    assert len(five) == len(fifty)
    assert any("pg_advisory_xact_lock" in q["sql"] for q in fifty.captured_queries)
    # resubmitting writes nothing, in fewer queries still
    with CaptureQueriesContext(connection) as again:
        results = intake.submit(w.provider, many, channel="api", user=w.user)
    assert all(r.unchanged for r in results)
    assert not any(q["sql"].startswith("INSERT INTO \"visits_servicevisit\"")
                   for q in again.captured_queries)


def test_every_row_is_kept_and_counted_on_the_batch(w):
    batch = IntakeBatch.objects.create(provider=w.provider, channel="upload")
    rows = [visit_input(w, row_number=2), visit_input(w, minutes=5, row_number=3,
                                                     check_in_at=local(recent_day(), 13))]
    results = intake.submit(w.provider, rows, channel="upload", user=w.user, batch=batch)
    assert [r.row_number for r in results] == [2, 3]
    assert [r.outcome for r in results] == ["accepted", "rejected"]
    batch.refresh_from_db()
    assert (batch.rows, batch.accepted, batch.rejected, batch.unchanged) == (2, 1, 1, 0)
    assert VisitSubmission.objects.filter(batch=batch).count() == 2
    intake.submit(w.provider, rows, channel="upload", user=w.user, batch=batch)
    batch.refresh_from_db()
    assert (batch.rows, batch.accepted, batch.rejected, batch.unchanged) == (4, 1, 1, 2)


def test_the_api_channel_makes_its_batch_the_form_none(w):
    intake.submit(w.provider, [visit_input(w)], channel="api", user=w.user)
    assert IntakeBatch.objects.filter(channel="api").count() == 1
    [result] = intake.submit(w.provider, [visit_input(w, check_in_at=local(recent_day(), 14))],
                             channel="form", user=w.user)
    assert VisitSubmission.objects.get(pk=result.submission_id).batch is None


def test_the_form_names_the_elder_by_id_and_keeps_the_photo(w):
    photo = SimpleUploadedFile("visit.jpg", b"\xff\xd8\xff photo bytes", "image/jpeg")
    row = visit_input(w, elder_id_number="", elder_pk=w.elder.pk, photo=photo)
    [result] = intake.submit(w.provider, [row], channel="form", user=w.user)
    assert result.outcome == "accepted", result.reasons
    visit = ServiceVisit.objects.get(pk=result.visit_id)
    assert visit.photo.name.startswith("visit-photos/")
    assert len(visit.photo_sha256) == 64
    submission = VisitSubmission.objects.get(pk=result.submission_id)
    assert submission.payload["elder"] == w.elder.pk
    assert submission.payload["photo_sha256"] == visit.photo_sha256
    # an elder of another provider is unknown by id too
    other = world()
    [unknown] = intake.submit(w.provider, [visit_input(
        w, elder_id_number="", elder_pk=other.elder.pk, check_in_at=local(recent_day(), 15))],
                              channel="form", user=w.user)
    assert [r["code"] for r in unknown.reasons] == ["elder_unknown"]
    assert unknown.reasons[0]["field"] == "elder"


def test_the_payload_keeps_only_the_masked_number_and_hashes_the_content(w):
    row = visit_input(w, notes="洗漱")
    [result] = intake.submit(w.provider, [row], channel="api", user=w.user)
    submission = VisitSubmission.objects.get(pk=result.submission_id)
    assert w.elder.id_number not in str(submission.payload)
    digest = intake._digests(w.elder.id_number)[0]
    assert submission.payload_hash == intake.payload_hash(submission.payload, digest)
    other = intake.payload_of(visit_input(w, notes="洗漱、散步"))
    assert intake.payload_hash(other, digest) != submission.payload_hash
    # the correction's reason is no part of what the visit was
    reason = {**submission.payload, "correction_reason": "typo"}
    assert intake.payload_hash(reason, digest) == submission.payload_hash


def test_the_database_refuses_to_change_or_delete_a_visit(w):
    visit = make_visit(w)
    with pytest.raises((InternalError, IntegrityError)), transaction.atomic():
        ServiceVisit.objects.filter(pk=visit.pk).update(notes="changed afterwards")
    with pytest.raises((InternalError, IntegrityError)), transaction.atomic():
        ServiceVisit.objects.filter(pk=visit.pk).update(amount=Decimal("1.00"))
    with pytest.raises((InternalError, IntegrityError)), transaction.atomic():
        ServiceVisit.objects.filter(pk=visit.pk).delete()
    # only the current flag may change, when a correction supersedes the version
    ServiceVisit.objects.filter(pk=visit.pk).update(is_current=False)
    submission = VisitSubmission.objects.create(
        provider=w.provider, provider_visit_id="X", channel="api", payload={},
        payload_hash="0" * 64, outcome="rejected")
    with pytest.raises((InternalError, IntegrityError)), transaction.atomic():
        VisitSubmission.objects.filter(pk=submission.pk).update(outcome="accepted")


def test_a_correction_supersedes_and_the_old_version_leaves_the_checks(w):
    [first] = intake.submit(w.provider, [visit_input(w, provider_visit_id="K-1")],
                            channel="api", user=w.user)
    moved = visit_input(w, provider_visit_id="K-1", check_in_at=local(recent_day(), 9, 30),
                        correction_reason="签到时间记错")
    [second] = intake.submit(w.provider, [moved], channel="api", user=w.user)
    assert (second.outcome, second.version) == ("accepted", 2)
    old, new = ServiceVisit.objects.get(pk=first.visit_id), ServiceVisit.objects.get(
        pk=second.visit_id)
    assert old.is_current is False
    assert new.supersedes_id == old.pk
    assert ServiceVisit.objects.current().filter(provider_visit_id="K-1").get() == new
    # the old version's slot (9:00-9:45) is free again: 8:30-9:15 overlaps only it
    [other] = intake.submit(w.provider, [visit_input(w, check_in_at=local(recent_day(), 8,
                                                                          30))],
                            channel="api", user=w.user)
    assert other.outcome == "accepted", other.reasons


def test_now_decides_the_future(w):
    row = visit_input(w, check_in_at=local(recent_day(2), 9))
    [result] = intake.submit(w.provider, [row], channel="api", user=w.user,
                             now=local(recent_day(3), 12))
    assert [r["code"] for r in result.reasons] == ["future_date", "future_date"]


def test_two_batches_of_one_provider_wait_for_each_other(w):
    """The batch holds the provider's advisory lock: while another session
    holds it, a batch of the same provider waits (here: gives up after
    lock_timeout); another provider's batch goes ahead."""
    import psycopg2
    from django.db import OperationalError

    settings = connection.settings_dict
    other = psycopg2.connect(dbname=settings["NAME"], user=settings["USER"],
                             password=settings["PASSWORD"], host=settings["HOST"],
                             port=settings["PORT"])
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [intake.LOCK_NAMESPACE,
                                                               w.provider.pk])
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")
        with pytest.raises(OperationalError):
            intake.submit(w.provider, [visit_input(w)], channel="api", user=w.user)
        elsewhere = world()
        [result] = intake.submit(elsewhere.provider, [visit_input(elsewhere)], channel="api",
                                 user=elsewhere.user)
        assert result.outcome == "accepted"
    finally:
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")


def test_array_literals_survive_quotes_backslashes_and_nulls(db):
    values = ['a "quoted" word', "back\\slash", "逗号,分号;", "", None, "{braces}", "NULL"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::text[]", [intake.pg_array(values)])
        assert cursor.fetchone()[0] == values
