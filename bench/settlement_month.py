#!/usr/bin/env python
"""Benchmark: settling a city-scale month (issue 7, Performance).

    createdb -h 127.0.0.1 -U postgres eldercare_bench7
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/eldercare_bench7 \\
        .venv/bin/python bench/settlement_month.py [--workers 2]

Generates once (``bench/city_month.py``, about 5 minutes; ``--reset`` drops
and creates the database again, one named *bench* only) a month of 50,000
subsidised elders, 300 providers and 1,000,000 current visits in the 11
districts of the seeded region data, then measures in the same run:

(a) PostgreSQL's plain GROUP BY sum over the month's visits, fetched to the
    client, warm cache, best of ``--repeat`` (before and after settling);
(b) settling the month: a run started for every district
    (``services.start_run``, the biggest districts first) and computed by
    ``compute_run_task`` on real Celery workers (``--workers`` processes of
    ``celery -A eldercare worker -P solo -Q settlement``, Redis broker
    ``--broker``), from the first task sent to the last result: the city's
    wall time, and each district's time as the worker logs it. Each
    repetition starts from no runs (the first computation of the month); the
    statements the runs queue on the ``pdf`` queue are not rendered;
(c) the worker's peak memory: VmHWM (``/proc/<pid>/status``) of the worker
    process, which with ``-P solo`` is the process that computes (the
    highest of them with several workers).

``--worker process`` computes in a child Python process instead (one
``compute_run`` per district in turn) and reports its ru_maxrss.
``--explain`` prints EXPLAIN (ANALYZE, BUFFERS) of writing the biggest
district's lines (rolled back) and stops.

Last, the sanity checks (every run's totals equal the sums of its lines and
of its provider rows; the lines plus the own-cost elders' visits are the
GROUP BY's total) and the table, with PASS/FAIL against the targets: at
most 60 s, under 500 MB, at most 5 times the GROUP BY.
"""

import argparse
import os
import re
import signal
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

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eldercare.settings")
os.environ.setdefault("DEBUG", "true")

TARGET_SECONDS = 60
TARGET_MB = 500
TARGET_RATIO = 5

GROUP_BY = """
SELECT elder_id, sum(amount) FROM visits_servicevisit
 WHERE is_current AND service_date BETWEEN %s AND %s GROUP BY elder_id
"""


def previous_month() -> date:
    from django.utils import timezone

    today = timezone.localdate()
    return date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)


def group_by(month, last, repeat: int) -> tuple[float, int, object]:
    """Best of ``repeat`` (after one warming run) of the plain GROUP BY."""
    from django.db import connection

    best, rows = None, []
    with connection.cursor() as cursor:
        for attempt in range(repeat + 1):
            started = time.perf_counter()
            cursor.execute(GROUP_BY, [month, last])
            rows = cursor.fetchall()
            took = time.perf_counter() - started
            if attempt and (best is None or took < best):
                best = took
    return best, len(rows), sum(total for _elder, total in rows)


def fresh_runs(month) -> list[int]:
    """No runs of the month, then a draft run for every district."""
    from django.db import connection
    from django.db.models import Count

    from apps.regions.models import Region, RegionKind
    from apps.settlement.services import start_run
    from apps.subsidies.models import Entitlement

    with connection.cursor() as cursor:
        # a bench database only (checked by the caller): the month's runs go,
        # lines and provider rows with them, unfrozen as drafts are
        cursor.execute("TRUNCATE settlement_settlementline, settlement_providersettlement,"
                       " settlement_assessmentfeeline, settlement_settlementdocument,"
                       " settlement_withholding, settlement_settlementrun")
    runs = []
    # the biggest districts first, so that side-by-side workers finish together
    size = dict(Entitlement.objects.values_list("paying_district").annotate(Count("pk")))
    districts = sorted(Region.objects.filter(kind=RegionKind.DISTRICT),
                       key=lambda d: (-size.get(d.pk, 0), d.code))
    for district in districts:
        run, _created = start_run(district=district, month=month)
        runs.append(run.pk)
    return runs


