from datetime import date

import pytest
from django.utils import timezone

from apps.careplans.demo import build_demo_care_plans
from apps.careplans.models import ServiceAgreement, ServicePlan
from apps.contracts.demo import build_demo_contracts
from tests.factories import ElderFactory, EntitlementFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def test_demo_plans_and_agreements_for_approved_elders(tree):
    # given the demo contract covering the district's first street, and four
    # approved elders there plus one elsewhere
    provider = ProviderFactory(region=tree["district"])
    contract = build_demo_contracts(tree["district"], provider)
    street = contract.covered_area.get()
    since = date(timezone.localdate().year, 1, 1)
    for _n in range(4):
        EntitlementFactory(elder=ElderFactory(residence_street=street), valid_from=since)
    EntitlementFactory(elder=ElderFactory(residence_street=tree["other_street"]))
    # when the demo plans are built
    plans = build_demo_care_plans(provider)
    # then three elders of the street have a plan and an agreement at the contract's prices
    assert len(plans) == 3
    assert ServiceAgreement.objects.count() == 3
    agreement = ServiceAgreement.objects.filter(plan=plans[0]).get()
    assert {item.unit_price for item in agreement.items.all()} == {
        item.price for item in contract.items.all()}
    # and later runs only add the elders still without a plan
    assert len(build_demo_care_plans(provider)) == 1
    assert build_demo_care_plans(provider) == []
    assert ServicePlan.objects.count() == ServiceAgreement.objects.count() == 4
