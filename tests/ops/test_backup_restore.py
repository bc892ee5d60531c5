"""The backup and the restore drill of docs/operations.md, for real: data
committed to PostgreSQL, scripts/backup.sh, scripts/restore.sh into a new
database and media directory, and checks on the restored copy."""

import hashlib
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from apps.accounts.roles import Role
from apps.elders.models import Elder
from apps.settlement import services
from apps.settlement.models import (
    DocumentKind,
    ProviderSettlement,
    RunStatus,
    SettlementDocument,
    SettlementRun,
)
from tests.factories import ElderFactory, ProviderFactory, RegionFactory, staff

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ("pg_dump", "pg_restore", "psql", "tar", "sha256sum")

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgres_tools():
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        message = f"backup/restore test needs {', '.join(missing)} (PostgreSQL 15 client)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def url(name: str) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def run(script: str, *args: str, **env: str) -> str:
    done = subprocess.run([str(ROOT / "scripts" / script), *args], capture_output=True,
                          text=True, env={**os.environ, **env}, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def counts(cursor) -> dict[str, int]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                   "ORDER BY tablename")
    tables = [row[0] for row in cursor.fetchall()]
    result = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        result[table] = cursor.fetchone()[0]
    return result


@pytest.fixture
def restore_db():
    """A new, empty database next to the test database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def records(seeded):
    district = RegionFactory.district()
    street = RegionFactory.street(district)
    elder = ElderFactory(residence_street=street, phone="13800001111")
    provider = ProviderFactory(region=district)
    run_, _created = services.start_run(district=district, month=date(2025, 9, 1))
    SettlementRun.objects.filter(pk=run_.pk).update(status=RunStatus.COMPUTED,
                                                    computed_at=timezone.now())
    run_.refresh_from_db()
    row = ProviderSettlement.objects.create(run=run_, provider=provider, payable=1234)
    run_ = services.review(run=run_, user=staff(Role.DISTRICT_STAFF, region=district))
    run_ = services.approve(run=run_, user=staff(Role.FINANCE_OFFICER, region=district))
    # approval has the statements rendered and stored (eagerly here)
    document = SettlementDocument.objects.get(run=run_, kind=DocumentKind.DISTRICT_SUMMARY)
    assert default_storage.exists(document.file.name)
    return {"elder": elder, "run": run_, "provider_row": row, "document": document}


def test_a_backup_restores_into_a_new_database_and_media_dir(records, restore_db, tmp_path):
    source = url(connection.settings_dict["NAME"])
    backup = Path(run("backup.sh", str(tmp_path / "backups"), DATABASE_URL=source,
                      MEDIA_ROOT=str(settings.MEDIA_ROOT)).strip())
    assert sorted(p.name for p in backup.iterdir()) == [
        "SHA256SUMS", "database.dump", "manifest.txt", "media.tar.gz"]

    media = tmp_path / "restored-media"
    target = url(restore_db)
    run("restore.sh", str(backup), DATABASE_URL=target, MEDIA_ROOT=str(media))

    with connection.cursor() as cursor:
        expected = counts(cursor)
    restored = psycopg2.connect(target)
    restored.autocommit = True
    try:
        with restored.cursor() as cursor:
            assert counts(cursor) == expected
            assert expected["elders_elder"] >= 1
            assert expected["settlement_settlementrun"] >= 1

            # the identity number decrypts with the same keys
            elder = records["elder"]
            cursor.execute("SELECT id_number, phone FROM elders_elder WHERE id = %s",
                           [elder.pk])
            number, phone = cursor.fetchone()
            assert number != elder.id_number  # stored encrypted
            assert Elder._meta.get_field("id_number").to_python(number) == elder.id_number
            assert Elder._meta.get_field("phone").to_python(phone) == "13800001111"

            # the stored statement is there, byte for byte
            cursor.execute("SELECT file, sha256 FROM settlement_settlementdocument "
                           "WHERE id = %s", [records["document"].pk])
            name, digest = cursor.fetchone()
            assert hashlib.sha256((media / name).read_bytes()).hexdigest() == digest

            # the database still refuses to change an approved run and its rows
            for statement, pk in (
                    ("UPDATE settlement_settlementrun SET subsidy = 1 WHERE id = %s",
                     records["run"].pk),
                    ("UPDATE settlement_providersettlement SET payable = 1 WHERE id = %s",
                     records["provider_row"].pk),
                    ("DELETE FROM settlement_settlementrun WHERE id = %s", records["run"].pk)):
                with pytest.raises(psycopg2.errors.RaiseException):
                    cursor.execute(statement, [pk])
            cursor.execute("SELECT status, subsidy FROM settlement_settlementrun "
                           "WHERE id = %s", [records["run"].pk])
            assert cursor.fetchone() == ("approved", 0)
    finally:
        restored.close()

    # every migration on disk is applied in the restored copy
    check = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--check"], cwd=ROOT, capture_output=True,
        text=True, check=False,
        env={**os.environ, "DATABASE_URL": target, "DJANGO_SETTINGS_MODULE": "tests.settings"})
    assert check.returncode == 0, check.stdout + check.stderr

    # the restore refuses to overwrite: the target now has tables
    refused = subprocess.run([str(ROOT / "scripts" / "restore.sh"), str(backup)],
                             capture_output=True, text=True, check=False,
                             env={**os.environ, "DATABASE_URL": target,
                                  "MEDIA_ROOT": str(tmp_path / "elsewhere")})
    assert refused.returncode == 1
    assert "already has" in refused.stderr


def test_a_damaged_backup_is_refused(records, restore_db, tmp_path):
    backup = Path(run("backup.sh", str(tmp_path / "backups"),
                      DATABASE_URL=url(connection.settings_dict["NAME"]),
                      MEDIA_ROOT=str(settings.MEDIA_ROOT)).strip())
    with (backup / "media.tar.gz").open("ab") as archive:
        archive.write(b"x")
    refused = subprocess.run([str(ROOT / "scripts" / "restore.sh"), str(backup)],
                             capture_output=True, text=True, check=False,
                             env={**os.environ, "DATABASE_URL": url(restore_db),
                                  "MEDIA_ROOT": str(tmp_path / "media")})
    assert refused.returncode == 1
    assert "checksum mismatch" in refused.stderr
