#!/usr/bin/env python
"""Benchmark: rendering the monthly statement of a provider serving 300
elders (issue 7, Performance: at most 5 s).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/eldercare_bench_statement \\
        .venv/bin/python bench/provider_statement.py --elders 300 --visits 6

Builds once (found again by its name on later runs) a provider of one
seeded district with its contract, caregivers, ``--elders`` elders with a
class-1 entitlement paid by the district, a plan and an agreement, and
``--visits`` visits of each elder in ``--month`` (rehabilitation nursing and
home life care, written by INSERT ... SELECT generate_series), and a grade
for the performance subsidy. Computes the month's run of the district
(``jobs.compute_run``) unless it is computed already, then times, in this
process: assembling the provider statement (``statements.provider_statement``,
with its query count) and rendering its PDF (``documents.provider_pdf``,
WeasyPrint, Chinese font embedded): the first (cold) rendering, then the
median of ``--repeat`` more. ``--out`` keeps the PDF.

Prints one line, with PASS/FAIL of the cold rendering's wall time against
5 s, its CPU time and the machine's load average (on a shared, loaded
machine the wall time is a multiple of the CPU time).
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from _report import add_report_argument, row, write_report  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eldercare.settings")
os.environ.setdefault("DEBUG", "true")

TARGET_SECONDS = 5.0
PROVIDER = "Bench statement provider"
CAREGIVERS = 40
PRICES = {"RN-HOME": "50.00", "LC-HOME": "38.00"}


def build_world(args):
    """The provider and everything its visits need; returns the provider."""
    from django.db import connection, transaction

    from apps.catalogue.models import ServiceItem
    from apps.contracts.models import Contract
    from apps.core.demo import build_elders
    from apps.elders.models import Elder
    from apps.evaluations.models import ProviderGrade
    from apps.providers.models import Provider, StaffMember
    from apps.providers.rules import with_check_character
    from apps.regions.models import Region, RegionKind

    provider = Provider.objects.filter(name=PROVIDER).first()
    if provider is not None:
        return provider
    started = time.perf_counter()
    district = Region.objects.filter(kind=RegionKind.DISTRICT, code="440106").first() or \
        Region.objects.filter(kind=RegionKind.DISTRICT).order_by("code").first()
    streets = list(district.children.filter(kind=RegionKind.STREET).order_by("code"))
    first = date(args.month.year - 1, 1, 1)
    with transaction.atomic():
        provider = Provider.objects.create(
            name=PROVIDER, region=district,
            credit_code=with_check_character("91440100BENCH0002"))
        contract = Contract.objects.create(
            reference="BENCH-STATEMENT", purchaser=district, provider=provider,
            signed_on=first, starts_on=first, ends_on=date(args.month.year + 2, 12, 31))
        contract.covered_area.set(streets)
        StaffMember.objects.bulk_create([
            StaffMember(provider=provider, name=f"护理员{n:03d}", role="caregiver",
                        joined_on=first) for n in range(CAREGIVERS)])
        elders = build_elders(streets, args.elders, random.Random(7))
        Elder.objects.bulk_create(elders, batch_size=5000)
        items = {i.code: i for i in ServiceItem.objects.filter(code__in=PRICES)}
        for code, item in items.items():
            contract.items.create(service_item=item, price=PRICES[code])
        for category in {item.category for item in items.values()}:
            ProviderGrade.objects.create(provider=provider, category=category,
                                         year=first.year, grade="good", effective_from=first)
        elder_ids = [e.pk for e in Elder.objects.filter(
            id_number_digest__in=[e.id_number_digest for e in elders])]
        with connection.cursor() as cursor:
            cursor.execute("""
                INSERT INTO subsidies_entitlement (created_at, updated_at, elder_id,
                    subsidy_class, care_level, monthly_amount, nursing_supplement, elder_share,
                    service_street_id, paying_district_id, valid_from, status, end_reason,
                    end_note, criteria)
                SELECT now(), now(), e.id, 'class1', 'moderate', 400, 0, 0,
                    e.residence_street_id, %s, %s, 'active', '', '', '[]'::jsonb
                FROM elders_elder e WHERE e.id = ANY(%s)""", [district.pk, first, elder_ids])
            cursor.execute("""
                INSERT INTO careplans_serviceplan (created_at, updated_at, elder_id, starts_on,
                    status, needs, note)
                SELECT now(), now(), e.id, %s, 'active', '', '' FROM elders_elder e
                WHERE e.id = ANY(%s)""", [first, elder_ids])
            for code, item in items.items():
                cursor.execute("""
                    INSERT INTO careplans_serviceplanitem (created_at, updated_at, plan_id,
                        service_item_id, provider_id, times_per_month, units_per_time,
                        unit_price)
                    SELECT now(), now(), p.id, %s, %s, 8, 1, %s FROM careplans_serviceplan p
                    WHERE p.elder_id = ANY(%s)""", [item.pk, provider.pk, PRICES[code],
                                                     elder_ids])
            cursor.execute("""
                INSERT INTO careplans_serviceagreement (created_at, updated_at, reference,
                    elder_id, provider_id, contract_id, plan_id, signed_on, starts_on, schedule,
                    signed_by_agent, signatory_name, status, end_reason, end_note)
                SELECT now(), now(), 'BENCH-ST-' || p.elder_id, p.elder_id, %s, %s, p.id, %s,
                    %s, '', false, '', 'active', '', ''
                FROM careplans_serviceplan p WHERE p.elder_id = ANY(%s)""",
                           [provider.pk, contract.pk, first, first, elder_ids])
            for code, item in items.items():
                cursor.execute("""
                    INSERT INTO careplans_agreementitem (created_at, updated_at, agreement_id,
                        service_item_id, unit_price, times_per_month)
                    SELECT now(), now(), a.id, %s, %s, 8 FROM careplans_serviceagreement a
                    WHERE a.provider_id = %s""", [item.pk, PRICES[code], provider.pk])
    print(f"world: provider, {CAREGIVERS} caregivers, {args.elders} elders with entitlements, "
          f"plans and agreements in {time.perf_counter() - started:.1f} s")
    return provider


def store_visits(provider, month: date, per_elder: int) -> None:
    """``per_elder`` visits of each elder of the provider in ``month``: visit
    j of elder n on day 1 + (4j + n) mod 28, alternating rehabilitation
    nursing (45 minutes, 1 visit) and home life care (90 minutes, 1.5 hours)."""
    from django.db import connection, transaction

    from apps.subsidies.rules import month_end
    from apps.visits.models import ServiceVisit

    last = month_end(month)
    if ServiceVisit.objects.filter(provider=provider, service_date__range=(month, last)).exists():
        return
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("""
            CREATE TEMP TABLE bench_elders ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY a.elder_id) - 1 AS n, a.elder_id, a.id AS agreement
            FROM careplans_serviceagreement a WHERE a.provider_id = %s""", [provider.pk])
        cursor.execute("""
            CREATE TEMP TABLE bench_staff ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM providers_staffmember
            WHERE provider_id = %s""", [provider.pk])
        cursor.execute("SELECT id FROM catalogue_serviceitem WHERE code = 'RN-HOME'")
        (rehab,) = cursor.fetchone()
        cursor.execute("SELECT id FROM catalogue_serviceitem WHERE code = 'LC-HOME'")
        (life_care,) = cursor.fetchone()
        cursor.execute("""
            INSERT INTO visits_servicevisit (provider_id, provider_visit_id, version,
                is_current, correction_reason, elder_id, agreement_id, caregiver_id,
                service_item_id, service_date, check_in_at, check_in_method,
                check_in_reason, check_out_at, check_out_method, check_out_reason,
                photo, photo_sha256, notes, confirmation, confirmed_by_name, units,
                unit_price, amount, flags, channel, submitted_at)
            SELECT %(provider)s, 'ST-' || to_char(%(month)s::date, 'YYYYMM') || '-' || e.n
                       || '-' || j,
                1, true, '', e.elder_id, e.agreement, s.id,
                CASE WHEN j %% 2 = 0 THEN %(rehab)s ELSE %(life_care)s END,
                (t.at AT TIME ZONE 'Asia/Shanghai')::date, t.at, 'card', '',
                t.at + CASE WHEN j %% 2 = 0 THEN interval '45 minutes'
                            ELSE interval '90 minutes' END, 'card', '', '', '', '', 'none', '',
                CASE WHEN j %% 2 = 0 THEN 1 ELSE 1.5 END,
                CASE WHEN j %% 2 = 0 THEN 50 ELSE 38 END,
                CASE WHEN j %% 2 = 0 THEN 50 ELSE 57 END,
                '{}', 'api', now()
            FROM bench_elders e
            CROSS JOIN generate_series(0, %(per_elder)s - 1) j
            JOIN bench_staff s ON s.n = (e.n + j) %% %(staff)s
            CROSS JOIN LATERAL (SELECT ((%(month)s::date + ((4 * j + e.n) %% 28)::int)
                + time '07:00' + (e.n / %(staff)s %% 6) * interval '2 hours')
                AT TIME ZONE 'Asia/Shanghai' AS at) t""",
                       {"provider": provider.pk, "month": month, "per_elder": per_elder,
                        "staff": CAREGIVERS, "rehab": rehab, "life_care": life_care})
        count = cursor.rowcount
    with connection.cursor() as cursor:
        for table in ("visits_servicevisit", "elders_elder", "subsidies_entitlement",
                      "careplans_serviceplan", "careplans_serviceplanitem"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"stored {count} visits in {month:%Y-%m} in {time.perf_counter() - started:.1f} s")


def computed_run(provider, month: date):
    """The district's run of the month, computed (once)."""
    from apps.settlement import jobs
    from apps.settlement.models import RunStatus
    from apps.settlement.services import start_run

    run, _created = start_run(district=provider.region, month=month)
    if run.status == RunStatus.DRAFT:
        started = time.perf_counter()
        run = jobs.compute_run(run.pk)
        print(f"computed the run of {month:%Y-%m} ({run.visits} visits) in "
              f"{time.perf_counter() - started:.1f} s")
    return run