def settle_on_celery(runs: list[int], broker: str, workers: int = 1
                     ) -> tuple[float, dict[int, float], float]:
    from celery import Celery

    """Start ``workers`` solo workers, send one task per run, wait for every
    result; returns (wall seconds, seconds per run from the workers' logs,
    the highest peak MB of a worker process)."""
    env = {**os.environ, "CELERY_BROKER_URL": broker, "CELERY_RESULT_BACKEND": broker}
    # Celery reads CELERY_BROKER_URL from the environment before the broker an
    # app is given: this process must send to the workers' broker too
    os.environ.update(CELERY_BROKER_URL=broker, CELERY_RESULT_BACKEND=broker)
    started_workers = []
    try:
        for number in range(workers):
            log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (read while it runs)
                "w+", suffix=".log", prefix="settle-worker-", delete=False)
            worker = subprocess.Popen(
                [str(ROOT / ".venv/bin/celery"), "-A", "eldercare", "worker", "-P", "solo",
                 "-Q", "settlement", "-n", f"bench-settle-{os.getpid()}-{number}@%h",
                 "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            started_workers.append((worker, Path(log.name)))
        deadline = time.time() + 120
        for worker, log in started_workers:
            while "ready." not in log.read_text():
                if worker.poll() is not None or time.time() > deadline:
                    raise SystemExit("a worker did not start:\n" + log.read_text())
                time.sleep(0.2)
        from celery import Celery

        app = Celery("bench", broker=broker, backend=broker)
        _clear_queues(app)
        started = time.perf_counter()
        results = [app.send_task("apps.settlement.tasks.compute_run_task", args=[run_id],
                                 queue="settlement") for run_id in runs]
        for result in results:
            outcome = result.get(timeout=30 * 60)
            assert outcome["status"] == "computed", outcome
        wall = time.perf_counter() - started
        peak_kb = max(_vm_hwm(worker.pid) for worker, _log in started_workers)
        per_run, ids = {}, {result.id: run_id for run_id, result in zip(runs, results,
                                                                       strict=True)}
        for _worker, log in started_workers:
            for task_id, seconds in re.findall(
                    r"compute_run_task\[([0-9a-f-]+)\] succeeded in ([0-9.]+)s",
                    log.read_text()):
                if task_id in ids:
                    per_run[ids[task_id]] = float(seconds)
        return wall, per_run, peak_kb / 1024
    finally:
        _clear_queues(Celery("bench", broker=broker))
        for worker, log in started_workers:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
            log.unlink()


def _clear_queues(app) -> None:
    """Nothing left in the bench broker's settlement and pdf queues (the
    runs' statements are queued for rendering, which is not measured here)."""
    with app.connection_for_write() as connection:
        for queue in ("settlement", "pdf"):
            connection.default_channel.client.delete(queue)


def _vm_hwm(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM")


CHILD = """
import os, resource, sys, time
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eldercare.settings")
import django
django.setup()
from apps.settlement.jobs import compute_run
for run_id in {runs!r}:
    started = time.perf_counter()
    run = compute_run(run_id)
    assert run.status == "computed", run.status
    print("run", run_id, time.perf_counter() - started, flush=True)
print("maxrss", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)
"""


def settle_in_process(runs: list[int]) -> tuple[float, dict[int, float], float]:
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT), runs=runs)],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    wall = time.perf_counter() - started
    per_run = {int(a): float(b) for a, b in re.findall(r"^run (\d+) ([0-9.]+)$", out, re.M)}
    (peak_kb,) = re.findall(r"^maxrss (\d+)$", out, re.M)
    return wall, per_run, int(peak_kb) / 1024


