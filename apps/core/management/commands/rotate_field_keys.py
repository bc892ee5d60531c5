"""Re-encrypt every encrypted column under the newest FIELD_ENCRYPTION_KEYS
key, and optionally recompute the identity-number digests under the current
IDENTITY_HASH_KEY (docs/operations.md, "Key rotation").

Rows are read and written in primary-key order, a batch per transaction,
with raw SQL on the encrypted columns only: the plaintext never changes,
``updated_at`` is not touched and the history triggers (which exclude the
encrypted columns) record nothing. A value already readable with the newest
key alone is left as it is, so the command is idempotent and an interrupted
run is resumed by running it again.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import pghistory
import pgtrigger
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction

from apps.core.crypto import EncryptedCharField, _fernet_key

# Triggers that may stand on a table holding encrypted columns without
# blocking a re-encryption: pghistory's own event triggers (their conditions
# leave the encrypted columns out). Any other trigger on such a table (a
# freeze or an append-only rule) makes the command stop and name it, so that
# a developer decides whether to add it to IGNORED_DURING_ROTATION below.
HISTORY_TRIGGERS = {"insert_insert", "update_update", "delete_delete"}
# "app_label.Model:trigger_name" of freeze triggers the rotation may pass
# (pgtrigger.ignore, for this command's updates only). None is needed today:
# no frozen or append-only table holds an encrypted column.
IGNORED_DURING_ROTATION: tuple[str, ...] = ()


@dataclass
class Target:
    model: type[models.Model]
    columns: list[str]

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def pk_column(self) -> str:
        return self.model._meta.pk.column


@dataclass
class Tally:
    rows: int = 0
    values: int = 0
    stale: dict[str, int] = field(default_factory=dict)  # column → values not under the newest key
    rewritten: int = 0
    digests_changed: int = 0


def encrypted_targets() -> list[Target]:
    """Every concrete table with an EncryptedCharField, history tables included."""
    targets = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        columns = [f.column for f in meta.concrete_fields if isinstance(f, EncryptedCharField)]
        if columns:
            targets.append(Target(model, columns))
    return targets


def blocking_triggers(target: Target) -> list[str]:
    """pgtrigger triggers on the table that are neither history triggers nor
    explicitly allowed to be ignored during a rotation."""
    found = []
    for model, trigger in pgtrigger.registered():
        if model._meta.db_table != target.table or trigger.name in HISTORY_TRIGGERS:
            continue
        uri = f"{model._meta.label}:{trigger.name}"
        if uri not in IGNORED_DURING_ROTATION:
            found.append(uri)
    return found


def keyrings() -> tuple[Fernet, MultiFernet]:
    keys = [Fernet(_fernet_key(k)) for k in settings.FIELD_ENCRYPTION_KEYS]
    if not keys:
        raise CommandError("FIELD_ENCRYPTION_KEYS is empty.")
    return keys[0], MultiFernet(keys)


class Command(BaseCommand):
    help = ("Re-encrypt every encrypted column with the newest of FIELD_ENCRYPTION_KEYS "
            "(batches, one transaction each; resumable). With --identity-digests, also "
            "recompute the elders' identity-number digests under IDENTITY_HASH_KEY.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="Count the values still to re-encrypt; write nothing.")
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--identity-digests", action="store_true",
                            help="Also recompute elders.Elder.id_number_digest.")

    def handle(self, *args, dry_run, batch_size, identity_digests, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        newest, ring = keyrings()
        targets = encrypted_targets()
        problems = {t.label: blocking_triggers(t) for t in targets}
        problems = {label: uris for label, uris in problems.items() if uris}
        if problems:
            raise CommandError(
                "Triggers on tables with encrypted columns would refuse the rewrite: "
                + "; ".join(f"{label}: {', '.join(uris)}" for label, uris in problems.items())
                + ". Decide whether the rotation may pass them and list them in "
                "IGNORED_DURING_ROTATION.")
        digest_of = None
        if identity_digests:
            from apps.elders.services import identity_digest

            digest_of = identity_digest
        undecryptable: list[str] = []
        # pgtrigger.ignore() with no names would silence every trigger, the
        # history included: enter it only for the triggers listed.
        passing = (pgtrigger.ignore(*IGNORED_DURING_ROTATION) if IGNORED_DURING_ROTATION
                   else contextlib.nullcontext())
        with pghistory.context(command="rotate_field_keys"), passing:
            for target in targets:
                tally = self._rotate(target, newest, ring, batch_size, dry_run,
                                     digest_of if target.label == "elders.Elder" else None,
                                     undecryptable)
                self._report(target, tally, dry_run)
        if undecryptable:
            raise CommandError(
                f"{len(undecryptable)} values decrypt with none of FIELD_ENCRYPTION_KEYS "
                f"(first: {', '.join(undecryptable[:10])}). Put the missing old key back "
                "at the end of FIELD_ENCRYPTION_KEYS and run again.")

    def _rotate(self, target: Target, newest: Fernet, ring: MultiFernet, batch_size: int,
                dry_run: bool, digest_of, undecryptable: list[str]) -> Tally:
        tally = Tally(stale=dict.fromkeys(target.columns, 0))
        quote = connection.ops.quote_name
        pk = quote(target.pk_column)
        read_columns = target.columns + (["document_type", "id_number_digest"]
                                         if digest_of else [])
        lock = "" if dry_run else " FOR UPDATE"

        def select(after: bool) -> str:
            return (f"SELECT {pk}, {', '.join(quote(c) for c in read_columns)} "
                    f"FROM {quote(target.table)} {f'WHERE {pk} > %s ' if after else ''}"
                    f"ORDER BY {pk} LIMIT %s{lock}")

        last = None
        while True:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    if last is None:
                        cursor.execute(select(False), [batch_size])
                    else:
                        cursor.execute(select(True), [last, batch_size])
                    rows = cursor.fetchall()
                if not rows:
                    return tally
                last = rows[-1][0]
                updates = []
                for row in rows:
                    changes = self._row(target, row, newest, ring, tally, digest_of,
                                        undecryptable)
                    if changes:
                        updates.append((row[0], changes))
                if updates and not dry_run:
                    self._write(target, updates, tally)

    def _row(self, target, row, newest, ring, tally, digest_of, undecryptable) -> dict:
        tally.rows += 1
        changes = {}
        plain_values = {}
        for column, value in zip(target.columns, row[1:], strict=False):
            if not value:
                continue
            tally.values += 1
            token = value.encode("utf-8")
            try:
                plain_values[column] = newest.decrypt(token).decode("utf-8")
                continue
            except InvalidToken:
                pass
            try:
                plain_values[column] = ring.decrypt(token).decode("utf-8")
            except InvalidToken:
                undecryptable.append(f"{target.label} {row[0]} {column}")
                continue
            tally.stale[column] += 1
            changes[column] = ring.rotate(token).decode("utf-8")
        if digest_of is not None:
            document_type, stored_digest = row[-2], row[-1]
            number = plain_values.get("id_number")
            if number:
                wanted = digest_of(document_type, number)
                if wanted != stored_digest:
                    tally.digests_changed += 1
                    changes["id_number_digest"] = wanted
        return changes

    def _write(self, target: Target, updates: list[tuple[object, dict]], tally: Tally) -> None:
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for pk_value, changes in updates:
                assignments = ", ".join(f"{quote(c)} = %s" for c in changes)
                cursor.execute(
                    f"UPDATE {quote(target.table)} SET {assignments} "
                    f"WHERE {quote(target.pk_column)} = %s",
                    [*changes.values(), pk_value])
                tally.rewritten += 1

    def _report(self, target: Target, tally: Tally, dry_run: bool) -> None:
        stale = ", ".join(f"{c} {n}" for c, n in tally.stale.items())
        line = (f"{target.label}: {tally.rows} rows, {tally.values} encrypted values; "
                f"not under the newest key: {stale}")
        if target.label == "elders.Elder" and tally.digests_changed:
            line += f"; identity digests to recompute: {tally.digests_changed}"
        if not dry_run:
            line += f"; rows rewritten: {tally.rewritten}"
        self.stdout.write(line)
