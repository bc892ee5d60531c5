from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.elders.identity import age_on
from apps.elders.models import Contact, ContactRole, DocumentType, Elder, LifeStatus, Sex
from apps.elders.services import PROFILE_FIELDS
from apps.regions.models import Region, RegionKind

FACT_FIELDS = ["lives_alone", "pure_elderly_household",
               "lives_only_with_severely_disabled_child", "gugua", "sanwu_or_wubao", "dibao",
               "low_income", "youfu", "model_worker", "family_planning_special_support",
               "monthly_pension"]


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "role", "name", "relationship"]


class ElderSerializer(serializers.ModelSerializer):
    """Elders as the API shows them: the identity number masked."""

    age = serializers.SerializerMethodField()

    class Meta:
        model = Elder
        fields = ["id", "name", "document_type", "id_number_masked", "birth_date", "age",
                  "sex", "hukou_street", "residence_street", "community", *FACT_FIELDS,
                  "life_status", "life_status_since"]

    def get_age(self, elder) -> int:
        return age_on(elder.birth_date, timezone.localdate())


class ElderDetailSerializer(ElderSerializer):
    contacts = ContactSerializer(many=True, read_only=True)

    class Meta(ElderSerializer.Meta):
        fields = [*ElderSerializer.Meta.fields, "contacts"]


def _streets():
    return Region.objects.filter(kind=RegionKind.STREET)


class ElderProfileSerializer(serializers.Serializer):
    """The facts a clerk records and corrects; each one optional here."""

    name = serializers.CharField(max_length=50, required=False)
    hukou_street = serializers.PrimaryKeyRelatedField(queryset=_streets(), allow_null=True,
                                                      required=False)
    residence_street = serializers.PrimaryKeyRelatedField(queryset=_streets(), required=False)
    community = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.filter(kind=RegionKind.COMMUNITY), allow_null=True,
        required=False)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    lives_alone = serializers.BooleanField(required=False)
    pure_elderly_household = serializers.BooleanField(required=False)
    lives_only_with_severely_disabled_child = serializers.BooleanField(required=False)
    gugua = serializers.BooleanField(required=False)
    sanwu_or_wubao = serializers.BooleanField(required=False)
    dibao = serializers.BooleanField(required=False)
    low_income = serializers.BooleanField(required=False)
    youfu = serializers.BooleanField(required=False)
    model_worker = serializers.ChoiceField(Elder._meta.get_field("model_worker").choices,
                                           required=False)
    family_planning_special_support = serializers.BooleanField(required=False)
    monthly_pension = serializers.DecimalField(max_digits=10, decimal_places=2,
                                               required=False, allow_null=True, min_value=0)

    def profile_changes(self) -> dict:
        changes = {k: v for k, v in self.validated_data.items() if k in PROFILE_FIELDS}
        for field in ("phone", "address"):
            if field in changes:
                changes[field] = changes[field] or None
        return changes


class ElderCreateSerializer(ElderProfileSerializer):
    """A registration: the service checks the number, the age, duplicates
    and that the hukou or residence street is the caller's."""

    name = serializers.CharField(max_length=50)
    residence_street = serializers.PrimaryKeyRelatedField(queryset=_streets())
    document_type = serializers.ChoiceField(DocumentType.choices,
                                            default=DocumentType.RESIDENT_ID)
    id_number = serializers.CharField(max_length=32, write_only=True)
    birth_date = serializers.DateField(
        required=False, allow_null=True,
        help_text="Only for documents whose number does not carry the birth date and sex "
                  "(a foreigner's card, other).")
    sex = serializers.ChoiceField(Sex.choices, required=False, allow_blank=True)

    def registration(self) -> dict:
        """The keyword arguments of ``register_elder`` (which reads the birth
        date and sex from a number that carries them)."""
        return {**self.validated_data, **self.profile_changes()}


class ElderUpdateSerializer(ElderProfileSerializer):
    """Corrections and changes; those deciding a subsidy take effect from the
    month after ``changed_on`` (Art 32)."""

    changed_on = serializers.DateField(required=False)


class LifeStatusSerializer(serializers.Serializer):
    life_status = serializers.ChoiceField(LifeStatus.choices)
    life_status_since = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ContactCreateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(ContactRole.choices)
    name = serializers.CharField(max_length=50)
    relationship = serializers.CharField(max_length=30, required=False, allow_blank=True,
                                         default="")
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True,
                                  default="")


class ElderSearchSerializer(serializers.Serializer):
    """A search by name or exact document number: posted, never in a URL
    (query strings end up in access logs and proxies)."""

    q = serializers.CharField(required=False, allow_blank=True, max_length=100,
                              help_text="Name contains")
    id_number = serializers.CharField(
        required=False, allow_blank=True, max_length=32,
        help_text="Exact document number, matched by its keyed digest (with document_type "
                  "for documents other than a resident identity card)")
    document_type = serializers.ChoiceField(choices=DocumentType.choices, required=False)

    def validate(self, data):
        data = {**data, "q": data.get("q", "").strip(),
                "id_number": data.get("id_number", "").strip().upper()}
        if not data["q"] and not data["id_number"]:
            raise serializers.ValidationError(
                {"q": [_("Give a name or a document number to search for.")]}, code="required")
        return data


class ElderPageSerializer(serializers.Serializer):
    """One page of elders, as the list answers it."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ElderSerializer(many=True)
