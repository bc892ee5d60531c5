"""Rotating the key of the encrypted columns and the identity-number digest key."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import CommandError, call_command
from django.db import connection

from apps.core.crypto import _fernet_key
from apps.core.management.commands.rotate_field_keys import (
    Target,
    blocking_triggers,
    encrypted_targets,
)
from apps.elders.models import Contact, Elder, ElderEvent
from apps.elders.services import find_duplicate
from apps.settlement.models import SettlementRun
from tests.factories import ElderFactory

pytestmark = pytest.mark.django_db

OLD, NEW = "old-field-key-2025", "new-field-key-2026"


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE id = %s', [pk])
        return cursor.fetchone()[0]


def decrypts_with(key: str, token: str) -> bool:
    try:
        Fernet(_fernet_key(key)).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def rotate(*args: str) -> str:
    out = StringIO()
    call_command("rotate_field_keys", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def elders(field_keys):
    field_keys(OLD)
    people = [ElderFactory(phone=f"1380000000{i}", address=f"天河路 {i} 号",
                           home_location="23.1291,113.2644") for i in range(3)]
    contact = Contact.objects.create(elder=people[0], role="emergency", name="Li",
                                     phone="13911112222")
    return people, contact


def test_every_encrypted_column_is_found_and_none_is_frozen():
    found = {t.label: set(t.columns) for t in encrypted_targets()}
    assert found == {
        "elders.Elder": {"id_number", "phone", "address", "home_location"},
        "elders.Contact": {"phone"},
        "contracts.CarerAgreement": {"carer_phone"},
        "complaints.Complaint": {"complainant_phone"},
    }  # the history tables leave the encrypted columns out
    assert all(blocking_triggers(t) == [] for t in encrypted_targets())
    # a freeze trigger on such a table would be named, not passed silently
    frozen = blocking_triggers(Target(SettlementRun, ["payment_reference"]))
    assert "settlement.SettlementRun:approved_run_is_frozen" in frozen


def test_rotation_re_encrypts_under_the_new_key(elders, field_keys):
    people, contact = elders
    numbers = {e.pk: e.id_number for e in people}
    before = raw("elders_elder", "id_number", people[0].pk)
    assert decrypts_with(OLD, before)

    field_keys(NEW, OLD)
    dry = rotate("--dry-run", "--batch-size", "2")
    assert ("elders.Elder: 3 rows, 12 encrypted values; not under the newest key: "
            "id_number 3, phone 3, address 3, home_location 3") in dry
    assert "elders.Contact: 1 rows, 1 encrypted values; not under the newest key: phone 1" in dry
    assert raw("elders_elder", "id_number", people[0].pk) == before  # nothing written

    events = ElderEvent.objects.count()
    out = rotate("--batch-size", "2")
    assert "rows rewritten: 3" in out
    assert ElderEvent.objects.count() == events  # a re-encryption is not a change
    for elder in people:
        for column in ("id_number", "phone", "address", "home_location"):
            token = raw("elders_elder", column, elder.pk)
            assert decrypts_with(NEW, token)
            assert not decrypts_with(OLD, token)
    assert decrypts_with(NEW, raw("elders_contact", "phone", contact.pk))

    again = rotate()
    assert "elders.Elder: 3 rows, 12 encrypted values; not under the newest key: " \
           "id_number 0, phone 0, address 0, home_location 0; rows rewritten: 0" in again

    field_keys(NEW)  # the old key dropped
    for elder in Elder.objects.filter(pk__in=numbers):
        assert elder.id_number == numbers[elder.pk]
        assert elder.address.startswith("天河路")
    assert Contact.objects.get(pk=contact.pk).phone == "13911112222"


def test_a_value_no_key_opens_stops_the_command(elders, field_keys):
    people, _contact = elders
    token = raw("elders_elder", "phone", people[1].pk)
    field_keys(NEW)  # the old key dropped too early
    # the library then hands out the ciphertext as if it were the phone number
    assert Elder.objects.get(pk=people[1].pk).phone == token
    with pytest.raises(CommandError, match="decrypt with none of FIELD_ENCRYPTION_KEYS"):
        rotate()
    field_keys(NEW, OLD)  # put back, run again: done
    rotate()
    field_keys(NEW)
    assert Elder.objects.get(pk=people[1].pk).phone == "13800000001"


def test_identity_digests_follow_a_new_hash_key(elders, settings):
    people, _contact = elders
    number = people[2].id_number
    assert find_duplicate("resident_id", number) == people[2]
    old_digest = people[2].id_number_digest

    settings.IDENTITY_HASH_KEY = "new-identity-hash-key"
    assert find_duplicate("resident_id", number) is None  # searches miss until recomputed
    dry = rotate("--identity-digests", "--dry-run")
    assert "identity digests to recompute: 3" in dry
    out = rotate("--identity-digests", "--batch-size", "1")
    assert "identity digests to recompute: 3; rows rewritten: 3" in out

    assert find_duplicate("resident_id", number) == people[2]
    people[2].refresh_from_db()
    assert people[2].id_number_digest != old_digest
    # the change is in the history, marked with the command that made it
    event = ElderEvent.objects.filter(pgh_obj_id=people[2].pk).order_by("pgh_id").last()
    assert event.id_number_digest == people[2].id_number_digest
    assert event.pgh_context.metadata["command"] == "rotate_field_keys"
    assert "rows rewritten: 0" in rotate("--identity-digests")
