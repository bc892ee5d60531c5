from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from apps.audit.history import track_changes
from apps.catalogue.models import ServiceCategory
from apps.core.models import ScopedManager, TimeStampedModel
from apps.providers import rules

CREDIT_CODE_MESSAGES = {
    "credit_code_length": _("A unified social credit code has 18 characters."),
    "credit_code_characters": _(
        "A unified social credit code uses only digits and capital letters other than "
        "I, O, S, V and Z."),
    "credit_code_check": _(
        "The last character does not match the code's check character; check the code "
        "against the business licence."),
    "credit_code_demo": _("Codes starting with DEMO are kept for demo providers."),
}


def validate_credit_code(value: str) -> None:
    """Refuse a code that is not a valid GB 32100-2015 code (demo codes
    pass here; ``Provider.clean`` keeps them to demo providers)."""
    if rules.is_demo_credit_code(value):
        return
    problem = rules.credit_code_problem(value)
    if problem:
        raise ValidationError(CREDIT_CODE_MESSAGES[problem], code=problem)


# Provider fields only the district records, never the provider's own staff
# (screen or API): the client count the Art 15 ratio is checked against is
# not the provider's to change, or it could clear its own flag. The
# provider's page shows it read-only.
DISTRICT_ONLY_FIELDS = ("rehab_nursing_clients",)


@track_changes()
class Provider(TimeStampedModel):
    """A service organisation (服务机构, Art 14-15). Its staff see only their
    own organisation; district staff see the providers registered in their
    district."""

    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True,
                                   validators=[validate_credit_code])
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("registered district"), on_delete=models.PROTECT,
        related_name="providers",
    )
    legal_representative = models.CharField(_("legal representative"), max_length=50,
                                            blank=True)
    registered_address = models.CharField(_("registered address"), max_length=200, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    service_categories = ArrayField(
        models.CharField(max_length=30, choices=ServiceCategory.choices),
        verbose_name=_("service categories offered"), default=list, blank=True)
    rehab_nursing_clients = models.PositiveIntegerField(
        _("active rehabilitation-nursing clients"), default=0,
        help_text=_("Recorded by the district (the provider cannot change it); checked "
                    "against the provider's qualified nursing staff (1 : 10, Art 15). "
                    "Service agreements will replace this recorded count."))
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = ScopedManager()

    scope_region = "region"
    scope_provider = "pk"

    class Meta:
        verbose_name = _("service provider")
        verbose_name_plural = _("service providers")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        if rules.is_demo_credit_code(self.credit_code or "") and not self.is_demo:
            raise ValidationError({"credit_code": ValidationError(
                CREDIT_CODE_MESSAGES["credit_code_demo"], code="credit_code_demo")})

    def get_service_categories_display(self) -> list[str]:
        labels = dict(ServiceCategory.choices)
        return [labels.get(value, value) for value in self.service_categories]


class InsuranceKind(models.TextChoices):
    PREMISES_LIABILITY = rules.PREMISES_LIABILITY, _("Premises liability insurance")
    STAFF_ACCIDENT = rules.STAFF_ACCIDENT, _("Staff accident insurance")


@track_changes()
class InsurancePolicy(TimeStampedModel):
    """A policy a provider must hold (Art 15): premises liability and staff
    accident insurance. Valid from ``valid_from`` through ``valid_until``."""

    provider = models.ForeignKey(Provider, verbose_name=_("service provider"),
                                 on_delete=models.PROTECT, related_name="insurance_policies")
    kind = models.CharField(_("kind"), max_length=30, choices=InsuranceKind.choices)
    insurer = models.CharField(_("insurer"), max_length=100)
    policy_number = models.CharField(_("policy number"), max_length=50)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"),
                                   help_text=_("The last day the policy covers."))

    objects = ScopedManager()

    scope_region = "provider__region"
    scope_provider = "provider"

    class Meta:
        verbose_name = _("insurance policy")
        verbose_name_plural = _("insurance policies")
        ordering = ["provider", "kind", "-valid_until"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=F("valid_from")),
                                   name="insurance_policy_period_order"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.policy_number}"

    def clean(self):
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": ValidationError(
                _("The policy cannot end before it starts."), code="period_order")})


class StaffRole(models.TextChoices):
    CAREGIVER = rules.CAREGIVER, _("Caregiver")
    NURSE = rules.NURSE, _("Nurse")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    OTHER = "other", _("Other")


@track_changes()
class StaffMember(TimeStampedModel):
    """A person on a provider's roster."""

    provider = models.ForeignKey(Provider, verbose_name=_("service provider"),
                                 on_delete=models.PROTECT, related_name="staff_members")
    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("role"), max_length=20, choices=StaffRole.choices)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    active = models.BooleanField(_("active"), default=True,
                                 help_text=_("Clear when the person leaves the provider."))
    joined_on = models.DateField(_("joined on"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("login account"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="staff_member",
        help_text=_("The caregiver's own account: visits they record name them."))

    objects = ScopedManager()

    scope_region = "provider__region"
    scope_provider = "provider"

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        ordering = ["provider", "-active", "name"]

    def __str__(self):
        return f"{self.name} ({self.get_role_display()})"


class CertificateKind(models.TextChoices):
    NURSE_PRACTISING = rules.NURSE_PRACTISING, _("Nurse practising certificate")
    ELDERCARE_WORKER = rules.ELDERCARE_WORKER, _("Eldercare worker skill-level certificate")
    SOCIAL_WORKER = "social_worker", _("Social worker qualification certificate")
    OTHER = "other", _("Other")


@track_changes()
class Certificate(TimeStampedModel):
    """A staff member's qualification. Valid from ``issued_on`` through
    ``expires_on`` inclusive; no expiry date means it never expires."""

    staff = models.ForeignKey(StaffMember, verbose_name=_("staff member"),
                              on_delete=models.PROTECT, related_name="certificates")
    kind = models.CharField(_("kind"), max_length=30, choices=CertificateKind.choices)
    number = models.CharField(_("certificate number"), max_length=50)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True,
                                  help_text=_("The last valid day; leave empty when the "
                                              "certificate does not expire."))

    objects = ScopedManager()

    scope_region = "staff__provider__region"
    scope_provider = "staff__provider"

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["staff", "kind", "-issued_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("issued_on")),
                name="certificate_period_order"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    def clean(self):
        if self.issued_on and self.expires_on and self.expires_on < self.issued_on:
            raise ValidationError({"expires_on": ValidationError(
                _("A certificate cannot expire before it is issued."), code="period_order")})
