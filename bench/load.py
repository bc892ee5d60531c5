#!/usr/bin/env python
"""Load test: 50 members of staff at once on a city-scale database.

    createdb -h 127.0.0.1 -U postgres eldercare_bench_load
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/eldercare_bench_load \\
        .venv/bin/python bench/load.py [--users 50] [--spawn-rate 1] [--duration 180]

1. Data, built once (a database named *bench* only): migrate; the city month
   of ``bench/city_month.py`` (``generate(month, elders=100_000,
   providers=300, visits=1_000_000)``: 100,000 subsidised elders plus 1,000
   at own cost, 300 providers, 1,000,000 current visits in the month
   before the first build); then staff accounts of every role with a jurisdiction, made by
   ``apps.accounts.services.create_staff``: street staff and care managers
   of several streets, district staff, assessors (on an assessment body
   contracted for their district) and finance officers of several
   districts, provider staff of generated providers, city staff and an
   administrator, all with one password. The keys the personal data was
   encrypted with (and the session secret) are generated at random on the
   first build and kept in the bench database (table ``bench_secrets``):
   the server must decrypt with the same ``FIELD_ENCRYPTION_KEY``
   and hash identity numbers with the same ``IDENTITY_HASH_KEY``.
2. The server: gunicorn on 127.0.0.1 (a free port) as production runs it
   (``eldercare.wsgi``; DEBUG=false, the generated secrets,
   ALLOWED_HOSTS=127.0.0.1, SECURE_COOKIES=false because the loopback has
   no TLS, static files collected by ``collectstatic`` into a temporary
   STATIC_ROOT and served by WhiteNoise), with 2 workers of 4 threads.
   Why: the machine has 2 cores and PostgreSQL runs on the same two. A
   request spends a good part of its time waiting on PostgreSQL and on the
   socket, so threads keep a core busy while another request waits; one
   process per core avoids processes fighting over the cores (the GIL
   limits each process to one core of Python anyway), and 2 x 4 = 8
   requests in flight is enough for 50 users who think for seconds between
   pages (the Dockerfile's 3 x 2 is for a web host without the database on
   it). Each thread keeps its database connection (CONN_MAX_AGE), so at
   most 8 connections.
3. The load: locust headless (``bench/locustfile.py``), ``--users`` users
   spawned ``--spawn-rate`` a second, for ``--duration`` seconds, each
   signing in through the login form as one staff account and walking the
   pages of its role with 3-10 s of think time (see the locustfile).

It prints the requests, failures, p50/p95/p99 overall and per page name
(exact, from every request the locustfile records; locust's own summary
rounds to 2 significant digits), the same after the last user has signed
in, and requests a second; exits 1 if a request failed (for ``make bench``
an overall p95 above 500 ms is a row saying "not met", like every target).
gunicorn is stopped at the end, also on Ctrl-C or failure.
``--report FILE`` appends the rows for ``make bench`` (bench "load").

Signing in costs the server one PBKDF2 hash (Django's 1,000,000
iterations: about 0.23 s of CPU here), so a spawn rate of 10 a second asks
for more hashing than two cores can do, and every page waits behind the
sign-ins until all users are in: measured 2026-11-29, p95 7.0 s over all
requests with ``--spawn-rate 10`` (243 ms after the last sign-in), 316 ms
with ``--spawn-rate 1``. An office signs in over minutes, not seconds: the
default is 1 a second (50 users in within 50 s), and the p95 is taken over
every request, the sign-ins included.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from _report import add_report_argument, row, write_report  # noqa: E402

TARGET_P95_MS = 500
ELDERS, PROVIDERS, VISITS = 100_000, 300, 1_000_000
PASSWORD = "Load-Bench-2026!"
USERNAME_PREFIX = "load-"
# gunicorn for 2 cores shared with PostgreSQL (see the module docstring)
WORKERS, THREADS = 2, 4
KEY_SETTINGS = ("SECRET_KEY", "FIELD_ENCRYPTION_KEY", "IDENTITY_HASH_KEY")


def database_name() -> str:
    url = os.environ.get("DATABASE_URL", "")
    name = url.rsplit("/", 1)[-1].split("?", 1)[0]
    if not url or "bench" not in name:
        raise SystemExit("set DATABASE_URL to a database named *bench* (it is filled with a "
                         "city's synthetic data)")
    return name


def keys(name: str) -> dict[str, str]:
    """The bench database's secrets: generated on its first build and kept in
    the database itself (table ``bench_secrets``), so that the server, from
    any checkout, decrypts what the build encrypted. A bench database holds
    synthetic people only."""
    import psycopg2

    with psycopg2.connect(os.environ["DATABASE_URL"]) as connection, \
            connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_secrets"
                       " (name text PRIMARY KEY, value text NOT NULL)")
        cursor.execute("SELECT name, value FROM bench_secrets")
        found = dict(cursor.fetchall())
        if all(key in found for key in KEY_SETTINGS):
            return {key: found[key] for key in KEY_SETTINGS}
        # an earlier build kept them in a file of the checkout
        kept = ROOT / ".data" / f"bench-keys-{name}.json"
        values = json.loads(kept.read_text()) if kept.exists() else {
            key: secrets.token_urlsafe(48) for key in KEY_SETTINGS}
        cursor.executemany("INSERT INTO bench_secrets VALUES (%s, %s) ON CONFLICT (name)"
                           " DO UPDATE SET value = EXCLUDED.value", list(values.items()))
    return values


def previous_month() -> date:
    from django.utils import timezone

    today = timezone.localdate()
    return date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)


# --- 1. the data -------------------------------------------------------------

def build(name: str) -> dict[str, int]:
    """Migrate, generate the city once, create the staff accounts; returns
    the row counts."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eldercare.settings")
    os.environ["DEBUG"] = "true"  # migrate and generate as manage.py does
    os.environ.pop("FIELD_ENCRYPTION_KEYS", None)
    os.environ.update(keys(name))
    import django

    django.setup()
    import city_month
    from django.core.management import call_command
    from django.db import connection

    from apps.elders.models import Elder

    call_command("migrate", verbosity=0)
    month = previous_month()
    # built once, for the month before the first build: later runs (another
    # month, another checkout) use the same data
    if not Elder.objects.exists():
        print(f"generating {month:%Y-%m}: {ELDERS:,} elders, {PROVIDERS} providers, "
              f"{VISITS:,} visits", flush=True)
        started = time.perf_counter()
        city_month.generate(month, elders=ELDERS, providers=PROVIDERS, visits=VISITS)
        print(f"generated in {time.perf_counter() - started:.1f} s", flush=True)
    accounts = staff_accounts()
    counts = {}
    with connection.cursor() as cursor:
        for label, table in (("elders", "elders_elder"), ("providers", "providers_provider"),
                             ("visits", "visits_servicevisit"),
                             ("entitlements", "subsidies_entitlement"),
                             ("service plans", "careplans_serviceplan"),
                             ("service agreements", "careplans_serviceagreement")):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[label] = cursor.fetchone()[0]
    counts["staff accounts"] = len(accounts)
    connection.close()
    return counts


