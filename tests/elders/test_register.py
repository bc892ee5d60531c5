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


@pytest.mark.parametrize(
    ("document_type", "prefix", "ok"),
    [("hk_macao_permit", "810000", True), ("hk_macao_permit", "820000", True),
     ("taiwan_permit", "830000", True), ("taiwan_permit", "810000", False),
     ("hk_macao_permit", "440106", False)],
)
def test_residence_permits_follow_gb_11643_under_their_own_codes(tree, document_type, prefix,
                                                                 ok):
    from datetime import date

    from apps.core.demo import synthetic_identity

    number = synthetic_identity(prefix, date(1950, 7, 8), 15)
    if not ok:
        with pytest.raises(ValidationError) as error:
            register_elder(name="陈", id_number=number, document_type=document_type,
                           residence_street=tree["street"])
        assert error.value.error_dict["id_number"][0].code == "permit_prefix"
        return
    elder = register_elder(name="陈", id_number=number, document_type=document_type,
                           residence_street=tree["street"])
    # birth date and sex come from the number, as on a resident card
    assert (elder.birth_date, elder.sex) == (date(1950, 7, 8), "M")


def test_a_permit_with_a_bad_check_character_is_refused(tree):
    from datetime import date

    from apps.core.demo import synthetic_identity

    number = synthetic_identity("810000", date(1950, 7, 8), 15)
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(ValidationError) as error:
        register_elder(name="陈", id_number=wrong, document_type="hk_macao_permit",
                       residence_street=tree["street"])
    assert error.value.error_dict["id_number"][0].code == "check_character"
