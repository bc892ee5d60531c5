from django.db.models import Q
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.caremanagers.models import CareManager
from apps.careplans import services
from apps.careplans.models import (
    AgreementItem,
    ServiceAgreement,
    ServicePlan,
    ServicePlanItem,
)
from apps.catalogue.models import ServiceItem
from apps.contracts.models import Contract
from apps.elders.models import Elder
from apps.providers.models import Provider

END_REASONS = [(reason.value, reason.label) for reason in services.ART_17_REASONS]


def provider_choices(user):
    """Providers a write may name: those the user sees, and those holding a
    contract the user sees (a street sees the providers contracted for it)."""
    return Provider.objects.filter(
        Q(pk__in=Provider.objects.visible_to(user).values("pk"))
        | Q(pk__in=Contract.objects.visible_to(user).values("provider")))


class BudgetSerializer(serializers.Serializer):
    cost = serializers.DecimalField(max_digits=12, decimal_places=2,
                                    help_text="Σ times per month × units each time × unit price")
    subsidy = serializers.DecimalField(max_digits=12, decimal_places=2,
                                       help_text="What the entitlement covers (Art 27).")
    elder_pays = serializers.DecimalField(max_digits=12, decimal_places=2)


class ServicePlanItemSerializer(serializers.ModelSerializer):
    service_item_name = serializers.CharField(source="service_item.name", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True,
                                          allow_null=True, default=None)

    class Meta:
        model = ServicePlanItem
        fields = ["id", "service_item", "service_item_name", "provider", "provider_name",
                  "times_per_month", "units_per_time", "unit_price"]
        read_only_fields = fields


class ServicePlanSerializer(serializers.ModelSerializer):
    """A plan with its services and the monthly budget against the
    entitlement it was written under."""

    elder_name = serializers.CharField(source="elder.name", read_only=True)
    items = ServicePlanItemSerializer(many=True, read_only=True)
    budget = serializers.SerializerMethodField()

    class Meta:
        model = ServicePlan
        fields = ["id", "elder", "elder_name", "entitlement", "care_manager", "starts_on",
                  "ends_on", "status", "needs", "note", "items", "budget"]
        read_only_fields = fields

    @extend_schema_field(BudgetSerializer)
    def get_budget(self, plan):
        return BudgetSerializer(services.budget_for(plan)).data


class PlanLineSerializer(serializers.Serializer):
    service_item = serializers.PrimaryKeyRelatedField(
        queryset=ServiceItem.objects.filter(is_active=True))
    provider = serializers.PrimaryKeyRelatedField(
        queryset=Provider.objects.none(), required=False, allow_null=True, default=None,
        help_text="A provider contracted for the elder's area for the item.")
    times_per_month = serializers.IntegerField(min_value=1, max_value=400)
    units_per_time = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0,
                                              required=False, default=1)
    unit_price = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False, allow_null=True,
        default=None,
        help_text="Empty: the provider's contract price, else the city guide price.")


class ServicePlanWriteSerializer(serializers.Serializer):
    """A new plan for an approved elder (400 ``elder`` code ``not_approved``
    otherwise); the plan in force is superseded from ``starts_on``. A
    provider with no contract covering the elder's area for an item answers
    400 ``items`` code ``not_contracted``."""

    elder = serializers.PrimaryKeyRelatedField(queryset=Elder.objects.none())
    starts_on = serializers.DateField()
    care_manager = serializers.PrimaryKeyRelatedField(
        queryset=CareManager.objects.none(), required=False, allow_null=True, default=None)
    needs = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    items = PlanLineSerializer(many=True)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["elder"].queryset = Elder.objects.visible_to(user)
        self.fields["care_manager"].queryset = CareManager.objects.visible_to(user)
        self.fields["items"].child.fields["provider"].queryset = provider_choices(user)

    def service_arguments(self) -> dict:
        data = dict(self.validated_data)
        data["items"] = [services.PlanLine(**row) for row in data["items"]]
        return data


