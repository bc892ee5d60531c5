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


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


# The identity number, phone and address never enter the change history in
# clear: the history keeps only the masked number and the keyed digest.
@track_changes(exclude=["id_number", "phone", "address"])
class Elder(TimeStampedModel):
    """A person aged 60 or over known to the street office.

    The registry (household, economic status, guardian, life status) grows
    with the applications work; this is its core: identity and place.
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
    address = EncryptedCharField(_("address"), max_length=200, blank=True, null=True)

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
        ]

    def __str__(self):
        return f"{self.name} {self.id_number_masked}"

    @property
    def audit_label(self) -> str:
        return str(self)

    @property
    def audit_region(self):
        return self.residence_street
