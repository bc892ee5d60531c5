import pytest

from apps.accounts.roles import Role
from tests.factories import RegionFactory, staff


@pytest.fixture
def tree(db):
    """Two districts; the first has two streets (siblings)."""
    district = RegionFactory.district(name="District One")
    other_district = RegionFactory.district(name="District Two")
    return {
        "district": district,
        "street": RegionFactory.street(district, name="Street A"),
        "sibling": RegionFactory.street(district, name="Street B"),
        "other_district": other_district,
        "other_street": RegionFactory.street(other_district, name="Street C"),
    }


@pytest.fixture
def street_user(tree):
    return staff(Role.STREET_STAFF, region=tree["street"])


@pytest.fixture
def district_user(tree):
    return staff(Role.DISTRICT_STAFF, region=tree["district"])
