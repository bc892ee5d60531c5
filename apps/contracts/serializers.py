from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.catalogue.models import ServiceItem
from apps.contracts.models import (
    CarerAgreement,
    CarerAgreementItem,
    CarerRelationship,
    Contract,
    ContractItem,
    ContractRenewal,
    RenewalDecision,
    TenderBar,
)
from apps.elders.models import Elder
from apps.providers.models import Provider
from apps.regions.models import Region


class ContractItemSerializer(serializers.ModelSerializer):
    """An item at its contract price, set against the city guide price in
    force on the contract's first day; ``above_guide`` flags a price above it."""

    service_item_name = serializers.CharField(source="service_item.name", read_only=True)
    deviation = serializers.SerializerMethodField()
    deviation_share = serializers.SerializerMethodField()
    above_guide = serializers.SerializerMethodField()

    class Meta:
        model = ContractItem
        fields = ["id", "service_item", "service_item_name", "price", "guide_price",
                  "deviation", "deviation_share", "above_guide"]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=10, decimal_places=2,
                                                  allow_null=True))
    def get_deviation(self, item):
        amount = item.deviation.amount
        return None if amount is None else f"{amount:.2f}"

    @extend_schema_field(serializers.DecimalField(max_digits=7, decimal_places=4,
                                                  allow_null=True))
    def get_deviation_share(self, item):
        share = item.deviation.share
        return None if share is None else f"{share:.4f}"

    @extend_schema_field(serializers.BooleanField())
    def get_above_guide(self, item) -> bool:
        return item.deviation.above_guide


class ContractRenewalSerializer(serializers.ModelSerializer):
    grades = serializers.DictField(child=serializers.CharField(allow_null=True),
                                   read_only=True)

    class Meta:
        model = ContractRenewal
        fields = ["id", "year", "decided_on", "decision", "grades", "note", "decided_by"]
        read_only_fields = fields


class ContractSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    purchaser_name = serializers.CharField(source="purchaser.name", read_only=True)
    items = ContractItemSerializer(many=True, read_only=True)
    renewals = ContractRenewalSerializer(many=True, read_only=True)

    class Meta:
        model = Contract
        fields = ["id", "reference", "purchaser", "purchaser_name", "provider",
                  "provider_name", "covered_area", "signed_on", "starts_on", "ends_on",
                  "status", "ended_on", "end_reason", "items", "renewals"]
        read_only_fields = fields


class ItemPriceSerializer(serializers.Serializer):
    service_item = serializers.PrimaryKeyRelatedField(queryset=ServiceItem.objects.all())
    price = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)


class ItemsWriteSerializer(serializers.Serializer):
    """A write whose ``items`` are (service item, price) rows."""

    def service_arguments(self) -> dict:
        """The validated data as the service's keyword arguments, the items
        as (service item, price) pairs."""
        data = dict(self.validated_data)
        data["items"] = [(row["service_item"], row["price"]) for row in data["items"]]
        return data


class ContractWriteSerializer(ItemsWriteSerializer):
    """A new contract, or the corrected contract: parties, area, term and
    prices. Regions and providers are looked up in the caller's scope. A
    provider barred on the signing day or on the first day answers 400
    ``provider`` code ``barred``; a term over the limit, ``ends_on`` code
    ``term_too_long``."""

    reference = serializers.CharField(max_length=40)
    purchaser = serializers.PrimaryKeyRelatedField(queryset=Region.objects.none())
    provider = serializers.PrimaryKeyRelatedField(queryset=Provider.objects.none())
    covered_area = serializers.PrimaryKeyRelatedField(queryset=Region.objects.none(),
                                                      many=True)
    signed_on = serializers.DateField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    items = ItemPriceSerializer(many=True, required=False, default=list)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purchaser"].queryset = Region.objects.visible_to(user)
        self.fields["covered_area"].child_relation.queryset = Region.objects.visible_to(user)
        self.fields["provider"].queryset = Provider.objects.visible_to(user)

    def validate_reference(self, value):
        instance = self.context.get("contract")
        rows = Contract.objects.filter(reference=value)
        if instance is not None:
            rows = rows.exclude(pk=instance.pk)
        if rows.exists():
            raise serializers.ValidationError(_("This contract number is taken."),
                                              code="unique")
        return value


class EndContractSerializer(serializers.Serializer):
    ended_on = serializers.DateField()
    end_reason = serializers.CharField()


class RenewalSerializer(serializers.Serializer):
    """Continue the contract into contract year ``year`` or stop it. Continuing
    needs a grade better than unqualified in force for every service category
    (400 ``decision`` code ``unqualified`` or ``ungraded``). Stopping cuts the
    term to the end of the current contract year (``ends_on``); the contract
    stays active until then."""

    year = serializers.IntegerField(min_value=2)
    decided_on = serializers.DateField()
    decision = serializers.ChoiceField(RenewalDecision.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class TenderBarSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)

    class Meta:
        model = TenderBar
        fields = ["id", "provider", "provider_name", "starts_on", "lifts_on", "reason",
                  "evaluation_reference"]
        read_only_fields = fields


class CarerAgreementItemSerializer(serializers.ModelSerializer):
    service_item_name = serializers.CharField(source="service_item.name", read_only=True)

    class Meta:
        model = CarerAgreementItem
        fields = ["id", "service_item", "service_item_name", "price"]
        read_only_fields = fields


class CarerAgreementSerializer(serializers.ModelSerializer):
    elder_name = serializers.CharField(source="elder.name", read_only=True)
    items = CarerAgreementItemSerializer(many=True, read_only=True)

    class Meta:
        model = CarerAgreement
        fields = ["id", "elder", "elder_name", "carer_name", "relationship", "carer_phone",
                  "street", "district_approved_on", "district_approval_reference",
                  "signed_on", "starts_on", "ends_on", "items"]
        read_only_fields = fields


class CarerAgreementWriteSerializer(ItemsWriteSerializer):
    """A three-party agreement (Art 31). Refused (400 ``items`` code
    ``covered_by_contract``) where an active contract covers the elder's
    street for one of the services; (400 ``elder`` code ``not_subsidised``)
    for an elder without a current subsidy; without the district centre's
    verification and consent (``district_approved_on``, not in the future,
    and ``district_approval_reference``)."""

    elder = serializers.PrimaryKeyRelatedField(queryset=Elder.objects.none())
    carer_name = serializers.CharField(max_length=50)
    relationship = serializers.ChoiceField(CarerRelationship.choices)
    carer_phone = serializers.CharField(max_length=32)
    street = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.none(), help_text="The street office of the elder's residence.")
    district_approved_on = serializers.DateField(
        help_text="The day the district home-care guidance centre verified and consented.")
    district_approval_reference = serializers.CharField(max_length=100)
    signed_on = serializers.DateField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    items = ItemPriceSerializer(many=True)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["elder"].queryset = Elder.objects.visible_to(user)
        self.fields["street"].queryset = Region.objects.visible_to(user)
