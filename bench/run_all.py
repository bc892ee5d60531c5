#!/usr/bin/env python
"""Run every benchmark in ``bench/`` and print one table (``make bench``).

    .venv/bin/python bench/run_all.py                 # run all, print the table
    .venv/bin/python bench/run_all.py --write-readme  # and put it in README.md
    .venv/bin/python bench/run_all.py --only load settlement_month

Each benchmark runs in its own process on its own database (created when
missing, on the server of ``BENCH_DATABASE_SERVER``, default the machine's
PostgreSQL), builds its data the first time and reuses it afterwards, and
appends its result rows to a report file (``bench/_report.py``). The table
says when and where it was measured; compare rows of one run, the machine
is noisy.

The exit status is 1 when a benchmark failed to run or found its results
wrong (a sanity check, a failed request under load); a target not met is a
row of the table saying so, not a failure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
README = ROOT / "README.md"
BEGIN, END = "<!-- bench:begin (make bench-readme writes this) -->", "<!-- bench:end -->"

# Every benchmark, in the order run: its script, database and arguments.
BENCHMARKS = [
    ("scoped_lists", "eldercare_bench_lists", ["--elders", "100000"]),
    ("import_register", "eldercare_bench_import", ["--rows", "50000"]),
    ("visit_intake", "eldercare_bench_intake", ["--stored", "1000000", "--batches", "20"]),
    # a fixed month, so that the month generated once serves every later run
    ("settlement_month", "eldercare_bench_settlement", ["--workers", "1",
                                                        "--month", "2026-10-01"]),
    ("provider_statement", "eldercare_bench_statement", ["--elders", "300", "--visits", "6"]),
    ("load", "eldercare_bench_load", ["--users", "50", "--spawn-rate", "1",
                                      "--duration", "180"]),
]
# Modules of bench/ that the benchmarks import or drive, not benchmarks.
NOT_BENCHMARKS = {"run_all", "city_month", "locustfile"}


def unlisted_scripts() -> list[str]:
    """Scripts in bench/ that are neither benchmarks here nor their modules."""
    listed = {name for name, _db, _args in BENCHMARKS} | NOT_BENCHMARKS
    return sorted(path.stem for path in BENCH.glob("*.py")
                  if not path.stem.startswith("_") and path.stem not in listed)


def ensure_database(server: str, name: str) -> str:
    query = f"SELECT 1 FROM pg_database WHERE datname = '{name}'"
    exists = subprocess.run(["psql", f"{server}/postgres", "-tAc", query],
                            capture_output=True, text=True, check=True).stdout.strip()
    if not exists:
        subprocess.run(["psql", f"{server}/postgres", "-qc", f'CREATE DATABASE "{name}"'],
                       check=True)
    return f"{server}/{name}"


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor() or platform.machine())
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text()
                     .splitlines() if line.startswith("MemTotal"))
    postgres = subprocess.run(["psql", f"{server()}/postgres", "-tAc", "SHOW server_version"],
                              capture_output=True, text=True).stdout.strip() or "?"
    return (f"{os.cpu_count()} cores ({cpu}), {memory_kb / 1024 / 1024:.0f} GiB, "
            f"PostgreSQL {postgres.split()[0]} on loopback, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def server() -> str:
    return os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")


def commit() -> str:
    result = subprocess.run(["git", "describe", "--always", "--dirty", "--abbrev=7"], cwd=ROOT,
                            capture_output=True, text=True)
    return result.stdout.strip() or "?"


def run(names: list[str]) -> tuple[list[dict], dict[str, tuple[int, float]], dict]:
    rows, outcomes = [], {}
    context = {"started": datetime.now(ZoneInfo("Asia/Shanghai")), "machine": machine(),
               "commit": commit(), "load": [os.getloadavg()[0]]}
    with tempfile.TemporaryDirectory() as tmp:
        for name, database, args in BENCHMARKS:
            if names and name not in names:
                continue
            report = Path(tmp) / f"{name}.jsonl"
            env = {**os.environ, "DATABASE_URL": ensure_database(server(), database),
                   "DEBUG": "true"}
            # a benchmark runs its own tasks in-process, or on workers of its
            # own broker (settlement_month): never on the machine's queues
            for name_ in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
                env.pop(name_, None)
            command = [sys.executable, str(BENCH / f"{name}.py"), *args, "--report", str(report)]
            print(f"\n== {name}: {' '.join(command[1:])}", flush=True)
            started = time.perf_counter()
            status = subprocess.run(command, cwd=ROOT, env=env).returncode
            outcomes[name] = (status, time.perf_counter() - started)
            context["load"].append(os.getloadavg()[0])
            found = [json.loads(line) for line in report.read_text().splitlines()] \
                if report.exists() else []
            if status != 0 or not found:
                found.append({"bench": name, "measure": "the benchmark ran", "value":
                              f"exit status {status}", "target": "0", "met": False})
            rows.extend(found)
    return rows, outcomes, context


def verdict(met) -> str:
    return "" if met is None else ("met" if met else "**not met**")


def table(rows: list[dict], outcomes: dict, context: dict) -> str:
    load = context["load"]
    lines = [
        f"Measured {context['started']:%Y-%m-%d %H:%M} (Asia/Shanghai) at commit "
        f"`{context['commit']}` on {context['machine']}; load average "
        f"{min(load):.1f}–{max(load):.1f} while it ran. Produced by `make bench` "
        f"(`bench/run_all.py`).",
        "",
        "| benchmark | measure | value | target | |",
        "|---|---|---|---|---|",
    ]
    for name, _db, _args in BENCHMARKS:
        mine = [r for r in rows if r["bench"] == name]
        if not mine:
            continue
        _status, seconds = outcomes[name]
        label = f"`{name}` ({seconds / 60:.1f} min)"
        for n, r in enumerate(mine):
            lines.append(f"| {label if n == 0 else ''} | {r['measure']} | {r['value']} | "
                         f"{r['target']} | {verdict(r['met'])} |")
    return "\n".join(lines)


def write_readme(text: str) -> None:
    readme = README.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    if not pattern.search(readme):
        raise SystemExit(f"README.md has no {BEGIN} … {END} block to replace")
    README.write_text(pattern.sub(lambda _m: f"{BEGIN}\n{text}\n{END}", readme),
                      encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", default=[], metavar="NAME",
                        choices=[name for name, _db, _args in BENCHMARKS])
    parser.add_argument("--write-readme", action="store_true",
                        help="replace the README's benchmark table with this run's")
    args = parser.parse_args()
    unlisted = unlisted_scripts()
    if unlisted:
        raise SystemExit(f"bench/ has scripts run_all.py does not know: {', '.join(unlisted)}; "
                         "add them to BENCHMARKS (or NOT_BENCHMARKS if they are modules)")
    rows, outcomes, context = run(args.only)
    text = table(rows, outcomes, context)
    print("\n" + text)
    if args.write_readme:
        if args.only:
            raise SystemExit("--write-readme needs the whole run, not --only")
        write_readme(text)
        print(f"\nwrote the table into {README.relative_to(ROOT)}")
    return 1 if any(status for status, _s in outcomes.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
