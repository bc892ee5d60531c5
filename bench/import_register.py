#!/usr/bin/env python
"""Benchmark: import a 50,000-row elder register with planted bad rows.

    createdb -h 127.0.0.1 -U postgres eldercare_bench_import
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/eldercare_bench_import \\
        .venv/bin/python bench/import_register.py --rows 50000

Generates a register for the streets of Tianhe district (synthetic, valid
identity numbers; about 1% bad rows of several kinds), writes it as .xlsx
and .csv, then through the import service (no HTTP): checks the .xlsx (dry
run), imports its valid rows, writes the error report; and checks the .csv.
Each run starts from an empty elder table. Prints one table of timings;
asserts nothing about time.
"""

import argparse
import csv
import io
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from _report import add_report_argument, write_report  # noqa: E402
from _report import row as report_row  # noqa: E402

TARGET_SECONDS = 60  # issue 3: upload to imported in under 60 s
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eldercare.settings")
os.environ.setdefault("DEBUG", "true")

BAD_KINDS = ["check_character", "birth_date", "under_60", "unknown_street", "duplicate_in_file",
             "pension", "flag"]


def build_rows(streets, count, rng, today):
    from apps.core.demo import synthetic_identity

    header = ["姓名", "证件号码", "户籍街道", "居住街道", "联系电话", "住址", "独居", "纯老家庭",
              "低保", "低收入", "月养老金", "劳模级别", "生活状态"]
    rows, planted, used = [], dict.fromkeys(BAD_KINDS, 0), set()
    for i in range(count):
        street = rng.choice(streets)
        born = today - timedelta(days=rng.randint(61 * 365, 99 * 365))
        number = synthetic_identity("440106", born, i)
        while number in used:  # only the planted duplicates repeat a number
            born -= timedelta(days=1)
            number = synthetic_identity("440106", born, i)
        used.add(number)
        row = [f"测试{i:05d}", number, street.code, street.name, f"13{rng.randrange(10**9):09d}",
               f"{street.name}测试路{rng.randint(1, 300)}号", rng.choice(["是", "否"]),
               rng.choice(["否", "否", "是"]), "否", rng.choice(["否"] * 20 + ["是"]),
               f"{rng.randint(1500, 6000)}.00", "无", "居家"]
        if i % 100 == 50:
            kind = BAD_KINDS[(i // 100) % len(BAD_KINDS)]
            planted[kind] += 1
            if kind == "check_character":
                row[1] = number[:-1] + ("1" if number[-1] != "1" else "2")
            elif kind == "birth_date":
                row[1] = number[:10] + "1340" + number[14:]
            elif kind == "under_60":
                young = synthetic_identity("440106", date(1990, 1, 1), i)
                row[1] = young
            elif kind == "unknown_street":
                row[3] = "不存在的街道"
            elif kind == "duplicate_in_file":
                row[1] = rows[0][1]
            elif kind == "pension":
                row[10] = "两千"
            elif kind == "flag":
                row[6] = "也许"
        rows.append(row)
    return header, rows, planted


def to_xlsx(header, rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_csv(header, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=3)
    add_report_argument(parser)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone, translation

    from apps.accounts.models import User
    from apps.accounts.roles import Role
    from apps.accounts.services import create_staff
    from apps.elders import importing
    from apps.elders.models import Elder
    from apps.regions.models import Region

    call_command("migrate", verbosity=0)
    translation.activate("zh-hans")
    district = Region.objects.get(code="440106")
    streets = list(district.children.order_by("code"))
    user = User.objects.filter(username="bench-district").first() or create_staff(
        username="bench-district", password="Bench-2026!", role=Role.DISTRICT_STAFF,
        region=district)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE elders_elder, elders_elderevent CASCADE")
    today = timezone.localdate()
    rng = random.Random(args.seed)

    started = time.perf_counter()
    header, rows, planted = build_rows(streets, args.rows, rng, today)
    xlsx, csv_bytes = to_xlsx(header, rows), to_csv(header, rows)
    generated = time.perf_counter() - started

    timings = []
    t0 = time.perf_counter()
    preview = importing.check_register(xlsx, "register.xlsx", user=user)
    timings.append(("dry run (.xlsx: read + check every row)", time.perf_counter() - t0))
    t0 = time.perf_counter()
    result = importing.import_register(xlsx, "register.xlsx", user=user, valid_only=True)
    timings.append(("import valid rows (.xlsx: check again + write)",
                    time.perf_counter() - t0))
    t0 = time.perf_counter()
    report = importing.error_report_csv(result.preview.errors)
    timings.append(("error report (.csv)", time.perf_counter() - t0))
    stored = Elder.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE elders_elder, elders_elderevent CASCADE")
    t0 = time.perf_counter()
    csv_preview = importing.check_register(csv_bytes, "register.csv", user=user)
    timings.append(("dry run (.csv)", time.perf_counter() - t0))

    planted_total = sum(planted.values())
    print(f"rows: {args.rows}, planted bad rows: {planted_total} {planted}")
    print(f"generated .xlsx ({len(xlsx) >> 10} KiB) and .csv ({len(csv_bytes) >> 10} KiB) "
          f"in {generated:.1f} s")
    print(f"valid: {len(preview.valid)}, rows with errors: {preview.error_rows}, "
          f"imported: {result.created}, elders stored: {stored}, "
          f"report: {len(report) >> 10} KiB, .csv errors agree: "
          f"{csv_preview.error_rows == preview.error_rows}")
    print()
    print("| phase | seconds |")
    print("|---|---|")
    for label, seconds in timings:
        print(f"| {label} | {seconds:.1f} |")
    total = timings[0][1] + timings[1][1]
    print(f"| **upload to imported (.xlsx dry run + import)** | **{total:.1f}** |")
    write_report(args.report, "import_register", [
        report_row("register rows / planted bad rows", f"{args.rows:,} / {planted_total:,}"),
        report_row("bad rows reported by the dry run", f"{preview.error_rows:,}",
                   f"= {planted_total:,}", preview.error_rows == planted_total),
        *(report_row(label, f"{seconds:.1f} s") for label, seconds in timings),
        report_row("upload to imported (.xlsx dry run + import)", f"{total:.1f} s",
                   f"< {TARGET_SECONDS} s", total < TARGET_SECONDS),
    ])


if __name__ == "__main__":
    main()
