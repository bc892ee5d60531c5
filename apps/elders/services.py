"""State changes of the elder registry: registration (identity checked,
duplicates refused), corrections, life-status changes and contacts. A change
that matters to an entitlement changes it from the next month (Art 32)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.crypto import keyed_digest
from apps.elders import identity
from apps.elders.models import (
    NUMBERED_AS_RESIDENT_ID,
    Contact,
    DocumentType,
    Elder,
    LifeStatus,
)
from apps.policy.lookup import value_on

IDENTITY_ERRORS = {
    "format": _("An identity number has 18 characters: 17 digits and a digit or X."),
    "birth_date": _("The birth date inside the identity number is not a real date."),
    "future_birth_date": _("The birth date inside the identity number is in the future."),
    "check_character": _("The last character does not match: please check the number."),
}
DUPLICATE = _("An elder with this identity number is already registered.")

# Fields a clerk may set at registration or correct later.
PROFILE_FIELDS = [
    "name", "hukou_street", "residence_street", "community", "phone", "address",
    "lives_alone", "pure_elderly_household", "lives_only_with_severely_disabled_child",
    "gugua", "sanwu_or_wubao", "dibao", "low_income", "youfu", "model_worker",
    "family_planning_special_support", "monthly_pension",
]
# Facts Art 26 decides on: changing one re-decides the entitlement.
ELIGIBILITY_FIELDS = [
    "lives_alone", "pure_elderly_household", "lives_only_with_severely_disabled_child",
    "gugua", "sanwu_or_wubao", "dibao", "low_income", "youfu", "model_worker",
    "family_planning_special_support", "monthly_pension", "hukou_street",
]


def identity_digest(document_type: str, number: str) -> str:
    return keyed_digest(f"{document_type}:{identity.normalise(number)}")


def build_elder(*, id_number: str, document_type: str = DocumentType.RESIDENT_ID,
                birth_date: date | None = None, sex: str = "", today: date | None = None,
                min_age: int | None = None, places_resolved: bool = False,
                **profile) -> Elder:
    """Validate a registration and return the unsaved elder.

    Checks the identity number (GB 11643 for resident cards; birth date and
    sex derived from it), the minimum age and every field; the duplicate
    check is the caller's, by ``id_number_digest``. Raises ValidationError
    with field-level messages. ``places_resolved`` says the streets are
    Region rows already read (a bulk import), so their existence is not
    queried again for each elder.
    """
    today = today or timezone.localdate()
    number = identity.normalise(id_number)
    errors: dict[str, ValidationError] = {}
    decoded = document_type in NUMBERED_AS_RESIDENT_ID
    if decoded:
        # Residence permits of Hong Kong, Macao and Taiwan residents follow
        # GB 11643 too, under the address codes 810000, 820000 and 830000.
        prefixes = NUMBERED_AS_RESIDENT_ID[document_type]
        try:
            parsed = identity.parse_resident_number(number, today)
            number, birth_date, sex = parsed.number, parsed.birth_date, parsed.sex
            if prefixes and not number.startswith(prefixes):
                errors["id_number"] = ValidationError(
                    _("This permit's number starts with %(codes)s."),
                    params={"codes": " / ".join(prefixes)}, code="permit_prefix")
        except identity.InvalidIdentityNumber as exc:
            errors["id_number"] = ValidationError(IDENTITY_ERRORS[exc.code], code=exc.code)
    elif not number:
        errors["id_number"] = ValidationError(_("Enter the document number."),
                                              code="required")
    if birth_date is not None and birth_date > today and "id_number" not in errors:
        errors["birth_date"] = ValidationError(_("The date of birth is in the future."),
                                               code="future_birth_date")
    elif birth_date is not None and "id_number" not in errors:
        min_age = min_age if min_age is not None else int(value_on("elder.min_age", today))
        age = identity.age_on(birth_date, today)
        if age < min_age:
            field = "id_number" if decoded else "birth_date"
            errors[field] = ValidationError(
                _("Aged %(age)s: the registry is for people aged %(min)s or over (Art 12)."),
                params={"age": age, "min": min_age}, code="under_age")
    elder = Elder(document_type=document_type, id_number=number,
                  id_number_digest=identity_digest(document_type, number) if number else "",
                  id_number_masked=identity.mask(number), birth_date=birth_date, sex=sex,
                  **profile)
    try:
        exclude = ["id_number_digest"]
        if places_resolved:
            exclude += ["hukou_street", "residence_street", "community"]
        elder.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        derived = ("birth_date", "sex") if decoded else ()
        for field, messages in exc.error_dict.items():
            # birth date and sex come from a resident number: its own error says it
            if field not in derived:
                errors.setdefault(field, ValidationError(messages))
    street_errors = _street_errors(elder)
    for field, error in street_errors.items():
        errors.setdefault(field, error)
    if errors:
        raise ValidationError(errors)
    return elder


def _street_errors(elder: Elder) -> dict:
    errors = {}
    for field in ("hukou_street", "residence_street"):
        street = getattr(elder, field, None) if getattr(elder, f"{field}_id") else None
        if street is not None and street.kind != "street":
            errors[field] = ValidationError(_("Choose a street or town."), code="not_street")
    community = elder.community if elder.community_id else None
    if community is not None and community.parent_id != elder.residence_street_id:
        errors["community"] = ValidationError(
            _("The community must lie in the residence street."), code="community_street")
    return errors


def find_duplicate(document_type: str, number: str) -> Elder | None:
    """The registered elder with this document number, seen or not."""
    digest = identity_digest(document_type, identity.normalise(number))
    return Elder.objects.filter(id_number_digest=digest).first()


@transaction.atomic
def register_elder(*, by=None, **fields) -> Elder:
    """Register an elder, refusing an invalid number or a duplicate.

    ``by``, when given, must see the hukou or residence street: a clerk
    registers the elders of their own street.
    """
    elder = build_elder(**fields)
    if Elder.objects.filter(id_number_digest=elder.id_number_digest).exists():
        raise ValidationError({"id_number": ValidationError(DUPLICATE, code="duplicate")})
    if by is not None and not _sees_a_street(by, elder):
        raise ValidationError({"residence_street": ValidationError(
            _("The hukou or the residence street must be one of yours."),
            code="outside_jurisdiction")})
    elder.save()
    return elder


def _sees_a_street(user, elder: Elder) -> bool:
    from apps.regions.models import Region

    ids = [i for i in (elder.hukou_street_id, elder.residence_street_id) if i]
    return Region.objects.visible_to(user).filter(pk__in=ids).exists()


@transaction.atomic
def update_elder(*, elder: Elder, changed_on: date | None = None, **changes) -> Elder:
    """Correct or update an elder's record.

    A change of income, household or hukou re-decides the entitlement and a
    move to another street moves the service there, both from the next month
    (Art 32).
    """
    from apps.subsidies import services as subsidies
    from apps.subsidies.models import EndReason

    changed_on = changed_on or timezone.localdate()
    if changed_on > timezone.localdate():
        raise ValidationError({"changed_on": ValidationError(
            _("The date cannot be in the future."), code="future")})
    elder = Elder.objects.select_for_update().get(pk=elder.pk)
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    before = {f: getattr(elder, f) for f in changes}
    for field, value in changes.items():
        setattr(elder, field, value)
    elder.full_clean()
    errors = _street_errors(elder)
    if errors:
        raise ValidationError(errors)
    elder.save()
    changed = {f for f in changes if before[f] != getattr(elder, f)}
    if "residence_street" in changed:
        subsidies.apply_change(elder=elder, changed_on=changed_on, reason=EndReason.MOVED,
                               service_street=elder.residence_street)
    elif changed & set(ELIGIBILITY_FIELDS):
        subsidies.apply_change(elder=elder, changed_on=changed_on,
                               reason=EndReason.CIRCUMSTANCES)
    return elder


# Life statuses that end an entitlement from the next month; a stay in
# hospital does not (services pause, the entitlement lapses unused).
ENDING_STATUSES = {
    LifeStatus.DECEASED: "deceased",
    LifeStatus.MOVED_AWAY: "moved_away",
    LifeStatus.IN_INSTITUTION: "in_institution",
}


@transaction.atomic
def record_life_status(*, elder: Elder, status: str, since: date, note: str = "") -> Elder:
    """Record a life-status change; death, moving away or entering an
    institution ends the entitlement at the end of that month (Art 32)."""
    from apps.subsidies import services as subsidies

    if status not in LifeStatus.values:
        raise ValidationError({"life_status": ValidationError(_("Unknown status."),
                                                              code="invalid")})
    if since > timezone.localdate():
        raise ValidationError({"life_status_since": ValidationError(
            _("The date cannot be in the future."), code="future")})
    elder = Elder.objects.select_for_update().get(pk=elder.pk)
    if elder.life_status == LifeStatus.DECEASED:
        raise ValidationError({"life_status": ValidationError(
            _("The elder is recorded as deceased."), code="deceased")})
    elder.life_status = status
    elder.life_status_since = since
    elder.full_clean()
    elder.save(update_fields=["life_status", "life_status_since", "updated_at"])
    if status in ENDING_STATUSES:
        subsidies.apply_change(elder=elder, changed_on=since, reason=ENDING_STATUSES[status],
                               note=note, ends=True)
    return elder


@transaction.atomic
def add_contact(*, elder: Elder, role: str, name: str, relationship: str = "",
                phone: str = "") -> Contact:
    """Add a guardian, authorised agent or contact person."""
    contact = Contact(elder=elder, role=role, name=name, relationship=relationship,
                      phone=phone or None)
    contact.full_clean()
    contact.save()
    return contact