def check(runs: list[int], month, last, group_total) -> list[str]:
    """Every run's totals are the sums of its lines and of its provider rows;
    the lines and the own-cost elders' visits make the GROUP BY's total."""
    from django.db import connection

    problems = []
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT r.id, r.visits, r.elders, r.cost, r.subsidy, r.elder_pays, r.bonus,
                   r.payable, r.city_share + r.district_share,
                   l.visits, l.elders, l.cost, l.subsidy, l.elder_pays, l.bonus,
                   p.visits, p.cost, p.subsidy, p.bonus, p.payable
              FROM settlement_settlementrun r
              LEFT JOIN LATERAL (
                  SELECT count(*) AS visits, count(DISTINCT elder_id) AS elders,
                         sum(cost) AS cost, sum(subsidy) AS subsidy,
                         sum(elder_pays) AS elder_pays, sum(bonus) AS bonus
                    FROM settlement_settlementline WHERE run_id = r.id) l ON true
              LEFT JOIN LATERAL (
                  SELECT sum(visits) AS visits, sum(cost) AS cost, sum(subsidy) AS subsidy,
                         sum(bonus) AS bonus, sum(payable) AS payable
                    FROM settlement_providersettlement WHERE run_id = r.id) p ON true
             WHERE r.id = ANY(%s)""", [runs])
        for (run_id, visits, elders, cost, subsidy, elder_pays, bonus, payable, split,
             l_visits, l_elders, l_cost, l_subsidy, l_elder_pays, l_bonus,
             p_visits, p_cost, p_subsidy, p_bonus, p_payable) in cursor.fetchall():
            if (visits, elders, cost, subsidy, elder_pays, bonus) != (
                    l_visits, l_elders, l_cost, l_subsidy, l_elder_pays, l_bonus):
                problems.append(f"run {run_id}: totals are not the sums of its lines")
            if (visits, cost, subsidy, bonus, payable) != (
                    p_visits, p_cost, p_subsidy, p_bonus, p_payable):
                problems.append(f"run {run_id}: totals are not the sums of its providers")
            if payable != split or cost != subsidy + elder_pays:
                problems.append(f"run {run_id}: split or cost does not add up")
        cursor.execute("""
            SELECT (SELECT coalesce(sum(cost), 0) FROM settlement_settlementline
                     WHERE run_id = ANY(%s)),
                   (SELECT coalesce(sum(v.amount), 0) FROM visits_servicevisit v
                     WHERE v.is_current AND v.service_date BETWEEN %s AND %s
                       AND NOT EXISTS (SELECT 1 FROM settlement_settlementline l
                                        WHERE l.run_id = ANY(%s) AND l.visit_id = v.id))""",
                       [runs, month, last, runs])
        lines, unsettled = cursor.fetchone()
        cursor.execute("""
            SELECT coalesce(sum(v.amount), 0) FROM visits_servicevisit v
              JOIN subsidies_entitlement e ON e.elder_id = v.elder_id
             WHERE v.is_current AND v.service_date BETWEEN %s AND %s
               AND e.subsidy_class = 'own_cost'""", [month, last])
        (own_cost,) = cursor.fetchone()
    if lines + unsettled != group_total:
        problems.append(f"lines {lines} + unsettled {unsettled} != GROUP BY {group_total}")
    if unsettled != own_cost:
        problems.append(f"unsettled visits {unsettled} are not the own-cost ones {own_cost}")
    return problems


def explain(month) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the statements writing the biggest
    district's lines (rolled back)."""
    from django.db import connection, transaction

    from apps.regions.models import Region
    from apps.settlement import compute
    from apps.settlement.models import SettlementRun

    with connection.cursor() as cursor:
        cursor.execute("""SELECT e.paying_district_id FROM subsidies_entitlement e
                           GROUP BY 1 ORDER BY count(*) DESC LIMIT 1""")
        (district_id,) = cursor.fetchone()

    def explaining(execute, sql, params, many, context):
        if not sql.lstrip().startswith(("INSERT", "DELETE", "UPDATE")):
            return execute(sql, params, many, context)
        started = time.perf_counter()
        execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params, many, context)
        print("\n".join(row[0] for row in context["cursor"].fetchall()))
        print(f"-- {time.perf_counter() - started:.2f} s\n", flush=True)
        return None

    class RolledBack(Exception):
        pass

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # a bench database only (checked by the caller), and rolled back
            cursor.execute("TRUNCATE settlement_settlementline, settlement_providersettlement,"
                           " settlement_assessmentfeeline, settlement_settlementdocument,"
                           " settlement_withholding, settlement_settlementrun")
            run = SettlementRun.objects.create(district=Region.objects.get(pk=district_id),
                                               month=month)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            with connection.execute_wrapper(explaining):
                compute.write_lines(run)
            started = time.perf_counter()
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            print(f"deferred foreign-key checks of the lines (at commit): "
                  f"{time.perf_counter() - started:.2f} s")
            raise RolledBack
    except RolledBack:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--month", type=date.fromisoformat,
                        help="YYYY-MM-01 (default: the previous month)")
    parser.add_argument("--elders", type=int, default=50_000)
    parser.add_argument("--providers", type=int, default=300)
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--reset", action="store_true",
                        help="drop and create the (bench) database, then generate again")
    parser.add_argument("--repeat", type=int, default=3, help="GROUP BY repetitions (best of)")
    parser.add_argument("--settle-repeat", type=int, default=1,
                        help="settlement repetitions (the last is reported)")
    parser.add_argument("--worker", choices=["celery", "process"], default="celery")
    parser.add_argument("--workers", type=int, default=1,
                        help="solo Celery workers taking the runs side by side")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--explain", action="store_true",
                        help="only EXPLAIN (ANALYZE, BUFFERS) the biggest district's lines")
    add_report_argument(parser)
    args = parser.parse_args()

    import django

    django.setup()
    import logging

    logging.getLogger("pgtrigger").setLevel(logging.WARNING)
    month = (args.month or previous_month()).replace(day=1)
    import city_month
    from django.core.management import call_command
    from django.db import connection

    if "bench" not in connection.settings_dict["NAME"]:
        raise SystemExit("run it on a database named *bench*: it empties the settlement tables")
    if args.reset:
        city_month.reset()
    call_command("migrate", verbosity=0)
    last = city_month._last(month)
    if not city_month.is_generated(month, args.visits):
        print(f"generating {month:%Y-%m}: {args.elders:,} elders, {args.providers} providers,"
              f" {args.visits:,} visits", flush=True)
        started = time.perf_counter()
        city_month.generate(month, elders=args.elders, providers=args.providers,
                            visits=args.visits)
        print(f"generated in {time.perf_counter() - started:.1f} s", flush=True)
    if args.explain:
        explain(month)
        return

    with connection.cursor() as cursor:
        cursor.execute("""SELECT count(*), count(DISTINCT elder_id) FROM visits_servicevisit
                           WHERE is_current AND service_date BETWEEN %s AND %s""",
                       [month, last])
        visits, elders = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM providers_provider")
        (providers,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM subsidies_entitlement WHERE status <> 'cancelled'"
                       " AND subsidy_class <> 'own_cost' AND valid_from <= %s"
                       " AND (valid_until IS NULL OR valid_until >= %s)", [last, month])
        (subsidised,) = cursor.fetchone()

    for attempt in range(args.settle_repeat):
        runs = fresh_runs(month)
        connection.close()  # the worker and this process do not share a session
        grouped, _groups, group_total = group_by(month, last, args.repeat)
        connection.close()
        if args.worker == "celery":
            wall, per_run, peak = settle_on_celery(runs, args.broker, args.workers)
        else:
            wall, per_run, peak = settle_in_process(runs)
        print(f"settlement {attempt + 1}: GROUP BY {grouped:.3f} s, settle {wall:.2f} s "
              f"(ratio {wall / grouped:.1f}), peak {peak:.0f} MB", flush=True)
        # and the GROUP BY again after it, the better of the two counts
        regrouped, _groups, _total = group_by(month, last, args.repeat)
        grouped = min(grouped, regrouped)

    problems = check(runs, month, last, group_total)
    from apps.settlement.models import SettlementRun

    lines = sum(SettlementRun.objects.filter(pk__in=runs).values_list("visits", flat=True))
    slowest = max(per_run.values()) if per_run else float("nan")
    ratio = wall / grouped
    rows = [
        ("visits in the month (current)", f"{visits:,}", ""),
        ("elders with visits / subsidised", f"{elders:,} / {subsidised:,}", ""),
        ("providers", f"{providers}", ""),
        ("settlement lines written", f"{lines:,}", ""),
        ("GROUP BY sum, best of " + str(args.repeat), f"{grouped:.3f} s", ""),
        (f"settle the month ({len(runs)} runs)", f"{wall:.2f} s",
         "PASS" if wall <= TARGET_SECONDS else "FAIL"),
        ("  slowest district", f"{slowest:.2f} s", ""),
        ("ratio settle / GROUP BY", f"{ratio:.1f}", "PASS" if ratio <= TARGET_RATIO else "FAIL"),
        (f"worker peak memory ({'VmHWM' if args.worker == 'celery' else 'ru_maxrss'})",
         f"{peak:.0f} MB", "PASS" if peak < TARGET_MB else "FAIL"),
        ("sanity (totals = sums of lines)", "ok" if not problems else "; ".join(problems),
         "PASS" if not problems else "FAIL"),
    ]
    from django.utils import timezone

    print(f"\nSettlement of {month:%Y-%m} on {timezone.localdate()} ({args.worker} worker"
          f"{'s' if args.workers > 1 else ''}: {args.workers})")
    print(f"| {'measure':<34} | {'value':>16} | target |")
    print(f"|{'-' * 36}|{'-' * 18}|--------|")
    for label, value, verdict in rows:
        print(f"| {label:<34} | {value:>16} | {verdict:<6} |")
    targets = {"settle the month": f"≤ {TARGET_SECONDS} s", "ratio settle": f"≤ {TARGET_RATIO}",
               "worker peak": f"< {TARGET_MB} MB", "sanity": "ok"}
    workers = f"{args.workers} {args.worker} worker{'s' if args.workers > 1 else ''}"
    write_report(args.report, "settlement_month", [
        row(f"{label} ({workers})" if verdict else label, value,
            next((t for key, t in targets.items() if label.startswith(key)), ""),
            (verdict == "PASS") if verdict else None)
        for label, value, verdict in rows])
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
