"""Enter a year's official holiday schedule from a small file
(docs/operations.md, "The yearly holiday calendar").

One line per day, comma-separated: date, kind, occasion (optional)::

    # 国务院办公厅关于2027年部分节假日安排的通知
    2027-01-01,holiday,元旦
    2027-02-06,workday,春节

``holiday`` is a day off, ``workday`` a make-up working day. Only the days
that depart from Monday–Friday are stored: a holiday on a Saturday or Sunday
is skipped (it is a rest day anyway). The whole file is checked first and
written in one transaction, or not at all.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

KINDS = {"holiday": False, "workday": True}


@dataclass(frozen=True)
class Entry:
    line: int
    date: date
    is_workday: bool
    name: str


def parse(lines: list[str]) -> tuple[int, list[Entry], list[Entry], list[str]]:
    """Check the file: (year, days to store, weekend holidays skipped, errors)."""
    errors: list[str] = []
    entries: list[Entry] = []
    for number, row in enumerate(csv.reader(lines), start=1):
        cells = [cell.strip() for cell in row]
        if not cells or not cells[0] or cells[0].startswith("#"):
            continue
        if len(cells) < 2 or len(cells) > 3:
            errors.append(f"line {number}: expected 'date,kind[,occasion]'")
            continue
        try:
            day = date.fromisoformat(cells[0])
        except ValueError:
            errors.append(f"line {number}: '{cells[0]}' is not a date (YYYY-MM-DD)")
            continue
        kind = cells[1].lower()
        if kind not in KINDS:
            errors.append(f"line {number}: kind '{cells[1]}' is neither holiday nor workday")
            continue
        entries.append(Entry(number, day, KINDS[kind], cells[2] if len(cells) == 3 else ""))
    if not entries and not errors:
        errors.append("the file lists no days")
    years = sorted({e.date.year for e in entries})
    if len(years) > 1:
        errors.append(f"the file mixes years {', '.join(map(str, years))}: one year per file")
    seen: dict[date, int] = {}
    for entry in entries:
        if entry.date in seen:
            errors.append(f"line {entry.line}: {entry.date} is already given on line "
                          f"{seen[entry.date]}")
        seen.setdefault(entry.date, entry.line)
        if entry.is_workday and entry.date.weekday() < 5:
            errors.append(f"line {entry.line}: {entry.date} is a weekday; a make-up "
                          "working day is always a Saturday or Sunday")
    stored = [e for e in entries if e.is_workday or e.date.weekday() < 5]
    skipped = [e for e in entries if not e.is_workday and e.date.weekday() >= 5]
    return (years[0] if years else 0), stored, skipped, errors


class Command(BaseCommand):
    help = ("Load a year's holidays and make-up working days from a file of "
            "'date,kind[,occasion]' lines (kind: holiday or workday), in one transaction.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", required=True,
                            help="The notice the schedule comes from, e.g. its number.")
        parser.add_argument("--replace", action="store_true",
                            help="Replace the days of a year already entered.")
        parser.add_argument("--dry-run", action="store_true", help="Check only.")

    def handle(self, *args, file: Path, source: str, replace: bool, dry_run: bool, **options):
        from apps.applications.services import recompute_provisional_deadlines
        from apps.workdays.models import CalendarDay, CalendarYear

        try:
            lines = file.read_text(encoding="utf-8-sig").splitlines()
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error}") from error
        year, stored, skipped, errors = parse(lines)
        if not source.strip():
            errors.append("--source must name the notice")
        existing = CalendarYear.objects.filter(year=year).first() if year else None
        if existing and not replace:
            errors.append(f"{year} is already entered (source: {existing.source}, "
                          f"{existing.days.count()} days); use --replace to enter it again")
        if errors:
            raise CommandError("nothing loaded:\n  " + "\n  ".join(errors))
        holidays = sum(not e.is_workday for e in stored)
        summary = (f"{year}: {holidays} weekday holidays, {len(stored) - holidays} make-up "
                   f"working days; {len(skipped)} weekend holidays skipped")
        if dry_run:
            self.stdout.write(f"checked, nothing written. {summary}")
            return
        with transaction.atomic():
            if existing:
                existing.days.all().delete()
                existing.source = source.strip()
                existing.save(update_fields=["source"])
                calendar_year = existing
            else:
                calendar_year = CalendarYear.objects.create(year=year, source=source.strip())
            CalendarDay.objects.bulk_create([
                CalendarDay(year=calendar_year, date=e.date, is_workday=e.is_workday,
                            name=e.name) for e in stored])
        changed = recompute_provisional_deadlines()
        self.stdout.write(self.style.SUCCESS(
            f"loaded. {summary}; provisional due dates recomputed: {changed}"))
