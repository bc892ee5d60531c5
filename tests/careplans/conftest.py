"""An approved elder of street A, a provider contracted for street A (home
life care at 38, canteen meals at 16), and the street's staff."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from apps.accounts.roles import Role
from tests.contracts.factories import ContractFactory, service_item
from tests.factories import ElderFactory, EntitlementFactory, ProviderFactory, staff


@pytest.fixture
def area(tree):
    street = tree["street"]
    elder = ElderFactory(name="Wang Fang", residence_street=street, hukou_street=street)
    provider = ProviderFactory(name="Kangle Care", region=tree["district"])
    contract = ContractFactory(
        street=street, provider=provider, covered_area=[street],
        items=[(service_item("LC-HOME"), Decimal("38.00")),
               (service_item("ML-CANTEEN"), Decimal("16.00"))])
    return SimpleNamespace(
        tree=tree, street=street, elder=elder, provider=provider, contract=contract,
        entitlement=EntitlementFactory(elder=elder),  # class 1, 400, since 2025-10-01
        life_care=service_item("LC-HOME"), meals=service_item("ML-CANTEEN"),
        clerk=staff(Role.STREET_STAFF, region=street),
        care_manager_user=staff(Role.CARE_MANAGER, region=street),
        sibling_clerk=staff(Role.STREET_STAFF, region=tree["sibling"]),
        officer=staff(Role.DISTRICT_STAFF, region=tree["district"]),
        other_officer=staff(Role.DISTRICT_STAFF, region=tree["other_district"]),
        provider_user=staff(Role.PROVIDER_STAFF, provider=provider),
    )


@pytest.fixture
def rival(area):
    """Another provider of the district contracted for the elder's street
    (canteen meals at 15)."""
    provider = ProviderFactory(name="Anle Care", region=area.tree["district"])
    ContractFactory(street=area.street, provider=provider, covered_area=[area.street],
                    items=[(service_item("ML-CANTEEN"), Decimal("15.00"))])
    return provider