def staff_accounts() -> list[dict]:
    """The load's staff accounts (created once through the services), as
    ``{"username", "role"}`` for the locustfile."""
    import city_month
    from django.db import transaction

    from apps.accounts.models import User
    from apps.accounts.roles import Role
    from apps.accounts.services import create_staff
    from apps.assessments.models import AssessmentBody, Assessor
    from apps.providers.models import Provider
    from apps.regions.models import Region, RegionKind

    districts = list(Region.objects.filter(kind=RegionKind.DISTRICT).order_by("code"))
    city = districts[0].parent
    streets = [street for district in districts
               for street in Region.objects.filter(parent=district, kind=RegionKind.STREET)
               .order_by("code")[:2]]
    providers = list(Provider.objects.filter(name__startswith=city_month.BENCH_NAME)
                     .order_by("pk")[::25])
    plan = []
    for number, street in enumerate(streets, 1):
        plan.append((f"street-{number:02d}", Role.STREET_STAFF, street))
        plan.append((f"care-{number:02d}", Role.CARE_MANAGER, street))
    for number, district in enumerate(districts[:6], 1):
        plan.append((f"district-{number:02d}", Role.DISTRICT_STAFF, district))
        plan.append((f"finance-{number:02d}", Role.FINANCE_OFFICER, district))
        plan.append((f"assessor-{number:02d}", Role.ASSESSOR, district))
    for number, provider in enumerate(providers, 1):
        plan.append((f"provider-{number:02d}", Role.PROVIDER_STAFF, provider))
    plan += [("city-01", Role.CITY_STAFF, city), ("city-02", Role.CITY_STAFF, city),
             ("admin-01", Role.ADMINISTRATOR, city)]
    accounts = []
    with transaction.atomic():
        # staff work through their roles: a superuser's menu offers pages that
        # need a provider ("My organisation" answers 404 without one), which
        # the load run once followed; an earlier build made the admin one
        User.objects.filter(username__startswith=USERNAME_PREFIX,
                            is_superuser=True).update(is_superuser=False)
        for suffix, role, place in plan:
            username = USERNAME_PREFIX + suffix
            user = User.objects.filter(username=username).first()
            if user is None:
                is_provider = isinstance(place, Provider)
                user = create_staff(username=username, password=PASSWORD, role=role,
                                    region=None if is_provider else place,
                                    provider=place if is_provider else None,
                                    last_name="测", first_name=f"试{suffix}")
                if role == Role.ASSESSOR:
                    body, _created = AssessmentBody.objects.get_or_create(
                        credit_code=f"LOADAB{place.code:0>12}"[:18],
                        defaults={"name": f"{place.name}长者能力评估中心（压测）"})
                    body.districts.add(place)
                    Assessor.objects.create(
                        body=body, user=user, name=f"评估员{suffix}", profession="nurse",
                        qualification="护士执业证书（压测）", trained_on=date(2024, 1, 1),
                        examination_passed_on=date(2024, 2, 1))
            accounts.append({"username": username, "role": role.value})
    return accounts


