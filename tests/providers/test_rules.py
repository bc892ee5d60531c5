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


def _caregiver(*certificates, role="caregiver", active=True):
    return StaffFact("Carer", role, active, tuple(certificates))


def _cert(kind="eldercare_worker", expires_on=None, *, number="YL1",
          issued_on=date(2020, 1, 1)):
    return CertificateFact(kind, number, issued_on, expires_on)


POLICIES = (PolicyFact("premises_liability", date(2026, 1, 1), date(2026, 12, 31)),
            PolicyFact("staff_accident", date(2026, 1, 1), date(2026, 12, 31)))


def _codes(flags):
    return [flag.code for flag in flags]


@pytest.mark.parametrize(("staff", "clients", "flagged"), [
    (1, 10, False),   # exactly 1:10 passes
    (1, 11, True),
    (2, 20, False),
    (2, 21, True),
    (0, 0, False),
    (0, 1, True),     # clients and no nursing staff
])
def test_nurse_ratio_boundaries(staff, clients, flagged):
    flags = rules.nurse_ratio_flags(nursing_staff=staff, clients=clients,
                                    clients_per_nurse=RATIO)
    assert bool(flags) is flagged


def test_nurse_ratio_flag_says_how_many_nursing_staff_are_needed():
    [flag] = rules.nurse_ratio_flags(nursing_staff=1, clients=11, clients_per_nurse=RATIO)
    assert flag.code == "nurse_ratio"
    assert flag.params == {"clients": 11, "nursing_staff": 1, "needed": 2, "ratio": 10}
    assert "11" in str(flag.message)
    assert "合格护理人员" in str(flag.message)
    assert not flag.is_warning


def test_the_qualifying_certificates_are_the_art_15_table():
    assert set(rules.QUALIFYING_NURSING_CERTIFICATES) == {"nurse_practising",
                                                          "eldercare_worker"}
    assert {"nurse", "caregiver"} == rules.NURSING_STAFF_ROLES


@pytest.mark.parametrize(("staff", "count"), [
    ((_nurse(),), 1),
    ((_nurse(DAY),), 1),                               # expires today: still qualified
    ((_nurse(date(2026, 6, 14)),), 0),                 # expired yesterday
    ((_nurse(active=False),), 0),                      # left the provider
    ((_nurse(kind="eldercare_worker"),), 1),           # a nurse with the eldercare-worker one
    ((_nurse(kind="social_worker"),), 0),              # not a qualifying certificate
    ((_nurse(issued_on=date(2026, 6, 16)),), 0),       # not yet issued
    # Art 15 counts nursing staff (护理人员), not only nurses:
    ((_caregiver(_cert()),), 1),                       # caregiver, eldercare-worker certificate
    ((_caregiver(_cert(expires_on=DAY)),), 1),         # ... expiring today
    ((_caregiver(_cert(expires_on=date(2026, 6, 14))),), 0),  # ... expired yesterday
    ((_caregiver(_cert(issued_on=date(2026, 6, 16))),), 0),   # ... not yet issued
    ((_caregiver(),), 0),                              # caregiver without a certificate
    ((_caregiver(_cert("other")),), 0),                # ... with a non-qualifying one
    ((_caregiver(_cert("nurse_practising")),), 1),     # caregiver holding a nurse certificate
    ((_caregiver(_cert(), active=False),), 0),         # left the provider
    ((_caregiver(_cert(), role="social_worker"),), 0),  # not nursing staff on the roster
    ((_caregiver(_cert(), role="other"),), 0),
    ((_caregiver(_cert(), _cert("nurse_practising")),), 1),  # one person counts once
    ((_nurse(), _nurse(), _caregiver(_cert())), 3),
])
def test_qualified_nursing_staff(staff, count):
    assert rules.qualified_nursing_staff(staff, DAY) == count


@pytest.mark.parametrize(("carers", "clients", "flagged"), [
    (1, 10, False),   # one qualified caregiver carries exactly 10 clients
    (1, 11, True),
])
def test_qualified_caregivers_carry_the_ratio(carers, clients, flagged):
    facts = ProviderFacts(clients, POLICIES, tuple(_caregiver(_cert()) for _ in range(carers)))
    codes = _codes(rules.compliance_flags(facts, DAY, clients_per_nurse=RATIO))
    assert ("nurse_ratio" in codes) is flagged


