#!/usr/bin/env python
"""Benchmark: the providers' bulk visit API with a million visits stored.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/eldercare_bench_intake \
        .venv/bin/python bench/visit_intake.py --stored 1000000 --batches 20

Builds (once) a provider of one district with its contract, caregivers,
elders with entitlements, plans and agreements, and ``--stored`` accepted
visits (with their submissions) written by INSERT ... SELECT generate_series
in SQL. Then sends ``--batches`` batches of ``--batch-size`` new visits
through POST /api/visits/bulk/ in-process (DRF's APIClient, API-key
authentication) and reports visits per second, once for new rows and once
for resubmitting the same rows (idempotent: nothing written). Last, the
query count and time of the provider's month list (GET /api/visits/?month=)
for two months of very different sizes.

Each run places its rows on afternoons of its own fortnight before the
previous run's, so runs never overlap each other (the stored visits are
mornings).
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from _report import add_report_argument, write_report  # noqa: E402
from _report import row as report_row  # noqa: E402

TARGET_PER_SECOND = 2000  # issue 6: with 1,000,000 visits stored, batches of 500
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eldercare.settings")
os.environ.setdefault("DEBUG", "true")

BENCH_PROVIDER = "91440100BENCHINTK"
CAREGIVERS = 400
ITEMS = ("RN-HOME", "LC-HOME")
SLOTS_PER_DAY = 4  # afternoon slots of 90 minutes from 13:00
DAYS_PER_RUN = 14


def build_world(args):
    """The provider and everything its rows need; returns the provider."""
    from django.db import connection, transaction
    from django.utils import timezone

    from apps.catalogue.models import ServiceItem
    from apps.contracts.models import Contract
    from apps.core.demo import build_elders
    from apps.elders.models import Elder
    from apps.providers.models import Provider, StaffMember
    from apps.providers.rules import with_check_character
    from apps.regions.models import Region, RegionKind

    provider = Provider.objects.filter(name="Bench intake provider").first()
    if provider is not None:
        return provider
    started = time.perf_counter()
    district = Region.objects.filter(kind=RegionKind.DISTRICT, code="440106").first() or \
        Region.objects.filter(kind=RegionKind.DISTRICT).order_by("code").first()
    streets = list(district.children.filter(kind=RegionKind.STREET).order_by("code"))
    today = timezone.localdate()
    first = date(today.year - 2, 1, 1)
    with transaction.atomic():
        provider = Provider.objects.create(
            name="Bench intake provider", region=district,
            credit_code=with_check_character("91440100BENCH0001"))
        contract = Contract.objects.create(
            reference="BENCH-INTAKE", purchaser=district, provider=provider,
            signed_on=first, starts_on=first, ends_on=date(today.year + 2, 12, 31))
        contract.covered_area.set(streets)
        StaffMember.objects.bulk_create([
            StaffMember(provider=provider, name=f"护理员{n:03d}", role="caregiver",
                        joined_on=first) for n in range(CAREGIVERS)])
        rng = random.Random(6)
        elders = build_elders(streets, args.elders, rng)
        for elder in elders:
            elder.home_location = "23.135000,113.330000"
        Elder.objects.bulk_create(elders, batch_size=5000)
        items = {i.code: i for i in ServiceItem.objects.filter(code__in=ITEMS)}
        prices = {"RN-HOME": "50.00", "LC-HOME": "38.00"}
        for code, item in items.items():
            contract.items.create(service_item=item, price=prices[code])
    print(f"world: provider, contract, {CAREGIVERS} caregivers, {args.elders} elders in "
          f"{time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        elder_ids = "(SELECT id FROM elders_elder WHERE residence_street_id = ANY(%s))"
        street_ids = [s.pk for s in streets]
        cursor.execute(f"""
            INSERT INTO subsidies_entitlement (created_at, updated_at, elder_id,
                subsidy_class, care_level, monthly_amount, nursing_supplement, elder_share,
                service_street_id, paying_district_id, valid_from, status, end_reason,
                end_note, criteria)
            SELECT now(), now(), e.id, 'class1', 'moderate', 400, 0, 0,
                e.residence_street_id, %s, %s, 'active', '', '', '[]'::jsonb
            FROM elders_elder e WHERE e.id IN {elder_ids}""", [district.pk, first, street_ids])
        cursor.execute(f"""
            INSERT INTO careplans_serviceplan (created_at, updated_at, elder_id, starts_on,
                status, needs, note)
            SELECT now(), now(), e.id, %s, 'active', '', '' FROM elders_elder e
            WHERE e.id IN {elder_ids}""", [first, street_ids])
        for code, item in items.items():
            cursor.execute("""
                INSERT INTO careplans_serviceplanitem (created_at, updated_at, plan_id,
                    service_item_id, provider_id, times_per_month, units_per_time, unit_price)
                SELECT now(), now(), p.id, %s, %s, 8, 1, %s FROM careplans_serviceplan p
                JOIN elders_elder e ON e.id = p.elder_id
                WHERE e.residence_street_id = ANY(%s)""",
                           [item.pk, provider.pk, prices[code], street_ids])
        cursor.execute("""
            INSERT INTO careplans_serviceagreement (created_at, updated_at, reference,
                elder_id, provider_id, contract_id, plan_id, signed_on, starts_on, schedule,
                signed_by_agent, signatory_name, status, end_reason, end_note)
            SELECT now(), now(), 'BENCH-' || p.elder_id, p.elder_id, %s, %s, p.id, %s, %s,
                '', false, '', 'active', '', ''
            FROM careplans_serviceplan p JOIN elders_elder e ON e.id = p.elder_id
            WHERE e.residence_street_id = ANY(%s)""",
                       [provider.pk, contract.pk, first, first, street_ids])
        for code, item in items.items():
            cursor.execute("""
                INSERT INTO careplans_agreementitem (created_at, updated_at, agreement_id,
                    service_item_id, unit_price, times_per_month)
                SELECT now(), now(), a.id, %s, %s, 8 FROM careplans_serviceagreement a
                WHERE a.provider_id = %s""", [item.pk, prices[code], provider.pk])
    print(f"entitlements, plans, agreements in {time.perf_counter() - started:.1f} s")
    return provider


def store_visits(provider, count: int) -> None:
    """``count`` accepted visits, mornings of the last year, with their
    submissions: INSERT ... SELECT generate_series."""
    from django.db import connection, transaction

    from apps.visits.models import ServiceVisit

    have = ServiceVisit.objects.filter(provider=provider, provider_visit_id__startswith="S"
                                       ).count()
    if have >= count:
        return
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO off")
        cursor.execute("""
            CREATE TEMP TABLE bench_elders ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY a.elder_id) - 1 AS n, a.elder_id, a.id AS agreement
            FROM careplans_serviceagreement a WHERE a.provider_id = %s""", [provider.pk])
        cursor.execute("""
            CREATE TEMP TABLE bench_staff ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM providers_staffmember
            WHERE provider_id = %s""", [provider.pk])
        cursor.execute("SELECT count(*) FROM bench_elders")
        (elders,) = cursor.fetchone()
        cursor.execute("SELECT id FROM catalogue_serviceitem WHERE code = 'RN-HOME'")
        (item,) = cursor.fetchone()
        # Visit g: caregiver g % C, on day (g / C) / 4 back from yesterday, in one of
        # four morning slots (07:00 + 50 min each); elder g % E.
        cursor.execute("""
            INSERT INTO visits_servicevisit (provider_id, provider_visit_id, version,
                is_current, correction_reason, elder_id, agreement_id, caregiver_id,
                service_item_id, service_date, check_in_at, check_in_method,
                check_in_reason, check_out_at, check_out_method, check_out_reason,
                photo, photo_sha256, notes, confirmation, confirmed_by_name, units,
                unit_price, amount, flags, channel, submitted_at)
            SELECT %(provider)s, 'S' || g, 1, true, '', e.elder_id, e.agreement, s.id,
                %(item)s, (t.at AT TIME ZONE 'Asia/Shanghai')::date, t.at, 'card', '',
                t.at + interval '45 minutes', 'card', '', '', '', '', 'none', '', 1, 50, 50,
                '{}', 'api', now()
            FROM generate_series(%(have)s + 1, %(count)s) g
            JOIN bench_elders e ON e.n = g %% %(elders)s
            JOIN bench_staff s ON s.n = g %% %(staff)s
            CROSS JOIN LATERAL (SELECT ((current_date - 1 - ((g / %(staff)s) / 4)::int)
                + time '07:00' + ((g / %(staff)s) %% 4) * interval '50 minutes')
                AT TIME ZONE 'Asia/Shanghai' AS at) t""",
                       {"provider": provider.pk, "item": item, "have": have, "count": count,
                        "elders": elders, "staff": CAREGIVERS})
        cursor.execute("""
            INSERT INTO visits_visitsubmission (provider_id, provider_visit_id, channel,
                received_at, payload, payload_hash, outcome, reasons, flags, elder_id,
                visit_id)
            SELECT provider_id, provider_visit_id, 'api', submitted_at,
                jsonb_build_object('provider_visit_id', provider_visit_id),
                md5(provider_visit_id) || md5(provider_visit_id), 'accepted', '[]'::jsonb,
                '{}', elder_id, id
            FROM visits_servicevisit WHERE provider_id = %s
                AND provider_visit_id LIKE 'S%%' AND id > (
                    SELECT coalesce(max(visit_id), 0) FROM visits_visitsubmission)""",
                       [provider.pk])
    # what autovacuum would do on a live system: statistics for the planner
    # and the visibility map for index-only counts
    with connection.cursor() as cursor:
        for table in ("visits_servicevisit", "visits_visitsubmission", "elders_elder",
                      "subsidies_entitlement", "careplans_serviceplan",
                      "careplans_serviceplanitem", "careplans_serviceagreement",
                      "careplans_agreementitem", "providers_staffmember"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"stored {count - have} visits with their submissions in "
          f"{time.perf_counter() - started:.1f} s")


def bench_rows(provider, run: int, batches: int, size: int) -> list[list[dict]]:
    """New rows, afternoons of this run's fortnight: no two overlap, and none
    overlaps a stored visit or an earlier run's."""
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from apps.careplans.models import ServiceAgreement
    from apps.providers.models import StaffMember

    tz = ZoneInfo("Asia/Shanghai")
    elders = list(ServiceAgreement.objects.filter(provider=provider).order_by(
        "elder_id").values_list("elder__id_number", "elder__hukou_street_id"))
    staff = list(StaffMember.objects.filter(provider=provider).order_by("pk").values_list(
        "pk", flat=True))
    last_day = timezone.localdate() - timedelta(days=1 + run * DAYS_PER_RUN)
    rows, total = [], batches * size
    if total > len(staff) * SLOTS_PER_DAY * DAYS_PER_RUN:
        raise SystemExit("too many rows for one run's fortnight: add caregivers")
    for r in range(total):
        caregiver = staff[r % len(staff)]
        slot = r // len(staff)
        day = last_day - timedelta(days=slot // SLOTS_PER_DAY)
        start = datetime.combine(day, clock(13, 0), tzinfo=tz) + timedelta(
            minutes=90 * (slot % SLOTS_PER_DAY))
        number, hukou = elders[(r * 7919 + run * 104729) % len(elders)]
        code = ITEMS[r % 2]
        minutes = 45 if code == "RN-HOME" else 75
        row = {"provider_visit_id": f"B{run}-{r}", "elder_id_number": number,
               "service_item": code, "caregiver": str(caregiver),
               "check_in_at": start.isoformat(),
               "check_out_at": (start + timedelta(minutes=minutes)).isoformat(),
               "check_in_method": "card" if hukou else "manual",
               "latitude": "23.136000", "longitude": "113.331000"}
        if not hukou:
            row["check_in_reason"] = "非本市户籍，无市民卡"
        rows.append(row)
    return [rows[i:i + size] for i in range(0, total, size)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stored", type=int, default=1_000_000)
    parser.add_argument("--elders", type=int, default=20_000)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=500)
    add_report_argument(parser)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from rest_framework.test import APIClient

    from apps.visits.models import IntakeBatch, ServiceVisit, VisitSubmission
    from apps.visits.tokens import issue_token

    call_command("migrate", verbosity=0)
    provider = build_world(args)
    store_visits(provider, args.stored)
    run = IntakeBatch.objects.filter(provider=provider, filename__startswith="bench-run-") \
        .values("filename").distinct().count()
    IntakeBatch.objects.create(provider=provider, channel="api", filename=f"bench-run-{run}")
    _token, key = issue_token(provider, f"bench run {run}")
    client = APIClient(HTTP_HOST="127.0.0.1")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    batches = bench_rows(provider, run, args.batches, args.batch_size)
    print(f"\nvisits stored: {ServiceVisit.objects.count():,}  "
          f"submissions stored: {VisitSubmission.objects.count():,}  run {run}")

    def send(label):
        timings, accepted, rejected, unchanged, queries = [], 0, 0, 0, []
        reasons = {}
        for rows in batches:
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.post("/api/visits/bulk/", {"visits": rows}, format="json")
                timings.append(time.perf_counter() - started)
            assert response.status_code == 200, response.content[:500]
            body = response.json()
            accepted += body["accepted"]
            rejected += body["rejected"]
            unchanged += body["unchanged"]
            queries.append(len(captured))
            for result in body["results"]:
                for reason in result["reasons"]:
                    reasons[reason["code"]] = reasons.get(reason["code"], 0) + 1
        total_rows = sum(len(rows) for rows in batches)
        seconds = sum(timings)
        print(f"{label:<14}{total_rows:>7} rows {seconds:>7.2f} s {total_rows / seconds:>8.0f} "
              f"visits/s  batch median {statistics.median(timings) * 1000:>6.0f} ms  "
              f"max {max(timings) * 1000:>6.0f} ms  queries/batch {min(queries)}–{max(queries)}"
              f"  accepted {accepted} rejected {rejected} unchanged {unchanged}")
        if reasons:
            print(f"{'':<14}reasons: {reasons}")
        return total_rows / seconds, statistics.median(timings) * 1000, max(queries), accepted

    # Warm-up, not timed: the first request of a process imports and compiles
    # the code path. Ten rows refused for an unknown item use no time slot.
    warm = [{**row, "provider_visit_id": f"W{run}-{n}", "service_item": "XX-WARMUP"}
            for n, row in enumerate(batches[0][:10])]
    client.post("/api/visits/bulk/", {"visits": warm}, format="json")
    rate, median_ms, queries_per_batch, accepted = send("new rows")
    resent_rate, _median, resent_queries, _accepted = send("resubmitted")
    report = [
        report_row("visits stored before the run", f"{ServiceVisit.objects.count() - accepted:,}"),
        report_row(f"new visits/s, {args.batches} batches of {args.batch_size}",
                   f"{rate:,.0f} (batch median {median_ms:.0f} ms, {queries_per_batch} queries)",
                   f"≥ {TARGET_PER_SECOND:,}", rate >= TARGET_PER_SECOND),
        report_row("the same batches resent (nothing written)",
                   f"{resent_rate:,.0f} visits/s ({resent_queries} queries)"),
    ]

    today = timezone.localdate()
    months = [today.replace(day=1), (today.replace(day=1) - timedelta(days=200)).replace(day=1)]
    for month in months:
        path = f"/api/visits/?month={month:%Y-%m}"
        count = ServiceVisit.objects.filter(provider=provider, is_current=True).in_month(
            month, (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)).count()
        client.get(path)
        timings = []
        for _ in range(10):
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        print(f"month list {month:%Y-%m}: {count:>7,} visits in the month, "
              f"{len(captured)} queries, median {statistics.median(timings):.0f} ms "
              f"(first page of 50)")
        report.append(report_row(f"provider's month list, {count:,} visits in the month",
                                 f"{statistics.median(timings):.0f} ms median "
                                 f"({len(captured)} queries)"))
    write_report(args.report, "visit_intake", report)


if __name__ == "__main__":
    main()
