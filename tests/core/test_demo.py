import pytest
from django.core.management import call_command

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.core.scoping import scope_for
from apps.elders.models import Elder
from apps.regions.models import Region

pytestmark = pytest.mark.django_db


def test_demo_world_has_every_role_and_a_populated_district(capsys):
    call_command("build_demo", elders=120)
    out = capsys.readouterr().out
    assert "Demo-2026!" in out
    assert set(User.objects.values_list("role", flat=True)) == {r.value for r in Role}
    tianhe = Region.objects.get(code="440106")
    assert Elder.objects.filter(residence_street__parent=tianhe).count() == 120
    assert Region.objects.filter(kind="community", is_demo=True,
                                 parent__parent=tianhe).count() == 3 * tianhe.children.count()
    street = User.objects.get(username="street")
    assert Elder.objects.visible_to(street).count() < 120
    assert scope_for(User.objects.get(username="yuexiu")).region_path == "/440100/440104/"
    # idempotent
    call_command("build_demo", elders=120)
    assert Elder.objects.count() == 120


def test_demo_codes_cannot_pass_for_official_ones():
    call_command("build_demo", elders=5)
    for region in Region.objects.filter(is_demo=True):
        assert not region.code.isdigit()
