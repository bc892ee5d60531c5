import pytest
from django.core.management import call_command

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.core.scoping import scope_for
from apps.elders.models import Elder
from apps.regions.models import Region

pytestmark = pytest.mark.django_db


def test_demo_world_has_every_role_and_a_populated_district(capsys):
    call_command("build_demo", elders=300)
    out = capsys.readouterr().out
    assert "Demo-2026!" in out
    assert set(User.objects.values_list("role", flat=True)) == {r.value for r in Role}
    tianhe = Region.objects.get(code="440106")
    assert Elder.objects.filter(residence_street__parent=tianhe).count() == 300
    assert Region.objects.filter(kind="community", is_demo=True,
                                 parent__parent=tianhe).count() == 3 * tianhe.children.count()
    street = User.objects.get(username="street")
    assert Elder.objects.visible_to(street).count() < 300
    assert scope_for(User.objects.get(username="yuexiu")).region_path == "/440100/440104/"
    # the demo street's queues have work at every step, made through the services
    from apps.applications.models import Application
    from apps.subsidies.models import Entitlement

    statuses = set(Application.objects.values_list("status", flat=True))
    assert {"received", "returned", "district_verification", "approved", "refused",
            "re_review"} <= statuses
    assert Entitlement.objects.filter(monthly_amount=600).exists()
    # the demo assessor has today's home visit; last month's result is locked
    from apps.assessments.models import Assessment

    assessor = User.objects.get(username="assessor")
    assert Assessment.objects.conductable_by(assessor).filter(status="scheduled").exists()
    assert Assessment.objects.filter(status="locked", fee__isnull=False).exists()
    # the demo provider has a roster, a contract and a grade; the street has
    # facilities (one out of compliance) and care managers
    from apps.caremanagers.models import CareManager
    from apps.contracts.models import Contract
    from apps.evaluations.models import ProviderGrade
    from apps.facilities.models import Facility

    provider = User.objects.get(username="provider").provider
    assert provider.staff_members.exists()
    assert Contract.objects.filter(provider=provider, status="active").exists()
    assert ProviderGrade.objects.filter(provider=provider, grade="good").exists()
    assert Facility.objects.filter(region__path__startswith=tianhe.path).count() == 3
    assert CareManager.objects.filter(street__parent=tianhe).count() == 2
    count_after_first_run = Application.objects.count()
    # idempotent
    call_command("build_demo", elders=300)
    assert Elder.objects.count() == 300
    assert Application.objects.count() == count_after_first_run


def test_demo_codes_cannot_pass_for_official_ones():
    call_command("build_demo", elders=5)
    for region in Region.objects.filter(is_demo=True):
        assert not region.code.isdigit()