def pages(content: bytes) -> str:
    """The page count as ``pdfinfo`` (poppler-utils) reads it, "?" without it."""
    import re
    import shutil
    import subprocess

    if shutil.which("pdfinfo") is None:
        return "?"
    info = subprocess.run(["pdfinfo", "-"], input=content, capture_output=True).stdout
    found = re.search(rb"Pages:\s+(\d+)", info)
    return found.group(1).decode() if found else "?"


def timed(function, *args):
    """(result, wall seconds, CPU seconds of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--elders", type=int, default=300)
    parser.add_argument("--visits", type=int, default=6, help="visits of each elder")
    parser.add_argument("--month", type=date.fromisoformat, default=date(2025, 3, 1),
                        help="the first day of the month settled")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", help="write the PDF here")
    add_report_argument(parser)
    args = parser.parse_args()
    args.month = args.month.replace(day=1)

    import django

    django.setup()
    import logging

    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # its per-page progress
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from apps.settlement import documents, statements
    from apps.settlement.models import ProviderSettlement

    call_command("migrate", verbosity=0)
    provider = build_world(args)
    store_visits(provider, args.month, args.visits)
    run = computed_run(provider, args.month)
    item = ProviderSettlement.objects.get(run=run, provider=provider)

    with translation.override(settings.LANGUAGE_CODE):
        with CaptureQueriesContext(connection) as captured:
            statement, assemble, _cpu = timed(statements.provider_statement, item.pk)
        content, cold, cold_cpu = timed(documents.provider_pdf, item.pk)
        warm = [timed(documents.provider_pdf, item.pk)[1:] for _ in range(args.repeat)]
    if args.out:
        Path(args.out).write_bytes(content)
    warm_wall = statistics.median(w for w, _c in warm) if warm else cold
    warm_cpu = statistics.median(c for _w, c in warm) if warm else cold_cpu
    verdict = "PASS" if cold <= TARGET_SECONDS else "FAIL"
    print(f"provider statement: {len(statement.elders)} elders, {statement.totals['visits']} "
          f"visits, {pages(content)} pages, {len(content) / 1024:.0f} KiB; assembled in "
          f"{assemble * 1000:.0f} ms ({len(captured)} queries); PDF rendered in {cold:.2f} s "
          f"cold ({cold_cpu:.2f} s CPU), median of {len(warm)} warm {warm_wall:.2f} s "
          f"({warm_cpu:.2f} s CPU); load average {os.getloadavg()[0]:.1f}; target "
          f"{TARGET_SECONDS:.0f} s (cold, wall): {verdict}")
    write_report(args.report, "provider_statement", [
        row("statement", f"{len(statement.elders)} elders, {statement.totals['visits']} visits, "
                         f"{pages(content)} pages"),
        row("assembled", f"{assemble * 1000:.0f} ms ({len(captured)} queries)"),
        row("PDF rendered, cold (wall / CPU)", f"{cold:.2f} s / {cold_cpu:.2f} s",
            f"≤ {TARGET_SECONDS:.0f} s", cold <= TARGET_SECONDS),
        row(f"PDF rendered, warm (median of {len(warm)})", f"{warm_wall:.2f} s"),
    ])

if __name__ == "__main__":
    main()
