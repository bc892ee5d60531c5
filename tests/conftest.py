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


@pytest.fixture
def window(tree):
    """A street clerk and a district officer of the first district, and a
    local elder of the clerk's street, aged 82 and living alone."""
    from datetime import date

    from tests.factories import ElderFactory

    return {
        "clerk": staff(Role.STREET_STAFF, region=tree["street"]),
        "sibling_clerk": staff(Role.STREET_STAFF, region=tree["sibling"]),
        "officer": staff(Role.DISTRICT_STAFF, region=tree["district"]),
        "other_officer": staff(Role.DISTRICT_STAFF, region=tree["other_district"]),
        "elder": ElderFactory(born=date(1944, 3, 2), residence_street=tree["street"],
                              hukou_street=tree["street"], lives_alone=True),
    }