def api_endpoints(username: str) -> list[str]:
    """The API list endpoints the account's role may read (the router's
    viewsets whose model it has the view permission of)."""
    from apps.accounts.models import User
    from eldercare.api import router

    user = User.objects.get(username=username)
    endpoints = []
    for prefix, viewset, _basename in router.registry:
        queryset = getattr(viewset, "queryset", None)
        if queryset is None:
            continue
        meta = queryset.model._meta
        if user.has_perm(f"{meta.app_label}.view_{meta.model_name}"):
            endpoints.append(f"/api/{prefix}/")
    return endpoints


# --- 2. the server -------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(name: str, static_root: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("DEBUG", "FIELD_ENCRYPTION_KEYS", "DJANGO_SETTINGS_MODULE")}
    env.update(keys(name), DEBUG="false", ALLOWED_HOSTS="127.0.0.1", SECURE_COOKIES="false",
               STATIC_ROOT=static_root, DJANGO_SETTINGS_MODULE="eldercare.settings",
               LOG_LEVEL="WARNING")
    return env


def start_gunicorn(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
                   cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "eldercare.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(WORKERS), "--threads", str(THREADS)],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    import urllib.request

    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/",
                                        timeout=5) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        if server.poll() is not None or time.time() > deadline:
            stop(server)
            raise SystemExit("gunicorn did not start:\n" + log.read_text())
        time.sleep(0.5)
    # every worker imports the project and opens its connection before the load
    for _ in range(2 * WORKERS * THREADS):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=10):
            pass
    return server


def stop(server: subprocess.Popen | None) -> None:
    if server is None or server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)  # gunicorn's graceful stop of its workers
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# --- 3. the load ---------------------------------------------------------------

def run_locust(port: int, args, accounts_file: Path, prefix: Path) -> None:
    env = {**os.environ, "LOAD_ACCOUNTS": str(accounts_file), "LOAD_PASSWORD": PASSWORD,
           "LOAD_RECORD": str(prefix) + "_requests.tsv"}
    subprocess.run(
        [str(ROOT / ".venv/bin/locust"), "-f", str(ROOT / "bench/locustfile.py"), "--headless",
         "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{args.duration}s",
         "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary",
         "--stop-timeout", "15", "--loglevel", "WARNING"],
        cwd=ROOT, env=env, check=False, timeout=args.duration + 120)


def read_requests(prefix: Path) -> list[tuple[float, str, float, bool]]:
    """Every request the locustfile recorded: (started, name, ms, failed)."""
    records = []
    for line in Path(f"{prefix}_requests.tsv").read_text(encoding="utf-8").splitlines():
        started, name, ms, failed = line.split("\t")
        records.append((float(started), name, float(ms), failed == "1"))
    return records


def read_rate(prefix: Path) -> float:
    with Path(f"{prefix}_stats.csv").open(encoding="utf-8") as source:
        total = next(r for r in csv.DictReader(source) if r["Name"] == "Aggregated")
    return float(total["Requests/s"])


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least ``share`` of them at or below."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(records) -> dict:
    times = [ms for _s, _n, ms, _f in records]
    return {"requests": len(records), "failed": sum(f for *_r, f in records),
            "p50": percentile(times, 0.50), "p95": percentile(times, 0.95),
            "p99": percentile(times, 0.99), "max": max(times, default=0.0)}