def test_an_unqualified_caregiver_does_not_carry_the_ratio():
    facts = ProviderFacts(1, POLICIES, (_caregiver(),))
    assert _codes(rules.compliance_flags(facts, DAY, clients_per_nurse=RATIO)) == [
        "nurse_ratio"]


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


def test_a_renewed_certificate_clears_the_expired_flag():
    # given a caregiver whose first certificate expired and who holds its renewal
    old = _cert(expires_on=date(2025, 12, 31), number="OLD", issued_on=date(2023, 1, 1))
    new = _cert(expires_on=date(2028, 12, 31), number="NEW", issued_on=date(2026, 1, 1))
    # then nothing is flagged, whatever order the certificates come in
    assert rules.certificate_flags((_caregiver(old, new),), DAY) == []
    assert rules.certificate_flags((_caregiver(new, old),), DAY) == []
    # and without the renewal the old one is flagged
    assert _codes(rules.certificate_flags((_caregiver(old),), DAY)) == ["certificate_expired"]


@pytest.mark.parametrize(("renewal_from", "codes"), [
    (DAY, []),                                   # renewal valid from today
    (date(2026, 6, 16), ["certificate_expired"]),  # renewal only from tomorrow: a gap today
])
def test_the_renewal_must_be_valid_on_the_day(renewal_from, codes):
    old = _cert(expires_on=date(2026, 6, 14), number="OLD", issued_on=date(2023, 1, 1))
    new = _cert(expires_on=date(2029, 6, 14), number="NEW", issued_on=renewal_from)
    flags = rules.certificate_flags((_caregiver(old, new),), DAY)
    assert _codes(flags) == codes
    if codes:
        assert flags[0].params["number"] == "OLD"


def test_a_renewal_of_another_kind_does_not_clear_the_flag():
    old = _cert("nurse_practising", date(2026, 1, 1), number="OLD")
    other = _cert("eldercare_worker", None, number="YL")
    flags = rules.certificate_flags((_caregiver(old, other),), DAY)
    assert [(f.code, f.params["number"]) for f in flags] == [("certificate_expired", "OLD")]


def test_the_most_recent_expiry_is_named_when_every_certificate_lapsed():
    first = _cert(expires_on=date(2024, 12, 31), number="FIRST", issued_on=date(2022, 1, 1))
    second = _cert(expires_on=date(2026, 5, 31), number="SECOND", issued_on=date(2025, 1, 1))
    [flag] = rules.certificate_flags((_caregiver(second, first),), DAY)
    assert (flag.code, flag.params["number"]) == ("certificate_expired", "SECOND")


def test_only_the_latest_certificate_of_a_kind_is_warned_of():
    # the old one expires within the window, but its renewal is already recorded
    old = _cert(expires_on=date(2026, 6, 20), number="OLD", issued_on=date(2023, 1, 1))
    new = _cert(expires_on=date(2029, 6, 20), number="NEW", issued_on=date(2026, 6, 1))
    assert rules.certificate_flags((_caregiver(old, new),), DAY) == []
    # the latest itself expiring within the window is warned of
    soon = _cert(expires_on=date(2026, 7, 15), number="SOON", issued_on=date(2026, 1, 1))
    [flag] = rules.certificate_flags((_caregiver(old, soon),), DAY)
    assert (flag.code, flag.params["number"]) == ("certificate_expiring", "SOON")


def test_the_warning_window_is_the_named_product_constant():
    assert rules.CERTIFICATE_EXPIRY_WARNING_DAYS == 30
    edge = _cert(expires_on=date(2026, 7, 20))    # 35 days ahead
    assert rules.certificate_flags((_caregiver(edge),), DAY) == []
    assert _codes(rules.certificate_flags((_caregiver(edge),), DAY, warning_days=35)) == [
        "certificate_expiring"]


def test_certificates_of_staff_who_left_are_not_flagged():
    assert rules.certificate_flags((_nurse(date(2020, 1, 1), active=False),), DAY) == []


def test_a_compliant_provider_has_no_flags():
    facts = ProviderFacts(10, POLICIES, (_nurse(),))
    assert rules.compliance_flags(facts, DAY, clients_per_nurse=RATIO) == []


def test_errors_come_before_warnings():
    facts = ProviderFacts(11, (), (_nurse(DAY),))
    assert _codes(rules.compliance_flags(facts, DAY, clients_per_nurse=RATIO)) == [
        "nurse_ratio", "no_premises_liability", "no_staff_accident", "certificate_expiring"]
