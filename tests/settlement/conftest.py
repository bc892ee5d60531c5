from datetime import date
from decimal import Decimal

import pgtrigger
import pytest

from apps.policy.models import PolicyValue
from tests.visits.factories import add_elder, local, make_visit, world


@pytest.fixture
def month_of_visits(tree):
    """Two providers' visits in September 2025 for elders paid by the district,
    whose city:district funding ratio is 4:6 (seeded as the migrations seed)."""
    with pgtrigger.ignore("policy.PolicyValue:policy_value_not_backdated"):
        PolicyValue.objects.create(key="funding.city_share", value=Decimal("0.4"),
                                   valid_from=date(2016, 1, 1), region=tree["district"])
    first = world(district=tree["district"], street=tree["street"])
    second = world(district=tree["district"], street=tree["street"])
    for day in (2, 9, 16):
        make_visit(first, check_in_at=local(date(2025, 9, day)))
        make_visit(second, check_in_at=local(date(2025, 9, day), hour=14))
    other = add_elder(first)
    make_visit(first, elder=other["elder"], agreement=other["agreement"],
               check_in_at=local(date(2025, 9, 3), hour=15))
    return first, second
