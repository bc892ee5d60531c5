"""Compliance facts gathered from the database: the boundaries once more
through the queries, the policy value, and the query count."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.accounts.roles import Role
from apps.policy.models import PolicyValue
from apps.providers.queries import compliance_for
from tests.careplans.factories import rehab_nursing_clients as clients
from tests.factories import ProviderFactory, staff
from tests.providers.factories import (
    CertificateFactory,
    InsurancePolicyFactory,
    StaffMemberFactory,
    insured,
    nurse,
)

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


def _codes(provider, day=None):
    return [flag.code for flag in compliance_for([provider], day=day or _today())[provider.pk]]


def test_ten_clients_per_nurse_pass_and_eleven_flag(tree):
    # given an insured provider with one qualified nurse
    provider = insured(ProviderFactory(region=tree["district"]))
    clients(provider, 10)
    nurse(provider)
    # then 10 clients pass
    assert _codes(provider) == []
    # and the 11th is flagged
    clients(provider, 1)
    assert _codes(provider) == ["nurse_ratio"]


def test_art_15_counts_caregivers_with_a_valid_eldercare_worker_certificate(tree):
    # given an insured provider whose nursing staff is one caregiver holding a
    # valid eldercare-worker certificate (养老护理员职业技能等级证书)
    provider = insured(ProviderFactory(region=tree["district"]))
    clients(provider, 10)
    carer = StaffMemberFactory(provider=provider, role="caregiver")
    CertificateFactory(staff=carer, kind="eldercare_worker",
                       expires_on=_today() + timedelta(days=365))
    # and a caregiver without a certificate, who does not count
    StaffMemberFactory(provider=provider, role="caregiver")
    # then exactly 1:10 passes
    assert _codes(provider) == []
    # and the 11th client is flagged
    clients(provider, 1)
    [flag] = compliance_for([provider], day=_today())[provider.pk]
    assert flag.code == "nurse_ratio"
    assert flag.params["nursing_staff"] == 1


def test_a_caregiver_whose_eldercare_certificate_lapsed_does_not_count(tree):
    provider = insured(ProviderFactory(region=tree["district"]))
    clients(provider, 1)
    carer = StaffMemberFactory(provider=provider, role="caregiver")
    CertificateFactory(staff=carer, kind="eldercare_worker",
                       expires_on=_today() - timedelta(days=1))
    assert _codes(provider) == ["nurse_ratio", "certificate_expired"]


def test_a_renewed_certificate_clears_the_flags(tree):
    # given a nurse whose practising certificate lapsed yesterday
    provider = insured(ProviderFactory(region=tree["district"]))
    clients(provider, 5)
    member = nurse(provider, expires_on=_today() - timedelta(days=1))
    assert _codes(provider) == ["nurse_ratio", "certificate_expired"]
    # when the renewal, valid from today, is recorded
    CertificateFactory(staff=member, kind="nurse_practising", issued_on=_today(),
                       expires_on=_today() + timedelta(days=5 * 365))
    # then the nurse counts again and the old certificate is no longer flagged
    assert _codes(provider) == []


def test_clients_without_a_nurse_are_flagged(tree):
    provider = insured(ProviderFactory(region=tree["district"]))
    clients(provider, 1)
    StaffMemberFactory(provider=provider, role="caregiver")
    assert _codes(provider) == ["nurse_ratio"]


def test_a_nurse_whose_certificate_lapsed_yesterday_does_not_count(tree):
    provider = insured(ProviderFactory(region=tree["district"]))
    clients(provider, 5)
    nurse(provider, expires_on=_today() - timedelta(days=1))
    assert _codes(provider) == ["nurse_ratio", "certificate_expired"]


def test_a_nurse_whose_certificate_expires_today_still_counts(tree):
    provider = insured(ProviderFactory(region=tree["district"]))
    clients(provider, 5)
    nurse(provider, expires_on=_today())
    assert _codes(provider) == ["certificate_expiring"]


def test_a_nurse_who_left_does_not_count(tree):
    provider = insured(ProviderFactory(region=tree["district"]))
    clients(provider, 5)
    nurse(provider, active=False)
    assert _codes(provider) == ["nurse_ratio"]


def test_the_declared_count_is_no_longer_read(tree):
    # given a provider the district once recorded with 50 clients, no nurse
    # and no agreement
    provider = insured(ProviderFactory(region=tree["district"], rehab_nursing_clients=50))
    # then nothing is flagged: the clients are those of the agreements
    assert _codes(provider) == []


def test_clients_are_distinct_elders_of_agreements_in_force_with_rehab_nursing(tree):
    from apps.providers.queries import rehab_nursing_clients
    from tests.careplans.factories import ServiceAgreementFactory
    from tests.contracts.factories import service_item

    # given a provider with a qualified nurse and 10 rehabilitation-nursing clients
    provider = insured(ProviderFactory(region=tree["district"]))
    nurse(provider)
    [first, *_rest] = clients(provider, 10)
    # and, not counting: a second agreement of the same elder, an agreement
    # for meals only, one ended yesterday and one starting tomorrow
    yesterday, tomorrow = _today() - timedelta(days=1), _today() + timedelta(days=1)
    rehab = [(service_item("RN-CENTRE"), 4, Decimal("40.00"))]
    ServiceAgreementFactory(elder=first.elder, provider=provider, contract=first.contract,
                            items=rehab, status="referred", ended_on=tomorrow,
                            end_reason="impossible")
    ServiceAgreementFactory(provider=provider)
    ServiceAgreementFactory(provider=provider, items=rehab, status="ended",
                            ended_on=yesterday, end_reason="breach")
    ServiceAgreementFactory(provider=provider, items=rehab, starts_on=tomorrow)
    # then exactly 10 are counted today, and 11 yesterday and tomorrow
    assert rehab_nursing_clients([provider.pk], _today()) == {provider.pk: 10}
    assert rehab_nursing_clients([provider.pk], yesterday) == {provider.pk: 11}
    assert _codes(provider) == []
    assert _codes(provider, tomorrow) == ["nurse_ratio"]


@pytest.mark.parametrize(("days_left", "codes"), [
    (0, []),                                # ends today: in force today
    (-1, ["no_staff_accident"]),            # ended yesterday
])
def test_insurance_ending_today_or_yesterday(tree, days_left, codes):
    provider = ProviderFactory(region=tree["district"])
    InsurancePolicyFactory(provider=provider, kind="premises_liability")
    InsurancePolicyFactory(provider=provider, kind="staff_accident",
                           valid_from=_today() - timedelta(days=365),
                           valid_until=_today() + timedelta(days=days_left))
    assert _codes(provider) == codes


def test_a_district_may_set_its_own_nurse_ratio(tree):
    # given the district allows only 5 clients per nurse from tomorrow
    tomorrow = _today() + timedelta(days=1)
    PolicyValue.objects.create(key="ratio.nurse_clients", value=Decimal(5),
                               valid_from=tomorrow, region=tree["district"])
    provider = insured(ProviderFactory(region=tree["district"]))
    clients(provider, 6)
    nurse(provider)
    other = insured(ProviderFactory(region=tree["other_district"]))
    clients(other, 6)
    nurse(other)
    # then 6 clients pass today, and from tomorrow only in the other district
    assert _codes(provider) == []
    assert _codes(provider, tomorrow) == ["nurse_ratio"]
    assert _codes(other, tomorrow) == []


def test_all_visible_providers_are_checked_in_few_queries(tree, django_assert_max_num_queries):
    # given three providers of the district, each with a roster, and one elsewhere
    for _ in range(3):
        provider = insured(ProviderFactory(region=tree["district"]))
        clients(provider, 3)
        nurse(provider)
        CertificateFactory(staff=StaffMemberFactory(provider=provider))
    ProviderFactory(region=tree["other_district"])
    officer = staff(Role.DISTRICT_STAFF, region=tree["district"])
    officer.groups.all()  # the scope is resolved below, inside the count
    # when the officer's providers are checked
    with django_assert_max_num_queries(6):
        flags = compliance_for(user=officer, day=_today())
    # then only the district's three are there, all compliant
    assert len(flags) == 3
    assert all(value == [] for value in flags.values())


def test_credit_code_check_character_is_enforced(tree):
    provider = ProviderFactory.build(region=tree["district"], credit_code="91440106MA5D00001J")
    with pytest.raises(ValidationError) as error:
        provider.full_clean()
    assert error.value.error_dict["credit_code"][0].code == "credit_code_check"
    provider.credit_code = "91440106MA5D00001H"
    provider.full_clean()


def test_demo_codes_only_for_demo_providers(tree):
    provider = ProviderFactory.build(region=tree["district"], credit_code="DEMO00000000000009")
    with pytest.raises(ValidationError) as error:
        provider.full_clean()
    assert error.value.error_dict["credit_code"][0].code == "credit_code_demo"
    provider.is_demo = True
    provider.full_clean()


def test_factory_codes_are_valid(tree):
    ProviderFactory(region=tree["district"]).full_clean()


def test_a_certificate_cannot_expire_before_it_is_issued(tree):
    certificate = CertificateFactory.build(
        staff=StaffMemberFactory(provider=ProviderFactory(region=tree["district"])),
        expires_on=_today() - timedelta(days=1000))
    with pytest.raises(ValidationError) as error:
        certificate.full_clean()
    assert error.value.error_dict["expires_on"][0].code == "period_order"
