import pytest
from django.core.exceptions import ValidationError

from apps.elders.models import Elder
from apps.elders.services import register_elder

pytestmark = pytest.mark.django_db


def test_register_stores_the_number_encrypted_with_a_digest(tree):
    elder = register_elder(name="张秀英", id_number="11010519491231002x",
                           residence_street=tree["street"], hukou_street=tree["street"])
    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM elders_elder WHERE id = %s", [elder.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("gAAAA")
    assert "11010519491231002X" not in stored
    assert Elder.objects.get(pk=elder.pk).id_number == "11010519491231002X"
    assert (elder.sex, elder.id_number_masked) == ("F", "110105********002X")


def test_duplicate_and_invalid_numbers_are_field_errors_and_write_nothing(tree):
    register_elder(name="A", id_number="11010519491231002X", residence_street=tree["street"])
    with pytest.raises(ValidationError) as duplicate:
        register_elder(name="B", id_number="11010519491231002x", residence_street=tree["street"])
    with pytest.raises(ValidationError) as invalid:
        register_elder(name="C", id_number="110105194912310021", residence_street=tree["street"])
    assert duplicate.value.error_dict["id_number"][0].code == "duplicate"
    assert invalid.value.error_dict["id_number"][0].code == "check_character"
    assert Elder.objects.count() == 1
