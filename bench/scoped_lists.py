#!/usr/bin/env python
"""Benchmark: list pages through the scoping rule at city scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/eldercare_bench \
        .venv/bin/python bench/scoped_lists.py --elders 100000

Builds (once) a database with the given number of synthetic elders over all
178 streets, then times the first page of the elder registry (HTML and API)
for a street, a district and a city user, and counts the queries. Prints a
table; compare rows measured in the same run (the machine is noisy).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from _report import add_report_argument, row, write_report  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eldercare.settings")
os.environ.setdefault("DEBUG", "true")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--elders", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    add_report_argument(parser)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from apps.accounts.models import User
    from apps.accounts.roles import Role
    from apps.accounts.services import create_staff
    from apps.core.demo import generate_city
    from apps.elders.models import Elder
    from apps.regions.models import Region

    call_command("migrate", verbosity=0)
    have = Elder.objects.count()
    if have < args.elders:
        started = time.perf_counter()
        generate_city(elders=args.elders - have, seed=have + 1)
        print(f"generated {args.elders - have} elders in {time.perf_counter() - started:.1f} s")
    street = Region.objects.filter(kind="street").order_by("code").first()
    users = {}
    for label, role, region in [
        ("street", Role.STREET_STAFF, street),
        ("district", Role.DISTRICT_STAFF, street.parent),
        ("city", Role.CITY_STAFF, street.parent.parent),
    ]:
        user = User.objects.filter(username=f"bench-{label}").first() or create_staff(
            username=f"bench-{label}", password="x", role=role, region=region)
        users[label] = user

    print(f"\nelders in database: {Elder.objects.count()}")
    print(f"{'user':<10}{'page':<16}{'visible rows':>14}{'queries':>9}{'median ms':>11}"
          f"{'p95 ms':>9}")
    client = Client(HTTP_HOST="127.0.0.1")
    rows = [row("elders in the database", f"{Elder.objects.count():,}")]
    for label, user in users.items():
        client.force_login(user)
        visible = Elder.objects.visible_to(user).count()
        for page in ("/elders/", "/api/elders/"):
            client.get(page)  # warm
            timings = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                response = client.get(page)
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.status_code
            with CaptureQueriesContext(connection) as queries:
                client.get(page)
            timings.sort()
            p95 = timings[int(len(timings) * 0.95) - 1]
            print(f"{label:<10}{page:<16}{visible:>14}{len(queries):>9}"
                  f"{statistics.median(timings):>11.1f}{p95:>9.1f}")
            rows.append(row(f"{label} {page}, first page of {visible:,} visible: median / p95",
                            f"{statistics.median(timings):.1f} / {p95:.1f} ms "
                            f"({len(queries)} queries)"))
    write_report(args.report, "scoped_lists", rows)


if __name__ == "__main__":
    main()
