"""Roles as groups synced from one table, and jurisdictions."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError

from apps.accounts.roles import ROLE_PERMISSIONS, Role, sync_roles
from apps.accounts.services import create_staff
from apps.core.scoping import Scope, scope_for
from apps.regions.models import Region
from tests.factories import ProviderFactory, staff

pytestmark = pytest.mark.django_db


def _group_permissions(group):
    return {f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")}


def test_every_role_has_a_group_with_exactly_its_permissions():
    for role in Role:
        assert _group_permissions(Group.objects.get(name=role.value)) == set(
            ROLE_PERMISSIONS[role]), role


def test_every_permission_in_the_table_exists():
    existing = {f"{p.content_type.app_label}.{p.codename}"
                for p in Permission.objects.select_related("content_type")}
    listed = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    assert listed - existing == set()


def test_sync_repairs_a_drifted_group():
    group = Group.objects.get(name=Role.STREET_STAFF)
    group.permissions.add(Permission.objects.get(codename="delete_elder"))
    sync_roles()
    assert "elders.delete_elder" not in _group_permissions(group)


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_its_permissions_through_the_group(role, tree):
    place = {"street": tree["street"], "district": tree["district"],
             "city": Region.objects.get(kind="city")}
    from apps.accounts.roles import ROLE_JURISDICTION

    level = ROLE_JURISDICTION[role]
    kwargs = ({"provider": ProviderFactory(region=tree["district"])} if level == "provider"
              else {"region": place[level]})
    user = create_staff(username=f"u-{role}", password="x", role=role, **kwargs)
    assert {p for p in ROLE_PERMISSIONS[role] if not user.has_perm(p)} == set()
    assert not user.has_perm("elders.delete_elder")


def test_role_needs_a_jurisdiction_of_its_level(tree):
    with pytest.raises(ValidationError) as error:
        create_staff(username="x", password="x", role=Role.STREET_STAFF,
                     region=tree["district"])
    assert error.value.error_dict["region"][0].code == "wrong_jurisdiction_level"


def test_scope_of_each_kind_of_user(tree):
    city = Region.objects.get(kind="city")
    assert scope_for(staff(Role.CITY_STAFF, region=city)) == Scope(everything=True)
    assert scope_for(staff(Role.STREET_STAFF, region=tree["street"])) == Scope(
        region_path=tree["street"].path, region_ids=(tree["street"].pk,))
    district_scope = scope_for(staff(Role.DISTRICT_STAFF, region=tree["district"]))
    assert set(district_scope.region_ids) == {
        tree["district"].pk, tree["street"].pk, tree["sibling"].pk}
    provider = ProviderFactory(region=tree["district"])
    assert scope_for(staff(Role.PROVIDER_STAFF, provider=provider)) == Scope(
        provider_id=provider.pk)
    assert scope_for(staff(Role.STREET_STAFF)).is_empty
