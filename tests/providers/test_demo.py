import pytest
from django.utils import timezone

from apps.providers.demo import build_demo_roster
from apps.providers.models import Certificate, InsurancePolicy, Provider, StaffMember
from apps.providers.queries import compliance_for
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db


def test_demo_roster_is_compliant_and_idempotent(tree):
    provider = ProviderFactory(region=tree["district"], credit_code="DEMO00000000000001",
                               is_demo=True)
    build_demo_roster(provider)
    build_demo_roster(provider)
    assert StaffMember.objects.filter(provider=provider).count() == 4
    assert Certificate.objects.filter(staff__provider=provider).count() == 4
    assert InsurancePolicy.objects.filter(provider=provider).count() == 2
    assert Provider.objects.get(pk=provider.pk).rehab_nursing_clients == 8
    assert compliance_for([provider], day=timezone.localdate())[provider.pk] == []
    provider.full_clean()
