from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.crypto import keyed_digest
from apps.elders import identity
from apps.elders.models import DocumentType, Elder

IDENTITY_ERRORS = {
    "format": _("An identity number has 18 characters: 17 digits and a digit or X."),
    "birth_date": _("The birth date inside the identity number is not a real date."),
    "future_birth_date": _("The birth date inside the identity number is in the future."),
    "check_character": _("The last character does not match: please check the number."),
}


def identity_digest(document_type: str, number: str) -> str:
    return keyed_digest(f"{document_type}:{identity.normalise(number)}")


@transaction.atomic
def register_elder(*, name: str, id_number: str, residence_street, hukou_street=None,
                   community=None, document_type: str = DocumentType.RESIDENT_ID,
                   birth_date: date | None = None, sex: str = "", phone: str = "",
                   address: str = "") -> Elder:
    """Register an elder, deriving birth date and sex from a resident ID."""
    number = identity.normalise(id_number)
    if document_type == DocumentType.RESIDENT_ID:
        try:
            parsed = identity.parse_resident_number(number, timezone.localdate())
        except identity.InvalidIdentityNumber as exc:
            raise ValidationError(
                {"id_number": ValidationError(IDENTITY_ERRORS[exc.code], code=exc.code)}
            ) from exc
        number, birth_date, sex = parsed.number, parsed.birth_date, parsed.sex
    digest = identity_digest(document_type, number)
    if Elder.objects.filter(id_number_digest=digest).exists():
        raise ValidationError({"id_number": ValidationError(
            _("An elder with this identity number is already registered."), code="duplicate"
        )})
    elder = Elder(
        name=name, document_type=document_type, id_number=number,
        id_number_digest=digest, id_number_masked=identity.mask(number),
        birth_date=birth_date, sex=sex, residence_street=residence_street,
        hukou_street=hukou_street, community=community, phone=phone, address=address,
    )
    elder.full_clean()
    elder.save()
    return elder