class AgreementItemSerializer(serializers.ModelSerializer):
    service_item_name = serializers.CharField(source="service_item.name", read_only=True)

    class Meta:
        model = AgreementItem
        fields = ["id", "service_item", "service_item_name", "unit_price", "times_per_month"]
        read_only_fields = fields


class ServiceAgreementSerializer(serializers.ModelSerializer):
    elder_name = serializers.CharField(source="elder.name", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    contract_reference = serializers.CharField(source="contract.reference", read_only=True)
    items = AgreementItemSerializer(many=True, read_only=True)

    class Meta:
        model = ServiceAgreement
        fields = ["id", "reference", "elder", "elder_name", "provider", "provider_name",
                  "contract", "contract_reference", "plan", "signed_on", "starts_on",
                  "ends_on", "schedule", "signed_by_agent", "signatory_name", "status",
                  "ended_on", "end_reason", "end_note", "family_notified_on", "referred_to",
                  "items"]
        read_only_fields = fields


class AgreedItemSerializer(serializers.Serializer):
    service_item = serializers.PrimaryKeyRelatedField(queryset=ServiceItem.objects.all())
    times_per_month = serializers.IntegerField(min_value=1, max_value=400, required=False,
                                               allow_null=True, default=None,
                                               help_text="Empty: on demand.")


class ServiceAgreementWriteSerializer(serializers.Serializer):
    """Sign an agreement at the prices of the provider's contract. Refused
    (400) for an elder not approved (``elder`` ``not_approved``), a provider
    without an active contract covering the elder's area (``provider``
    ``not_contracted``) or barred (``barred``), an item outside that
    contract (``items`` ``not_in_contract``), a second agreement in force
    with the same provider (``provider`` ``already_active``)."""

    elder = serializers.PrimaryKeyRelatedField(queryset=Elder.objects.none())
    provider = serializers.PrimaryKeyRelatedField(queryset=Provider.objects.none())
    plan = serializers.PrimaryKeyRelatedField(queryset=ServicePlan.objects.none(),
                                              required=False, allow_null=True, default=None,
                                              help_text="Empty: the elder's plan in force.")
    signed_on = serializers.DateField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    schedule = serializers.CharField(required=False, allow_blank=True, default="")
    signed_by_agent = serializers.BooleanField(required=False, default=False)
    signatory = serializers.CharField(max_length=50, required=False, allow_blank=True,
                                      default="", help_text="Empty: the elder.")
    items = AgreedItemSerializer(many=True)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["elder"].queryset = Elder.objects.visible_to(user)
        self.fields["provider"].queryset = provider_choices(user)
        self.fields["plan"].queryset = ServicePlan.objects.visible_to(user)

    def service_arguments(self) -> dict:
        data = dict(self.validated_data)
        data["items"] = [(row["service_item"], row["times_per_month"]) for row in data["items"]]
        return data


class EndAgreementSerializer(serializers.Serializer):
    """End the agreement or refer the elder (Art 17). On
    ``infectious_disease`` or ``mental_illness`` ``family_notified_on`` is
    required (400 code ``family_notice_required``); ``referred_to`` makes it
    a referral to another provider contracted for the elder's area."""

    end_reason = serializers.ChoiceField(END_REASONS)
    ended_on = serializers.DateField()
    end_note = serializers.CharField(required=False, allow_blank=True, default="")
    family_notified_on = serializers.DateField(required=False, allow_null=True, default=None)
    no_family = serializers.BooleanField(
        required=False, default=False,
        help_text="The elder has no agent or close relative: end_note then says how the "
                  "street arranged hospital care (400 code no_family_note_required).")
    referred_to = serializers.PrimaryKeyRelatedField(queryset=Provider.objects.none(),
                                                     required=False, allow_null=True,
                                                     default=None)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referred_to"].queryset = provider_choices(user)
