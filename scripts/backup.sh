#!/usr/bin/env bash
# Back up the eldercare database and stored files (docs/operations.md, "Backups").
#
#   DATABASE_URL=postgres://... MEDIA_ROOT=/srv/eldercare/media \
#       scripts/backup.sh /var/backups/eldercare [--keep-days 35]
#
# Writes <dir>/eldercare-<UTC time>/ with
#   database.dump  pg_dump custom format (restore with scripts/restore.sh)
#   media.tar.gz   every file under MEDIA_ROOT (statements, photos, uploads)
#   manifest.txt   when, from which database, pg_dump version, counts
#   SHA256SUMS     checksums of the two files above
# The secrets (SECRET_KEY, FIELD_ENCRYPTION_KEYS, IDENTITY_HASH_KEY) are NOT
# in the backup: keep them apart, or the encrypted columns cannot be read.
# With --keep-days N, backups older than N days in <dir> are removed after
# a successful backup.
set -euo pipefail

usage() { echo "usage: $0 BACKUP_DIR [--keep-days N]" >&2; exit 2; }
[ $# -ge 1 ] || usage
dest_root=$1; shift
keep_days=""
while [ $# -gt 0 ]; do
    case $1 in
        --keep-days) [ $# -ge 2 ] || usage; keep_days=$2; shift 2 ;;
        *) usage ;;
    esac
done

: "${DATABASE_URL:?set DATABASE_URL to the database to back up}"
media_root=${MEDIA_ROOT:-${ELDERCARE_DATA_DIR:-$(dirname "$0")/../.data}/media}
for tool in pg_dump tar sha256sum; do
    command -v "$tool" >/dev/null || { echo "backup: $tool not found" >&2; exit 1; }
done

stamp=$(date -u +%Y%m%dT%H%M%SZ)
target="$dest_root/eldercare-$stamp"
partial="$target.partial"
mkdir -p "$partial"
trap 'rm -rf "$partial"' EXIT

pg_dump --format=custom --compress=6 --no-owner --no-privileges \
    --file="$partial/database.dump" --dbname="$DATABASE_URL"

if [ -d "$media_root" ]; then
    # tar's status 1 means a file changed while it was read (the system keeps
    # running during the backup): the archive is still whole; stored statements
    # never change, and the next night's backup has the newer upload
    tar -C "$media_root" -czf "$partial/media.tar.gz" . || [ $? -eq 1 ]
    media_files=$(find "$media_root" -type f | wc -l)
else
    echo "backup: warning: no media directory at $media_root; media.tar.gz is empty" >&2
    tar -czf "$partial/media.tar.gz" --files-from=/dev/null
    media_files=0
fi

{
    echo "created_utc=$stamp"
    echo "database=$(psql "$DATABASE_URL" -Atc 'select current_database()' 2>/dev/null || echo '?')"
    echo "pg_dump=$(pg_dump --version)"
    echo "media_root=$media_root"
    echo "media_files=$media_files"
    echo "migrations=$(psql "$DATABASE_URL" -Atc 'select count(*) from django_migrations' \
        2>/dev/null || echo '?')"
} > "$partial/manifest.txt"

(cd "$partial" && sha256sum database.dump media.tar.gz > SHA256SUMS)
mv "$partial" "$target"
trap - EXIT
echo "$target"

if [ -n "$keep_days" ]; then
    find "$dest_root" -maxdepth 1 -type d -name 'eldercare-*' ! -name '*.partial' \
        -mtime +"$keep_days" -print -exec rm -rf {} +
fi
