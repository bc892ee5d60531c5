#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an EMPTY database and an
# empty media directory (docs/operations.md, "Restore drill").
#
#   createdb -h HOST -U USER eldercare_restore
#   DATABASE_URL=postgres://USER@HOST:5432/eldercare_restore \
#   MEDIA_ROOT=/srv/eldercare-restore/media \
#       scripts/restore.sh /var/backups/eldercare/eldercare-20261130T010000Z
#
# Checks SHA256SUMS first, refuses a database that already has tables or a
# media directory that is not empty, restores in one transaction, then
# unpacks the files. Run `manage.py migrate --check` afterwards with the same
# secrets as the backed-up system.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 BACKUP_DIR" >&2; exit 2; }
source_dir=$1
: "${DATABASE_URL:?set DATABASE_URL to the EMPTY database to restore into}"
: "${MEDIA_ROOT:?set MEDIA_ROOT to the EMPTY directory to restore the files into}"
for tool in pg_restore psql tar sha256sum; do
    command -v "$tool" >/dev/null || { echo "restore: $tool not found" >&2; exit 1; }
done

(cd "$source_dir" && sha256sum --check --quiet SHA256SUMS) \
    || { echo "restore: checksum mismatch in $source_dir" >&2; exit 1; }

tables=$(psql "$DATABASE_URL" -Atc \
    "select count(*) from pg_tables where schemaname = 'public'")
if [ "$tables" != "0" ]; then
    echo "restore: the target database already has $tables tables; use a new, empty one" >&2
    exit 1
fi
if [ -d "$MEDIA_ROOT" ] && [ -n "$(ls -A "$MEDIA_ROOT")" ]; then
    echo "restore: $MEDIA_ROOT is not empty; use a new, empty directory" >&2
    exit 1
fi

pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
    --dbname="$DATABASE_URL" "$source_dir/database.dump"

mkdir -p "$MEDIA_ROOT"
tar -C "$MEDIA_ROOT" -xzf "$source_dir/media.tar.gz"
echo "restored $source_dir into $(psql "$DATABASE_URL" -Atc 'select current_database()') \
and $MEDIA_ROOT"
