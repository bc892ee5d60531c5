"""Staff administration: no escalation past one's own power or scope."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.accounts.services import assign_role
from apps.regions.models import Region
from tests.factories import ElderFactory, UserFactory, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def city_admin(db):
    return staff(Role.ADMINISTRATOR, region=Region.objects.get(kind="city"))


def test_an_administrator_cannot_see_or_reset_a_superuser(client, city_admin):
    root = UserFactory(is_superuser=True, is_staff=True, username="root")
    client.force_login(city_admin)
    listing = client.get(reverse("admin:accounts_user_changelist"))
    assert "root" not in listing.content.decode()
    url = f"/admin/accounts/user/{root.pk}/password/"
    response = client.post(url, {"password1": "Hijacked-123!", "password2": "Hijacked-123!"})
    assert response.status_code == 404
    root.refresh_from_db()
    assert not root.check_password("Hijacked-123!")


def test_an_administrator_cannot_grant_superuser(client, city_admin, tree):
    clerk = staff(Role.STREET_STAFF, region=tree["street"], username="clerk")
    client.force_login(city_admin)
    client.post(f"/admin/accounts/user/{clerk.pk}/change/", {
        "username": "clerk", "role": Role.STREET_STAFF, "region": tree["street"].pk,
        "is_active": "on", "is_superuser": "on",
    })
    clerk.refresh_from_db()
    assert clerk.is_superuser is False


def test_clearing_a_role_removes_its_permissions(tree):
    user = staff(Role.DISTRICT_STAFF, region=tree["district"])
    assert user.has_perm("providers.change_provider")
    assign_role(user=user, role=None)
    user = User.objects.get(pk=user.pk)
    assert list(user.groups.all()) == []
    assert user.is_staff is False
    assert not user.has_perm("providers.change_provider")


def test_changing_a_role_replaces_the_group(tree):
    user = staff(Role.DISTRICT_STAFF, region=tree["district"])
    assign_role(user=user, role=Role.FINANCE_OFFICER)
    assert list(user.groups.values_list("name", flat=True)) == [Role.FINANCE_OFFICER]
    assert Group.objects.get(name=Role.DISTRICT_STAFF).user_set.count() == 0


def test_admin_cannot_place_staff_outside_its_scope(client, tree):
    # given a district user allowed to change staff (not in the role table;
    # granted here to prove the scope holds even then)
    from django.contrib.auth.models import Permission

    manager = staff(Role.DISTRICT_STAFF, region=tree["district"])
    manager.user_permissions.add(Permission.objects.get(codename="change_user"))
    clerk = staff(Role.STREET_STAFF, region=tree["street"], username="clerk2")
    client.force_login(manager)
    response = client.post(f"/admin/accounts/user/{clerk.pk}/change/", {
        "username": "clerk2", "role": Role.STREET_STAFF,
        "region": tree["other_street"].pk, "is_active": "on",
    })
    assert response.status_code == 200  # the form comes back with an error
    clerk.refresh_from_db()
    assert clerk.region == tree["street"]


def test_admin_keeps_an_out_of_scope_current_value_editable(client, tree):
    # an elder living in this district whose hukou is in another district
    elder = ElderFactory(residence_street=tree["street"], hukou_street=tree["other_street"])
    client.force_login(staff(Role.DISTRICT_STAFF, region=tree["district"]))
    response = client.post(f"/admin/elders/elder/{elder.pk}/change/", {
        "name": "新名字", "hukou_street": tree["other_street"].pk,
        "residence_street": tree["street"].pk, "community": "", "model_worker": "none",
    })
    assert response.status_code == 302
    elder.refresh_from_db()
    assert elder.name == "新名字"
    assert elder.hukou_street == tree["other_street"]


def test_role_groups_are_read_only_in_admin(client, city_admin):
    from django.contrib.auth.models import Permission

    city_admin.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="auth", codename__endswith="_group"))
    group = Group.objects.get(name=Role.STREET_STAFF)
    client.force_login(city_admin)
    before = set(group.permissions.values_list("pk", flat=True))
    client.post(f"/admin/auth/group/{group.pk}/change/", {"name": "x", "permissions": []})
    assert client.get("/admin/auth/group/add/").status_code == 403
    group.refresh_from_db()
    assert (group.name, set(group.permissions.values_list("pk", flat=True))) == (
        Role.STREET_STAFF, before)
