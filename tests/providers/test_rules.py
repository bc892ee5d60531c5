"""Credit codes and compliance flags: pure rules, no database."""

from datetime import date
from decimal import Decimal

import pytest

from apps.providers import rules
from apps.providers.rules import CertificateFact, PolicyFact, ProviderFacts, StaffFact

DAY = date(2026, 6, 15)
RATIO = Decimal(10)


# --- unified social credit code (GB 32100-2015) ------------------------------

def test_check_character_computed_by_hand():
    # 9 1 4 4 0 1 0 6 M A 5 D 0 0 0 0 1 have values
    # 9 1 4 4 0 1 0 6 21 10 5 13 0 0 0 0 1; times the weights
    # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28 they sum to
    # 9+3+36+108+0+26+0+102+420+290+125+169+0+0+0+0+28 = 1316;
    # 1316 mod 31 = 14 and 31 - 14 = 17, the value of H
    assert rules.credit_code_check_character("91440106MA5D00001") == "H"
    assert rules.credit_code_problem("91440106MA5D00001H") is None


def test_a_published_code_is_valid():
    # a well-known company's code from its business licence
    assert rules.credit_code_problem("9144030071526726XG") is None


def test_check_value_31_becomes_0():
    # a first 17 whose weighted sum is a multiple of 31 checks with "0"
    first17 = "00000000000000000"
    assert rules.credit_code_check_character(first17) == "0"


@pytest.mark.parametrize(("code", "problem"), [
    ("91440106MA5D00001J", "credit_code_check"),      # one character off
    ("9144030071526726XH", "credit_code_check"),
    ("91440106MA5D00001", "credit_code_length"),      # 17 characters
    ("91440106MA5D00001HH", "credit_code_length"),
    ("91440106MA5D0000IH", "credit_code_characters"),  # I is never used
    ("91440106ma5d00001h", "credit_code_characters"),  # lower case
    ("DEMO00000000000001", "credit_code_characters"),  # O is not a code character
])
def test_invalid_codes(code, problem):
    assert rules.credit_code_problem(code) == problem


def test_demo_codes_are_recognised():
    assert rules.is_demo_credit_code("DEMO00000000000001")
    assert not rules.is_demo_credit_code("DEMO0000000000001")
    assert not rules.is_demo_credit_code("91440106MA5D00001H")


# --- compliance ---------------------------------------------------------------

def _nurse(expires_on=None, *, active=True, kind="nurse_practising", issued_on=date(2020, 1, 1)):
    return StaffFact("Nurse", "nurse", active,
                     (CertificateFact(kind, "N1", issued_on, expires_on),))


POLICIES = (PolicyFact("premises_liability", date(2026, 1, 1), date(2026, 12, 31)),
            PolicyFact("staff_accident", date(2026, 1, 1), date(2026, 12, 31)))


def _codes(flags):
    return [flag.code for flag in flags]


@pytest.mark.parametrize(("nurses", "clients", "flagged"), [
    (1, 10, False),   # exactly 1:10 passes
    (1, 11, True),
    (2, 20, False),
    (2, 21, True),
    (0, 0, False),
    (0, 1, True),     # clients and no nurse
])
def test_nurse_ratio_boundaries(nurses, clients, flagged):
    flags = rules.nurse_ratio_flags(nurses=nurses, clients=clients, clients_per_nurse=RATIO)
    assert bool(flags) is flagged


def test_nurse_ratio_flag_says_how_many_nurses_are_needed():
    [flag] = rules.nurse_ratio_flags(nurses=1, clients=11, clients_per_nurse=RATIO)
    assert flag.code == "nurse_ratio"
    assert flag.params == {"clients": 11, "nurses": 1, "needed": 2, "ratio": 10}
    assert "11" in str(flag.message)
    assert not flag.is_warning


@pytest.mark.parametrize(("staff", "count"), [
    ((_nurse(),), 1),
    ((_nurse(DAY),), 1),                               # expires today: still qualified
    ((_nurse(date(2026, 6, 14)),), 0),                 # expired yesterday
    ((_nurse(active=False),), 0),                      # left the provider
    ((_nurse(kind="eldercare_worker"),), 0),           # not a practising certificate
    ((_nurse(issued_on=date(2026, 6, 16)),), 0),       # not yet issued
    ((StaffFact("Carer", "caregiver", True, (CertificateFact(
        "nurse_practising", "X", date(2020, 1, 1), None),)),), 0),  # not on the roster as nurse
    ((_nurse(), _nurse()), 2),
])
def test_qualified_nurses(staff, count):
    assert rules.qualified_nurses(staff, DAY) == count


@pytest.mark.parametrize(("until", "flagged"), [
    (DAY, False),                    # ends today: valid today
    (date(2026, 6, 14), True),       # ended yesterday
])
def test_insurance_ending_today_is_still_valid(until, flagged):
    policies = (PolicyFact("premises_liability", date(2026, 1, 1), until),
                PolicyFact("staff_accident", date(2026, 1, 1), date(2026, 12, 31)))
    expected = ["no_premises_liability"] if flagged else []
    assert _codes(rules.insurance_flags(policies, DAY)) == expected


def test_insurance_starting_tomorrow_does_not_count():
    policies = (PolicyFact("premises_liability", date(2026, 6, 16), date(2027, 6, 15)),
                POLICIES[1])
    assert _codes(rules.insurance_flags(policies, DAY)) == ["no_premises_liability"]


def test_each_missing_insurance_is_flagged():
    assert _codes(rules.insurance_flags((), DAY)) == ["no_premises_liability",
                                                      "no_staff_accident"]
    assert _codes(rules.insurance_flags(POLICIES[1:], DAY)) == ["no_premises_liability"]
    assert _codes(rules.insurance_flags(POLICIES[:1], DAY)) == ["no_staff_accident"]


@pytest.mark.parametrize(("expires_on", "codes"), [
    (date(2026, 6, 14), ["certificate_expired"]),    # expired yesterday
    (DAY, ["certificate_expiring"]),                 # expires today: valid, warned
    (date(2026, 7, 15), ["certificate_expiring"]),   # 30 days ahead: warned
    (date(2026, 7, 16), []),                         # 31 days ahead
    (None, []),                                      # never expires
])
def test_certificate_expiry_boundaries(expires_on, codes):
    assert _codes(rules.certificate_flags((_nurse(expires_on),), DAY)) == codes


def test_expiring_certificate_is_a_warning_naming_the_person():
    [flag] = rules.certificate_flags((_nurse(DAY),), DAY)
    assert flag.is_warning
    assert "Nurse" in str(flag.message)
    assert "N1" in str(flag.message)


def test_certificates_of_staff_who_left_are_not_flagged():
    assert rules.certificate_flags((_nurse(date(2020, 1, 1), active=False),), DAY) == []


def test_a_compliant_provider_has_no_flags():
    facts = ProviderFacts(10, POLICIES, (_nurse(),))
    assert rules.compliance_flags(facts, DAY, clients_per_nurse=RATIO) == []


def test_errors_come_before_warnings():
    facts = ProviderFacts(11, (), (_nurse(DAY),))
    assert _codes(rules.compliance_flags(facts, DAY, clients_per_nurse=RATIO)) == [
        "nurse_ratio", "no_premises_liability", "no_staff_accident", "certificate_expiring"]
