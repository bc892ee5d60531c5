from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.audit.history import track_changes
from apps.core.crypto import EncryptedCharField
from apps.core.models import ScopedManager, TimeStampedModel


class DocumentType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident identity card")
    HK_MACAO_PERMIT = "hk_macao_permit", _("Hong Kong/Macao residence permit")
    TAIWAN_PERMIT = "taiwan_permit", _("Taiwan residence permit")
    FOREIGN_PERMANENT = "foreign_permanent", _("Foreigner's permanent residence card")
    OTHER = "other", _("Other document")


# Documents whose number follows GB 11643 (birth date, sex and check
# character inside), with the address codes they must start with; None: any.
NUMBERED_AS_RESIDENT_ID: dict[str, tuple[str, ...] | None] = {
    DocumentType.RESIDENT_ID: None,
    DocumentType.HK_MACAO_PERMIT: ("810000", "820000"),
    DocumentType.TAIWAN_PERMIT: ("830000",),
}


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class ModelWorkerLevel(models.TextChoices):
    """The level of a 劳动模范 title; Art 26(1)4 needs municipal or higher."""

    NONE = "none", _("Not a model worker")
    BELOW_MUNICIPAL = "below_municipal", _("Model worker below municipal level")
    MUNICIPAL = "municipal", _("Municipal model worker")
    PROVINCIAL = "provincial", _("Provincial model worker")
    NATIONAL = "national", _("National model worker")


class LifeStatus(models.TextChoices):
    ACTIVE = "active", _("Living at home")
    MOVED_AWAY = "moved_away", _("Moved away")
    IN_INSTITUTION = "in_institution", _("In a care institution")
    IN_HOSPITAL = "in_hospital", _("In hospital")
    DECEASED = "deceased", _("Deceased")


# The identity number, phones and address never enter the change history in
# clear: the history keeps only the masked number and the keyed digest.
@track_changes(exclude=["id_number", "phone", "address", "home_location"])
class Elder(TimeStampedModel):
    """A person aged 60 or over known to the street office (Art 12, 38).

    Household and economic facts are what Art 26 decides on; the life status
    ends or changes an entitlement from the next month (Art 32).
    """

    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    document_type = models.CharField(
        _("document type"), max_length=32, choices=DocumentType.choices,
        default=DocumentType.RESIDENT_ID,
    )
    id_number = EncryptedCharField(_("identity number"), max_length=32)
    id_number_digest = models.CharField(max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField(_("identity number"), max_length=32, editable=False)
    birth_date = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    hukou_street = models.ForeignKey(
        "regions.Region", verbose_name=_("hukou street"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
        help_text=_("Empty for non-local hukou."),
    )
    residence_street = models.ForeignKey(
        "regions.Region", verbose_name=_("residence street"), on_delete=models.PROTECT,
        related_name="+",
    )
    community = models.ForeignKey(
        "regions.Region", verbose_name=_("community"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )
    phone = EncryptedCharField(_("phone"), max_length=32, blank=True, null=True)
    address = EncryptedCharField(pgettext_lazy("postal", "address"), max_length=200,
                                 blank=True, null=True)
    # Where the registered address is, for the distance of a visit's GPS
    # position: "latitude,longitude" in degrees, encrypted like the address.
    home_location = EncryptedCharField(
        _("location of the address"), max_length=40, blank=True, null=True,
        help_text=_("Latitude and longitude in degrees, e.g. 23.1291,113.2644."))

    # Household situation (Art 26, 38).
    lives_alone = models.BooleanField(
        _("lives alone"), default=False,
        help_text=_("No spouse and no children, or spouse and children have not lived "
                    "in the city for a year or more (Art 38)."))
    pure_elderly_household = models.BooleanField(
        _("pure-elderly household"), default=False,
        help_text=_("Every member of the household is elderly (Art 38)."))
    lives_only_with_severely_disabled_child = models.BooleanField(
        _("lives only with a child holding a severe-disability certificate"), default=False)
    gugua = models.BooleanField(_("no spouse and no children (孤寡)"), default=False)

    # Economic status (Art 26).
    sanwu_or_wubao = models.BooleanField(
        _("urban 'three-no' person or rural five-guarantee recipient"), default=False)
    dibao = models.BooleanField(_("minimum-living-guarantee household"), default=False)
    low_income = models.BooleanField(_("low-income household"), default=False)
    youfu = models.BooleanField(_("entitled-care (优抚) household"), default=False)
    model_worker = models.CharField(
        _("model worker"), max_length=20, choices=ModelWorkerLevel.choices,
        default=ModelWorkerLevel.NONE)
    family_planning_special_support = models.BooleanField(
        _("family-planning special-support recipient"), default=False)
    monthly_pension = models.DecimalField(
        _("monthly pension"), max_digits=10, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)], help_text=_("Yuan per month; empty if none known."))

    life_status = models.CharField(
        _("life status"), max_length=20, choices=LifeStatus.choices,
        default=LifeStatus.ACTIVE)
    life_status_since = models.DateField(_("status since"), null=True, blank=True)

    objects = ScopedManager()

    # Both streets of Art 30 work on a cross-area case.
    scope_region = ("hukou_street", "residence_street")

    class Meta:
        verbose_name = _("elder")
        verbose_name_plural = _("elders")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["name", "id"], name="elder_name_order")]
        permissions = [
            ("reveal_identity_number", _("Can reveal a full identity number (logged)")),
            ("import_elders", _("Can import an elder register from a file")),
        ]

    def __str__(self):
        return f"{self.name} {self.id_number_masked}"

    @property
    def audit_label(self) -> str:
        return str(self)

    @property
    def audit_region(self):
        return self.residence_street

    @property
    def local_hukou(self) -> bool:
        return self.hukou_street_id is not None

    def clean(self):
        if self.life_status != LifeStatus.ACTIVE and not self.life_status_since:
            raise ValidationError({"life_status_since": ValidationError(
                _("Give the date the status began."), code="status_date_required")})


class ContactRole(models.TextChoices):
    GUARDIAN = "guardian", _("Guardian")
    AGENT = "agent", _("Authorised agent (委托人)")
    EMERGENCY = "emergency", _("Emergency contact")
    FAMILY = "family", _("Family member")


@track_changes(exclude=["phone"])
class Contact(TimeStampedModel):
    """A guardian, authorised agent or contact person of an elder."""

    elder = models.ForeignKey(Elder, verbose_name=_("elder"), on_delete=models.CASCADE,
                              related_name="contacts")
    role = models.CharField(_("role"), max_length=16, choices=ContactRole.choices)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    relationship = models.CharField(_("relationship"), max_length=30, blank=True)
    phone = EncryptedCharField(_("phone"), max_length=32, blank=True, null=True)

    objects = ScopedManager()

    scope_region = ("elder__hukou_street", "elder__residence_street")

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["elder", "role", "pk"]

    def __str__(self):
        return f"{self.get_role_display()}: {self.name}"

    @property
    def audit_label(self) -> str:
        return f"{self.elder.name} · {self}"