def table(records) -> str:
    by_name: dict[str, list] = {}
    for record in records:
        by_name.setdefault(record[1], []).append(record)
    lines = [f"{'page':<48} {'requests':>8} {'fail':>5} {'p50':>7} {'p95':>7} {'p99':>7}"
             f" {'max':>7}"]
    rows = [(name, summary(group)) for name, group in by_name.items()]
    rows.append(("all", summary(records)))
    for name, stats in sorted(rows, key=lambda r: (r[0] == "all", -r[1]["p95"])):
        lines.append(f"{name[:48]:<48} {stats['requests']:>8,} {stats['failed']:>5}"
                     f" {stats['p50']:>7.0f} {stats['p95']:>7.0f} {stats['p99']:>7.0f}"
                     f" {stats['max']:>7.0f}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=1)
    parser.add_argument("--duration", type=int, default=180, help="seconds of load")
    add_report_argument(parser)
    args = parser.parse_args()
    name = database_name()

    counts = build(name)
    print("\nrows: " + ", ".join(f"{label} {count:,}" for label, count in counts.items()),
          flush=True)
    from apps.accounts.models import User

    accounts = [{"username": user.username, "role": user.role,
                 "api": api_endpoints(user.username)}
                for user in User.objects.filter(username__startswith=USERNAME_PREFIX)
                .order_by("username")]
    from django.db import connection

    connection.close()

    server = None
    with tempfile.TemporaryDirectory(prefix="bench-load-") as work:
        work = Path(work)
        accounts_file = work / "accounts.json"
        accounts_file.write_text(json.dumps(accounts, ensure_ascii=False))
        try:
            port = free_port()
            server = start_gunicorn(server_environment(name, str(work / "static")), port,
                                    work / "gunicorn.log")
            print(f"gunicorn on 127.0.0.1:{port}: {WORKERS} workers x {THREADS} threads; "
                  f"locust: {args.users} users, {args.spawn_rate:g}/s, {args.duration} s",
                  flush=True)
            run_locust(port, args, accounts_file, work / "locust")
            server_log = (work / "gunicorn.log").read_text()
        finally:
            stop(server)
        if "Traceback" in server_log:
            print("\ngunicorn's log:\n" + server_log[-5000:])
        records = read_requests(work / "locust")
        rate = read_rate(work / "locust")

    if not records:
        raise SystemExit("locust recorded no request")
    # the ramp-up: until the last user has signed in (every sign-in hashes its
    # password, PBKDF2, on the server's two cores)
    signed_in = max(started + ms / 1000 for started, name, ms, _f in records
                    if name == "POST login")
    steady = [r for r in records if r[0] >= signed_in]
    first = min(r[0] for r in records)
    overall, after = summary(records), summary(steady)
    print("\nEvery request (ms):\n" + table(records))
    print(f"\nAfter the last sign-in ({signed_in - first:.0f} s into the run), ms:\n"
          + table(steady))
    print(f"\n{overall['requests']:,} requests, {overall['failed']:,} failed, {rate:.1f} req/s;"
          f" p50 {overall['p50']:.0f} ms, p95 {overall['p95']:.0f} ms, p99 {overall['p99']:.0f} ms"
          f"; after the last sign-in: p50 {after['p50']:.0f}, p95 {after['p95']:.0f},"
          f" p99 {after['p99']:.0f} ms ({after['requests']:,} requests)")
    for started, name, ms, failed in records:
        if failed:
            print(f"FAILED {name} at +{started - first:.0f} s ({ms:.0f} ms)")
    p95, failed, requests = overall["p95"], overall["failed"], overall["requests"]
    slowest = max(((name, summary([r for r in records if r[1] == name])["p95"])
                   for name in {r[1] for r in records}), key=lambda item: item[1])
    rows = [
        row("elders", f"{counts['elders']:,}"),
        row("visits", f"{counts['visits']:,}"),
        row("staff accounts (every role)", f"{counts['staff accounts']:,}"),
        row(f"p95 latency, every request ({args.users} users signing in at "
            f"{args.spawn_rate:g}/s, {args.duration} s)", f"{p95:.0f} ms",
            f"≤ {TARGET_P95_MS} ms", p95 <= TARGET_P95_MS),
        row("p50 / p99 latency", f"{overall['p50']:.0f} / {overall['p99']:.0f} ms"),
        row("p95 after the last sign-in", f"{after['p95']:.0f} ms", f"≤ {TARGET_P95_MS} ms",
            after["p95"] <= TARGET_P95_MS),
        row("failed requests", f"{failed:,} of {requests:,}", "0", failed == 0),
        row("requests per second", f"{rate:.1f}"),
        row("slowest page (p95)", f"{slowest[0]} {slowest[1]:.0f} ms"),
    ]
    write_report(args.report, "load", rows)
    print(f"p95 {p95:.0f} ms: target {'met' if p95 <= TARGET_P95_MS else 'NOT MET'}; "
          f"{failed} failed requests")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
